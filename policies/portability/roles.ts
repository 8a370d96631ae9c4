import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { get, nameOfUrn, type Props } from "@tricloud/policy-kit/kit";

/**
 * The roles every cloud must fill, and which resource types fill them. A new
 * kind of function host (or a new role) is one entry here; the parity
 * policies and the lock-in report read this table.
 */
export type Cloud = "aws" | "azure" | "gcp";
export const CLOUDS: readonly Cloud[] = ["aws", "azure", "gcp"];

export interface RoleType {
  readonly type: string;
  /** When only some resources of the type fill the role (an Azure web app that is a function app). */
  readonly when?: (props: Props) => boolean;
}

export const ROLES: Readonly<
  Record<"cluster" | "database" | "registry" | "functionHost", Readonly<Record<Cloud, readonly RoleType[]>>>
> = {
  cluster: {
    aws: [{ type: "aws:eks/cluster:Cluster" }],
    azure: [{ type: "azure-native:containerservice:ManagedCluster" }],
    gcp: [{ type: "gcp:container/cluster:Cluster" }],
  },
  database: {
    aws: [{ type: "aws:rds/instance:Instance", when: (p) => p.engine === "postgres" }],
    azure: [{ type: "azure-native:dbforpostgresql:Server" }],
    gcp: [
      {
        type: "gcp:sql/databaseInstance:DatabaseInstance",
        when: (p) => String(p.databaseVersion ?? "").startsWith("POSTGRES_"),
      },
    ],
  },
  registry: {
    aws: [{ type: "aws:ecr/repository:Repository" }],
    azure: [{ type: "azure-native:containerregistry:Registry" }],
    gcp: [{ type: "gcp:artifactregistry/repository:Repository", when: (p) => p.format === "DOCKER" }],
  },
  functionHost: {
    aws: [{ type: "aws:lambda/function:Function" }],
    azure: [{ type: "azure-native:web:WebApp", when: (p) => String(p.kind ?? "").includes("functionapp") }],
    gcp: [{ type: "gcp:cloudfunctionsv2/function:Function" }, { type: "gcp:cloudfunctions/function:Function" }],
  },
};
export type Role = keyof typeof ROLES;

/** The resources filling a role on one cloud. */
export function resourcesInRole(resources: readonly PolicyResource[], role: Role, cloud: Cloud): PolicyResource[] {
  return resources.filter((r) => ROLES[role][cloud].some((t) => t.type === r.type && (t.when?.(r.props) ?? true)));
}

function parityPolicy(
  name: string,
  roles: readonly Role[],
  description: string,
  enforcementLevel: "mandatory" | "advisory",
  why = "",
): StackValidationPolicy {
  return {
    name,
    description,
    enforcementLevel,
    validateStack: (args, reportViolation) => {
      for (const role of roles) {
        const missing = CLOUDS.filter((c) => resourcesInRole(args.resources, role, c).length === 0);
        if (missing.length) {
          const expected = missing.map((c) => `${c}: ${ROLES[role][c].map((t) => t.type).join(" or ")}`).join("; ");
          reportViolation(
            `no ${role} on ${missing.join(", ")}: every cloud must run the same platform so any one can take the traffic. Add ${expected}.${why}`,
          );
        }
      }
    },
  };
}

export const roleParity = parityPolicy(
  "portability-stack-enforce-role-parity",
  ["cluster", "database", "registry"],
  "Requires a Kubernetes cluster, a PostgreSQL database and a container registry on each of AWS, Azure and GCP.",
  "mandatory",
);

/** Mandatory since the function hosts landed on all three clouds (see policies/README.md). */
export const functionHostParity = parityPolicy(
  "portability-stack-enforce-function-host-parity",
  ["functionHost"],
  "Requires a function host (Lambda, Azure Functions, Cloud Functions) on each of AWS, Azure and GCP.",
  "mandatory",
);

/** "1.33.5-gke.1000000" -> "1.33"; "POSTGRES_16" -> "16". */
const kubernetesMinor = (v: unknown) => /^v?(\d+\.\d+)/.exec(String(v ?? ""))?.[1];
const postgresMajor = (v: unknown) => /(\d+)/.exec(String(v ?? ""))?.[1];

const VERSION_FIELDS: Readonly<Record<string, string>> = {
  "aws:eks/cluster:Cluster": "version",
  "aws:eks/nodeGroup:NodeGroup": "version",
  "azure-native:containerservice:ManagedCluster": "kubernetesVersion",
  "azure-native:containerservice:AgentPool": "orchestratorVersion",
  "gcp:container/cluster:Cluster": "minMasterVersion",
  "gcp:container/nodePool:NodePool": "version",
  "aws:rds/instance:Instance": "engineVersion",
  "azure-native:dbforpostgresql:Server": "version",
  "gcp:sql/databaseInstance:DatabaseInstance": "databaseVersion",
};

function versionPolicy(
  name: string,
  description: string,
  what: string,
  types: readonly string[],
  parse: (v: unknown) => string | undefined,
): StackValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      const seen = new Map<string, string[]>();
      for (const r of args.resources) {
        if (!types.includes(r.type)) continue;
        const raw = get(r.props, VERSION_FIELDS[r.type]!);
        if (raw === undefined) continue; // the cloud's default, pinned by the cluster or server that owns it
        const v = parse(raw) ?? String(raw);
        seen.set(v, [...(seen.get(v) ?? []), nameOfUrn(r.urn)]);
      }
      if (seen.size === 0) return args.notApplicable(`no ${what} versions in the stack`);
      if (seen.size > 1) {
        const list = [...seen].map(([v, names]) => `${v} (${names.join(", ")})`).join(" vs ");
        reportViolation(
          `${what} versions differ across clouds: ${list}. Set one version (tricloud:${what === "Kubernetes minor" ? "kubernetesVersion" : "postgresVersion"}) for all three so a workload moves without change.`,
        );
      }
    },
  };
}

export const kubernetesVersionsAgree = versionPolicy(
  "portability-kubernetes-cluster-enforce-same-minor",
  "Requires every EKS, AKS and GKE cluster and node pool in the stack to run the same Kubernetes minor version.",
  "Kubernetes minor",
  [
    "aws:eks/cluster:Cluster",
    "aws:eks/nodeGroup:NodeGroup",
    "azure-native:containerservice:ManagedCluster",
    "azure-native:containerservice:AgentPool",
    "gcp:container/cluster:Cluster",
    "gcp:container/nodePool:NodePool",
  ],
  kubernetesMinor,
);

export const postgresVersionsAgree = versionPolicy(
  "portability-postgres-instance-enforce-same-major",
  "Requires RDS, Azure Flexible Server and Cloud SQL PostgreSQL in the stack to run the same major version.",
  "PostgreSQL major",
  ["aws:rds/instance:Instance", "azure-native:dbforpostgresql:Server", "gcp:sql/databaseInstance:DatabaseInstance"],
  postgresMajor,
);

export const parityPolicies = [roleParity, functionHostParity, kubernetesVersionsAgree, postgresVersionsAgree];
