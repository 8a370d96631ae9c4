import { describe, expect, it } from "vitest";
import { runPreflight } from "../../policies/preflight/engine";
import type { PreflightResource, PreflightRule } from "../../policies/preflight/rule";
import { vpnRules } from "../../policies/preflight/rules/vpn";
import { planStack } from "../helpers/plan";

const settings = { asOf: "2026-11-30" };
const rule = (name: string): PreflightRule => {
  const r = vpnRules.find((x) => x.name === name);
  if (!r) throw new Error(`no rule ${name}`);
  return r;
};
const res = (type: string, props: Record<string, any>, name = "r"): PreflightResource => ({
  urn: `urn:pulumi:t::tricloud::${type}::${name}`,
  type,
  name,
  parent: "urn:parent",
  props,
  dependencies: [],
});
const run = (name: string, ...resources: PreflightResource[]) =>
  runPreflight(resources, settings, [rule(name)], []).findings;

const GW = "azure-native:network:VirtualNetworkGateway";
const LNG = "azure-native:network:LocalNetworkGateway";
const CONN = "azure-native:network:VirtualNetworkGatewayConnection";
const SUBNET = "azure-native:network:Subnet";
const VGW = "aws:ec2/vpnGateway:VpnGateway";
const CGW = "aws:ec2/customerGateway:CustomerGateway";
const VPN = "aws:ec2/vpnConnection:VpnConnection";
const ROUTER = "gcp:compute/router:Router";
const IFACE = "gcp:compute/routerInterface:RouterInterface";
const PEER = "gcp:compute/routerPeer:RouterPeer";
const EXT = "gcp:compute/externalVpnGateway:ExternalVpnGateway";

const gateway = (extra: Record<string, any> = {}) => ({
  gatewayType: "Vpn",
  vpnType: "RouteBased",
  enableBgp: true,
  sku: { name: "VpnGw1AZ", tier: "VpnGw1AZ" },
  bgpSettings: {
    asn: 65515,
    bgpPeeringAddresses: [{ ipconfigurationId: "c0", customBgpIpAddresses: ["169.254.21.2", "169.254.22.6"] }],
  },
  ...extra,
});

