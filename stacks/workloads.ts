import type * as pulumi from "@pulumi/pulumi";
import { MeshCa } from "../components/shared/mesh-ca";
import { meshTopology, type MeshSecretSource, type MeshTopology } from "../components/shared/mesh";
import { ClusterWorkloads } from "../components/workloads/cluster-workloads";
import { CLOUDS, MACHINE_SPECS, nodeMachine, type Cloud } from "@tricloud/vocabulary/sizes";
import type { StackConfig } from "./config/load";

/**
 * What each cloud's cluster needs to carry its services: its registry, the component to parent them to, and how its
 * External Secrets operator reads the mesh CA (absent where the cloud's GitOps, and so the secret, is not built).
 */
export type WorkloadHosts = Record<
  Cloud,
  { registryUrl: pulumi.Input<string>; parent: pulumi.Resource; meshSecrets?: pulumi.Output<MeshSecretSource> }
>;

/** What each cloud's platform receives of the mesh: its cluster's intermediate CA (`cacerts` JSON, a secret). */
export interface MeshMember {
  readonly cacerts: pulumi.Output<string>;
}

/** The mesh's names from the config, and its CA: a root and one intermediate per cluster (docs/workloads.md). */
export function mesh(config: StackConfig) {
  const t = config.tricloud;
  const topology = meshTopology(
    t.environment,
    { aws: config.aws.region, azure: config["azure-native"].location, gcp: config.gcp.region },
    t.mesh.istioVersion,
  );
  const ca = new MeshCa(`${t.environment}-mesh-ca`, {
    environment: t.environment,
    clusterNames: {
      aws: topology.clusters.aws.clusterName,
      azure: topology.clusters.azure.clusterName,
      gcp: topology.clusters.gcp.clusterName,
    },
  });
  const member = (cloud: Cloud): MeshMember => ({ cacerts: ca.cacerts[cloud] });
  return { topology, ca, member };
}

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
export function workloads(config: StackConfig, hosts: WorkloadHosts, topology: MeshTopology) {
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
        mesh: { topology, secrets: hosts[cloud].meshSecrets, prometheusUrl: t.mesh.prometheusUrl },
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
    mesh: w.mesh,
    requested: w.requested,
    capacity,
  };
}
