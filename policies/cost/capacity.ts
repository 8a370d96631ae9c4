import type { StackValidationPolicy } from "@pulumi/policy";
import { catalogWith } from "@tricloud/pricing/catalog";
import { nodesFor, type Resources } from "@tricloud/pricing/capacity";
import { get } from "@tricloud/policy-kit/kit";
import { formatUsd } from "@tricloud/vocabulary/money";
import type { Cloud } from "@tricloud/vocabulary/sizes";

/** The stack output the program renders each cluster's services into (stacks/workloads.ts). */
export const WORKLOADS_OUTPUT = "workloads";

interface CapacityOutput {
  requested?: { atMinReplicas?: Resources; atMaxReplicas?: Resources };
  capacity?: Resources & { machine?: string; maxNodes?: number };
}

const fits = (need: Resources, have: Resources) => need.cpuMillis <= have.cpuMillis && need.memoryMiB <= have.memoryMiB;
const describe = (r: Resources) => `${(r.cpuMillis / 1000).toFixed(1)} vCPU, ${(r.memoryMiB / 1024).toFixed(1)} GiB`;

export const workloadsCapacity: StackValidationPolicy = {
  name: "cost-stack-workloads-exceed-node-capacity",
  description:
    "Warns when the services' CPU or memory requests (at their replica floor, or at their HPA ceiling) exceed what the cluster's node pool holds at its maximum size, and prices the nodes they would need.",
  enforcementLevel: "advisory",
  validateStack: (args, reportViolation) => {
    const stack = args.resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const all = get(stack?.props, WORKLOADS_OUTPUT) as Partial<Record<Cloud, CapacityOutput>> | undefined;
    if (!all || typeof all !== "object") return args.notApplicable(`the stack exports no ${WORKLOADS_OUTPUT}`);
    const catalog = catalogWith(undefined);
    for (const cloud of ["aws", "azure", "gcp"] as const) {
      const w = all[cloud];
      const have = w?.capacity;
      if (!have?.machine || !w?.requested?.atMinReplicas || !w.requested.atMaxReplicas) continue;
      const pool = `${have.maxNodes} x ${have.machine} (${describe(have)})`;
      for (const [when, need] of [
        ["at the replica floor", w.requested.atMinReplicas],
        ["at the HPA ceiling", w.requested.atMaxReplicas],
      ] as const) {
        if (fits(need, have)) continue;
        const { nodes, monthlyUsd } = nodesFor(cloud, have.machine, need, catalog);
        const price = monthlyUsd === null ? "" : ` (about ${formatUsd(monthlyUsd)} a month at list price)`;
        reportViolation(
          `${cloud}: the services request ${describe(need)} ${when}, more than the node pool's maximum ${pool}; that needs at least ${nodes} nodes of ${have.machine}${price}. Raise tricloud:clusters.${cloud}.maxNodes or size, or lower the requests or maxReplicas in tricloud:services.`,
        );
      }
    }
  },
};
