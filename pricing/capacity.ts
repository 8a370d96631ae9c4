import { machineAllocatable } from "@tricloud/vocabulary/allocatable";
import type { Cloud } from "@tricloud/vocabulary/sizes";
import type { Catalog } from "./catalog";

/** CPU in millicores and memory in MiB, as Kubernetes requests add up. */
export interface Resources {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

/** The catalog id of a node machine's on-demand hourly price. */
export function nodePriceId(cloud: Cloud, machine: string): string {
  return `${{ aws: "aws.ec2", azure: "azure.vm", gcp: "gcp.compute" }[cloud]}.${machine}`;
}

/**
 * Nodes of a machine the requests fill, by the scarcer of CPU and memory, counting what one node allocates to pods (the
 * machine less the kubelet's reserve: vocabulary/allocatable.ts; on GKE's shared-core e2-medium less than half its
 * CPU). The system DaemonSets' requests come on top, so it is still a lower bound.
 */
export function nodesNeeded(cloud: Cloud, machine: string, requested: Resources): number {
  // machineAllocatable refuses a machine MACHINE_SPECS does not list, naming it.
  const node = machineAllocatable(cloud, machine);
  return Math.max(Math.ceil(requested.cpuMillis / node.cpuMillis), Math.ceil(requested.memoryMiB / node.memoryMiB));
}

/** How many nodes of a machine hold the given requests, and what they cost a month at list price. */
export function nodesFor(
  cloud: Cloud,
  machine: string,
  requested: Resources,
  catalog: Catalog,
): { nodes: number; monthlyUsd: number | null } {
  const nodes = nodesNeeded(cloud, machine, requested);
  const price = catalog.prices[nodePriceId(cloud, machine)];
  const monthlyUsd =
    price && price.per === "hour" ? Math.round(nodes * price.usd * catalog.hoursPerMonth * 100) / 100 : null;
  return { nodes, monthlyUsd };
}

/** What the services request at their replica floor on one cloud, from the Stack's output `workloads` (stacks/workloads.ts). */
export function serviceFloorOf(stackOutputs: Record<string, any> | undefined, cloud: Cloud): Resources | undefined {
  const r = stackOutputs?.workloads?.[cloud]?.requested?.atMinReplicas;
  return r && Number.isFinite(r.cpuMillis) && Number.isFinite(r.memoryMiB) ? r : undefined;
}

/**
 * The most nodes one cloud's cluster may run, from the Stack's output `workloads.<cloud>.capacity` (stacks/workloads.ts,
 * poolCapacity): what its autoscaler is held to (on EKS the node group plus the Auto Mode NodePool's limits).
 */
export function poolMaxNodesOf(stackOutputs: Record<string, any> | undefined, cloud: Cloud): number | undefined {
  const n = stackOutputs?.workloads?.[cloud]?.capacity?.maxNodes;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : undefined;
}
