import { MeshCa } from "../components/shared/mesh-ca";
import * as pulumi from "@pulumi/pulumi";
import {
  ESO_MANAGED_BY,
  meshTopology,
  readerTokenSecretName,
  type MeshRemoteSecrets,
  type MeshSecretSource,
  type MeshTopology,
} from "../components/shared/mesh";
import { ClusterWorkloads } from "../components/workloads/cluster-workloads";
import {
  awsNodeBound,
  renderAutoModeNodeClass,
  renderAutoModeNodePool,
  type AutoModeNodeNetwork,
} from "../components/aws/node-pool";
import { machineAllocatable } from "@tricloud/vocabulary/allocatable";
import { CLOUDS, nodeMachine, type Cloud } from "@tricloud/vocabulary/sizes";
import type { StackConfig } from "./config/load";

/**
 * What each cloud's cluster needs to carry its services: its registry, the component to parent them to, and how its
 * External Secrets operator reads the mesh CA (absent where the cloud's GitOps, and so the secret, is not built).
 */
export type WorkloadHosts = Record<
  Cloud,
  {
    registryUrl: pulumi.Input<string>;
    parent: pulumi.Resource;
    meshSecrets?: pulumi.Output<MeshSecretSource>;
    /** The cluster CA (base64 PEM): the peers' remote secrets trust it. */
    caData: pulumi.Output<string>;
    /** EKS: what its Auto Mode NodeClass names (components/aws/cluster.ts); absent on the other clouds. */
    autoModeNodeNetwork?: pulumi.Output<AutoModeNodeNetwork>;
  }
>;

/** What each cloud's platform receives of the mesh: its cluster's intermediate CA (`cacerts` JSON, a secret). */
export interface MeshMember {
  readonly cacerts: pulumi.Output<string>;
  /** The peers whose reader tokens this cloud's store holds copies of (empty: no remote secrets). */
  readonly remotePeers: readonly Cloud[];
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
  const member = (cloud: Cloud): MeshMember => ({
    cacerts: ca.cacerts[cloud],
    remotePeers: remotePeersOf(config, cloud),
  });
  return { topology, ca, member };
}

/**
 * The clusters one cluster's istiod reads through remote secrets: none with the VPN off (dev: no private path to a
 * peer's API server), none for a cloud without a secret store, and never a peer without one. The store exists on AKS
 * and GKE always, on EKS with the Argo CD capability (tricloud:clusters.eksArgoCdIdcInstanceArn).
 */
export function remotePeersOf(config: StackConfig, cloud: Cloud): Cloud[] {
  const t = config.tricloud;
  if (!t.network.crossCloud.enabled) return [];
  const hasStore = (c: Cloud) => c !== "aws" || t.clusters.eksArgoCdIdcInstanceArn !== undefined;
  return hasStore(cloud) ? CLOUDS.filter((c) => c !== cloud && hasStore(c)) : [];
}

/**
 * The stack output `gitops.readerTokens`: per cloud with remote secrets, its store and the entry name of its own reader
 * token, and the peers it takes copies from. The copy step reads only this.
 */
export function readerTokens(config: StackConfig, azure: { gitops: { meshVaultName?: pulumi.Output<string> } }) {
  const t = config.tricloud;
  const entry = (cloud: Cloud) => ({
    key: readerTokenSecretName(t.environment, cloud),
    peers: remotePeersOf(config, cloud),
  });
  const out: {
    aws?: ReturnType<typeof entry> & { region: string };
    azure?: ReturnType<typeof entry> & { vaultName: pulumi.Output<string> };
    gcp?: ReturnType<typeof entry> & { project: string };
  } = {};
  if (remotePeersOf(config, "aws").length > 0) out.aws = { ...entry("aws"), region: config.aws.region };
  if (remotePeersOf(config, "azure").length > 0 && azure.gitops.meshVaultName)
    out.azure = { ...entry("azure"), vaultName: azure.gitops.meshVaultName };
  if (remotePeersOf(config, "gcp").length > 0) out.gcp = { ...entry("gcp"), project: config.gcp.project };
  return out;
}

/** Whether EKS gets the rendered objects (the Argo CD capability), and so its Auto Mode NodePool. */
export const eksHasGitOps = (config: StackConfig) => config.tricloud.clusters.eksArgoCdIdcInstanceArn !== undefined;