describe("Azure VPN preflight (each rule passes and fails)", () => {
  it("preflight-azure-vpn-gateway-sku: AZ SKUs pass; VpnGw1, Basic and a policy-based BGP gateway fail", () => {
    expect(run("preflight-azure-vpn-gateway-sku", res(GW, gateway()))).toEqual([]);
    const bad = run(
      "preflight-azure-vpn-gateway-sku",
      res(GW, gateway({ sku: { name: "VpnGw1", tier: "VpnGw1" } })),
      res(GW, gateway({ sku: { name: "Basic", tier: "Basic" } }), "basic"),
      res(GW, gateway({ vpnType: "PolicyBased" }), "policy"),
    );
    expect(bad.map((f) => `${f.property}=${JSON.stringify(f.value)}`)).toEqual([
      'sku.name="VpnGw1"',
      'sku.tier="VpnGw1"',
      'sku.name="Basic"',
      'sku.tier="Basic"',
      'vpnType="PolicyBased"',
    ]);
    expect(bad[0]!.expected).toContain("VpnGw1AZ");
    // An ExpressRoute gateway is not this rule's business.
    expect(
      run("preflight-azure-vpn-gateway-sku", res(GW, { gatewayType: "ExpressRoute", sku: { name: "ErGw1AZ" } })),
    ).toEqual([]);
  });

  it("preflight-azure-vpn-gateway-sku: a generation the SKU exists in passes; a mismatch, or VpnGw4AZ/5AZ left at Generation1, fails", () => {
    const sku = (name: string, generation?: string) =>
      gateway({ sku: { name, tier: name }, ...(generation ? { vpnGatewayGeneration: generation } : {}) });
    expect(
      run(
        "preflight-azure-vpn-gateway-sku",
        res(GW, sku("VpnGw1AZ", "Generation1"), "g1"),
        res(GW, sku("VpnGw2AZ", "Generation1"), "g2a"),
        res(GW, sku("VpnGw2AZ", "Generation2"), "g2b"),
        res(GW, sku("VpnGw3AZ"), "g3"),
        res(GW, sku("VpnGw4AZ", "Generation2"), "g4"),
        res(GW, sku("VpnGw5AZ", "Generation2"), "g5"),
      ),
    ).toEqual([]);
    const bad = run(
      "preflight-azure-vpn-gateway-sku",
      res(GW, sku("VpnGw1AZ", "Generation2"), "g1"),
      res(GW, sku("VpnGw4AZ"), "g4"),
      res(GW, sku("VpnGw5AZ", "Generation1"), "g5"),
    );
    expect(bad.map((f) => `${f.urn!.split("::").pop()}.${f.property}=${JSON.stringify(f.value)}`)).toEqual([
      'g1.vpnGatewayGeneration="Generation2"',
      "g4.vpnGatewayGeneration=null",
      'g5.vpnGatewayGeneration="Generation1"',
    ]);
    expect(bad[0]!.expected).toMatch(
      /^Generation1 for VpnGw1AZ, per https:\/\/learn\.microsoft\.com\/.*about-gateway-skus/,
    );
    expect(bad[1]!.expected).toMatch(/^Generation2 for VpnGw4AZ \(unset, Azure takes Generation1\)/);
    expect(bad[2]!.expected).toMatch(/^Generation2 for VpnGw5AZ,/);
  });

  it("preflight-azure-vpn-apipa-addresses: 169.254.21.x-22.x pass on the gateway and the connection; others fail", () => {
    const conn = (ip: string) => ({
      gatewayCustomBgpIpAddresses: [{ ipConfigurationId: "c0", customBgpIpAddress: ip }],
    });
    expect(run("preflight-azure-vpn-apipa-addresses", res(GW, gateway()), res(CONN, conn("169.254.22.255")))).toEqual(
      [],
    );
    const bad = run(
      "preflight-azure-vpn-apipa-addresses",
      res(
        GW,
        gateway({
          bgpSettings: {
            asn: 65515,
            bgpPeeringAddresses: [{ customBgpIpAddresses: ["169.254.20.1", "169.254.21.1"] }],
          },
        }),
      ),
      res(CONN, conn("169.254.23.1")),
    );
    expect(bad.map((f) => [f.property, f.value])).toEqual([
      ["bgpSettings.bgpPeeringAddresses[0].customBgpIpAddresses[0]", "169.254.20.1"],
      ["gatewayCustomBgpIpAddresses[0].customBgpIpAddress", "169.254.23.1"],
    ]);
  });

  it("preflight-azure-vpn-bgp-asn: 65515 is the gateway's own but no peer's; 65517-65520 and IANA's reserved fail", () => {
    expect(run("preflight-azure-vpn-bgp-asn", res(GW, gateway()), res(LNG, { bgpSettings: { asn: 64512 } }))).toEqual(
      [],
    );
    const bad = run(
      "preflight-azure-vpn-bgp-asn",
      res(LNG, { bgpSettings: { asn: 65515 } }, "peer-65515"),
      res(GW, gateway({ bgpSettings: { asn: 65518 } }), "gw-65518"),
      res(LNG, { bgpSettings: { asn: 64500 } }, "peer-64500"),
    );
    expect(bad.map((f) => f.value)).toEqual([65515, 65518, 64500]);
  });

  it("preflight-azure-vpn-gateway-subnet-size: a /27 GatewaySubnet passes, a /28 is flagged, other subnets are ignored", () => {
    expect(
      run(
        "preflight-azure-vpn-gateway-subnet-size",
        res(SUBNET, { subnetName: "GatewaySubnet", addressPrefix: "10.20.66.0/27" }),
      ),
    ).toEqual([]);
    expect(run("preflight-azure-vpn-gateway-subnet-size", res(SUBNET, { addressPrefix: "10.20.66.0/29" }))).toEqual([]);
    const bad = run(
      "preflight-azure-vpn-gateway-subnet-size",
      res(SUBNET, { subnetName: "GatewaySubnet", addressPrefix: "10.20.66.0/28" }),
    );
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ level: "warning", property: "addressPrefix", value: "10.20.66.0/28" });
  });
});

