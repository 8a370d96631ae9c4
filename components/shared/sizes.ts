/**
 * The portable size vocabulary, mapped once per cloud. `small` is the seed
 * architecture's t3.medium / Standard_D2s_v3 / e2-medium node.
 */
export const SIZES = ["small", "medium", "large"] as const;
export type Size = (typeof SIZES)[number];
export type Cloud = "aws" | "azure" | "gcp";
export const CLOUDS: readonly Cloud[] = ["aws", "azure", "gcp"];

export interface NodeMachine {
  readonly vcpus: number;
  readonly memoryGiB: number;
  readonly aws: string;
  readonly azure: string;
  readonly gcp: string;
}

export const NODE_SIZES: Readonly<Record<Size, NodeMachine>> = {
  small: { vcpus: 2, memoryGiB: 4, aws: "t3.medium", azure: "Standard_D2s_v3", gcp: "e2-medium" },
  medium: { vcpus: 2, memoryGiB: 8, aws: "m6i.large", azure: "Standard_D2s_v5", gcp: "e2-standard-2" },
  large: { vcpus: 4, memoryGiB: 16, aws: "m6i.xlarge", azure: "Standard_D4s_v5", gcp: "e2-standard-4" },
};

export interface DatabaseMachine {
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** RDS instance class. */
  readonly aws: string;
  /** Flexible Server SKU name and tier. */
  readonly azure: { readonly name: string; readonly tier: "Burstable" | "GeneralPurpose" | "MemoryOptimized" };
  /** Cloud SQL tier. */
  readonly gcp: string;
}

export const DATABASE_SIZES: Readonly<Record<Size, DatabaseMachine>> = {
  small: { vcpus: 2, memoryGiB: 4, aws: "db.t3.medium", azure: { name: "Standard_B2s", tier: "Burstable" }, gcp: "db-custom-2-4096" },
  medium: { vcpus: 2, memoryGiB: 8, aws: "db.m6g.large", azure: { name: "Standard_D2ds_v5", tier: "GeneralPurpose" }, gcp: "db-custom-2-8192" },
  large: { vcpus: 4, memoryGiB: 16, aws: "db.m6g.xlarge", azure: { name: "Standard_D4ds_v5", tier: "GeneralPurpose" }, gcp: "db-custom-4-16384" },
};

export function nodeMachine(cloud: Cloud, size: Size): string {
  return NODE_SIZES[size][cloud];
}
