import * as pulumi from "@pulumi/pulumi";
import { AzureKubernetesCluster } from "../components/azure/cluster";
import { AzureGitOps } from "../components/azure/gitops";
import { AzureFunctionHost } from "../components/azure/function-host";
import { AzurePostgresDatabase } from "../components/azure/database";
import { AzureNetwork } from "../components/azure/network";
import { AzureContainerRegistry } from "../components/azure/registry";
import { cloudPlatformOutputs, type CloudPlatformOutputs, type QuorumMember } from "../components/shared/platform";
import type { Tags } from "../components/shared/tags";
import type { StackConfig } from "./config/load";
import type { MeshMember } from "./workloads";
import { azureZones, functionHostSettings, GITOPS_SYNC_SECONDS } from "./shared";

/** Everything tricloud runs in the Azure location. */
export class AzurePlatform extends pulumi.ComponentResource {
  readonly network: AzureNetwork;
  readonly cluster: AzureKubernetesCluster;
  readonly database: AzurePostgresDatabase;
  /** What the stack exports for this cloud: cluster, database and registry; kubeconfig and password as secrets. */
  readonly outputs: CloudPlatformOutputs;
  readonly registry: AzureContainerRegistry;
  /** The health/quorum function (Function App on Flex Consumption). */
  readonly functions: AzureFunctionHost;
  /** Flux on the cluster, reading the rendered manifests from a blob container (docs/workloads.md). */
  readonly gitops: AzureGitOps;

  constructor(
    name: string,
    config: StackConfig,
    tags: Tags,
    quorum: QuorumMember & { appName: string },
    mesh: MeshMember,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("tricloud:azure:Platform", name, {}, opts);
    const t = config.tricloud;
    const location = config["azure-native"].location;
    const production = t.environment === "prod";
    this.network = new AzureNetwork(
      `${name}-net`,
      {
        location,
        cidr: t.network.azure.cidr,
        zones: azureZones(config),
        gatewaySubnet: t.network.crossCloud.enabled,
        tags,
      },
      { parent: this },
    );
    const resourceGroupName = this.network.resourceGroupName;
    this.cluster = new AzureKubernetesCluster(
      `${name}-k8s`,
      {
        resourceGroupName,
        location,
        clusterSubnetId: this.network.clusterSubnetId,
        vnetId: this.network.vnetId,
        // Resource group names: at most 90 of letters, digits, _ - . ( ), not ending in a period.
        nodeResourceGroup: `tricloud-${t.environment}-aks-nodes-${location}`,
        zones: azureZones(config),
        kubernetesVersion: t.kubernetesVersion,
        nodePool: t.clusters.azure,
        userPoolScalesToZero: t.schedule !== undefined,
        publicAccessCidrs: t.clusters.publicAccessCidrs,
        production,
        tags,
      },
      { parent: this },
    );
    this.database = new AzurePostgresDatabase(
      `${name}-db`,
      {
        ...t.database,
        postgresVersion: t.postgresVersion,
        resourceGroupName,
        location,
        vnetId: this.network.vnetId,
        databaseSubnetId: this.network.databaseSubnetId,
        zones: azureZones(config),
        dnsLabel: `tricloud-${t.environment}`,
        production,
        tags,
      },
      { parent: this },
    );
    this.registry = new AzureContainerRegistry(
      `${name}-registry`,
      {
        resourceGroupName,
        location,
        namePrefix: `tricloud${t.environment}`,
        pullerObjectIds: [this.cluster.kubeletObjectId],
        untaggedRetentionDays: 7,
        production,
        tags,
      },
      { parent: this },
    );
    this.gitops = new AzureGitOps(
      `${name}-gitops`,
      {
        resourceGroupName,
        location,
        environment: t.environment,
        domain: t.domain,
        clusterName: this.cluster.clusterName,
        workerPool: this.cluster.workers,
        kubeletClientId: this.cluster.kubeletClientId,
        kubeletObjectId: this.cluster.kubeletObjectId,
        syncIntervalSeconds: GITOPS_SYNC_SECONDS,
        production,
        tags,
        mesh: {
          cacerts: mesh.cacerts,
          oidcIssuerUrl: this.cluster.oidcIssuerUrl,
          deployerPrincipalType: t.azureDeployerPrincipalType,
          remotePeers: mesh.remotePeers,
        },
      },
      { parent: this },
    );
    this.functions = new AzureFunctionHost(
      `${name}-fn`,
      {
        ...functionHostSettings(config, quorum),
        appName: quorum.appName,
        deployerPrincipalType: config.tricloud.azureDeployerPrincipalType,
        resourceGroupName,
        location,
        functionsSubnetId: this.network.functionsSubnetId,
        database: {
          host: this.database.host,
          port: this.database.poolerPort,
          adminPassword: this.database.adminPassword,
        },
        tags,
      },
      { parent: this },
    );
    this.outputs = cloudPlatformOutputs(this.cluster, this.database, this.registry);
    this.registerOutputs({
      vnetId: this.network.vnetId,
      clusterName: this.cluster.clusterName,
      databaseHost: this.database.host,
    });
  }
}
