import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as kubernetesconfiguration from "@pulumi/azure-native/kubernetesconfiguration";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as storage from "@pulumi/azure-native/storage";
import type * as inputs from "@pulumi/azure-native/types/input";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { nameHash } from "../shared/function-urls";
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

export interface AzureGitOpsArgs {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  environment: string;
  /** The platform's domain (tricloud:domain): part of the storage account's name, which is global to Azure. */
  domain: string;
  /** The AKS cluster's name (the extension and the Flux configuration are its child resources). */
  clusterName: pulumi.Input<string>;
  /** The kubelet identity: the source controller reads the container with it through the node's IMDS. */
  kubeletClientId: pulumi.Input<string>;
  kubeletObjectId: pulumi.Input<string>;
  /**
   * The cluster's user node pool. The system pool is tainted CriticalAddonsOnly, which the Flux extension's
   * controllers are not documented to tolerate: the extension is installed once there are nodes they can run on.
   */
  workerPool?: pulumi.Resource;
  /** How often Flux polls the container and re-applies, in seconds. */
  syncIntervalSeconds: number;
  production: boolean;
  tags: Tags;
  /** The mesh CA's intermediate for this cluster, put in a Key Vault for the External Secrets operator. */
  mesh?: AzureMeshSecretArgs;
}

export interface AzureMeshSecretArgs {
  /** The cluster's `cacerts` JSON (a secret; components/shared/mesh-ca.ts). */
  cacerts: pulumi.Input<string>;
  /** The cluster's OIDC issuer: the operator's service account signs in through a federated credential on it. */
  oidcIssuerUrl: pulumi.Input<string>;
  /** Who runs `pulumi up`: it may manage (and on destroy delete) the secret through the vault's data plane. */
  deployerPrincipalType: "ServicePrincipal" | "User" | "Group";
  /** The reader-token entries of the remote secrets (docs/workloads.md); only with the VPN on. */
  remotePeers?: readonly Cloud[];
}

/**
 * What a reader-token entry holds until its first real value: the ARM secret resource is meant to carry a value (the
 * SDK marks it optional; creating one without it was not tried). Not a token, so the copy step refuses it as missing
 * (scripts/copy-reader-tokens.mjs).
 */
export const READER_TOKEN_PLACEHOLDER = "unset";

/** Built-in Key Vault roles (the same ids in every tenant). */
const KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";
const KEY_VAULT_SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";

/** The manifests' storage account: 3-24 lowercase letters and digits, unique in all of Azure. */
export const gitopsAccountName = (domain: string, environment: string, location: string) =>
  `tcgitops${environment}${nameHash(`${domain}/${environment}/${location}`, 8)}`.slice(0, 24);

/** Built-in Storage Blob Data Reader role id (the same in every tenant). */
export const STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
/** The container CI uploads each release's rendered manifests to. */
export const MANIFESTS_CONTAINER = "manifests";

/** The Flux configuration's kustomizations, in order: each waits for the one before it. */
export const FLUX_KUSTOMIZATION_ORDER = ["external-secrets", "ca", "infra", "workloads"] as const;

function fluxKustomizations(
  syncIntervalInSeconds: number,
): Record<string, inputs.kubernetesconfiguration.KustomizationDefinitionArgs> {
  return Object.fromEntries(
    FLUX_KUSTOMIZATION_ORDER.map((name, i) => [
      name,
      {
        path: `./${name}`,
        prune: true,
        // The last one holds the services: nothing waits for it.
        ...(i < FLUX_KUSTOMIZATION_ORDER.length - 1 ? { wait: true } : {}),
        ...(i > 0 ? { dependsOn: [FLUX_KUSTOMIZATION_ORDER[i - 1]!] } : {}),
        syncIntervalInSeconds,
      },
    ]),
  );
}

/**
 * Flux v2 on AKS, enabled through ARM (docs/workloads.md): the `microsoft.flux` cluster extension and one Flux
 * configuration whose source is a blob container (the pinned API's source kinds are GitRepository, Bucket and
 * AzureBlob). The container is private and refuses shared keys; the kubelet identity gets Storage Blob Data
 * Reader on the container only. The configuration prunes: an object removed from the manifests is deleted.
 */
export class AzureGitOps extends pulumi.ComponentResource {
  readonly storageAccountName: pulumi.Output<string>;
  readonly containerUrl: pulumi.Output<string>;
  /** How the cluster's External Secrets operator reads `cacerts` (absent without `mesh`). */
  readonly meshSecrets?: pulumi.Output<MeshSecretSource>;
  /** The mesh's Key Vault (absent without `mesh`): the copy step writes the peers' reader tokens there. */
  meshVaultName?: pulumi.Output<string>;

