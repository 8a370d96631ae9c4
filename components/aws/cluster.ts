import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesCluster, KubernetesClusterBaseArgs } from "../shared/platform";
import { nodeMachine } from "@tricloud/vocabulary/sizes";
import { AUTO_MODE_BUILTIN_POOLS, type AutoModeNodeNetwork } from "./node-pool";

export interface AwsKubernetesClusterArgs extends KubernetesClusterBaseArgs {
  /** Region, for the kubeconfig's `aws eks get-token` call. */
  region: string;
  /** Private subnets (at least two zones) for the control plane's interfaces and the nodes. */
  privateSubnetIds: pulumi.Input<string>[];
  /** Days to keep control-plane logs (rounded up to a value CloudWatch accepts). */
  logRetentionDays: number;
}

/** Control-plane log types EKS can ship; all of them, so the audit trail is complete. */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** Retention values CloudWatch Logs accepts. */
const CLOUDWATCH_RETENTION = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
export function cloudWatchRetention(days: number): number {
  return CLOUDWATCH_RETENTION.find((d) => d >= days) ?? 3653;
}

export const assumeRole = (service: string, actions: readonly string[] = ["sts:AssumeRole"]) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { Service: service }, Action: actions.length === 1 ? actions[0] : [...actions] },
    ],
  });

/**
 * What EKS Auto Mode needs of the cluster role besides AmazonEKSClusterPolicy: it launches instances, volumes,
 * load balancers and interfaces on the cluster's behalf (docs.aws.amazon.com/eks/latest/userguide/auto-cluster-iam-role.html).
 */
export const AUTO_MODE_CLUSTER_POLICIES = [
  "AmazonEKSComputePolicy",
  "AmazonEKSBlockStoragePolicy",
  "AmazonEKSLoadBalancingPolicy",
  "AmazonEKSNetworkingPolicy",
] as const;
/** The Auto Mode node role's policies (auto-create-node-role.html); EKS gives the role its access entry itself. */
export const AUTO_MODE_NODE_POLICIES = [
  "AmazonEKSWorkerNodeMinimalPolicy",
  "AmazonEC2ContainerRegistryPullOnly",
] as const;
/**
 * The networking add-ons the managed node group's nodes need: an Auto Mode cluster is created without the
 * self-managed ones (bootstrapSelfManagedAddons false), and Auto Mode's own nodes carry their networking built in.
 */
export const NODE_GROUP_ADDONS = ["vpc-cni", "kube-proxy", "coredns"] as const;

/**
 * An EKS cluster from the raw provider: IAM roles, KMS envelope encryption of
 * Kubernetes secrets, all control-plane logs, a private API endpoint and an
 * IAM OIDC provider for workload identity (IRSA).
 *
 * Compute: a managed node group of the configured size keeps the pool's
 * desired nodes (its floor, updated one node at a time), and EKS Auto Mode
 * adds nodes when pods do not fit and removes them when they are idle. Only
 * Auto Mode's built-in `system` pool is enabled: the built-in general-purpose
 * pool has no limit, so the services' nodes come from the NodePool rendered
 * for the Argo CD capability (./node-pool.ts), whose limits hold the cluster
 * to maxNodes. Auto Mode is run by the EKS API itself, so nothing has to be
 * installed through the private Kubernetes endpoint (a Cluster Autoscaler or
 * Karpenter would be).
 */
export class AwsKubernetesCluster extends pulumi.ComponentResource implements KubernetesCluster {
  readonly cloud = "aws" as const;
  readonly clusterName: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly kubernetesVersion: string;
  readonly caData: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly oidcIssuerUrl: pulumi.Output<string>;
  /** The role the node group's nodes run as; its policies decide what the kubelet may pull. */
  readonly nodeRoleName: pulumi.Output<string>;
  /** The role EKS Auto Mode's nodes run as (a role can have one access entry, so not the node group's). */
  readonly autoNodeRoleName: pulumi.Output<string>;
  /** The managed node group: add-ons that run pods must wait for it, or they fail without Ready nodes. */
  readonly nodeGroup: aws.eks.NodeGroup;
  /** Security group EKS attaches to the control plane and managed nodes; databases admit it. */
  readonly clusterSecurityGroupId: pulumi.Output<string>;
  /**
   * What the program's Auto Mode NodeClass names (./node-pool.ts): the role in computeConfig.nodeRoleArn (EKS made
   * its access entry), the private subnets and the cluster security group.
   */
  readonly autoModeNodeNetwork: pulumi.Output<AutoModeNodeNetwork>;

