import * as pulumi from "@pulumi/pulumi";
import { AwsVpnGateway, AwsVpnLink } from "../components/aws/vpn";
import { AzureVpnGateway, AzureVpnLink } from "../components/azure/vpn";
import { GcpVpnGateway, GcpVpnLink } from "../components/gcp/vpn";
import { CROSS_CLOUD_PORTS, remoteRanges, tunnelPlan } from "../components/shared/cross-cloud";
import { CrossCloudKeys } from "../components/shared/cross-cloud-keys";
import type { Tags } from "../components/shared/tags";
import type { AwsPlatform } from "./aws";
import type { AzurePlatform } from "./azure";
import type { StackConfig } from "./config/load";
import type { GcpPlatform } from "./gcp";

/** The API endpoint of each cluster as the other clouds reach it over the VPN, and the tunnels' outside addresses. */
export interface CrossCloudOutputs {
  readonly apiEndpoints: { aws: pulumi.Output<string>; azure: pulumi.Output<string>; gcp: pulumi.Output<string> };
  readonly gatewayAddresses: {
    aws: { azure: readonly pulumi.Output<string>[]; gcp: readonly pulumi.Output<string>[] };
    azure: readonly pulumi.Output<string>[];
    gcp: readonly pulumi.Output<string>[];
  };
}

/**
 * Builds the site-to-site VPN between the three networks when tricloud:network.crossCloud.enabled is true
 * (docs/cross-cloud.md): each cloud's gateway under its own platform, then the links, each of which needs the
 * other side's public addresses (AWS's tunnel addresses exist only once its connections do, so AWS goes first).
 */
