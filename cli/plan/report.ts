import type { PreflightEntry, Prerequisite } from "../../policies/preflight/rule";
import type { CloudName, CostLine, WhatIf } from "@tricloud/vocabulary/clouds";

// The shared vocabulary lives in vocabulary/ (it imports nothing of the project); re-exported for the plan's readers.
export { CLOUD_NAMES, cloudOf, type CloudName, type CostLine, type WhatIf } from "@tricloud/vocabulary/clouds";

/** The `tricloud plan` report. The JSON shape is a contract: extend it, never rename. */
export interface PlannedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** URN of the parent resource; null only for the root stack. */
  readonly parent: string | null;
  readonly cloud: CloudName;
  /** Inputs as the program passed them; secret values are replaced by "[secret]". */
  readonly inputs: Record<string, unknown>;
  /** True for cloud resources, false for components and the stack. */
  readonly custom: boolean;
  /** Dotted paths of inputs the program marked secret. */
  readonly secretInputs: readonly string[];
  /** Components only: whether the component called registerOutputs. */
  readonly registeredOutputs?: boolean;
  /** URNs this resource waits for (explicit dependsOn and input references), as the engine orders them. */
  readonly dependencies?: readonly string[];
}

/** One row of the lock-in report (the portability matrix, computed from the plan). */
export interface LockInRow {
  readonly component: string;
  readonly provider: CloudName;
  readonly resourceType: string;
  readonly service: string;
  readonly lockInLevel: "low" | "medium" | "high";
  readonly exitPath: string;
  /** True when the service is high lock-in but listed in tricloud:allowedLockIn. */
  readonly allowed?: boolean;
}

export interface PolicyViolation {
  readonly pack: string;
  readonly policy: string;
  readonly enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled";
  readonly urn: string | null;
  readonly message: string;
}

export interface PlanReport {
  readonly project: string;
  readonly stack: string;
  readonly resources: PlannedResource[];
  readonly summary: {
    /** Cloud resources (components and the stack are not counted). */
    readonly total: number;
    readonly byCloud: Record<CloudName, number>;
    readonly components: number;
  };
  readonly cost: {
    readonly monthlyUsd: number | null;
    readonly ceilingUsd: number | null;
    readonly byCloud: Partial<Record<CloudName, number>>;
    readonly lines: CostLine[];
    /** Monthly cost per tricloud component (the nearest tricloud:* ancestor's name). */
    readonly byComponent?: Record<string, number>;
    /** The estimate before any what-if; equal to monthlyUsd when there is none. */
    readonly baselineMonthlyUsd?: number | null;
    readonly whatIf?: WhatIf[];
    /** The usage profile that priced usage lines, or null: usage lines then say "depends on usage". */
    readonly usageProfile?: string | null;
    /** Where the prices came from: the catalog plus the user's override file, if any. */
    /** notFirm: how many lines rest on a price less than "firm" (see each line's priceStatus). */
    readonly catalog?: {
      readonly file: string;
      readonly overrides: string | null;
      readonly prices: number;
      readonly notFirm: number;
    };
  };
  readonly policies: { readonly violations: PolicyViolation[] };
  /** The stack outputs, secrets redacted. */
  readonly outputs: Record<string, unknown>;
  /** The API's worst-case failover (components/cloudflare/failover.ts); budget 60 s in prod, null elsewhere. */
  readonly edge?: EdgeReport;
  /** Lock-in per service the plan uses (policies/portability/lock-in.ts). */
  readonly lockIn?: LockInRow[];
  /** What the clouds would refuse (policies/preflight): level "error" fails the plan (exit 1). */
  readonly preflight: PreflightEntry[];
  /** What a team must arrange before `pulumi up` (add-ons, resource providers, quotas, org policies). */
  readonly prerequisites: Prerequisite[];
  /** The date support windows were judged at (YYYY-MM-DD). */
  readonly asOf?: string;
}

export interface EdgeReport {
  readonly failoverSeconds: number;
  readonly failoverBudgetSeconds: number | null;
  readonly explanation: string;
}

export function emptyByCloud(): Record<CloudName, number> {
  return { aws: 0, azure: 0, gcp: 0, cloudflare: 0, vercel: 0, none: 0 };
}
