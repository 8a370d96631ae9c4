/**
 * The portable size vocabulary, mapped once per cloud. `small` is the reference
 * architecture's t3.medium / Standard_D2s_v3 / e2-medium node. Each class
 * states a floor (vCPUs, memory); every cloud's machine meets it, and
 * MACHINE_SPECS records what each machine really has so the tests can check.
 */
export const SIZES = ["small", "medium", "large"] as const;
export type Size = (typeof SIZES)[number];
export type Cloud = "aws" | "azure" | "gcp";
export const CLOUDS: readonly Cloud[] = ["aws", "azure", "gcp"];

export interface NodeMachine {
  /** The class's floor: every cloud's machine has at least this many vCPUs. */
  readonly vcpus: number;
  /** The class's floor in GiB. */
  readonly memoryGiB: number;
  readonly aws: string;
  readonly azure: string;
  readonly gcp: string;
}

export const NODE_SIZES: Readonly<Record<Size, NodeMachine>> = {
  // Standard_D2s_v3 has 8 GiB: the reference architecture names it, and Azure has no current 2 vCPU / 4 GiB general-purpose size.
  small: { vcpus: 2, memoryGiB: 4, aws: "t3.medium", azure: "Standard_D2s_v3", gcp: "e2-medium" },
  medium: { vcpus: 2, memoryGiB: 8, aws: "m6i.large", azure: "Standard_D2s_v5", gcp: "e2-standard-2" },
  large: { vcpus: 4, memoryGiB: 16, aws: "m6i.xlarge", azure: "Standard_D4s_v5", gcp: "e2-standard-4" },
};

export type AzureDatabaseTier = "Burstable" | "GeneralPurpose" | "MemoryOptimized";

export interface DatabaseMachine {
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** RDS instance class. */
  readonly aws: string;
  /** Flexible Server SKU name and tier. */
  readonly azure: { readonly name: string; readonly tier: AzureDatabaseTier };
  /** Cloud SQL tier (custom machine: db-custom-<vCPUs>-<MiB>, Enterprise edition). */
  readonly gcp: string;
}

export const DATABASE_SIZES: Readonly<Record<Size, DatabaseMachine>> = {
  small: {
    vcpus: 2,
    memoryGiB: 4,
    aws: "db.t3.medium",
    azure: { name: "Standard_B2s", tier: "Burstable" },
    gcp: "db-custom-2-4096",
  },
  medium: {
    vcpus: 2,
    memoryGiB: 8,
    aws: "db.m6g.large",
    azure: { name: "Standard_D2ds_v5", tier: "GeneralPurpose" },
    gcp: "db-custom-2-8192",
  },
  large: {
    vcpus: 4,
    memoryGiB: 16,
    aws: "db.m6g.xlarge",
    azure: { name: "Standard_D4ds_v5", tier: "GeneralPurpose" },
    gcp: "db-custom-4-16384",
  },
};

/** vCPUs and memory of every machine above, from the providers' published size tables. */
export const MACHINE_SPECS: Readonly<Record<string, { readonly vcpus: number; readonly memoryGiB: number }>> = {
  "t3.medium": { vcpus: 2, memoryGiB: 4 },
  "m6i.large": { vcpus: 2, memoryGiB: 8 },
  "m6i.xlarge": { vcpus: 4, memoryGiB: 16 },
  Standard_D2s_v3: { vcpus: 2, memoryGiB: 8 },
  Standard_D2s_v5: { vcpus: 2, memoryGiB: 8 },
  Standard_D4s_v5: { vcpus: 4, memoryGiB: 16 },
  "e2-medium": { vcpus: 2, memoryGiB: 4 },
  "e2-standard-2": { vcpus: 2, memoryGiB: 8 },
  "e2-standard-4": { vcpus: 4, memoryGiB: 16 },
  "db.t3.medium": { vcpus: 2, memoryGiB: 4 },
  "db.m6g.large": { vcpus: 2, memoryGiB: 8 },
  "db.m6g.xlarge": { vcpus: 4, memoryGiB: 16 },
  Standard_B2s: { vcpus: 2, memoryGiB: 4 },
  Standard_D2ds_v5: { vcpus: 2, memoryGiB: 8 },
  Standard_D4ds_v5: { vcpus: 4, memoryGiB: 16 },
  "db-custom-2-4096": { vcpus: 2, memoryGiB: 4 },
  "db-custom-2-8192": { vcpus: 2, memoryGiB: 8 },
  "db-custom-4-16384": { vcpus: 4, memoryGiB: 16 },
};

export function nodeMachine(cloud: Cloud, size: Size): string {
  return NODE_SIZES[size][cloud];
}

/** The database machine name on one cloud (the Azure SKU name; its tier is in DATABASE_SIZES). */
export function databaseMachine(cloud: Cloud, size: Size): string {
  const m = DATABASE_SIZES[size];
  return cloud === "azure" ? m.azure.name : m[cloud];
}

/**
 * Azure Flexible Server offers zone-redundant HA on General Purpose and
 * Memory Optimized only, never on Burstable; the stack schema uses this to
 * reject `highAvailability: true` with a size that cannot honour it.
 */
export function supportsHighAvailability(size: Size): boolean {
  return DATABASE_SIZES[size].azure.tier !== "Burstable";
}

// ---- Database storage: the portable `storageGb` mapped to what each cloud provisions ----------

/**
 * Flexible Server on Premium SSD takes fixed disk sizes only (GiB; 4095 and 32767 are the
 * sizes Azure lists beside 4096 and 32 TiB). Read 2026-11-30 from
 * https://learn.microsoft.com/en-us/azure/postgresql/flexible-server/concepts-storage
 * (the same ladder in MiB is what the azurerm provider and its users validate against).
 */
export const AZURE_FLEXIBLE_SERVER_STORAGE_GIB = [
  32, 64, 128, 256, 512, 1024, 2048, 4095, 4096, 8192, 16384, 32767,
] as const;

/** The smallest Premium SSD size Flexible Server accepts that holds `storageGb`; refuses what no size holds. */
export function azureFlexibleServerStorageGb(storageGb: number): number {
  const size = AZURE_FLEXIBLE_SERVER_STORAGE_GIB.find((s) => s >= storageGb);
  if (size === undefined)
    throw new Error(`storageGb ${storageGb}: Flexible Server (Premium SSD) offers at most 32767 GiB`);
  return size;
}

/** RDS gp3 for PostgreSQL: 20 to 65,536 GiB in whole GiB (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html). */
export function awsRdsStorageGb(storageGb: number): number {
  if (storageGb > 65536) throw new Error(`storageGb ${storageGb}: RDS gp3 offers at most 65536 GiB`);
  return Math.max(20, Math.ceil(storageGb));
}

/** Cloud SQL SSD: at least 10 GB, whole GB, at most 65,536 GB (https://cloud.google.com/sql/docs/postgres/instance-settings). */
export function gcpCloudSqlStorageGb(storageGb: number): number {
  if (storageGb > 65536) throw new Error(`storageGb ${storageGb}: Cloud SQL offers at most 65536 GB`);
  return Math.max(10, Math.ceil(storageGb));
}
