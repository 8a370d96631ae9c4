import * as authorization from "@pulumi/azure-native/authorization";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ContainerRegistry } from "../shared/platform";
import type { Tags } from "../shared/tags";

export interface AzureContainerRegistryArgs {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  /** Alphanumeric prefix of the registry name; a random suffix makes it globally unique. */
  namePrefix: string;
  /** Object ids granted AcrPull (the AKS kubelet identity). */
  pullerObjectIds: pulumi.Input<string>[];
  /** Untagged manifests older than this are deleted (Premium only). */
  untaggedRetentionDays: number;
  /**
   * Premium (the registry-side retention policy) instead of Basic. Every tier is zone-redundant by default in regions
   * with zones since 2025 (https://learn.microsoft.com/en-us/azure/container-registry/zone-redundancy); the
   * `zoneRedundancy` property itself is documented for Premium, so only Premium sends it.
   */
  production: boolean;
  tags: Tags;
}

/** Built-in AcrPull role id (the same in every tenant). */
export const ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d";

/**
 * An Azure Container Registry with the admin user and anonymous pull off:
 * access is by Entra ID only, and the cluster's kubelet identity gets AcrPull.
 */
export class AzureContainerRegistry extends pulumi.ComponentResource implements ContainerRegistry {
  readonly cloud = "azure" as const;
  readonly repositoryUrl: pulumi.Output<string>;
  readonly registryId: pulumi.Output<string>;

  constructor(name: string, args: AzureContainerRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:azure:ContainerRegistry", name, {}, opts);
    const child = { parent: this };
    const premium = args.production;

    // Registry names are global, 5-50 alphanumerics: the prefix says whose it is, the suffix makes it unique.
    const suffix = new random.RandomString(`${name}-suffix`, { length: 6, special: false, upper: false }, child);
    const registry = new containerregistry.Registry(
      `${name}-acr`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        registryName: pulumi.interpolate`${args.namePrefix.replace(/[^a-z0-9]/gi, "").toLowerCase()}${suffix.result}`,
        sku: { name: premium ? "Premium" : "Basic" },
        adminUserEnabled: false,
        anonymousPullEnabled: false,
        ...(premium
          ? {
              zoneRedundancy: "Enabled",
              // The registry-side cleanup policy exists on Premium only; Basic relies on `acr purge` tasks.
              policies: { retentionPolicy: { days: args.untaggedRetentionDays, status: "enabled" } },
            }
          : {}),
        tags: { ...args.tags },
      },
      child,
    );

    const subscriptionId = authorization.getClientConfigOutput(child).subscriptionId;
    args.pullerObjectIds.forEach(
      (principalId, i) =>
        new authorization.RoleAssignment(
          `${name}-acrpull-${i}`,
          {
            principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL}`,
            scope: registry.id,
            description: "AKS kubelets pull the platform's images",
          },
          child,
        ),
    );

    this.repositoryUrl = registry.loginServer;
    this.registryId = registry.id;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl });
  }
}
