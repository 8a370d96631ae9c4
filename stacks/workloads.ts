import type * as pulumi from "@pulumi/pulumi";
import { ClusterWorkloads } from "../components/workloads/cluster-workloads";
import { CLOUDS, MACHINE_SPECS, nodeMachine, type Cloud } from "@tricloud/vocabulary/sizes";
import type { StackConfig } from "./config/load";

/** What each cloud's cluster needs to carry its services: its registry and the component to parent them to. */
export type WorkloadHosts = Record<Cloud, { registryUrl: pulumi.Input<string>; parent: pulumi.Resource }>;

/** The node capacity a pool offers at its ceiling (machine capacity; the kubelet's reserve makes allocatable a little lower). */
export function poolCapacity(config: StackConfig, cloud: Cloud) {
  const pool = config.tricloud.clusters[cloud];
  const machine = nodeMachine(cloud, pool.size);
  const spec = MACHINE_SPECS[machine]!;
  return {
    machine,
    maxNodes: pool.maxNodes,
    cpuMillis: pool.maxNodes * spec.vcpus * 1000,
    memoryMiB: pool.maxNodes * spec.memoryGiB * 1024,
  };
}

/** Renders every cluster's services (docs/workloads.md) and returns the stack output `workloads`. */
export function workloads(config: StackConfig, hosts: WorkloadHosts) {
  const t = config.tricloud;
  const out = {} as Record<Cloud, ReturnType<typeof outputsOf>>;
  for (const cloud of CLOUDS) {
    const w = new ClusterWorkloads(
      `${t.environment}-${cloud}-workloads`,
      {
        cloud,
        kubernetesVersion: t.kubernetesVersion,
        registryUrl: hosts[cloud].registryUrl,
        services: t.services,
      },
      { parent: hosts[cloud].parent },
    );
    out[cloud] = outputsOf(w, hosts[cloud].registryUrl, poolCapacity(config, cloud));
  }
  return out;
}

function outputsOf(w: ClusterWorkloads, registryUrl: pulumi.Input<string>, capacity: ReturnType<typeof poolCapacity>) {
  // Stack policies see the Stack's outputs: the portability pack checks `objects` and their images against
  // `registryUrl`, the cost pack compares `requested` with `capacity`.
  return {
    services: w.services,
    registryUrl,
    objects: w.objects,
    sha256: w.sha256,
    manifests: w.manifests,
    requested: w.requested,
    capacity,
  };
}