/**
 * The node capacity a pool offers at its ceiling, as its nodes allocate it to pods (the machine less the kubelet's
 * reserve, vocabulary/allocatable.ts): what each cloud's autoscaler is really held to. AKS and GKE: the pool's maxCount / totalMaxNodeCount, which
 * the clusters set to maxNodes. EKS: the node group's nodes plus what the Auto Mode NodePool's limits allow
 * (components/aws/node-pool.ts, the same function that renders them); without the Argo CD capability no NodePool
 * reaches the cluster and only the node group's nodes exist.
 */
export function poolCapacity(config: StackConfig, cloud: Cloud) {
  const pool = config.tricloud.clusters[cloud];
  const machine = nodeMachine(cloud, pool.size);
  const eks = awsNodeBound(pool);
  const maxNodes =
    cloud === "aws" ? eks.nodeGroupNodes + (eksHasGitOps(config) ? eks.autoModeNodes : 0) : pool.maxNodes;
  // What the nodes allocate to pods, not the machines' size: the kubelet's reserve is theirs (vocabulary/allocatable.ts).
  const node = machineAllocatable(cloud, machine);
  return { machine, maxNodes, cpuMillis: maxNodes * node.cpuMillis, memoryMiB: maxNodes * node.memoryMiB };
}

/**
 * Each cluster's remote secrets: per peer, its cluster name, its API endpoint over the VPN, its CA and the entry
 * holding its token copy in this cloud's store. Undefined without the private path (no `apiEndpoints`: the VPN is
 * off, as in dev) or without this cloud's secret store, and then none is rendered (docs/workloads.md).
 */
export function remoteSecretsOf(
  config: StackConfig,
  cloud: Cloud,
  topology: MeshTopology,
  hosts: WorkloadHosts,
  apiEndpoints: Readonly<Record<Cloud, pulumi.Input<string>>> | undefined,
  tags: Readonly<Record<string, string>>,
): pulumi.Output<MeshRemoteSecrets> | undefined {
  const peers = remotePeersOf(config, cloud);
  if (!apiEndpoints || !hosts[cloud].meshSecrets || peers.length === 0) return undefined;
  return pulumi.all(peers.map((p) => pulumi.all([apiEndpoints[p], hosts[p].caData]))).apply((values) => ({
    tokenKey: readerTokenSecretName(topology.environment, cloud),
    // Only Azure's push rewrites the entry's tags (components/workloads/mesh.ts, pushMetadata).
    // The operator owns the `managed-by` tag (it refuses a PushSecret naming it, and writes its own value).
    ...(cloud === "azure"
      ? { storeTags: Object.fromEntries(Object.entries(tags).filter(([k]) => k !== ESO_MANAGED_BY)) }
      : {}),
    peers: Object.fromEntries(
      peers.map((p, i) => [
        p,
        {
          clusterName: topology.clusters[p].clusterName,
          server: values[i]![0],
          caData: values[i]![1],
          tokenKey: readerTokenSecretName(topology.environment, p),
        },
      ]),
    ),
  }));
}

/** EKS Auto Mode's NodeClass and NodePool (components/aws/node-pool.ts), the NodeClass first: the pool names it. */
function autoModeObjects(config: StackConfig, host: WorkloadHosts["aws"]) {
  if (!host.autoModeNodeNetwork) throw new Error("EKS with the Argo CD capability needs autoModeNodeNetwork");
  return host.autoModeNodeNetwork.apply((net) => [
    renderAutoModeNodeClass(net),
    renderAutoModeNodePool(config.tricloud.clusters.aws),
  ]);
}

/** Renders every cluster's services (docs/workloads.md) and returns the stack output `workloads`. */
export function workloads(
  config: StackConfig,
  hosts: WorkloadHosts,
  topology: MeshTopology,
  apiEndpoints?: Readonly<Record<Cloud, pulumi.Input<string>>>,
  tags: Readonly<Record<string, string>> = {},
) {
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
        // EKS's services get their extra nodes from Auto Mode's NodePool, on the program's NodeClass (which enforces
        // NetworkPolicies), applied with them (docs/workloads.md).
        ...(cloud === "aws" && eksHasGitOps(config) ? { clusterObjects: autoModeObjects(config, hosts.aws) } : {}),
        mesh: {
          topology,
          secrets: hosts[cloud].meshSecrets,
          remote: remoteSecretsOf(config, cloud, topology, hosts, apiEndpoints, tags),
          prometheusUrl: t.mesh.prometheusUrl,
        },
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