describe("preflight-azure-vpn-aks-public-fqdn", () => {
  const AKS = "azure-native:containerservice:ManagedCluster";
  const aks = (profile: Record<string, unknown>) => res(AKS, { apiServerAccessProfile: profile }, "aks");
  it("passes a private cluster with its public FQDN, or any cluster without a VPN gateway; fails one without it beside a gateway", () => {
    const name = "preflight-azure-vpn-aks-public-fqdn";
    const off = aks({ enablePrivateCluster: true, enablePrivateClusterPublicFQDN: false });
    expect(
      run(name, res(GW, gateway()), aks({ enablePrivateCluster: true, enablePrivateClusterPublicFQDN: true })),
    ).toEqual([]);
    expect(run(name, res(GW, gateway()), aks({ enablePrivateCluster: true }))).toEqual([]);
    expect(run(name, off)).toEqual([]);
    expect(run(name, res(GW, gateway()), off)).toMatchObject([
      { property: "apiServerAccessProfile.enablePrivateClusterPublicFQDN", value: false, level: "error" },
    ]);
  });
});

describe("AWS VPN preflight (each rule passes and fails)", () => {
  it("preflight-aws-vpn-gateway-asn: private ASNs pass (as the provider's string), public ones fail", () => {
    expect(
      run(
        "preflight-aws-vpn-gateway-asn",
        res(VGW, { amazonSideAsn: "64512" }),
        res(VGW, { amazonSideAsn: "4200000000" }, "b"),
      ),
    ).toEqual([]);
    const bad = run("preflight-aws-vpn-gateway-asn", res(VGW, { amazonSideAsn: "7224" }));
    expect(bad).toMatchObject([{ property: "amazonSideAsn", value: "7224", level: "error" }]);
  });

  it("preflight-aws-vpn-customer-gateway-asn: 65515 passes; region-reserved and 32-bit beyond 2147483647 fail", () => {
    expect(run("preflight-aws-vpn-customer-gateway-asn", res(CGW, { bgpAsn: "65515" }))).toEqual([]);
    const bad = run(
      "preflight-aws-vpn-customer-gateway-asn",
      res(CGW, { bgpAsn: "7224" }),
      res(CGW, { bgpAsn: "4200000001" }, "b"),
    );
    expect(bad.map((f) => f.value)).toEqual(["7224", "4200000001"]);
  });

  it("preflight-aws-vpn-tunnel-inside-cidr: link-local /30s pass; reserved, wrong size, outside 169.254/16 and reuse on one gateway fail", () => {
    const vpn = (t1: string, t2: string, gw = "vgw-1") => ({
      vpnGatewayId: gw,
      tunnel1InsideCidr: t1,
      tunnel2InsideCidr: t2,
    });
    expect(
      run(
        "preflight-aws-vpn-tunnel-inside-cidr",
        res(VPN, vpn("169.254.21.0/30", "169.254.21.4/30"), "a"),
        res(VPN, vpn("169.254.21.8/30", "169.254.21.12/30"), "b"),
        // The same /30 on another gateway is allowed.
        res(VPN, vpn("169.254.21.0/30", "169.254.21.4/30", "vgw-2"), "c"),
      ),
    ).toEqual([]);
    const bad = run(
      "preflight-aws-vpn-tunnel-inside-cidr",
      res(VPN, vpn("169.254.5.0/30", "169.254.21.0/29"), "a"),
      res(VPN, vpn("10.0.0.0/30", "169.254.21.16/30"), "b"),
      res(VPN, vpn("169.254.21.16/30", "169.254.21.20/30"), "c"),
    );
    expect(bad.map((f) => `${f.urn!.split("::").pop()}.${f.property}=${f.value}`)).toEqual([
      "a.tunnel1InsideCidr=169.254.5.0/30",
      "a.tunnel2InsideCidr=169.254.21.0/29",
      "b.tunnel1InsideCidr=10.0.0.0/30",
      "c.tunnel1InsideCidr=169.254.21.16/30",
    ]);
    expect(bad[3]!.expected).toContain("b.tunnel2InsideCidr");
  });
});

