import * as authorization from "@pulumi/azure-native/authorization";
import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import type { AzureGatewaySku } from "../shared/cross-cloud";
import type { Tags } from "../shared/tags";

export interface AzureVpnGatewayArgs {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  /** The VNet's GatewaySubnet (components/azure/network.ts, gatewaySubnet: true). */
  gatewaySubnetId: pulumi.Input<string>;
  /** The gateway's name, fixed so its IP configurations' ids are known before it exists. */
  gatewayName: string;
  sku: AzureGatewaySku;
  asn: number;
  /** Custom (APIPA) BGP addresses of instance 0 and instance 1, inside 169.254.21.0-169.254.22.255. */
  apipa: readonly [readonly string[], readonly string[]];
  /** Zones of the gateway's public addresses: all three where the location has zones (zone-redundant), else none. */
  zones: readonly string[];
  tags: Tags;
}

/**
 * The VPN gateway generation an AZ SKU is created in. Microsoft's SKU table
 * (https://learn.microsoft.com/en-us/azure/vpn-gateway/about-gateway-skus#benchmark, read 2026-11-30) has VpnGw1AZ
 * only in Generation1, VpnGw4AZ and VpnGw5AZ only in Generation2, and VpnGw2AZ-3AZ in both. Generation1 wherever
 * the SKU has it: that is what Azure took while the program left the field unset, so a gateway already deployed
 * keeps its generation (a change of generation replaces the gateway). Sent explicitly: left unset, Azure takes
 * Generation1 and refuses VpnGw4AZ/5AZ
 * (VirtualNetworkGatewaySkuCannotBeCreatedForSpecifiedVmGeneration; e.g.
 * https://github.com/Azure/terraform-azurerm-caf-enterprise-scale/issues/333).
 */
export function vpnGatewayGeneration(sku: AzureGatewaySku): "Generation1" | "Generation2" {
  return sku === "VpnGw4AZ" || sku === "VpnGw5AZ" ? "Generation2" : "Generation1";
}

/** The two IP configurations of an active-active gateway, as its bgpPeeringAddresses and connections name them. */
export const GATEWAY_IP_CONFIGURATIONS = ["instance0", "instance1"] as const;

/**
 * The Azure end: a route-based, BGP, active-active VPN gateway (an AZ SKU; the non-AZ VpnGw1-5 can no longer be
 * created, https://learn.microsoft.com/en-us/azure/vpn-gateway/gateway-sku-consolidation, read 2026-11-30) with two
 * zone-redundant Standard public addresses, and custom APIPA BGP addresses on each instance, which AWS and GCP need
 * because their BGP sessions run on 169.254.0.0/16 (https://learn.microsoft.com/en-us/azure/vpn-gateway/vpn-gateway-howto-aws-bgp).
 * The gateway learns the other clouds' routes by BGP and programs them into the VNet; it advertises the VNet's range.
 */
export class AzureVpnGateway extends pulumi.ComponentResource {
  readonly gatewayId: pulumi.Output<string>;
  /** The two instances' public addresses (what AWS's customer gateways and GCP's external gateway point at). */
  readonly publicIps: readonly [pulumi.Output<string>, pulumi.Output<string>];
  /** Resource ids of the two IP configurations (a connection picks a custom BGP address per configuration). */
  readonly ipConfigurationIds: readonly [pulumi.Output<string>, pulumi.Output<string>];

