import { describe, expect, it } from "vitest";
import { cidrsOverlap, parseCidr } from "../../components/shared/cidr";
import { remoteRanges } from "../../components/shared/cross-cloud";
import { input, ofType, oneOfType, planStack } from "../helpers/plan";
import { stackConfig } from "../helpers/platform";

const VGW = "aws:ec2/vpnGateway:VpnGateway";
const CGW = "aws:ec2/customerGateway:CustomerGateway";
const VPN = "aws:ec2/vpnConnection:VpnConnection";
const SG_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const GW = "azure-native:network:VirtualNetworkGateway";
const LNG = "azure-native:network:LocalNetworkGateway";
const CONN = "azure-native:network:VirtualNetworkGatewayConnection";
const ROUTER = "gcp:compute/router:Router";
const EXT = "gcp:compute/externalVpnGateway:ExternalVpnGateway";
const PEER = "gcp:compute/routerPeer:RouterPeer";

/** The n-th address of a /30 ("169.254.21.16/30", 1) -> "169.254.21.17". */
const host = (cidr: string, n: number) => {
  const [a, b, c, d] = cidr.split("/")[0]!.split(".").map(Number);
  return `${a}.${b}.${c}.${d! + n}`;
};
const sorted = (xs: readonly unknown[]) => [...xs].map(String).sort();

interface CrossCloudOutput {
  apiEndpoints: Record<string, string>;
  gatewayAddresses: { aws: { azure: string[]; gcp: string[] }; azure: string[]; gcp: string[] };
}

