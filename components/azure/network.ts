import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import { subnet } from "../shared/cidr";
import type { Tags } from "../shared/tags";

export interface AzureNetworkArgs {
  location: string;
  /** VNet address space, e.g. 10.20.0.0/16. */
  cidr: string;
  /**
   * The location's availability zones in use ("1", "2", "3"); empty where the location has none.
   * A Standard NAT gateway is zonal (it cannot span zones): it and its address go in the first.
   */
  zones?: readonly string[];
  /**
   * Adds the subnet a VPN gateway lives in (named GatewaySubnet, as Azure requires; a /27, the size Microsoft
   * recommends: https://learn.microsoft.com/en-us/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings#gwsub,
   * read 2026-11-30). It takes the /27 after the functions subnet.
   */
  gatewaySubnet?: boolean;
  tags: Tags;
}

/** The GatewaySubnet's range: the first /27 of the /24 after the functions subnet (10.20.66.0/27 in 10.20.0.0/16). */
export const gatewaySubnetPrefix = (cidr: string): string => subnet(subnet(cidr, 8, 66), 3, 0);

/**
 * A resource group and a VNet with one subnet per tenant of the network:
 * the AKS nodes, the PostgreSQL Flexible Server (delegated) and the Function
 * App's VNet integration (delegated to Microsoft.App/environments, as Flex
 * Consumption requires).
 */
export class AzureNetwork extends pulumi.ComponentResource {
  readonly resourceGroupName: pulumi.Output<string>;
  readonly location: string;
  readonly vnetId: pulumi.Output<string>;
  readonly vnetName: pulumi.Output<string>;
  readonly clusterSubnetId: pulumi.Output<string>;
  readonly databaseSubnetId: pulumi.Output<string>;
  readonly functionsSubnetId: pulumi.Output<string>;
  /** The GatewaySubnet, when asked for. */
  readonly gatewaySubnetId?: pulumi.Output<string>;
  readonly cidr: string;

  constructor(name: string, args: AzureNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:azure:Network", name, {}, opts);
    const tags = { ...args.tags };

    const group = new resources.ResourceGroup(`${name}-rg`, { location: args.location, tags }, { parent: this });
    const vnet = new network.VirtualNetwork(
      `${name}-vnet`,
      {
        resourceGroupName: group.name,
        location: args.location,
        addressSpace: { addressPrefixes: [args.cidr] },
        tags,
      },
      { parent: this },
    );

    // Azure rejects concurrent subnet writes on one VNet, so the subnets are chained.
    const cluster = new network.Subnet(
      `${name}-cluster`,
      {
        resourceGroupName: group.name,
        virtualNetworkName: vnet.name,
        addressPrefix: subnet(args.cidr, 2, 0),
        defaultOutboundAccess: false,
      },
      { parent: this },
    );
    const database = new network.Subnet(
      `${name}-database`,
      {
        resourceGroupName: group.name,
        virtualNetworkName: vnet.name,
        addressPrefix: subnet(args.cidr, 8, 64),
        defaultOutboundAccess: false,
        delegations: [{ name: "postgres", serviceName: "Microsoft.DBforPostgreSQL/flexibleServers" }],
      },
      { parent: this, dependsOn: [cluster] },
    );
    // The functions route all egress into the VNet (to reach the private database) and still
    // call their peers on the internet: this subnet leaves through a NAT gateway.
    // Without a zone Azure may place the gateway in any zone, unknown to us; pinned, its failure
    // domain is known and matches the address's (https://learn.microsoft.com/en-us/azure/nat-gateway/nat-availability-zones).
    const natZone = args.zones?.length ? { zones: [args.zones[0]!] } : {};
    const natIp = new network.PublicIPAddress(
      `${name}-functions-nat`,
      {
        resourceGroupName: group.name,
        location: args.location,
        ...natZone,
        sku: { name: "Standard" },
        publicIPAllocationMethod: "Static",
        tags,
      },
      { parent: this },
    );
    const nat = new network.NatGateway(
      `${name}-functions-nat`,
      {
        resourceGroupName: group.name,
        location: args.location,
        ...natZone,
        sku: { name: "Standard" },
        publicIpAddresses: [{ id: natIp.id }],
        idleTimeoutInMinutes: 4,
        tags,
      },
      { parent: this },
    );
    const functions = new network.Subnet(
      `${name}-functions`,
      {
        resourceGroupName: group.name,
        virtualNetworkName: vnet.name,
        addressPrefix: subnet(args.cidr, 8, 65),
        defaultOutboundAccess: false,
        natGateway: { id: nat.id },
        delegations: [{ name: "functions", serviceName: "Microsoft.App/environments" }],
      },
      { parent: this, dependsOn: [database] },
    );

    if (args.gatewaySubnet) {
      const gateway = new network.Subnet(
        `${name}-gateway`,
        {
          resourceGroupName: group.name,
          virtualNetworkName: vnet.name,
          subnetName: "GatewaySubnet",
          addressPrefix: gatewaySubnetPrefix(args.cidr),
        },
        { parent: this, dependsOn: [functions] },
      );
      this.gatewaySubnetId = gateway.id;
    }

    this.resourceGroupName = group.name;
    this.location = args.location;
    this.vnetId = vnet.id;
    this.vnetName = vnet.name;
    this.cidr = args.cidr;
    this.clusterSubnetId = cluster.id;
    this.databaseSubnetId = database.id;
    this.functionsSubnetId = functions.id;
    this.registerOutputs({
      resourceGroupName: this.resourceGroupName,
      vnetId: this.vnetId,
      clusterSubnetId: this.clusterSubnetId,
      databaseSubnetId: this.databaseSubnetId,
      functionsSubnetId: this.functionsSubnetId,
    });
  }
}