  constructor(name: string, args: AzureGitOpsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:azure:GitOps", name, {}, opts);
    const child = { parent: this };
    const rg = args.resourceGroupName;
    const account = new storage.StorageAccount(
      `${name}-st`,
      {
        resourceGroupName: rg,
        location: args.location,
        // 3-24 lowercase letters and digits, unique in all of Azure: a hash of the domain, environment and
        // location, so another organisation deploying this program (or a second copy of it) gets another name.
        accountName: gitopsAccountName(args.domain, args.environment, args.location),
        kind: "StorageV2",
        sku: { name: args.production ? "Standard_ZRS" : "Standard_LRS" },
        allowBlobPublicAccess: false,
        allowSharedKeyAccess: false,
        minimumTlsVersion: "TLS1_2",
        enableHttpsTrafficOnly: true,
        tags: { ...args.tags },
      },
      child,
    );
    const container = new storage.BlobContainer(
      `${name}-manifests`,
      {
        resourceGroupName: rg,
        accountName: account.name,
        containerName: MANIFESTS_CONTAINER,
        publicAccess: "None",
      },
      child,
    );
    const client = authorization.getClientConfigOutput(child);
    const reader = new authorization.RoleAssignment(
      `${name}-reader`,
      {
        principalId: args.kubeletObjectId,
        principalType: "ServicePrincipal",
        roleDefinitionId: pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_BLOB_DATA_READER}`,
        scope: container.id,
        description: "Flux on AKS reads the rendered manifests",
      },
      child,
    );

    const cluster = {
      resourceGroupName: rg,
      clusterRp: "Microsoft.ContainerService",
      clusterResourceName: "managedClusters",
      clusterName: args.clusterName,
    };
    const extension = new kubernetesconfiguration.Extension(
      `${name}-flux`,
      {
        ...cluster,
        extensionName: "flux",
        extensionType: "microsoft.flux",
        autoUpgradeMinorVersion: true,
        releaseTrain: "Stable",
        scope: { cluster: { releaseNamespace: "flux-system" } },
      },
      { ...child, dependsOn: args.workerPool ? [args.workerPool] : [] },
    );
    this.containerUrl = pulumi.interpolate`${account.primaryEndpoints.blob}${MANIFESTS_CONTAINER}`;
    new kubernetesconfiguration.FluxConfiguration(
      `${name}-workloads`,
      {
        ...cluster,
        fluxConfigurationName: "workloads",
        namespace: "flux-system",
        scope: kubernetesconfiguration.ScopeType.Cluster,
        sourceKind: kubernetesconfiguration.SourceKindType.AzureBlob,
        azureBlob: {
          url: account.primaryEndpoints.blob,
          containerName: MANIFESTS_CONTAINER,
          managedIdentity: { clientId: args.kubeletClientId },
          syncIntervalInSeconds: args.syncIntervalSeconds,
        },
        // One kustomization per step, each applied once the one before is Ready (`dependsOn`; `wait: true` makes
        // Ready mean its objects are healthy: https://fluxcd.io/flux/components/kustomize/kustomizations/#wait).
        // The External Secrets operator, then the `cacerts` ExternalSecret (Ready once the Secret is written), then
        // the charts, istiod among them (it reads `cacerts` once, at start), then what the charts' CRDs serve: Flux
        // dry-runs a kustomization's objects before applying any (fluxcd/kustomize-controller#1194). What each
        // holds: scripts/publish-manifests.mjs, FLUX_KUSTOMIZATIONS.
        kustomizations: fluxKustomizations(args.syncIntervalSeconds),
      },
      { parent: this, dependsOn: [extension, reader] },
    );
    this.storageAccountName = account.name;
    if (args.mesh) this.meshSecrets = this.meshSecret(name, args, args.mesh, client);
    this.registerOutputs({
      storageAccountName: this.storageAccountName,
      containerUrl: this.containerUrl,
      meshSecrets: this.meshSecrets,
    });
  }

  /**
   * A Key Vault (RBAC, no access policies) holding the secret, and a user-assigned identity the operator's
   * service account becomes through AKS workload identity (a federated credential on the cluster's issuer;
   * https://learn.microsoft.com/en-us/azure/aks/workload-identity-overview, read 2026-11-30) with Key Vault Secrets
   * User on that secret only.
   */
  private meshSecret(
    name: string,
    args: AzureGitOpsArgs,
    m: AzureMeshSecretArgs,
    client: pulumi.Output<authorization.GetClientConfigResult>,
  ): pulumi.Output<MeshSecretSource> {
    const child = { parent: this };
    const rg = args.resourceGroupName;
    const role = (id: string) =>
      pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${id}`;
    // A deleted vault's name stays reserved for its soft-delete retention: a random suffix lets a re-created vault
    // take a new one. 3-24 letters, digits and hyphens.
    const suffix = new random.RandomString(
      `${name}-mesh-kv-suffix`,
      { length: 6, special: false, upper: false },
      child,
    );
    const vault = new keyvault.Vault(
      `${name}-mesh-kv`,
      {
        resourceGroupName: rg,
        location: args.location,
        vaultName: pulumi.interpolate`tcmesh-${args.environment}-${suffix.result}`,
        properties: {
          tenantId: client.tenantId,
          sku: { family: "A", name: "standard" },
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: args.production ? 90 : 7,
          ...(args.production ? { enablePurgeProtection: true } : {}),
        },
        tags: { ...args.tags },
      },
      child,
    );
    const officer = new authorization.RoleAssignment(
      `${name}-mesh-kv-deployer`,
      {
        principalId: client.objectId,
        principalType: m.deployerPrincipalType,
        roleDefinitionId: role(KEY_VAULT_SECRETS_OFFICER),
        scope: vault.id,
        description: "tricloud deployer manages (and on destroy deletes) the mesh CA secret",
      },
      child,
    );
    const key = cacertsSecretName(args.environment, "azure");
    const secret = new keyvault.Secret(
      `${name}-cacerts`,
      {
        resourceGroupName: rg,
        vaultName: vault.name,
        secretName: key,
        properties: { value: pulumi.secret(m.cacerts), contentType: "application/json" },
        tags: { ...args.tags },
      },
      { parent: this, dependsOn: [officer] },
    );
    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-external-secrets`,
      { resourceGroupName: rg, location: args.location, tags: { ...args.tags } },
      child,
    );
    new managedidentity.FederatedIdentityCredential(
      `${name}-external-secrets`,
      {
        resourceGroupName: rg,
        resourceName: identity.name,
        federatedIdentityCredentialResourceName: "external-secrets",
        issuer: m.oidcIssuerUrl,
        subject: `system:serviceaccount:${EXTERNAL_SECRETS_NAMESPACE}:${EXTERNAL_SECRETS_SERVICE_ACCOUNT}`,
        audiences: ["api://AzureADTokenExchange"],
      },
      child,
    );
    new authorization.RoleAssignment(
      `${name}-external-secrets`,
      {
        principalId: identity.principalId,
        principalType: "ServicePrincipal",
        roleDefinitionId: role(KEY_VAULT_SECRETS_USER),
        scope: secret.id,
        description: "External Secrets operator reads the mesh CA of this cluster",
      },
      child,
    );
    const remotePeers = m.remotePeers ?? [];
    if (remotePeers.length > 0) {
      // The reader tokens: this cluster's own entry (tagged so the operator may write it: its Key Vault provider
      // refuses an existing secret without `managed-by: external-secrets`; it gets and sets it, Key Vault Secrets
      // Officer on that secret alone) and the peers' copies, which the deploy step writes and the operator reads.
      // The value is the placeholder until a real one is written; later writes are not the program's.
      const token = (cloud: Cloud, own: boolean) =>
        new keyvault.Secret(
          `${name}-reader-token-${cloud}`,
          {
            resourceGroupName: rg,
            vaultName: vault.name,
            secretName: readerTokenSecretName(args.environment, cloud),
            properties: { value: pulumi.secret(READER_TOKEN_PLACEHOLDER) },
            // The operator's write replaces the tags with `managed-by` and the PushSecret's (the same tags, handed
            // to it through the rendered PushSecret's metadata: stacks/workloads.ts).
            tags: { ...args.tags, ...(own ? ESO_MANAGED_TAG : {}) },
          },
          { parent: this, dependsOn: [officer], ignoreChanges: ["properties.value"] },
        );
      const grant = (cloud: Cloud, secretId: pulumi.Input<string>, roleId: string, what: string) =>
        new authorization.RoleAssignment(
          `${name}-external-secrets-token-${cloud}`,
          {
            principalId: identity.principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: role(roleId),
            scope: secretId,
            description: `External Secrets operator ${what}`,
          },
          child,
        );
      grant("azure", token("azure", true).id, KEY_VAULT_SECRETS_OFFICER, "writes this cluster's Istio reader token");
      for (const peer of remotePeers)
        grant(peer, token(peer, false).id, KEY_VAULT_SECRETS_USER, `reads the ${peer} cluster's Istio reader token`);
    }
    this.meshVaultName = vault.name;
    return pulumi
      .all([vault.properties.vaultUri, identity.clientId, client.tenantId])
      .apply(([vaultUrl, clientId, tenantId]): MeshSecretSource => ({
        // Workload identity names the service account whose token is exchanged: the operator's own.
        provider: {
          azurekv: {
            vaultUrl,
            tenantId,
            authType: "WorkloadIdentity",
            serviceAccountRef: { name: EXTERNAL_SECRETS_SERVICE_ACCOUNT, namespace: EXTERNAL_SECRETS_NAMESPACE },
          },
        },
        key,
        serviceAccountAnnotations: {
          "azure.workload.identity/client-id": clientId,
          "azure.workload.identity/tenant-id": tenantId,
        },
        podLabels: { "azure.workload.identity/use": "true" },
      }));
  }
}