// The whole program under the mocks: each side is planned with the addresses and numbers the other sides
// produce, so a wiring mistake (a peer pointed at the wrong address, a /30 split wrongly, an ASN swapped)
// shows here, not at the first `pulumi up`.
describe.each(["staging", "prod"])("%s: the three ends of the VPN agree", (stack) => {
  const t = stackConfig(stack).tricloud;
  const asns = t.network.crossCloud.asns;
  const out = async () => {
    const r = await planStack(stack);
    return { r, vpn: r.outputs.crossCloud as CrossCloudOutput };
  };

  it("every gateway points at the other clouds' public addresses", async () => {
    const { r, vpn } = await out();
    const g = vpn.gatewayAddresses;
    expect(sorted(ofType(r, CGW).map((c) => input(c, "ipAddress")))).toEqual(sorted([...g.azure, ...g.gcp]));
    expect(sorted(ofType(r, LNG).map((l) => input(l, "gatewayIpAddress")))).toEqual(sorted([...g.aws.azure, ...g.gcp]));
    const ext = ofType(r, EXT);
    const interfaces = (e: (typeof ext)[number]) =>
      (input(e, "interfaces") as { ipAddress: string }[]).map((i) => i.ipAddress);
    expect(ext.map(interfaces).sort((a, b) => a.length - b.length)).toEqual([g.azure, g.aws.gcp]);
  });

  it("every BGP session has both ends in one /30 with the right ASNs", async () => {
    const { r } = await out();
    const vgwAsn = Number(input(oneOfType(r, VGW), "amazonSideAsn"));
    const gwAsn = input(oneOfType(r, GW), "bgpSettings.asn") as number;
    const routerAsn =
      (input(
        ofType(r, ROUTER).find((x) => input(x, "bgp"))!,
        "bgp.asn",
      ) as number) ?? 0;
    expect([vgwAsn, gwAsn, routerAsn]).toEqual([asns.aws, asns.azure, asns.gcp]);

    const apipa = (
      input(oneOfType(r, GW), "bgpSettings.bgpPeeringAddresses") as { customBgpIpAddresses: string[] }[]
    ).flatMap((p) => p.customBgpIpAddresses);
    const lngPeers = ofType(r, LNG).map((l) => input(l, "bgpSettings") as { asn: number; bgpPeeringAddress: string });
    const gcpPeers = ofType(r, PEER).map((p) => ({
      own: input(p, "ipAddress") as string,
      peer: input(p, "peerIpAddress") as string,
      asn: input(p, "peerAsn") as number,
    }));
    const cgwAsn = new Map(ofType(r, CGW).map((c) => [c.urn.split("::").pop()!, Number(input(c, "bgpAsn"))]));

    for (const v of ofType(r, VPN)) {
      const toAzure = v.name.includes("-vpn-azure-");
      expect(cgwAsn.get(v.name), v.name).toBe(toAzure ? asns.azure : asns.gcp);
      for (const k of [1, 2]) {
        const cidr = input(v, `tunnel${k}InsideCidr`) as string;
        const [awsSide, remoteSide] = [host(cidr, 1), host(cidr, 2)];
        if (toAzure) {
          expect(lngPeers, cidr).toContainEqual({ asn: asns.aws, bgpPeeringAddress: awsSide });
          expect(apipa, cidr).toContain(remoteSide);
        } else {
          expect(gcpPeers, cidr).toContainEqual({ own: remoteSide, peer: awsSide, asn: asns.aws });
        }
      }
    }
    // Azure <-> GCP: Azure's end is a custom APIPA address of the gateway, GCP's the router interface.
    const toAzure = gcpPeers.filter((x) => x.asn === asns.azure);
    expect(toAzure).toHaveLength(2);
    for (const p of toAzure) {
      expect(apipa).toContain(p.peer);
      expect(lngPeers).toContainEqual({ asn: asns.gcp, bgpPeeringAddress: p.own });
    }
    expect(gcpPeers).toHaveLength(6);
    expect(ofType(r, CONN)).toHaveLength(6);
  });

  it("opens the EKS cluster security group and GKE's authorized networks to the other clouds only", async () => {
    const { r } = await out();
    const sgRanges = new Set(
      ofType(r, SG_RULE)
        .filter((x) => x.name.includes("-vpn-"))
        .map((x) => input(x, "cidrIpv4")),
    );
    expect(sorted([...sgRanges])).toEqual(sorted(remoteRanges(t.network, "aws")));
    const gke = oneOfType(r, "gcp:container/cluster:Cluster");
    expect(
      (input(gke, "masterAuthorizedNetworksConfig.cidrBlocks") as { cidrBlock: string }[]).map((b) => b.cidrBlock),
    ).toEqual(remoteRanges(t.network, "gcp"));
  });

  it("exports the API endpoint of each cluster as the other clouds reach it", async () => {
    const { vpn } = await out();
    expect(vpn.apiEndpoints.aws).toMatch(/^https:\/\/[A-F0-9]{32}\.gr7\.[a-z0-9-]+\.eks\.amazonaws\.com$/);
    expect(vpn.apiEndpoints.azure).toMatch(/^https:\/\/[a-z0-9-]+\.hcp\.[a-z0-9]+\.azmk8s\.io:443$/);
    expect(vpn.apiEndpoints.gcp).toMatch(/^https:\/\/\d+\.\d+\.\d+\.\d+$/);
  });

  it("reaches GKE's private endpoint inside the GCP node subnet, which the other clouds route to", async () => {
    const { r, vpn } = await out();
    const address = parseCidr(`${vpn.apiEndpoints.gcp!.replace("https://", "")}/32`)!;
    const nodes = parseCidr(input(oneOfType(r, "gcp:compute/subnetwork:Subnetwork"), "ipCidrRange") as string)!;
    expect(cidrsOverlap(address, nodes)).toBe(true);
    // Routed from AWS and Azure: inside a range they send over the tunnels.
    for (const cloud of ["aws", "azure"] as const)
      expect(remoteRanges(t.network, cloud).some((c) => cidrsOverlap(address, parseCidr(c)!))).toBe(true);
  });
});

describe("dev leaves the VPN off", () => {
  it("plans no VPN resource and exports no crossCloud", async () => {
    const r = await planStack("dev");
    for (const type of [VGW, CGW, VPN, GW, LNG, CONN, EXT, PEER]) expect(ofType(r, type), type).toEqual([]);
    expect(r.outputs.crossCloud).toBeUndefined();
  });
});
