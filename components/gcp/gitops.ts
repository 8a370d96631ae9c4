import * as gcp from "@pulumi/gcp";
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
import type { GcpProjectServices } from "./services";

export interface GcpGitOpsArgs {
  project: string;
  /** The cluster's resource id (`projects/P/locations/L/clusters/N`). */
  clusterId: pulumi.Input<string>;
  clusterName: pulumi.Input<string>;
  /** The cluster's Workload Identity pool (`PROJECT.svc.id.goog`). */
  workloadPool: string;
  /** The region of the manifests repository (the cluster's). */
  region: string;
  /** Seconds between Config Sync's polls of the artifact. */
  syncIntervalSeconds: number;
  labels: Record<string, string>;
  apis: GcpProjectServices;
  /** The mesh CA's intermediate for this cluster, put in Secret Manager for the External Secrets operator. */
  mesh?: {
    environment: string;
    cacerts: pulumi.Input<string>;
    /** The reader-token entries of the remote secrets (docs/workloads.md); only with the VPN on. */
    remotePeers?: readonly Cloud[];
  };
}

/** The OCI package in the manifests repository CI pushes the rendered manifests to. */
export const MANIFESTS_PACKAGE = "workloads";
/** The Artifact Registry repository (Docker format, as Config Sync's OCI source needs) holding only manifests. */
export const MANIFESTS_REPOSITORY = "tricloud-manifests";
/** The Kubernetes service account Config Sync's root reconciler runs as (Config Sync's OCI docs). */
export const ROOT_RECONCILER = "config-management-system/root-reconciler";

/**
 * Config Sync on GKE, enabled through the fleet API (docs/workloads.md): the cluster is registered to the
 * project's fleet, the `configmanagement` feature is on, and the membership syncs an OCI package from a manifests
 * repository of its own, read by a service account the root reconciler impersonates through Workload
 * Identity, granted `roles/artifactregistry.reader` on that repository only. The images repository keeps its tags
 * immutable; this one may not: Config Sync follows one tag (`latest`), which each publish moves to new content.
 */
export class GcpGitOps extends pulumi.ComponentResource {
  readonly readerEmail: pulumi.Output<string>;
  readonly syncRepo: pulumi.Output<string>;
  /** How the cluster's External Secrets operator reads `cacerts` (absent without `mesh`). */
  readonly meshSecrets?: pulumi.Output<MeshSecretSource>;

  constructor(name: string, args: GcpGitOpsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:gcp:GitOps", name, {}, opts);
    const child = { parent: this };
    const on = (...apis: Parameters<GcpProjectServices["of"]>) => ({ ...child, dependsOn: args.apis.of(...apis) });
    const hub = on("gkehub.googleapis.com", "anthosconfigmanagement.googleapis.com");
    const reader = new gcp.serviceaccount.Account(
      `${name}-reader`,
      {
        project: args.project,
        // 6-30 characters, lowercase letters, digits and hyphens.
        accountId: "tricloud-config-sync",
        displayName: "Config Sync reads the rendered manifests",
      },
      on("iam.googleapis.com"),
    );
    const repo = new gcp.artifactregistry.Repository(
      `${name}-manifests`,
      {
        project: args.project,
        location: args.region,
        repositoryId: MANIFESTS_REPOSITORY,
        format: "DOCKER",
        description: "tricloud rendered Kubernetes manifests (Config Sync's OCI source)",
        dockerConfig: { immutableTags: false },
        cleanupPolicyDryRun: false,
        cleanupPolicies: [
          // Each publish leaves the previous content untagged: a week to roll back by digest, then gone.
          { id: "delete-untagged", action: "DELETE", condition: { tagState: "UNTAGGED", olderThan: `${7 * 86400}s` } },
          { id: "keep-recent", action: "KEEP", mostRecentVersions: { keepCount: 20 } },
        ],
        labels: { ...args.labels },
      },
      on("artifactregistry.googleapis.com"),
    );
    const canRead = new gcp.artifactregistry.RepositoryIamMember(
      `${name}-reader-access`,
      {
        project: args.project,
        location: args.region,
        repository: repo.repositoryId,
        role: "roles/artifactregistry.reader",
        member: pulumi.interpolate`serviceAccount:${reader.email}`,
      },
      on("artifactregistry.googleapis.com"),
    );
    const membership = new gcp.gkehub.Membership(
      `${name}-membership`,
      {
        project: args.project,
        membershipId: args.clusterName,
        endpoint: { gkeCluster: { resourceLink: pulumi.interpolate`//container.googleapis.com/${args.clusterId}` } },
        labels: { ...args.labels },
      },
      hub,
    );
    // The Workload Identity pool exists once a cluster with Workload Identity does: bind after the cluster (the
    // membership waits for it).
    const impersonation = new gcp.serviceaccount.IAMMember(
      `${name}-wi`,
      {
        serviceAccountId: reader.name,
        role: "roles/iam.workloadIdentityUser",
        member: `serviceAccount:${args.workloadPool}[${ROOT_RECONCILER}]`,
      },
      { parent: this, dependsOn: [...args.apis.of("iam.googleapis.com"), membership] },
    );
    const feature = new gcp.gkehub.Feature(
      `${name}-configmanagement`,
      {
        project: args.project,
        name: "configmanagement",
        location: "global",
        labels: { ...args.labels },
      },
      hub,
    );
    this.syncRepo = pulumi.interpolate`${repo.location}-docker.pkg.dev/${repo.project}/${repo.repositoryId}/${MANIFESTS_PACKAGE}`;
    new gcp.gkehub.FeatureMembership(
      `${name}-config-sync`,
      {
        project: args.project,
        location: "global",
        feature: feature.name,
        membership: membership.membershipId,
        configmanagement: {
          // Google upgrades Config Sync with the cluster; no version to pin and bump.
          management: "MANAGEMENT_AUTOMATIC",
          configSync: {
            enabled: true,
            // Plain rendered objects, no hierarchical repo layout.
            sourceFormat: "unstructured",
            oci: {
              syncRepo: this.syncRepo,
              policyDir: ".",
              syncWaitSecs: String(args.syncIntervalSeconds),
              secretType: "gcpserviceaccount",
              gcpServiceAccountEmail: reader.email,
            },
          },
        },
      },
      { ...child, dependsOn: [impersonation, canRead] },
    );
    this.readerEmail = reader.email;
    if (args.mesh) this.meshSecrets = this.meshSecret(name, args, args.mesh, membership);
    this.registerOutputs({ readerEmail: this.readerEmail, syncRepo: this.syncRepo, meshSecrets: this.meshSecrets });
  }

