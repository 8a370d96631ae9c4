import * as pulumi from "@pulumi/pulumi";
import { AwsKubernetesCluster } from "../components/aws/cluster";
import { AwsGitOps } from "../components/aws/gitops";
import { AwsFunctionHost } from "../components/aws/function-host";
import { AwsPostgresDatabase } from "../components/aws/database";
import { AwsNetwork } from "../components/aws/network";
import { AwsContainerRegistry } from "../components/aws/registry";
import { cloudPlatformOutputs, type CloudPlatformOutputs, type QuorumMember } from "../components/shared/platform";
import type { Tags } from "../components/shared/tags";
import type { StackConfig } from "./config/load";
import type { MeshMember } from "./workloads";
import { awsZones, functionHostSettings } from "./shared";

/** Everything tricloud runs in the AWS region. */
export class AwsPlatform extends pulumi.ComponentResource {
  readonly network: AwsNetwork;
  readonly cluster: AwsKubernetesCluster;
  readonly database: AwsPostgresDatabase;
  /** What the stack exports for this cloud: cluster, database and registry; kubeconfig and password as secrets. */
  readonly outputs: CloudPlatformOutputs;
  readonly registry: AwsContainerRegistry;
  /** The health/quorum function (Lambda behind a Function URL). */
  readonly functions: AwsFunctionHost;
  /** The EKS Argo CD capability, when an IAM Identity Center instance is configured (docs/workloads.md). */
  readonly gitops?: AwsGitOps;

  constructor(
    name: string,
    config: StackConfig,
    tags: Tags,
    quorum: QuorumMember,
    mesh: MeshMember,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("tricloud:aws:Platform", name, {}, opts);
    const t = config.tricloud;
    const production = t.environment === "prod";
    this.network = new AwsNetwork(
      `${name}-net`,
      {
        cidr: t.network.aws.cidr,
        zones: awsZones(config),
        natPerZone: production,
        tags,
      },
      { parent: this },
    );
    this.cluster = new AwsKubernetesCluster(
      `${name}-k8s`,
      {
        region: config.aws.region,
        kubernetesVersion: t.kubernetesVersion,
        nodePool: t.clusters.aws,
        publicAccessCidrs: t.clusters.publicAccessCidrs,
        privateSubnetIds: this.network.privateSubnetIds,
        logRetentionDays: t.logRetentionDays,
        production,
        tags,
      },
      { parent: this },
    );
    this.database = new AwsPostgresDatabase(
      `${name}-db`,
      {
        ...t.database,
        postgresVersion: t.postgresVersion,
        vpcId: this.network.vpcId,
        privateSubnetIds: this.network.privateSubnetIds,
        clientSecurityGroupIds: [this.cluster.clusterSecurityGroupId],
        logRetentionDays: t.logRetentionDays,
        production,
        tags,
      },
      { parent: this },
    );
    this.registry = new AwsContainerRegistry(
      `${name}-registry`,
      {
        repositoryName: `tricloud/${t.environment}`,
        untaggedExpiryDays: 7,
        keepImages: 200,
        production,
        tags,
      },
      { parent: this },
    );
    const idc = t.clusters.eksArgoCdIdcInstanceArn;
    if (idc) {
      this.gitops = new AwsGitOps(
        `${name}-gitops`,
        {
          clusterName: this.cluster.clusterName,
          idcInstanceArn: idc,
          repositoryArn: this.registry.repositoryArn,
          tags,
          mesh: {
            environment: t.environment,
            region: config.aws.region,
            production,
            cacerts: mesh.cacerts,
            oidcProviderArn: this.cluster.oidcProviderArn,
            oidcIssuerUrl: this.cluster.oidcIssuerUrl,
            remotePeers: mesh.remotePeers,
          },
        },
        { parent: this },
      );
    }
    this.functions = new AwsFunctionHost(
      `${name}-fn`,
      {
        ...functionHostSettings(config, quorum),
        region: config.aws.region,
        vpcId: this.network.vpcId,
        privateSubnetIds: this.network.privateSubnetIds,
        database: {
          host: this.database.host,
          securityGroupId: this.database.securityGroupId,
          instanceIdentifier: this.database.instanceIdentifier,
          adminPassword: this.database.adminPassword,
        },
        rdsProxy: production,
        tags,
      },
      { parent: this },
    );
    this.outputs = cloudPlatformOutputs(this.cluster, this.database, this.registry);
    this.registerOutputs({
      vpcId: this.network.vpcId,
      clusterName: this.cluster.clusterName,
      databaseHost: this.database.host,
    });
  }
}
