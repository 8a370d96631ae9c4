import { describe, expect, it } from "vitest";
import { estimateCost } from "../../pricing/estimate";
import type { PricedResource } from "../../pricing/model";
import { loadUsageProfile } from "../../pricing/usage";
import { planStack } from "../helpers/plan";

let n = 0;
const r = (type: string, props: Record<string, unknown> = {}): PricedResource => ({
  urn: `urn:${type}::${++n}`,
  type,
  name: `r${n}`,
  parent: null,
  props,
});
const lines = (rs: PricedResource[]) => estimateCost(rs).lines.map((l) => [l.name, l.monthlyUsd]);

const GW = "azure-native:network:VirtualNetworkGateway";
const CONN = "azure-native:network:VirtualNetworkGatewayConnection";

// Every figure worked by hand from pricing/price-catalog.json and 730 hours a month.
describe("the cross-cloud VPN's cost lines", () => {
  it("AWS: $0.05 per connection-hour (36.50), data out a usage item", () => {
    expect(lines([r("aws:ec2/vpnConnection:VpnConnection")])).toEqual([
      ["Site-to-Site VPN connection (2 tunnels)", 36.5],
      ["Data transfer out", null],
    ]);
  });

  it("GCP: $0.075 per HA VPN tunnel-hour (54.75); the gateway, external gateways, interfaces and peers are free", () => {
    const free = [
      "gcp:compute/haVpnGateway:HaVpnGateway",
      "gcp:compute/externalVpnGateway:ExternalVpnGateway",
      "gcp:compute/routerInterface:RouterInterface",
      "gcp:compute/routerPeer:RouterPeer",
    ].map((t) => r(t));
    expect(lines([r("gcp:compute/vPNTunnel:VPNTunnel"), ...free])).toEqual([
      ["HA VPN tunnel", 54.75],
      ["Data transfer out", null],
    ]);
  });

  it("Azure: VpnGw1AZ 0.361 x 730 = 263.53; 6 active-active connections are 12 tunnels, 2 beyond the 10 included (2 x 0.015 x 730 = 21.90)", () => {
    const gw = r(GW, { sku: { name: "VpnGw1AZ" }, activeActive: true });
    const conns = Array.from({ length: 6 }, () => r(CONN));
    expect(lines([gw, ...conns])).toEqual([
      ["VPN gateway VpnGw1AZ (10 site-to-site tunnels included)", 263.53],
      ["Site-to-site tunnels beyond 10 x 2", 21.9],
      ["Data transfer out", null],
    ]);
    // Active-standby, the same six connections stay within the ten included; VpnGw2AZ is 0.71 x 730 = 518.30.
    expect(lines([r(GW, { sku: { name: "VpnGw2AZ" } }), ...conns])).toEqual([
      ["VPN gateway VpnGw2AZ (10 site-to-site tunnels included)", 518.3],
      ["Data transfer out", null],
    ]);
  });

  it("prices data out under a usage profile: medium is 25 GB per AWS connection (2.25), 100 GB at Azure (8.70), 15 GB per GCP tunnel (1.80)", () => {
    const usage = loadUsageProfile("medium");
    const out = (rs: PricedResource[]) =>
      estimateCost(rs, { usage })
        .lines.filter((l) => l.name === "Data transfer out")
        .map((l) => l.monthlyUsd);
    expect(out([r("aws:ec2/vpnConnection:VpnConnection")])).toEqual([2.25]);
    expect(out([r(GW, { sku: { name: "VpnGw1AZ" } })])).toEqual([8.7]);
    expect(out([r("gcp:compute/vPNTunnel:VPNTunnel")])).toEqual([1.8]);
  });

  it("adds $767.23 a month to staging and prod (AWS 146.00, Azure 292.73 with its two addresses, GCP 328.50) and keeps prod under its ceiling", async () => {
    for (const stack of ["staging", "prod"]) {
      const report = await planStack(stack);
      const vpn = report.cost.lines.filter((l) => /vpn|Vpn|VPN/.test(l.urn) && l.monthlyUsd !== null);
      const byCloud = (c: string) =>
        Math.round(vpn.filter((l) => l.cloud === c).reduce((s, l) => s + (l.monthlyUsd ?? 0), 0) * 100) / 100;
      expect([byCloud("aws"), byCloud("azure"), byCloud("gcp")], stack).toEqual([146, 292.73, 328.5]);
      expect(report.cost.monthlyUsd).toBeLessThanOrEqual(report.cost.ceilingUsd!);
    }
  });
});
