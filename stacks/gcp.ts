import * as pulumi from "@pulumi/pulumi";
import { GcpKubernetesCluster } from "../components/gcp/cluster";
import { GcpGitOps } from "../components/gcp/gitops";
import { GcpFunctionHost } from "../components/gcp/function-host";
import { GcpPostgresDatabase } from "../components/gcp/database";
import { GcpNetwork } from "../components/gcp/network";
import { GcpContainerRegistry } from "../components/gcp/registry";
import { GcpProjectServices } from "../components/gcp/services";
import { cloudPlatformOutputs, type CloudPlatformOutputs, type QuorumMember } from "../components/shared/platform";
import { remoteRanges } from "../components/shared/cross-cloud";
import type { Tags } from "../components/shared/tags";
import type { StackConfig } from "./config/load";
import type { MeshMember } from "./workloads";
import { functionHostSettings, gcpZones, GITOPS_SYNC_SECONDS } from "./shared";

/** Everything tricloud runs in the GCP region. */
export class GcpPlatform extends pulumi.ComponentResource {
  /** The project's service APIs, enabled before anything that calls them (observability and the budget use them too). */
  readonly apis: GcpProjectServices;
  readonly network: GcpNetwork;
  readonly cluster: GcpKubernetesCluster;
  readonly database: GcpPostgresDatabase;
  /** What the stack exports for this cloud: cluster, database and registry; kubeconfig and password as secrets. */
  readonly outputs: CloudPlatformOutputs;
  readonly registry: GcpContainerRegistry;
  /** The health/quorum functions (Cloud Functions 2nd gen: api + reconcile). */
  readonly functions: GcpFunctionHost;
  /** Config Sync on the cluster, reading the rendered manifests from Artifact Registry (docs/workloads.md). */
  readonly gitops: GcpGitOps;

  constructor(
    name: string,
    config: StackConfig,
    labels: Tags,
    quorum: QuorumMember,
    mesh: MeshMember,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("tricloud:gcp:Platform", name, {}, opts);
    const t = config.tricloud;
    const n = t.network.gcp;
    const { project, region } = config.gcp;
    const production = t.environment === "prod";
    const repositoryId = `tricloud-${t.environment}`;
    const apis = (this.apis = new GcpProjectServices(`${name}-apis`, { project }, { parent: this }));
    this.network = new GcpNetwork(
      `${name}-net`,
      {
        project,
        region,
        cidr: n.cidr,
        podsCidr: n.podsCidr,
        servicesCidr: n.servicesCidr,
        privateServicesCidr: n.privateServicesCidr,
        labels,
        apis,
      },
      { parent: this },
    );
    this.cluster = new GcpKubernetesCluster(
      `${name}-k8s`,
      {
        project,
        region,
        zones: gcpZones(config),
        networkId: this.network.networkId,
        subnetworkId: this.network.subnetworkId,
        kubernetesVersion: t.kubernetesVersion,
        nodePool: t.clusters.gcp,
        userPoolScalesToZero: t.schedule !== undefined,
        publicAccessCidrs: t.clusters.publicAccessCidrs,
        ...(t.network.crossCloud.enabled ? { privateAccessCidrs: remoteRanges(t.network, "gcp") } : {}),
        production,
        tags: labels,
        apis,
      },
      { parent: this },
    );
    this.database = new GcpPostgresDatabase(
      `${name}-db`,
      {
        ...t.database,
        postgresVersion: t.postgresVersion,
        project,
        region,
        networkId: this.network.networkId,
        privateServicesConnection: this.network.privateServicesConnection,
        production,
        tags: labels,
        apis,
      },
      { parent: this },
    );
    this.registry = new GcpContainerRegistry(
      `${name}-registry`,
      {
        project,
        region,
        repositoryId,
        readerServiceAccounts: [this.cluster.nodeServiceAccountEmail],
        untaggedExpiryDays: 7,
        keepImages: 200,
        labels,
        apis,
      },
      { parent: this },
    );
    this.gitops = new GcpGitOps(
      `${name}-gitops`,
      {
        project,
        region,
        clusterId: this.cluster.clusterId,
        clusterName: this.cluster.clusterName,
        workloadPool: this.cluster.workloadPool,
        syncIntervalSeconds: GITOPS_SYNC_SECONDS,
        labels,
        apis,
        mesh: { environment: t.environment, cacerts: mesh.cacerts, remotePeers: mesh.remotePeers },
      },
      { parent: this },
    );
    this.functions = new GcpFunctionHost(
      `${name}-fn`,
      {
        ...functionHostSettings(config, quorum),
        project,
        region,
        networkName: this.network.networkName,
        subnetworkName: this.network.subnetworkName,
        apis,
        database: {
          host: this.database.host,
          adminPassword: this.database.adminPassword,
          serverCaCert: this.database.serverCaCert,
        },
        tags: labels,
      },
      { parent: this },
    );
    this.outputs = cloudPlatformOutputs(this.cluster, this.database, this.registry);
    this.registerOutputs({
      networkId: this.network.networkId,
      clusterName: this.cluster.clusterName,
      databaseHost: this.database.host,
    });
  }
}