describe("GCP VPN preflight (each rule passes and fails)", () => {
  it("preflight-gcp-vpn-router-asn: a private ASN passes, a public one fails, a router without BGP is ignored", () => {
    expect(
      run("preflight-gcp-vpn-router-asn", res(ROUTER, { bgp: { asn: 65534 } }), res(ROUTER, { network: "n" }, "nat")),
    ).toEqual([]);
    expect(run("preflight-gcp-vpn-router-asn", res(ROUTER, { bgp: { asn: 16550 } }))).toMatchObject([
      { property: "bgp.asn", value: 16550 },
    ]);
  });

  it("preflight-gcp-vpn-bgp-link-local: a /30 in 169.254/16 and a peer in it pass; other ranges and a peer elsewhere fail", () => {
    expect(
      run(
        "preflight-gcp-vpn-bgp-link-local",
        res(IFACE, { vpnTunnel: "t", ipRange: "169.254.21.18/30" }),
        res(PEER, { ipAddress: "169.254.21.18", peerIpAddress: "169.254.21.17" }),
      ),
    ).toEqual([]);
    const bad = run(
      "preflight-gcp-vpn-bgp-link-local",
      res(IFACE, { vpnTunnel: "t", ipRange: "10.0.0.1/30" }, "i1"),
      res(IFACE, { vpnTunnel: "t", ipRange: "169.254.21.18/29" }, "i2"),
      res(PEER, { ipAddress: "169.254.21.18", peerIpAddress: "169.254.21.21" }, "p1"),
      res(PEER, { ipAddress: "10.1.1.1", peerIpAddress: "169.254.21.17" }, "p2"),
    );
    expect(bad.map((f) => `${f.urn!.split("::").pop()}.${f.property}`)).toEqual([
      "i1.ipRange",
      "i2.ipRange",
      "p1.peerIpAddress",
      "p2.ipAddress",
    ]);
  });

  it("preflight-gcp-vpn-external-gateway-interfaces: interface counts matching the redundancy type pass; others fail", () => {
    const ifaces = (n: number) => Array.from({ length: n }, (_, id) => ({ id, ipAddress: `192.0.2.${id + 1}` }));
    expect(
      run(
        "preflight-gcp-vpn-external-gateway-interfaces",
        res(EXT, { redundancyType: "FOUR_IPS_REDUNDANCY", interfaces: ifaces(4) }),
        res(EXT, { redundancyType: "TWO_IPS_REDUNDANCY", interfaces: ifaces(2) }, "b"),
      ),
    ).toEqual([]);
    expect(
      run(
        "preflight-gcp-vpn-external-gateway-interfaces",
        res(EXT, { redundancyType: "FOUR_IPS_REDUNDANCY", interfaces: ifaces(2) }),
      ),
    ).toMatchObject([{ property: "interfaces", value: 2, expected: "4 interfaces for FOUR_IPS_REDUNDANCY" }]);
  });
});

describe("the VPN in the real stacks", () => {
  it.each(["staging", "prod"])("%s plans the VPN with no preflight finding on it", async (stack) => {
    const report = await planStack(stack);
    const types = new Set(report.resources.map((r) => r.type));
    for (const t of [GW, LNG, CONN, VGW, CGW, VPN, IFACE, PEER, EXT]) expect(types.has(t), t).toBe(true);
    const vpnRuleNames = new Set(vpnRules.map((r) => r.name));
    expect(report.preflight.filter((p) => vpnRuleNames.has(p.rule))).toEqual([]);
  });
});