export function crossCloud(
  config: StackConfig,
  clouds: { aws: AwsPlatform; azure: AzurePlatform; gcp: GcpPlatform },
  tags: Tags,
): CrossCloudOutputs | undefined {
  const t = config.tricloud;
  const c = t.network.crossCloud;
  if (!c.enabled) return undefined;
  const { aws, azure, gcp } = clouds;
  const prefix = t.environment;
  const plan = tunnelPlan(c.tunnelCidr);
  const keys = new CrossCloudKeys(`${prefix}-vpn-keys`);
  const { project, region } = config.gcp;
  const location = config["azure-native"].location;
  const resourceGroupName = azure.network.resourceGroupName;
  if (!azure.network.gatewaySubnetId) throw new Error("the Azure network was built without its GatewaySubnet");

  const awsGateway = new AwsVpnGateway(
    `${prefix}-aws-vpn`,
    {
      vpcId: aws.network.vpcId,
      routeTableIds: aws.network.privateRouteTableIds,
      asn: c.asns.aws,
      clusterSecurityGroupId: aws.cluster.clusterSecurityGroupId,
      remoteCidrs: remoteRanges(t.network, "aws"),
      ports: CROSS_CLOUD_PORTS,
      tags,
    },
    { parent: aws },
  );
  const azureGateway = new AzureVpnGateway(
    `${prefix}-azure-vpn`,
    {
      resourceGroupName,
      location,
      gatewaySubnetId: azure.network.gatewaySubnetId,
      gatewayName: `tricloud-${prefix}-vpn`,
      sku: c.azureGatewaySku,
      asn: c.asns.azure,
      apipa: plan.azureApipa,
      // Zone-redundant addresses wherever the stack uses the location's zones (an AZ SKU spreads over them).
      zones: t.network.azure.zones > 0 ? ["1", "2", "3"] : [],
      tags,
    },
    { parent: azure },
  );
  const gcpGateway = new GcpVpnGateway(
    `${prefix}-gcp-vpn`,
    {
      project,
      region,
      networkId: gcp.network.networkId,
      asn: c.asns.gcp,
      remoteCidrs: remoteRanges(t.network, "gcp"),
      ports: CROSS_CLOUD_PORTS,
      labels: tags,
      apis: gcp.apis,
    },
    { parent: gcp },
  );

  const awsToAzure = new AwsVpnLink(
    `${prefix}-aws-vpn-azure`,
    {
      gatewayId: awsGateway.gatewayId,
      remoteAddresses: azureGateway.publicIps,
      remoteAsn: c.asns.azure,
      tunnels: plan.awsAzure,
      presharedKey: keys.awsAzure,
      tags,
    },
    { parent: aws },
  );
  const awsToGcp = new AwsVpnLink(
    `${prefix}-aws-vpn-gcp`,
    {
      gatewayId: awsGateway.gatewayId,
      remoteAddresses: gcpGateway.interfaceAddresses,
      remoteAsn: c.asns.gcp,
      tunnels: plan.awsGcp,
      presharedKey: keys.awsGcp,
      tags,
    },
    { parent: aws },
  );

  // AWS connection k ends on Azure instance k: its tunnels use instance k's custom BGP address; the connection must
  // also name one for the other instance, which is the same tunnel's on the other connection.
  const awsAzureTunnels = [0, 1].flatMap((k) => [0, 1].map((j) => ({ j, tunnel: plan.awsAzure[k]![j]! })));
  new AzureVpnLink(
    `${prefix}-azure-vpn-aws`,
    {
      resourceGroupName,
      location,
      gatewayId: azureGateway.gatewayId,
      ipConfigurationIds: azureGateway.ipConfigurationIds,
      remoteAsn: c.asns.aws,
      peers: awsAzureTunnels.map(({ j, tunnel }, i) => ({
        address: awsToAzure.tunnelAddresses[i]!,
        bgpAddress: tunnel.a,
        customBgp: [plan.awsAzure[0]![j]!.b, plan.awsAzure[1]![j]!.b] as const,
      })),
      sharedKey: keys.awsAzure,
      tags,
    },
    { parent: azure },
  );
  new AzureVpnLink(
    `${prefix}-azure-vpn-gcp`,
    {
      resourceGroupName,
      location,
      gatewayId: azureGateway.gatewayId,
      ipConfigurationIds: azureGateway.ipConfigurationIds,
      remoteAsn: c.asns.gcp,
      peers: plan.azureGcp.map((tunnel, k) => ({
        address: gcpGateway.interfaceAddresses[k]!,
        bgpAddress: tunnel.b,
        customBgp: [plan.azureGcp[0].a, plan.azureGcp[1].a] as const,
      })),
      sharedKey: keys.azureGcp,
      tags,
    },
    { parent: azure },
  );

  new GcpVpnLink(
    `${prefix}-gcp-vpn-aws`,
    {
      project,
      region,
      gatewayId: gcpGateway.gatewayId,
      routerName: gcpGateway.routerName,
      remoteAsn: c.asns.aws,
      peers: [0, 1].flatMap((k) =>
        [0, 1].map((j) => {
          const tunnel = plan.awsGcp[k]![j]!;
          return {
            address: awsToGcp.tunnelAddresses[2 * k + j]!,
            gatewayInterface: k as 0 | 1,
            insideCidr: tunnel.cidr,
            routerAddress: tunnel.b,
            peerAddress: tunnel.a,
          };
        }),
      ),
      sharedSecret: keys.awsGcp,
      labels: tags,
      apis: gcp.apis,
    },
    { parent: gcp },
  );
  new GcpVpnLink(
    `${prefix}-gcp-vpn-azure`,
    {
      project,
      region,
      gatewayId: gcpGateway.gatewayId,
      routerName: gcpGateway.routerName,
      remoteAsn: c.asns.azure,
      peers: plan.azureGcp.map((tunnel, k) => ({
        address: azureGateway.publicIps[k]!,
        gatewayInterface: k as 0 | 1,
        insideCidr: tunnel.cidr,
        routerAddress: tunnel.b,
        peerAddress: tunnel.a,
      })),
      sharedSecret: keys.azureGcp,
      labels: tags,
      apis: gcp.apis,
    },
    { parent: gcp },
  );

  return {
    apiEndpoints: {
      // Private-only EKS: the public name resolves to the private endpoint addresses, from anywhere
      // (https://repost.aws/knowledge-center/eks-private-cluster-endpoint-vpc, read 2026-11-30).
      aws: aws.cluster.endpoint,
      azure: azure.cluster.peerEndpoint,
      gcp: gcp.cluster.privateEndpoint,
    },
    gatewayAddresses: {
      aws: { azure: awsToAzure.tunnelAddresses, gcp: awsToGcp.tunnelAddresses },
      azure: azureGateway.publicIps,
      gcp: gcpGateway.interfaceAddresses,
    },
  };
}
