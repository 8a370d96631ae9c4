import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AwsVpnGateway, AwsVpnLink } from "../../components/aws/vpn";
import { AzureNetwork, gatewaySubnetPrefix } from "../../components/azure/network";
import { AzureVpnGateway, AzureVpnLink } from "../../components/azure/vpn";
import { GcpProjectServices } from "../../components/gcp/services";
import { GcpVpnGateway, GcpVpnLink } from "../../components/gcp/vpn";
import { cidrsOverlap, parseCidr } from "../../components/shared/cidr";
import {
  CROSS_CLOUD_PORTS,
  insideAzureApipa,
  overlapsAwsReserved,
  remoteRanges,
  tunnelPlan,
} from "../../components/shared/cross-cloud";
import { CrossCloudKeys } from "../../components/shared/cross-cloud-keys";
import { buildComponent, COMPONENT_CONTEXT, expectWellFormed } from "../helpers/component";
import { AZURE_VPN_GATEWAY, TAGS } from "./args";

const plan = tunnelPlan("169.254.21.0/24");
const project = COMPONENT_CONTEXT.gcpProject;
const region = COMPONENT_CONTEXT.gcpRegion;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
/** The value an Output resolves to under the mocks (the component is built; its outputs are known). */
const valueOf = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply((v) => resolve(v)));

describe("the tunnel address plan (components/shared/cross-cloud.ts)", () => {
  it("carves ten distinct /30s, each inside Azure's APIPA range and none AWS reserves", () => {
    const all = [...plan.awsAzure.flat(), ...plan.awsGcp.flat(), ...plan.azureGcp];
    expect(all.map((t) => t.cidr)).toEqual(Array.from({ length: 10 }, (_, i) => `169.254.21.${4 * i}/30`));
    for (const t of all) {
      expect(insideAzureApipa(t.cidr)).toBe(true);
      expect(overlapsAwsReserved(t.cidr)).toBe(false);
      expect(t.a.split(".").map(Number)[3]! + 1).toBe(t.b.split(".").map(Number)[3]);
    }
    // Azure instance k carries the addresses of AWS connection k's two tunnels and of GCP interface k's tunnel.
    expect(plan.azureApipa).toEqual([
      ["169.254.21.2", "169.254.21.6", "169.254.21.33"],
      ["169.254.21.10", "169.254.21.14", "169.254.21.37"],
    ]);
  });

  it("never overlaps itself for any /26 to /24 inside the APIPA range (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 24, max: 26 }), fc.nat(), (prefix, pick) => {
        const blocks = 2 ** (prefix - 24) * 2; // blocks of that size in 169.254.21.0-169.254.22.255
        const i = pick % blocks;
        const size = 2 ** (32 - prefix);
        const base = 21 * 256 + i * size;
        const range = `169.254.${Math.floor(base / 256)}.${base % 256}/${prefix}`;
        const p = tunnelPlan(range);
        const cidrs = [...p.awsAzure.flat(), ...p.awsGcp.flat(), ...p.azureGcp].map((t) => parseCidr(t.cidr)!);
        for (let x = 0; x < cidrs.length; x++)
          for (let y = x + 1; y < cidrs.length; y++) expect(cidrsOverlap(cidrs[x]!, cidrs[y]!)).toBe(false);
        expect(cidrs.every((c) => cidrsOverlap(c, parseCidr(range)!))).toBe(true);
      }),
    );
  });

  it("refuses a range too small for the ten tunnels, naming the key", () => {
    expect(() => tunnelPlan("169.254.21.0/27")).toThrow(/tunnelCidr: expected room for 10 \/30s/);
    expect(() => tunnelPlan("nonsense")).toThrow(/tunnelCidr/);
  });

  it("lists the other clouds' networks (and GKE's pods) as each cloud's remote ranges", () => {
    const ranges = {
      aws: { cidr: "10.10.0.0/16" },
      azure: { cidr: "10.20.0.0/16" },
      gcp: { cidr: "10.30.0.0/20", podsCidr: "10.32.0.0/14" },
    };
    expect(remoteRanges(ranges, "aws")).toEqual(["10.20.0.0/16", "10.30.0.0/20", "10.32.0.0/14"]);
    expect(remoteRanges(ranges, "azure")).toEqual(["10.10.0.0/16", "10.30.0.0/20", "10.32.0.0/14"]);
    expect(remoteRanges(ranges, "gcp")).toEqual(["10.10.0.0/16", "10.20.0.0/16"]);
  });
});

