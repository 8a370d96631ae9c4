import { MACHINE_SPECS, type Cloud } from "@tricloud/vocabulary/sizes";
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
 * How many nodes of a machine hold the given requests, counting the machine's full capacity (the kubelet's
 * reserve and the system pods take some of it, so this is a lower bound), and what they cost a month at list price.
 */
export function nodesFor(
  cloud: Cloud,
  machine: string,
  requested: Resources,
  catalog: Catalog,
): { nodes: number; monthlyUsd: number | null } {
  const spec = MACHINE_SPECS[machine];
  if (!spec) throw new Error(`unknown machine ${machine}: not in vocabulary/sizes.ts MACHINE_SPECS`);
  const nodes = Math.max(
    Math.ceil(requested.cpuMillis / (spec.vcpus * 1000)),
    Math.ceil(requested.memoryMiB / (spec.memoryGiB * 1024)),
  );
  const price = catalog.prices[nodePriceId(cloud, machine)];
  const monthlyUsd =
    price && price.per === "hour" ? Math.round(nodes * price.usd * catalog.hoursPerMonth * 100) / 100 : null;
  return { nodes, monthlyUsd };
}
