import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Cloud } from "@tricloud/vocabulary/sizes";
import {
  cacertsSecretName,
  ESO_MANAGED_TAG,
  readerTokenSecretName,
  EXTERNAL_SECRETS_NAMESPACE,
  EXTERNAL_SECRETS_SERVICE_ACCOUNT,
  type MeshSecretSource,
} from "../shared/mesh";
import type { Tags } from "../shared/tags";
import { ARGOCD_NAMESPACE } from "../workloads/helm";
import { assumeRole } from "./cluster";

export interface AwsGitOpsArgs {
  clusterName: pulumi.Input<string>;
  /** The IAM Identity Center instance Argo CD signs users in with (the capability takes no local users). */
  idcInstanceArn: string;
  /** The stack's ECR repository: the capability role may read it and nothing else. */
  repositoryArn: pulumi.Input<string>;
  tags: Tags;
  /** The mesh CA's intermediate for this cluster, put in Secrets Manager for the External Secrets operator. */
  mesh?: AwsMeshSecretArgs;
}

export interface AwsMeshSecretArgs {
  environment: string;
  region: string;
  /** Outside prod a destroyed secret frees its name at once (no recovery window). */
  production: boolean;
  /** The cluster's `cacerts` JSON (a secret; components/shared/mesh-ca.ts). */
  cacerts: pulumi.Input<string>;
  /** The cluster's IAM OIDC provider: the operator's service account assumes its role through it (IRSA). */
  oidcProviderArn: pulumi.Input<string>;
  oidcIssuerUrl: pulumi.Input<string>;
  /**
   * The reader-token entries of the remote secrets (docs/workloads.md): this cluster's own, which the operator
   * writes, and the peers' copies, which the deploy step writes and the operator reads. The peers whose stores exist,
   * only with the VPN on (stacks/workloads.ts, remotePeersOf).
   */
  remotePeers?: readonly Cloud[];
}

/**
 * What the operator may do: read `cacerts`; with remote secrets, write its own reader-token entry (PushSecret:
 * DescribeSecret, GetSecretValue, PutSecretValue, and DeleteResourcePolicy, which the push calls whenever the
 * PushSecret names no resource policy) and read the peers' copies. Each statement names its entries' ARNs only.
 */
export function externalSecretsPolicy(cacertsArn: string, own?: string, peers: readonly string[] = []): string {
  const read = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"];
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: read, Resource: [cacertsArn, ...peers] },
      ...(own
        ? [
            {
              Effect: "Allow",
              Action: [...read, "secretsmanager:PutSecretValue", "secretsmanager:DeleteResourcePolicy"],
              Resource: own,
            },
          ]
        : []),
    ],
  });
}

/**
 * The trust policy of a role for one Kubernetes service account (IAM roles for service accounts:
 * https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html, read 2026-11-30).
 */
export function serviceAccountTrust(
  providerArn: string,
  issuerUrl: string,
  namespace: string,
  account: string,
): string {
  const issuer = issuerUrl.replace(/^https:\/\//, "");
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${account}`,
            [`${issuer}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ],
  });
}

/** What the capability role may do in ECR: a registry token (account-wide by design) and pulls from one repository. */
export function ecrReadPolicy(repositoryArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      {
        Effect: "Allow",
        Action: [
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
          "ecr:BatchCheckLayerAvailability",
          "ecr:DescribeImages",
        ],
        Resource: repositoryArn,
      },
    ],
  });
}

/** The EKS access policy the capability role gets on its own cluster (docs/workloads.md, "What Argo CD may do"). */
export const ARGOCD_ACCESS_POLICY = "AmazonEKSClusterAdminPolicy";

/**
 * The EKS capability for Argo CD (docs/workloads.md): Argo CD runs in AWS's control plane, assumes a role trusted by
 * `capabilities.eks.amazonaws.com` (sts:AssumeRole and sts:TagSession, the capability-role page's trust policy), and
 * reads the rendered manifests from the stack's ECR repository. The bootstrap Application is not created here.
 */