  constructor(name: string, args: AzureVpnGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:azure:VpnGateway", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };
    const ips = GATEWAY_IP_CONFIGURATIONS.map(
      (_, i) =>
        new network.PublicIPAddress(
          `${name}-ip${i}`,
          {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            sku: { name: "Standard", tier: "Regional" },
            publicIPAllocationMethod: "Static",
            ...(args.zones.length ? { zones: [...args.zones] } : {}),
            tags,
          },
          child,
        ),
    );
    const subscriptionId = authorization.getClientConfigOutput(child).subscriptionId;
    const configId = (config: string) =>
      pulumi.interpolate`/subscriptions/${subscriptionId}/resourceGroups/${args.resourceGroupName}/providers/Microsoft.Network/virtualNetworkGateways/${args.gatewayName}/ipConfigurations/${config}`;
    const configIds = GATEWAY_IP_CONFIGURATIONS.map(configId);
    const gateway = new network.VirtualNetworkGateway(
      name,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        virtualNetworkGatewayName: args.gatewayName,
        gatewayType: "Vpn",
        vpnType: "RouteBased",
        sku: { name: args.sku, tier: args.sku },
        vpnGatewayGeneration: vpnGatewayGeneration(args.sku),
        activeActive: true,
        enableBgp: true,
        bgpSettings: {
          asn: args.asn,
          bgpPeeringAddresses: configIds.map((ipconfigurationId, i) => ({
            ipconfigurationId,
            customBgpIpAddresses: [...args.apipa[i]!],
          })),
        },
        ipConfigurations: GATEWAY_IP_CONFIGURATIONS.map((config, i) => ({
          name: config,
          privateIPAllocationMethod: "Dynamic",
          subnet: { id: args.gatewaySubnetId },
          publicIPAddress: { id: ips[i]!.id },
        })),
        tags,
      },
      child,
    );
    this.gatewayId = gateway.id;
    this.publicIps = [ips[0]!.ipAddress.apply((a) => a ?? ""), ips[1]!.ipAddress.apply((a) => a ?? "")];
    this.ipConfigurationIds = [configIds[0]!, configIds[1]!];
    this.registerOutputs({ gatewayId: this.gatewayId, publicIps: this.publicIps });
  }
}

export interface AzureVpnPeer {
  /** The peer's outside (public) address. */
  address: pulumi.Input<string>;
  /** The peer's BGP address inside the tunnel. */
  bgpAddress: string;
  /** The custom BGP address this connection uses on gateway instance 0 and on instance 1. */
  customBgp: readonly [string, string];
}

export interface AzureVpnLinkArgs {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  gatewayId: pulumi.Input<string>;
  ipConfigurationIds: readonly [pulumi.Input<string>, pulumi.Input<string>];
  remoteAsn: number;
  peers: readonly AzureVpnPeer[];
  /** Secret. */
  sharedKey: pulumi.Input<string>;
  tags: Tags;
}

/**
 * One local network gateway and one IKEv2 BGP connection per peer tunnel endpoint of another cloud. With BGP the
 * local network gateway carries no address prefixes, only the peer's ASN and BGP address.
 */
export class AzureVpnLink extends pulumi.ComponentResource {
  constructor(name: string, args: AzureVpnLinkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:azure:VpnLink", name, {}, opts);
    const tags = { ...args.tags };
    args.peers.forEach((peer, i) => {
      const local = new network.LocalNetworkGateway(
        `${name}-${i}`,
        {
          resourceGroupName: args.resourceGroupName,
          location: args.location,
          gatewayIpAddress: peer.address,
          bgpSettings: { asn: args.remoteAsn, bgpPeeringAddress: peer.bgpAddress },
          tags,
        },
        { parent: this },
      );
      new network.VirtualNetworkGatewayConnection(
        `${name}-${i}`,
        {
          resourceGroupName: args.resourceGroupName,
          location: args.location,
          connectionType: "IPsec",
          connectionProtocol: "IKEv2",
          virtualNetworkGateway1: { id: args.gatewayId },
          localNetworkGateway2: { id: local.id },
          enableBgp: true,
          sharedKey: args.sharedKey,
          gatewayCustomBgpIpAddresses: args.ipConfigurationIds.map((ipConfigurationId, k) => ({
            ipConfigurationId,
            customBgpIpAddress: peer.customBgp[k]!,
          })),
          tags,
        },
        { parent: this, additionalSecretOutputs: ["sharedKey"] },
      );
    });
    this.registerOutputs({});
  }
}