describe("cross-cloud VPN components in isolation", () => {
  it("CrossCloudKeys: one letters-only random key per pair of clouds, handed on as secrets", async () => {
    const built = await buildComponent(() => new CrossCloudKeys("k"));
    expectWellFormed(built, "tricloud:shared:CrossCloudKeys");
    const keys = built.ofType("random:index/randomPassword:RandomPassword");
    expect(keys.map((k) => k.name).sort()).toEqual(["k-aws-azure", "k-aws-gcp", "k-azure-gcp"]);
    for (const k of keys) expect(k.inputs).toMatchObject({ length: 48, special: false, numeric: false });
    expect(await pulumi.isSecret(built.component.awsAzure)).toBe(true);
  });

  it("AwsVpnGateway: a BGP gateway on the VPC, propagation into each private route table, the cluster SG opened per range and port", async () => {
    const built = await buildComponent(
      () =>
        new AwsVpnGateway("g", {
          vpcId: "vpc-1",
          routeTableIds: ["rtb-a", "rtb-b"],
          asn: 64512,
          clusterSecurityGroupId: "sg-cluster",
          remoteCidrs: ["10.20.0.0/16", "10.30.0.0/20"],
          ports: CROSS_CLOUD_PORTS,
          tags: TAGS,
        }),
    );
    expectWellFormed(built, "tricloud:aws:VpnGateway");
    expect(built.one("aws:ec2/vpnGateway:VpnGateway").inputs).toMatchObject({ vpcId: "vpc-1", amazonSideAsn: "64512" });
    const propagations = built.ofType("aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation");
    expect(propagations.map((p) => p.inputs.routeTableId)).toEqual(["rtb-a", "rtb-b"]);
    const rules = built.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    expect(rules.map((r) => `${r.inputs.cidrIpv4}:${r.inputs.fromPort}-${r.inputs.toPort}`)).toEqual([
      "10.20.0.0/16:443-443",
      "10.20.0.0/16:15443-15443",
      "10.30.0.0/20:443-443",
      "10.30.0.0/20:15443-15443",
    ]);
    for (const r of rules) expect(r.inputs).toMatchObject({ securityGroupId: "sg-cluster", ipProtocol: "tcp" });
  });

  it("AwsVpnLink: a customer gateway and a dynamic connection per remote address; the mocks answer the tunnels' outside addresses", async () => {
    const built = await buildComponent(
      () =>
        new AwsVpnLink("l", {
          gatewayId: "vgw-1",
          remoteAddresses: ["198.51.100.1", "198.51.100.2"],
          remoteAsn: 65515,
          tunnels: plan.awsAzure,
          presharedKey: pulumi.secret("k"),
          tags: TAGS,
        }),
    );
    expectWellFormed(built, "tricloud:aws:VpnLink");
    const cgws = built.ofType("aws:ec2/customerGateway:CustomerGateway");
    expect(cgws.map((c) => [c.inputs.ipAddress, c.inputs.bgpAsn])).toEqual([
      ["198.51.100.1", "65515"],
      ["198.51.100.2", "65515"],
    ]);
    const vpns = built.ofType("aws:ec2/vpnConnection:VpnConnection");
    expect(vpns.map((v) => [v.inputs.tunnel1InsideCidr, v.inputs.tunnel2InsideCidr])).toEqual([
      ["169.254.21.0/30", "169.254.21.4/30"],
      ["169.254.21.8/30", "169.254.21.12/30"],
    ]);
    for (const v of vpns)
      expect(v.inputs).toMatchObject({ staticRoutesOnly: false, vpnGatewayId: "vgw-1", type: "ipsec.1" });
    const addresses = await Promise.all(built.component.tunnelAddresses.map(valueOf));
    expect(addresses).toHaveLength(4);
    for (const a of addresses) expect(a).toMatch(IPV4);
    expect(new Set(addresses).size).toBe(4);
  });

  it("AzureNetwork: with gatewaySubnet, a /27 named GatewaySubnet after the functions subnet", async () => {
    const built = await buildComponent(
      () => new AzureNetwork("n", { location: "eastus", cidr: "10.20.0.0/16", gatewaySubnet: true, tags: TAGS }),
    );
    expectWellFormed(built, "tricloud:azure:Network");
    const gateway = built.one("azure-native:network:Subnet", "gateway");
    expect(gateway.inputs).toMatchObject({ subnetName: "GatewaySubnet", addressPrefix: "10.20.66.0/27" });
    expect(gatewaySubnetPrefix("10.120.0.0/16")).toBe("10.120.66.0/27");
  });

  it("AzureVpnGateway: active-active BGP VpnGw1AZ with two zone-redundant addresses and APIPA addresses per instance", async () => {
    const built = await buildComponent(() => new AzureVpnGateway("g", AZURE_VPN_GATEWAY));
    expectWellFormed(built, "tricloud:azure:VpnGateway");
    const gw = built.one("azure-native:network:VirtualNetworkGateway");
    expect(gw.inputs).toMatchObject({
      virtualNetworkGatewayName: "tricloud-unit-vpn",
      gatewayType: "Vpn",
      vpnType: "RouteBased",
      sku: { name: "VpnGw1AZ", tier: "VpnGw1AZ" },
      activeActive: true,
      enableBgp: true,
    });
    expect(gw.inputs.ipConfigurations.map((c: { name: string }) => c.name)).toEqual(["instance0", "instance1"]);
    const peering = gw.inputs.bgpSettings.bgpPeeringAddresses;
    expect(peering.map((p: { customBgpIpAddresses: string[] }) => p.customBgpIpAddresses)).toEqual(plan.azureApipa);
    expect(peering[1].ipconfigurationId).toMatch(
      /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/rg\/providers\/Microsoft\.Network\/virtualNetworkGateways\/tricloud-unit-vpn\/ipConfigurations\/instance1$/,
    );
    for (const ip of built.ofType("azure-native:network:PublicIPAddress"))
      expect(ip.inputs).toMatchObject({
        sku: { name: "Standard" },
        publicIPAllocationMethod: "Static",
        zones: ["1", "2", "3"],
      });
    for (const a of await Promise.all(built.component.publicIps.map(valueOf))) expect(a).toMatch(IPV4);
  });

  it("AzureVpnLink: a BGP local network gateway and IKEv2 connection per peer, naming a custom BGP address per instance", async () => {
    const built = await buildComponent(
      () =>
        new AzureVpnLink("l", {
          resourceGroupName: "rg",
          location: "eastus",
          gatewayId: "gw-id",
          ipConfigurationIds: ["ipc0", "ipc1"],
          remoteAsn: 65534,
          peers: plan.azureGcp.map((t, k) => ({
            address: `192.0.2.${k + 1}`,
            bgpAddress: t.b,
            customBgp: [plan.azureGcp[0].a, plan.azureGcp[1].a] as const,
          })),
          sharedKey: pulumi.secret("k"),
          tags: TAGS,
        }),
    );
    expectWellFormed(built, "tricloud:azure:VpnLink");
    const locals = built.ofType("azure-native:network:LocalNetworkGateway");
    expect(locals.map((l) => [l.inputs.gatewayIpAddress, l.inputs.bgpSettings])).toEqual([
      ["192.0.2.1", { asn: 65534, bgpPeeringAddress: "169.254.21.34" }],
      ["192.0.2.2", { asn: 65534, bgpPeeringAddress: "169.254.21.38" }],
    ]);
    for (const c of built.ofType("azure-native:network:VirtualNetworkGatewayConnection")) {
      expect(c.inputs).toMatchObject({ connectionType: "IPsec", connectionProtocol: "IKEv2", enableBgp: true });
      expect(c.inputs.gatewayCustomBgpIpAddresses).toEqual([
        { ipConfigurationId: "ipc0", customBgpIpAddress: "169.254.21.33" },
        { ipConfigurationId: "ipc1", customBgpIpAddress: "169.254.21.37" },
      ]);
    }
  });

  it("GcpVpnGateway: HA VPN, a BGP Cloud Router of its own, a firewall rule for the remote ranges; two interface addresses", async () => {
    const built = await buildComponent(() => {
      const apis = new GcpProjectServices("apis", { project });
      return new GcpVpnGateway("g", {
        project,
        region,
        networkId: "projects/p/global/networks/vpc",
        asn: 65534,
        remoteCidrs: ["10.10.0.0/16", "10.20.0.0/16"],
        ports: CROSS_CLOUD_PORTS,
        labels: TAGS,
        apis,
      });
    });
    expectWellFormed(built, "tricloud:gcp:VpnGateway");
    expect(built.one("gcp:compute/router:Router").inputs.bgp).toEqual({ asn: 65534, advertiseMode: "DEFAULT" });
    expect(built.one("gcp:compute/firewall:Firewall").inputs).toMatchObject({
      direction: "INGRESS",
      sourceRanges: ["10.10.0.0/16", "10.20.0.0/16"],
      allows: [{ protocol: "tcp", ports: ["443", "15443"] }],
    });
    const [a, b] = await Promise.all(built.component.interfaceAddresses.map(valueOf));
    expect(a).toMatch(IPV4);
    expect(b).toMatch(IPV4);
    expect(a).not.toBe(b);
  });

  it("GcpVpnLink: a FOUR_IPS external gateway for AWS and per tunnel an interface /30 and a BGP peer in it", async () => {
    const built = await buildComponent(() => {
      const apis = new GcpProjectServices("apis", { project });
      return new GcpVpnLink("l", {
        project,
        region,
        gatewayId: "ha-vpn",
        routerName: "router",
        remoteAsn: 64512,
        peers: [0, 1].flatMap((k) =>
          [0, 1].map((j) => {
            const t = plan.awsGcp[k]![j]!;
            return {
              address: `203.0.113.${2 * k + j + 1}`,
              gatewayInterface: k as 0 | 1,
              insideCidr: t.cidr,
              routerAddress: t.b,
              peerAddress: t.a,
            };
          }),
        ),
        sharedSecret: pulumi.secret("k"),
        labels: TAGS,
        apis,
      });
    });
    expectWellFormed(built, "tricloud:gcp:VpnLink");
    const ext = built.one("gcp:compute/externalVpnGateway:ExternalVpnGateway");
    expect(ext.inputs.redundancyType).toBe("FOUR_IPS_REDUNDANCY");
    expect(ext.inputs.interfaces).toHaveLength(4);
    const tunnels = built.ofType("gcp:compute/vPNTunnel:VPNTunnel");
    expect(tunnels.map((t) => [t.inputs.vpnGatewayInterface, t.inputs.peerExternalGatewayInterface])).toEqual([
      [0, 0],
      [0, 1],
      [1, 2],
      [1, 3],
    ]);
    for (const t of tunnels) expect(t.inputs).toMatchObject({ ikeVersion: 2, router: "router" });
    expect(built.ofType("gcp:compute/routerInterface:RouterInterface").map((i) => i.inputs.ipRange)).toEqual([
      "169.254.21.18/30",
      "169.254.21.22/30",
      "169.254.21.26/30",
      "169.254.21.30/30",
    ]);
    expect(
      built.ofType("gcp:compute/routerPeer:RouterPeer").map((p) => [p.inputs.ipAddress, p.inputs.peerIpAddress]),
    ).toEqual([
      ["169.254.21.18", "169.254.21.17"],
      ["169.254.21.22", "169.254.21.21"],
      ["169.254.21.26", "169.254.21.25"],
      ["169.254.21.30", "169.254.21.29"],
    ]);
  });
});
