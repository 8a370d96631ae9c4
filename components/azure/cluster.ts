import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type { KubernetesCluster, KubernetesClusterBaseArgs } from "../shared/platform";
import { nodeMachine } from "@tricloud/vocabulary/sizes";

export interface AzureKubernetesClusterArgs extends KubernetesClusterBaseArgs {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  /** The VNet subnet nodes and pods take their addresses from (Azure CNI). */
  clusterSubnetId: pulumi.Input<string>;
  /** The VNet of that subnet: a private cluster links its API server's private DNS zone to it. */
  vnetId: pulumi.Input<string>;
  /**
   * The resource group AKS creates for the nodes' scale sets, disks and load balancer (it must
   * not exist yet). Named here instead of AKS's MC_<group>_<cluster>_<location> so the budget
   * can count it from the start.
   */
  nodeResourceGroup: string;
  /** Availability zones for the node pools ("1", "2", "3"). */
  zones: readonly string[];
  /**
   * Let the autoscaler drain the user pool to 0 nodes (an off-hours schedule scales the services to zero); the
   * system pool keeps its node. A user pool may have zero nodes, a system pool may not
   * (learn.microsoft.com/en-us/azure/aks/use-system-pools, read 2026-11-30).
   */
  userPoolScalesToZero?: boolean;
}

/** Built-in role ids (the same in every tenant). */
export const NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7";

/**
 * Kubernetes services live outside the 10/8 space the stack config hands out
 * to the three networks, so they can never collide with a peered range.
 */
export const AKS_SERVICE_CIDR = "172.16.0.0/16";
export const AKS_DNS_SERVICE_IP = "172.16.0.10";

/**
 * An AKS cluster: a user-assigned control-plane identity (granted the
 * cluster subnet before the cluster exists), Entra ID authentication with
 * Azure RBAC and no local accounts, a small system pool for critical add-ons
 * and a separately managed autoscaling user pool, both on the VNet via Azure CNI.
 */
export class AzureKubernetesCluster extends pulumi.ComponentResource implements KubernetesCluster {
  readonly cloud = "azure" as const;
  readonly clusterName: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly kubernetesVersion: string;
  /** Object id of the identity the kubelets pull images as. */
  readonly kubeletObjectId: pulumi.Output<string>;
  /** Client id of the same identity (what a pod asks the node's IMDS for). */
  readonly kubeletClientId: pulumi.Output<string>;
  readonly oidcIssuerUrl: pulumi.Output<string>;
  /** The user node pool: the system pool is tainted CriticalAddonsOnly, so every workload (Flux's controllers too) runs here. */
  readonly workers: containerservice.AgentPool;
  /** Where AKS puts the nodes' VM scale sets, disks and load balancer (the cluster's largest cost). */
  readonly nodeResourceGroup: string;
  /**
   * The API server address for networks connected by VPN: the public FQDN, which for a private cluster AKS publishes
   * in public DNS with the private endpoint's address (https://learn.microsoft.com/en-us/azure/aks/private-clusters,
   * read 2026-11-30); `az aks get-credentials --public-fqdn` writes the same name, so the certificate covers it.
   */
  readonly peerEndpoint: pulumi.Output<string>;
  /**
   * The cluster CA, from the user kubeconfig ARM lists (ManagedCluster exposes no CA field): not a secret, so it is
   * unwrapped from the kubeconfig's secrecy.
   */
  readonly caData: pulumi.Output<string>;