export class AwsGitOps extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  /** How the cluster's External Secrets operator reads `cacerts` (absent without `mesh`). */
  readonly meshSecrets?: pulumi.Output<MeshSecretSource>;

  constructor(name: string, args: AwsGitOpsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:aws:GitOps", name, {}, opts);
    const child = { parent: this };
    const role = new aws.iam.Role(
      `${name}-argocd`,
      {
        assumeRolePolicy: assumeRole("capabilities.eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]),
        description: "EKS Argo CD capability: reads the rendered manifests from ECR",
        tags: { ...args.tags },
      },
      child,
    );
    const read = new aws.iam.RolePolicy(
      `${name}-ecr-read`,
      {
        role: role.name,
        policy: pulumi.output(args.repositoryArn).apply(ecrReadPolicy),
      },
      child,
    );
    const capability = new aws.eks.Capability(
      `${name}-capability`,
      {
        clusterName: args.clusterName,
        capabilityName: "argocd",
        type: "ARGOCD",
        roleArn: role.arn,
        // The only value the API takes: Argo CD's Applications stay when the capability is deleted.
        deletePropagationPolicy: "RETAIN",
        // The capability reads Applications from one namespace only, the one it is created with: the rendered
        // Applications' (argocd-permissions.html, "Source namespaces"), set here rather than left to a default.
        configuration: { argoCd: { awsIdc: { idcInstanceArn: args.idcInstanceArn }, namespace: ARGOCD_NAMESPACE } },
        tags: { ...args.tags },
      },
      { parent: this, dependsOn: [read] },
    );
    // EKS creates the role's access entry with the capability but grants it no Kubernetes permissions
    // (argocd-register-clusters.html, "Access Entry RBAC requirements"): without a policy Argo CD can read and apply
    // nothing. The Applications install CRDs, cluster-scoped RBAC and webhooks in several namespaces (istio-base,
    // external-secrets, argo-rollouts), which only the cluster-wide admin policy allows. No aws.eks.AccessEntry here:
    // the capability's own entry is the role's one, and CreateAccessEntry takes one entry per principal ARN.
    const partition = aws.getPartitionOutput({}, child).partition;
    new aws.eks.AccessPolicyAssociation(
      `${name}-argocd-admin`,
      {
        clusterName: args.clusterName,
        principalArn: role.arn,
        policyArn: pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/${ARGOCD_ACCESS_POLICY}`,
        accessScope: { type: "cluster" },
      },
      { parent: this, dependsOn: [capability] },
    );
    this.roleArn = role.arn;
    if (args.mesh) this.meshSecrets = this.meshSecret(name, args.mesh, args.tags);
    this.registerOutputs({ roleArn: this.roleArn, meshSecrets: this.meshSecrets });
  }

  /** The secret (no KMS key of its own: the account's aws/secretsmanager key) and the operator's read-only role. */
  private meshSecret(name: string, m: AwsMeshSecretArgs, tags: Tags): pulumi.Output<MeshSecretSource> {
    const child = { parent: this };
    const key = cacertsSecretName(m.environment, "aws");
    const secret = new aws.secretsmanager.Secret(
      `${name}-cacerts`,
      {
        name: key,
        description: "Istio intermediate CA of this cluster (istio-system/cacerts)",
        recoveryWindowInDays: m.production ? 30 : 0,
        tags: { ...tags },
      },
      child,
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-cacerts`,
      { secretId: secret.id, secretString: pulumi.secret(m.cacerts) },
      child,
    );
    const reader = new aws.iam.Role(
      `${name}-external-secrets`,
      {
        assumeRolePolicy: pulumi
          .all([m.oidcProviderArn, m.oidcIssuerUrl])
          .apply(([arn, url]) =>
            serviceAccountTrust(arn, url, EXTERNAL_SECRETS_NAMESPACE, EXTERNAL_SECRETS_SERVICE_ACCOUNT),
          ),
        description: "External Secrets operator: reads the mesh CA of this cluster",
        tags: { ...tags },
      },
      child,
    );
    // The reader tokens (remote secrets): this cluster's own entry, tagged so the operator may write it, and the
    // peers' copies. No version is created here: the push and the deploy step write the values.
    const token = (cloud: Cloud, own: boolean) =>
      new aws.secretsmanager.Secret(
        `${name}-reader-token-${cloud}`,
        {
          name: readerTokenSecretName(m.environment, cloud),
          description: own
            ? "Istio reader token of this cluster, pushed by External Secrets (remote secrets of the peers)"
            : `Copy of the ${cloud} cluster's Istio reader token (its remote secret here)`,
          recoveryWindowInDays: m.production ? 30 : 0,
          tags: { ...tags, ...(own ? ESO_MANAGED_TAG : {}) },
        },
        child,
      );
    const remotePeers = m.remotePeers ?? [];
    const own = remotePeers.length > 0 ? token("aws", true) : undefined;
    const peers = remotePeers.map((c) => token(c, false));
    new aws.iam.RolePolicy(
      `${name}-external-secrets`,
      {
        role: reader.name,
        policy: pulumi
          .all([secret.arn, own?.arn, ...peers.map((p) => p.arn)])
          .apply(([cacertsArn, ownArn, ...peerArns]) =>
            externalSecretsPolicy(cacertsArn!, ownArn, peerArns as string[]),
          ),
      },
      child,
    );
    return reader.arn.apply((roleArn): MeshSecretSource => ({
      provider: { aws: { service: "SecretsManager", region: m.region } },
      key,
      serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": roleArn },
      podLabels: {},
    }));
  }
}
