import type { StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { get } from "@tricloud/policy-kit/kit";

/**
 * What the clusters run is rendered, not applied (docs/workloads.md), so these policies read it where the program
 * leaves it: the Stack's output `workloads.<cloud>` (stack policies see the Stack's outputs), with `objects` (the
 * Kubernetes objects), `services` (their names) and `registryUrl` (the cloud's registry).
 */
export const WORKLOADS_OUTPUT = "workloads";
export const CLUSTER_CLOUDS = ["aws", "azure", "gcp"] as const;
export type ClusterCloud = (typeof CLUSTER_CLOUDS)[number];

export interface ClusterWorkloadsOutput {
  services?: string[];
  registryUrl?: string;
  objects?: { kind?: string; metadata?: { name?: string; namespace?: string }; spec?: any }[];
  /** The cluster's place in the mesh (components/workloads/cluster-workloads.ts), when it is in one. */
  mesh?: { clusterName?: string } | null;
}

/** Each cloud's rendered workloads, or undefined when the stack exports none. */
export function workloadsOf(
  args: StackValidationArgs,
): Partial<Record<ClusterCloud, ClusterWorkloadsOutput>> | undefined {
  const stack = args.resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const w = get(stack?.props, WORKLOADS_OUTPUT);
  return w && typeof w === "object" ? (w as Record<string, ClusterWorkloadsOutput>) : undefined;
}

/**
 * What `portability-workloads-services-on-every-cluster` expects of one service: the clouds its configuration gives a
 * weight (`clouds`, derived from `tricloud:services.<name>.clouds` by policies/stack-config.ts); a service with no
 * entry runs on all three unless `allowPartial` names it.
 */
export function servicePlacementFindings(
  all: Partial<Record<ClusterCloud, ClusterWorkloadsOutput>>,
  config: { allowPartial: readonly string[]; clouds: Readonly<Record<string, readonly string[]>> },
): string[] {
  const out: string[] = [];
  const runsOn = (name: string) => CLUSTER_CLOUDS.filter((c) => (all[c]?.services ?? []).includes(name));
  const names = new Set([...CLUSTER_CLOUDS.flatMap((c) => all[c]?.services ?? []), ...Object.keys(config.clouds)]);
  for (const name of [...names].sort()) {
    const running = runsOn(name);
    const configured = config.clouds[name];
    if (configured) {
      const missing = CLUSTER_CLOUDS.filter((c) => configured.includes(c) && !running.includes(c));
      const extra = running.filter((c) => !configured.includes(c));
      if (missing.length > 0)
        out.push(
          `service ${name} does not run on ${missing.join(", ")}, though tricloud:services.${name}.clouds gives it a weight there: render it on every cloud its configuration names (stacks/workloads.ts).`,
        );
      if (extra.length > 0)
        out.push(
          `service ${name} runs on ${extra.join(", ")}, which tricloud:services.${name}.clouds leaves out: give it a weight there or stop rendering it.`,
        );
      continue;
    }
    const missing = CLUSTER_CLOUDS.filter((c) => !running.includes(c));
    if (missing.length > 0 && !config.allowPartial.includes(name))
      out.push(
        `service ${name} does not run on ${missing.join(", ")}: give it a weight there in tricloud:services.${name}.clouds, or list it in this policy's allowPartial.`,
      );
  }
  return out;
}

export const workloadsEverywhere: StackValidationPolicy = {
  name: "portability-workloads-services-on-every-cluster",
  description:
    "Requires every service to run on all three clusters, or on exactly the clouds tricloud:services.<name>.clouds gives it a weight on, so losing a cloud loses capacity, not a service.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      clouds: {
        type: "object",
        additionalProperties: { type: "array", items: { type: "string", enum: [...CLUSTER_CLOUDS] } },
        default: {},
        description:
          "Per service, the clouds its configuration gives a weight (tricloud:services.<name>.clouds; policies/stack-config.ts derives it): the service must run on exactly those.",
      },
      allowPartial: {
        type: "array",
        items: { type: "string" },
        default: [],
        description:
          "Services with no entry in clouds that may run on fewer than three clouds (a policy config written by hand for the real CLI).",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const all = workloadsOf(args);
    if (!all) return args.notApplicable(`the stack exports no ${WORKLOADS_OUTPUT}`);
    const config = args.getConfig<{ allowPartial: string[]; clouds: Record<string, string[]> }>();
    for (const f of servicePlacementFindings(all, config)) reportViolation(f);
  },
};

/** What the restricted Pod Security Standard and this platform ask of every container, with what to change. */
function containerFindings(pod: any, c: any): string[] {
  const out: string[] = [];
  const sc = c.securityContext ?? {};
  if (sc.privileged === true) out.push("privileged: set securityContext.privileged false");
  if (sc.allowPrivilegeEscalation !== false) out.push("allowPrivilegeEscalation not false");
  if ((sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) !== true) out.push("runAsNonRoot not true");
  if (sc.readOnlyRootFilesystem !== true) out.push("readOnlyRootFilesystem not true");
  for (const kind of ["requests", "limits"] as const) {
    for (const r of ["cpu", "memory"]) if (c.resources?.[kind]?.[r] === undefined) out.push(`no ${kind}.${r}`);
  }
  return out;
}

export const workloadsPodSecurity: StackValidationPolicy = {
  name: "portability-workloads-pod-security",
  description:
    "Requires every rendered container to run as non-root, unprivileged, without privilege escalation, on a read-only root filesystem, with CPU and memory requests and limits, from an image in the stack's own registry on that cloud.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const all = workloadsOf(args);
    if (!all) return args.notApplicable(`the stack exports no ${WORKLOADS_OUTPUT}`);
    for (const cloud of CLUSTER_CLOUDS) {
      const w = all[cloud];
      for (const d of (w?.objects ?? []).filter((o) => o.kind === "Deployment")) {
        const pod = d.spec?.template?.spec ?? {};
        for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
          const where = `${cloud} Deployment ${d.metadata?.name} container ${c.name}`;
          const findings = containerFindings(pod, c);
          if (findings.length > 0)
            reportViolation(
              `${where}: ${findings.join("; ")} (components/workloads/render.ts sets them for every service).`,
            );
          const registry = w?.registryUrl;
          if (
            typeof c.image !== "string" ||
            !registry ||
            !(c.image.startsWith(`${registry}/`) || c.image.startsWith(`${registry}:`))
          ) {
            reportViolation(
              `${where}: image ${c.image} is not in the stack's ${cloud} registry ${registry ?? "(none exported)"}: push it there and name it by tricloud:services.<name>.image.`,
            );
          }
        }
      }
    }
  },
};

export const workloadPolicies = [workloadsEverywhere, workloadsPodSecurity];