  constructor(name: string, args: AzureKubernetesClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:azure:KubernetesCluster", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };
    const zones = [...args.zones];
    const vmSize = nodeMachine("azure", args.nodePool.size);

    // A system-assigned identity only exists after the cluster, too late to be granted the subnet it needs.
    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        tags,
      },
      child,
    );
    const subscriptionId = authorization.getClientConfigOutput(child).subscriptionId;
    // A private cluster links the API server's private DNS zone to the VNet, which takes
    // Microsoft.Network/virtualNetworks/join/action on the VNet itself: AKS's private-cluster docs
    // ask for Network Contributor on the VNet for a user-assigned identity. A public cluster only
    // joins nodes and internal load balancers to its subnet.
    const privateOnly = args.publicAccessCidrs.length === 0;
    const subnetAccess = new authorization.RoleAssignment(
      `${name}-subnet-access`,
      {
        principalId: identity.principalId,
        principalType: "ServicePrincipal",
        roleDefinitionId: pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${NETWORK_CONTRIBUTOR}`,
        scope: privateOnly ? args.vnetId : args.clusterSubnetId,
        description: privateOnly
          ? "AKS control plane links the private API server's DNS zone to the VNet and joins nodes to the cluster subnet"
          : "AKS control plane joins nodes and internal load balancers to the cluster subnet",
      },
      child,
    );

    const cluster = new containerservice.ManagedCluster(
      `${name}`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        dnsPrefix: name,
        nodeResourceGroup: args.nodeResourceGroup,
        kubernetesVersion: args.kubernetesVersion,
        // Free has no uptime SLA; Standard is the financially backed SLA production needs.
        sku: { name: "Base", tier: args.production ? "Standard" : "Free" },
        identity: { type: containerservice.ResourceIdentityType.UserAssigned, userAssignedIdentities: [identity.id] },
        enableRBAC: true,
        aadProfile: { managed: true, enableAzureRBAC: true },
        disableLocalAccounts: true,
        apiServerAccessProfile: privateOnly
          ? // The public FQDN (Azure's default, stated here because the other clouds resolve the API server by it).
            { enablePrivateCluster: true, enablePrivateClusterPublicFQDN: true }
          : { enablePrivateCluster: false, authorizedIPRanges: [...args.publicAccessCidrs] },
        networkProfile: {
          networkPlugin: "azure",
          networkPolicy: "azure",
          loadBalancerSku: "standard",
          outboundType: "loadBalancer",
          serviceCidr: AKS_SERVICE_CIDR,
          dnsServiceIP: AKS_DNS_SERVICE_IP,
        },
        oidcIssuerProfile: { enabled: true },
        securityProfile: { workloadIdentity: { enabled: true } },
        // "patch" keeps the configured minor and takes its patches; the minor moves only when the config does.
        autoUpgradeProfile: { upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" },
        agentPoolProfiles: [
          {
            name: "system",
            mode: "System",
            vmSize,
            count: args.production ? Math.max(2, zones.length) : 1,
            availabilityZones: zones,
            vnetSubnetID: args.clusterSubnetId,
            osType: "Linux",
            osSKU: "AzureLinux",
            type: "VirtualMachineScaleSets",
            // Only critical add-ons run here; workloads go to the user pool.
            nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
            enableNodePublicIP: false,
            tags,
          },
        ],
        tags,
      },
      { parent: this, dependsOn: [subnetAccess] },
    );

    const pool = args.nodePool;
    this.workers = new containerservice.AgentPool(
      `${name}-workers`,
      {
        resourceGroupName: args.resourceGroupName,
        resourceName: cluster.name,
        agentPoolName: "workers",
        mode: "User",
        vmSize,
        enableAutoScaling: true,
        minCount: args.userPoolScalesToZero ? 0 : pool.minNodes,
        maxCount: pool.maxNodes,
        count: pool.desiredNodes,
        availabilityZones: zones,
        vnetSubnetID: args.clusterSubnetId,
        orchestratorVersion: args.kubernetesVersion,
        osType: "Linux",
        osSKU: "AzureLinux",
        type: "VirtualMachineScaleSets",
        enableNodePublicIP: false,
        tags,
      },
      { parent: this, ignoreChanges: ["count"] },
    ); // the autoscaler owns the live count

    this.clusterName = cluster.name;
    this.endpoint = pulumi.interpolate`https://${privateOnly ? cluster.privateFQDN : cluster.fqdn}:443`;
    this.peerEndpoint = pulumi.interpolate`https://${cluster.fqdn}:443`;
    this.kubernetesVersion = args.kubernetesVersion;
    this.nodeResourceGroup = args.nodeResourceGroup;
    this.kubeletObjectId = cluster.identityProfile.apply((p) => p?.["kubeletidentity"]?.objectId ?? "");
    this.kubeletClientId = cluster.identityProfile.apply((p) => p?.["kubeletidentity"]?.clientId ?? "");
    this.oidcIssuerUrl = cluster.oidcIssuerProfile.apply((p) => p?.issuerURL ?? "");
    // With local accounts disabled, the user credentials are an Entra ID (kubelogin) kubeconfig.
    const credentials = containerservice.listManagedClusterUserCredentialsOutput(
      { resourceGroupName: args.resourceGroupName, resourceName: cluster.name, format: "exec" },
      child,
    );
    const text = credentials.kubeconfigs.apply((k) => Buffer.from(k[0]?.value ?? "", "base64").toString("utf8"));
    this.kubeconfig = pulumi.secret(text);
    this.caData = pulumi.unsecret(
      text.apply((t) => {
        const doc = parse(t) as { clusters?: { cluster?: Record<string, string> }[] } | null;
        return doc?.clusters?.[0]?.cluster?.["certificate-authority-data"] ?? "";
      }),
    );
    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      kubeconfig: this.kubeconfig,
      kubeletObjectId: this.kubeletObjectId,
    });
  }
}
