import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { TunnelAddresses } from "../shared/cross-cloud";
import type { Tags } from "../shared/tags";

export interface AwsVpnGatewayArgs {
  vpcId: pulumi.Input<string>;
  /** The private subnets' route tables: BGP-learned routes to the other clouds are propagated into them. */
  routeTableIds: pulumi.Input<string>[];
  /** The gateway's own ASN (private: 64512-65534 or 4200000000-4294967294). */
  asn: number;
  /** The EKS cluster security group (control-plane interfaces and managed nodes): the other clouds reach it. */
  clusterSecurityGroupId: pulumi.Input<string>;
  /** The other clouds' ranges, admitted on `ports`. */
  remoteCidrs: readonly string[];
  ports: readonly number[];
  tags: Tags;
}

/**
 * The AWS end of the cross-cloud path: a virtual private gateway on the VPC (no hourly charge of its own; a
 * Transit Gateway would add $0.05 an hour per attachment and is not needed for one VPC), route propagation into
 * the private route tables, and the cluster security group opened to the other clouds on the API and east-west
 * ports. EKS asks for exactly that of a private endpoint reached from a connected network: "your Amazon EKS
 * control plane security group contains rules to allow ingress traffic on port 443 from your connected network"
 * (https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html, read 2026-11-30).
 */
export class AwsVpnGateway extends pulumi.ComponentResource {
  readonly gatewayId: pulumi.Output<string>;

  constructor(name: string, args: AwsVpnGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:aws:VpnGateway", name, {}, opts);
    const child = { parent: this };
    const gateway = new aws.ec2.VpnGateway(
      name,
      { vpcId: args.vpcId, amazonSideAsn: String(args.asn), tags: { ...args.tags, Name: name } },
      child,
    );
    args.routeTableIds.forEach(
      (routeTableId, i) =>
        new aws.ec2.VpnGatewayRoutePropagation(
          `${name}-private-${i}`,
          { vpnGatewayId: gateway.id, routeTableId },
          child,
        ),
    );
    for (const cidr of args.remoteCidrs) {
      for (const port of args.ports) {
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-${cidr.replace(/[./]/g, "-")}-${port}`,
          {
            securityGroupId: args.clusterSecurityGroupId,
            cidrIpv4: cidr,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            description:
              port === 443
                ? "Kubernetes API from another cloud over VPN"
                : "east-west gateway from another cloud over VPN",
            tags: { ...args.tags },
          },
          child,
        );
      }
    }
    this.gatewayId = gateway.id;
    this.registerOutputs({ gatewayId: this.gatewayId });
  }
}

export interface AwsVpnLinkArgs {
  gatewayId: pulumi.Input<string>;
  /** The remote cloud's gateway addresses: one customer gateway and one VPN connection (two tunnels) each. */
  remoteAddresses: readonly [pulumi.Input<string>, pulumi.Input<string>];
  /** The remote side's ASN (at most 2147483647, the customer gateway's bgpAsn field). */
  remoteAsn: number;
  /** Per connection, its tunnels 1 and 2: AWS takes each /30's first address, the remote the second. */
  tunnels: readonly [readonly [TunnelAddresses, TunnelAddresses], readonly [TunnelAddresses, TunnelAddresses]];
  /** Secret. */
  presharedKey: pulumi.Input<string>;
  tags: Tags;
}

/**
 * Two customer gateways and two dynamic (BGP) VPN connections to one other cloud. Each connection has two tunnels
 * on two AWS endpoints; the tunnels' outside addresses are what the other cloud points its side at.
 */
export class AwsVpnLink extends pulumi.ComponentResource {
  /** Outside addresses in order: connection 0 tunnel 1, connection 0 tunnel 2, connection 1 tunnel 1, 2. */
  readonly tunnelAddresses: readonly pulumi.Output<string>[];

  constructor(name: string, args: AwsVpnLinkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:aws:VpnLink", name, {}, opts);
    const child = { parent: this };
    const addresses: pulumi.Output<string>[] = [];
    args.remoteAddresses.forEach((ipAddress, k) => {
      const customer = new aws.ec2.CustomerGateway(
        `${name}-${k}`,
        { bgpAsn: String(args.remoteAsn), ipAddress, type: "ipsec.1", tags: { ...args.tags, Name: `${name}-${k}` } },
        child,
      );
      const [t1, t2] = args.tunnels[k]!;
      const connection = new aws.ec2.VpnConnection(
        `${name}-${k}`,
        {
          vpnGatewayId: args.gatewayId,
          customerGatewayId: customer.id,
          type: "ipsec.1",
          staticRoutesOnly: false,
          tunnel1InsideCidr: t1.cidr,
          tunnel2InsideCidr: t2.cidr,
          tunnel1PresharedKey: args.presharedKey,
          tunnel2PresharedKey: args.presharedKey,
          tunnel1IkeVersions: ["ikev2"],
          tunnel2IkeVersions: ["ikev2"],
          tags: { ...args.tags, Name: `${name}-${k}` },
        },
        {
          parent: this,
          additionalSecretOutputs: ["tunnel1PresharedKey", "tunnel2PresharedKey", "customerGatewayConfiguration"],
        },
      );
      addresses.push(connection.tunnel1Address, connection.tunnel2Address);
    });
    this.tunnelAddresses = addresses;
    this.registerOutputs({ tunnelAddresses: this.tunnelAddresses });
  }
}
