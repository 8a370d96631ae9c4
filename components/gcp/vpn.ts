import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Tags } from "../shared/tags";
import type { GcpProjectServices } from "./services";

export interface GcpVpnGatewayArgs {
  project: string;
  region: string;
  networkId: pulumi.Input<string>;
  /** The Cloud Router's ASN (private: 64512-65534 or 4200000000-4294967294). */
  asn: number;
  /** The other clouds' ranges, admitted on `ports` to the network's instances (GKE nodes and their pods). */
  remoteCidrs: readonly string[];
  ports: readonly number[];
  labels: Tags;
  apis: GcpProjectServices;
}

/**
 * The GCP end: an HA VPN gateway (two interfaces, each with its own external address), a Cloud Router of its own
 * for the BGP sessions (the NAT router stays as it is), and an ingress firewall rule for the other clouds' ranges
 * on the API and east-west ports (a VPC denies ingress by default). The router advertises the region's subnets,
 * the GKE pod and service ranges included (the default advertisement:
 * https://cloud.google.com/network-connectivity/docs/router/concepts/advertised-routes, read 2026-11-30); the GKE
 * control plane's private endpoint is reached over the tunnels as long as the tunnels are in its region and the
 * sources are among its authorized networks
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/advanced-private-cluster-config, read 2026-11-30).
 */
export class GcpVpnGateway extends pulumi.ComponentResource {
  readonly gatewayId: pulumi.Output<string>;
  readonly routerName: pulumi.Output<string>;
  /** The two interfaces' external addresses (what AWS's customer gateways and Azure's local gateways point at). */
  readonly interfaceAddresses: readonly [pulumi.Output<string>, pulumi.Output<string>];

  constructor(name: string, args: GcpVpnGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:gcp:VpnGateway", name, {}, opts);
    const child = { parent: this, dependsOn: args.apis.of("compute.googleapis.com") };
    const gateway = new gcp.compute.HaVpnGateway(
      name,
      {
        project: args.project,
        region: args.region,
        network: args.networkId,
        stackType: "IPV4_ONLY",
        labels: { ...args.labels },
      },
      child,
    );
    const router = new gcp.compute.Router(
      `${name}-router`,
      {
        project: args.project,
        region: args.region,
        network: args.networkId,
        bgp: { asn: args.asn, advertiseMode: "DEFAULT" },
        description: "BGP sessions of the cross-cloud VPN tunnels",
      },
      child,
    );
    new gcp.compute.Firewall(
      `${name}-ingress`,
      {
        project: args.project,
        network: args.networkId,
        direction: "INGRESS",
        sourceRanges: [...args.remoteCidrs],
        allows: [{ protocol: "tcp", ports: args.ports.map(String) }],
        description: "The other clouds' networks over the VPN: Kubernetes API and east-west gateway",
      },
      child,
    );
    const address = (k: number) =>
      gateway.vpnInterfaces.apply((list) => list.find((i) => (i.id ?? 0) === k)?.ipAddress ?? "");
    this.gatewayId = gateway.id;
    this.routerName = router.name;
    this.interfaceAddresses = [address(0), address(1)];
    this.registerOutputs({ gatewayId: this.gatewayId, interfaceAddresses: this.interfaceAddresses });
  }
}

export interface GcpVpnPeer {
  /** The peer's outside address (an interface of the external VPN gateway). */
  address: pulumi.Input<string>;
  /** Which HA VPN interface the tunnel leaves from. */
  gatewayInterface: 0 | 1;
  /** The tunnel's /30, the Cloud Router's address in it and the peer's. */
  insideCidr: string;
  routerAddress: string;
  peerAddress: string;
}

export interface GcpVpnLinkArgs {
  project: string;
  region: string;
  gatewayId: pulumi.Input<string>;
  routerName: pulumi.Input<string>;
  remoteAsn: number;
  /** Two peers (TWO_IPS_REDUNDANCY) or four (FOUR_IPS_REDUNDANCY), as the external VPN gateway types allow. */
  peers: readonly GcpVpnPeer[];
  /** Secret. */
  sharedSecret: pulumi.Input<string>;
  labels: Tags;
  apis: GcpProjectServices;
}

/**
 * One external VPN gateway for another cloud, and per peer address an IKEv2 tunnel, a Cloud Router interface and
 * a BGP peer.
 */
export class GcpVpnLink extends pulumi.ComponentResource {
  constructor(name: string, args: GcpVpnLinkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:gcp:VpnLink", name, {}, opts);
    const child = { parent: this, dependsOn: args.apis.of("compute.googleapis.com") };
    const redundancyType = args.peers.length === 4 ? "FOUR_IPS_REDUNDANCY" : "TWO_IPS_REDUNDANCY";
    const external = new gcp.compute.ExternalVpnGateway(
      name,
      {
        project: args.project,
        redundancyType,
        interfaces: args.peers.map((p, id) => ({ id, ipAddress: p.address })),
        labels: { ...args.labels },
      },
      child,
    );
    const prefix = (cidr: string) => cidr.split("/")[1];
    args.peers.forEach((peer, i) => {
      const tunnel = new gcp.compute.VPNTunnel(
        `${name}-${i}`,
        {
          project: args.project,
          region: args.region,
          vpnGateway: args.gatewayId,
          vpnGatewayInterface: peer.gatewayInterface,
          peerExternalGateway: external.id,
          peerExternalGatewayInterface: i,
          ikeVersion: 2,
          sharedSecret: args.sharedSecret,
          router: args.routerName,
          labels: { ...args.labels },
        },
        { ...child, additionalSecretOutputs: ["sharedSecret"] },
      );
      const iface = new gcp.compute.RouterInterface(
        `${name}-${i}`,
        {
          project: args.project,
          region: args.region,
          router: args.routerName,
          ipRange: `${peer.routerAddress}/${prefix(peer.insideCidr)}`,
          vpnTunnel: tunnel.name,
        },
        child,
      );
      new gcp.compute.RouterPeer(
        `${name}-${i}`,
        {
          project: args.project,
          region: args.region,
          router: args.routerName,
          interface: iface.name,
          ipAddress: peer.routerAddress,
          peerIpAddress: peer.peerAddress,
          peerAsn: args.remoteAsn,
          advertisedRoutePriority: 100,
        },
        child,
      );
    });
    this.registerOutputs({});
  }
}
