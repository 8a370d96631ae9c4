import { describe, expect, it } from "vitest";
import { AZURE_GATEWAY_SKUS, type AzureGatewaySku } from "@tricloud/vocabulary/vpn";
import { AzureVpnGateway, vpnGatewayGeneration } from "../../components/azure/vpn";
import { AZURE_VPN_SKU_GENERATIONS, vpnRules } from "../../policies/preflight/rules/vpn";
import { AZURE_VPN_GATEWAY } from "../components/args";
import { buildComponent } from "../helpers/component";
import { r, ruleHarness } from "../helpers/preflight";

const GW = "azure-native:network:VirtualNetworkGateway";
const { findings } = ruleHarness(vpnRules);
const gateway = (sku: AzureGatewaySku) => new AzureVpnGateway("g", { ...AZURE_VPN_GATEWAY, sku });

// Microsoft's SKU table: VpnGw1AZ exists only in Generation1, VpnGw4AZ and VpnGw5AZ only in Generation2.
describe("the Azure VPN gateway's generation follows its SKU", () => {
  it.each([
    ["VpnGw1AZ", "Generation1"],
    ["VpnGw4AZ", "Generation2"],
    ["VpnGw5AZ", "Generation2"],
  ] as const)("%s is sent as %s, and the SKU preflight rule passes it", async (sku, generation) => {
    const built = await buildComponent(() => gateway(sku));
    const gw = built.one(GW);
    expect(gw.inputs).toMatchObject({ sku: { name: sku, tier: sku }, vpnGatewayGeneration: generation });
    expect(findings("preflight-azure-vpn-gateway-sku", [r(GW, gw.inputs)])).toEqual([]);
  });

  it("every SKU the schema accepts gets a generation Microsoft's table pairs it with", () => {
    for (const sku of AZURE_GATEWAY_SKUS) expect(AZURE_VPN_SKU_GENERATIONS[sku]).toContain(vpnGatewayGeneration(sku));
    // VpnGw2AZ and VpnGw3AZ exist in both; the program keeps Generation1, what Azure took while the field was unset,
    // so a gateway already deployed is not replaced.
    expect(AZURE_GATEWAY_SKUS.map(vpnGatewayGeneration)).toEqual([
      "Generation1",
      "Generation1",
      "Generation1",
      "Generation2",
      "Generation2",
    ]);
  });
});