  /**
   * The secret, and a service account with Secret Manager Secret Accessor on it alone that the operator's Kubernetes
   * service account impersonates through Workload Identity (the same binding as the root reconciler's above).
   */
  private meshSecret(
    name: string,
    args: GcpGitOpsArgs,
    m: NonNullable<GcpGitOpsArgs["mesh"]>,
    membership: pulumi.Resource,
  ): pulumi.Output<MeshSecretSource> {
    const on = (...apis: Parameters<GcpProjectServices["of"]>) => ({ parent: this, dependsOn: args.apis.of(...apis) });
    const key = cacertsSecretName(m.environment, "gcp");
    const secret = new gcp.secretmanager.Secret(
      `${name}-cacerts`,
      { project: args.project, secretId: key, replication: { auto: {} }, labels: { ...args.labels } },
      on("secretmanager.googleapis.com"),
    );
    new gcp.secretmanager.SecretVersion(
      `${name}-cacerts`,
      { secret: secret.id, secretData: pulumi.secret(m.cacerts) },
      on("secretmanager.googleapis.com"),
    );
    const reader = new gcp.serviceaccount.Account(
      `${name}-external-secrets`,
      {
        project: args.project,
        // 6-30 characters, lowercase letters, digits and hyphens.
        accountId: "tricloud-mesh-secrets",
        displayName: "External Secrets reads the mesh CA",
      },
      on("iam.googleapis.com"),
    );
    new gcp.secretmanager.SecretIamMember(
      `${name}-external-secrets`,
      {
        project: args.project,
        secretId: secret.secretId,
        role: "roles/secretmanager.secretAccessor",
        member: pulumi.interpolate`serviceAccount:${reader.email}`,
      },
      on("secretmanager.googleapis.com"),
    );
    const remotePeers = m.remotePeers ?? [];
    if (remotePeers.length > 0) {
      // The reader tokens: this cluster's own entry, labelled `managed-by: external-secrets` (the operator's GCP
      // provider refuses an existing secret without it), which the operator reads (GetSecret: Secret Manager
      // Viewer; the latest version: Secret Accessor) and adds versions to (Secret Version Adder); and the peers'
      // copies, which the deploy step writes and the operator reads. No version is created here.
      const token = (cloud: Cloud, own: boolean) =>
        new gcp.secretmanager.Secret(
          `${name}-reader-token-${cloud}`,
          {
            project: args.project,
            secretId: readerTokenSecretName(m.environment, cloud),
            replication: { auto: {} },
            labels: { ...args.labels, ...(own ? ESO_MANAGED_TAG : {}) },
          },
          on("secretmanager.googleapis.com"),
        );
      const grant = (cloud: Cloud, secret: gcp.secretmanager.Secret, role: string) =>
        new gcp.secretmanager.SecretIamMember(
          `${name}-external-secrets-token-${cloud}-${role.split(".").pop()}`,
          {
            project: args.project,
            secretId: secret.secretId,
            role,
            member: pulumi.interpolate`serviceAccount:${reader.email}`,
          },
          on("secretmanager.googleapis.com"),
        );
      const own = token("gcp", true);
      for (const role of [
        "roles/secretmanager.viewer",
        "roles/secretmanager.secretAccessor",
        "roles/secretmanager.secretVersionAdder",
      ])
        grant("gcp", own, role);
      for (const peer of remotePeers) grant(peer, token(peer, false), "roles/secretmanager.secretAccessor");
    }
    new gcp.serviceaccount.IAMMember(
      `${name}-external-secrets-wi`,
      {
        serviceAccountId: reader.name,
        role: "roles/iam.workloadIdentityUser",
        member: `serviceAccount:${args.workloadPool}[${EXTERNAL_SECRETS_NAMESPACE}/${EXTERNAL_SECRETS_SERVICE_ACCOUNT}]`,
      },
      { parent: this, dependsOn: [...args.apis.of("iam.googleapis.com"), membership] },
    );
    return reader.email.apply((email): MeshSecretSource => ({
      // No auth block: the operator uses its pod's credentials, the impersonated account above.
      provider: { gcpsm: { projectID: args.project } },
      key,
      serviceAccountAnnotations: { "iam.gke.io/gcp-service-account": email },
      podLabels: {},
    }));
  }
}