  constructor(name: string, args: AwsKubernetesClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:aws:KubernetesCluster", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };
    const partition = aws.getPartitionOutput({}, child).partition;
    const managed = (policy: string) => pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}`;

    // Auto Mode tags the sessions it starts with the cluster's name, so the trust policy allows sts:TagSession too.
    const clusterRole = new aws.iam.Role(
      `${name}-cluster`,
      { assumeRolePolicy: assumeRole("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]), tags },
      child,
    );
    const clusterPolicies = ["AmazonEKSClusterPolicy", ...AUTO_MODE_CLUSTER_POLICIES].map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          policy === "AmazonEKSClusterPolicy" ? `${name}-cluster` : `${name}-cluster-${policy}`,
          { role: clusterRole.name, policyArn: managed(policy) },
          child,
        ),
    );

    const autoNodeRole = new aws.iam.Role(
      `${name}-auto-nodes`,
      { assumeRolePolicy: assumeRole("ec2.amazonaws.com"), tags },
      child,
    );
    const autoNodePolicies = AUTO_MODE_NODE_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-auto-nodes-${policy}`,
          { role: autoNodeRole.name, policyArn: managed(policy) },
          child,
        ),
    );

    const secretsKey = new aws.kms.Key(
      `${name}-secrets`,
      {
        description: `Envelope encryption of Kubernetes secrets in ${name}`,
        enableKeyRotation: true,
        deletionWindowInDays: args.production ? 30 : 7,
        tags,
      },
      child,
    );

    // The log group exists before the cluster so EKS writes into one with a retention, not its own never-expiring one.
    const clusterName = name;
    const logs = new aws.cloudwatch.LogGroup(
      `${name}-control-plane`,
      {
        name: `/aws/eks/${clusterName}/cluster`,
        retentionInDays: cloudWatchRetention(args.logRetentionDays),
        tags,
      },
      child,
    );

    const publicEndpoint = args.publicAccessCidrs.length > 0;
    const cluster = new aws.eks.Cluster(
      name,
      {
        name: clusterName,
        version: args.kubernetesVersion,
        roleArn: clusterRole.arn,
        vpcConfig: {
          subnetIds: args.privateSubnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: publicEndpoint,
          // Never left to the AWS default (0.0.0.0/0): only the configured ranges, or no public endpoint at all.
          ...(publicEndpoint ? { publicAccessCidrs: [...args.publicAccessCidrs] } : {}),
        },
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.arn } },
        enabledClusterLogTypes: EKS_LOG_TYPES,
        // Standard support only: extended support costs six times as much and hides an overdue upgrade.
        upgradePolicy: { supportType: "STANDARD" },
        deletionProtection: args.production,
        // EKS Auto Mode: all three capabilities on together (the API refuses a mix), and no self-managed add-ons.
        // Only the `system` built-in pool: it hands EKS the node role (EKS makes its access entry; the rendered
        // NodeClass names that role), and leaves out general-purpose, which nothing can bound
        // (set-builtin-node-pools.html).
        computeConfig: { enabled: true, nodePools: [...AUTO_MODE_BUILTIN_POOLS], nodeRoleArn: autoNodeRole.arn },
        storageConfig: { blockStorage: { enabled: true } },
        kubernetesNetworkConfig: { elasticLoadBalancing: { enabled: true } },
        bootstrapSelfManagedAddons: false,
        tags,
      },
      { parent: this, dependsOn: [...clusterPolicies, ...autoNodePolicies, logs] },
    );

    // The node group's nodes get their networking from these add-ons; coredns runs pods, so it waits for the nodes.
    const addon = (addonName: string, dependsOn: pulumi.Resource[] = [], configurationValues?: string) =>
      new aws.eks.Addon(
        `${name}-${addonName}`,
        { clusterName: cluster.name, addonName, tags, ...(configurationValues ? { configurationValues } : {}) },
        { parent: this, dependsOn },
      );
    // NetworkPolicies are accepted but not enforced until the VPC CNI's policy controller is on
    // (docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html).
    const networking = [addon("vpc-cni", [], JSON.stringify({ enableNetworkPolicy: "true" })), addon("kube-proxy")];

    const oidc = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc`,
      {
        url: cluster.identities.apply((ids) => ids[0]?.oidcs?.[0]?.issuer ?? ""),
        clientIdLists: ["sts.amazonaws.com"],
        tags,
      },
      child,
    );

    const nodeRole = new aws.iam.Role(
      `${name}-nodes`,
      { assumeRolePolicy: assumeRole("ec2.amazonaws.com"), tags },
      child,
    );
    // Worker and CNI policies are what EKS requires of a node role; PullOnly lets the kubelet pull from ECR
    // (this platform's registry and the EKS add-on images) and nothing more.
    const nodePolicies = [
      "AmazonEKSWorkerNodePolicy",
      "AmazonEKS_CNI_Policy",
      "AmazonEC2ContainerRegistryPullOnly",
    ].map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-nodes-${policy}`,
          { role: nodeRole.name, policyArn: managed(policy) },
          child,
        ),
    );

    const launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-nodes`,
      {
        description: "EKS nodes: IMDSv2 only, encrypted gp3 root volume",
        // Hop limit 1 keeps pods off the node's instance metadata (and its role); pods use IRSA instead.
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: { volumeSize: 50, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
          },
        ],
        tagSpecifications: [
          { resourceType: "instance", tags },
          { resourceType: "volume", tags },
        ],
        tags,
      },
      child,
    );

    const pool = args.nodePool;
    // The floor: desiredNodes nodes of the configured size, never scaled by anything but this config (Auto Mode's
    // NodePool adds at most maxNodes - desiredNodes above it); maxSize = desiredSize keeps EKS from growing it,
    // minNodes bounds updates.
    const nodeGroup = new aws.eks.NodeGroup(
      `${name}-workers`,
      {
        clusterName: cluster.name,
        version: cluster.version,
        nodeRoleArn: nodeRole.arn,
        subnetIds: args.privateSubnetIds,
        instanceTypes: [nodeMachine("aws", pool.size)],
        amiType: "AL2023_x86_64_STANDARD",
        capacityType: "ON_DEMAND",
        scalingConfig: { minSize: pool.minNodes, desiredSize: pool.desiredNodes, maxSize: pool.desiredNodes },
        updateConfig: { maxUnavailable: 1 },
        launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
        tags,
      },
      { parent: this, dependsOn: [...nodePolicies, ...networking] },
    );
    addon("coredns", [nodeGroup]);
    // The HPAs read CPU and memory from metrics-server, which EKS (Auto Mode included) does not run by default;
    // it is an EKS community add-on (docs.aws.amazon.com/eks/latest/userguide/community-addons.html). AKS and GKE run their own.
    addon("metrics-server", [nodeGroup]);

    this.clusterName = cluster.name;
    this.endpoint = cluster.endpoint;
    this.caData = cluster.certificateAuthority.apply((ca) => ca.data ?? "");
    this.kubernetesVersion = args.kubernetesVersion;
    this.oidcProviderArn = oidc.arn;
    this.oidcIssuerUrl = oidc.url;
    this.nodeRoleName = nodeRole.name;
    this.autoNodeRoleName = autoNodeRole.name;
    this.nodeGroup = nodeGroup;
    this.clusterSecurityGroupId = cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId ?? "");
    this.autoModeNodeNetwork = pulumi
      .all([autoNodeRole.name, pulumi.all(args.privateSubnetIds), this.clusterSecurityGroupId])
      .apply(([roleName, subnetIds, securityGroupId]) => ({ roleName, subnetIds, securityGroupId }));
    this.kubeconfig = pulumi.secret(
      pulumi.all([cluster.name, cluster.endpoint, cluster.certificateAuthority]).apply(([n, endpoint, ca]) =>
        JSON.stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [{ name: n, cluster: { server: endpoint, "certificate-authority-data": ca.data } }],
          contexts: [{ name: n, context: { cluster: n, user: n } }],
          "current-context": n,
          users: [
            {
              name: n,
              user: {
                exec: {
                  apiVersion: "client.authentication.k8s.io/v1beta1",
                  command: "aws",
                  args: ["eks", "get-token", "--cluster-name", n, "--region", args.region, "--output", "json"],
                  interactiveMode: "Never",
                },
              },
            },
          ],
        }),
      ),
    );
    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      kubeconfig: this.kubeconfig,
      oidcProviderArn: this.oidcProviderArn,
      nodeRoleName: this.nodeRoleName,
    });
  }
}
