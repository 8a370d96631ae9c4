import * as authorization from "@pulumi/azure-native/authorization";
import * as kubernetesconfiguration from "@pulumi/azure-native/kubernetesconfiguration";
import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";
import { nameHash } from "../shared/function-urls";
import type { Tags } from "../shared/tags";

export interface AzureGitOpsArgs {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  environment: string;
  /** The AKS cluster's name (the extension and the Flux configuration are its child resources). */
  clusterName: pulumi.Input<string>;
  /** The kubelet identity: the source controller reads the container with it through the node's IMDS. */
  kubeletClientId: pulumi.Input<string>;
  kubeletObjectId: pulumi.Input<string>;
  /** How often Flux polls the container and re-applies, in seconds. */
  syncIntervalSeconds: number;
  production: boolean;
  tags: Tags;
}

/** Built-in Storage Blob Data Reader role id (the same in every tenant). */
export const STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
/** The container CI uploads each release's rendered manifests to. */
export const MANIFESTS_CONTAINER = "manifests";

/**
 * Flux v2 on AKS, enabled through ARM (docs/workloads.md): the `microsoft.flux` cluster extension and one Flux
 * configuration whose source is a blob container (the pinned API's source kinds are GitRepository, Bucket and
 * AzureBlob). The container is private and refuses shared keys; the kubelet identity gets Storage Blob Data
 * Reader on the container only. The configuration prunes: an object removed from the manifests is deleted.
 */
export class AzureGitOps extends pulumi.ComponentResource {
  readonly storageAccountName: pulumi.Output<string>;
  readonly containerUrl: pulumi.Output<string>;

  constructor(name: string, args: AzureGitOpsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:azure:GitOps", name, {}, opts);
    const child = { parent: this };
    const rg = args.resourceGroupName;
    const account = new storage.StorageAccount(
      `${name}-st`,
      {
        resourceGroupName: rg,
        location: args.location,
        // 3-24 lowercase letters and digits, globally unique: a hash of the environment and location.
        accountName: `tcgitops${args.environment}${nameHash(`${args.environment}/${args.location}`, 8)}`.slice(0, 24),
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
      child,
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
        kustomizations: {
          workloads: { path: "./", prune: true, syncIntervalInSeconds: args.syncIntervalSeconds },
        },
      },
      { parent: this, dependsOn: [extension, reader] },
    );
    this.storageAccountName = account.name;
    this.registerOutputs({ storageAccountName: this.storageAccountName, containerUrl: this.containerUrl });
  }
}
