/**
 * What the three clouds accept for the site-to-site VPN between their networks: the config schema, the VPN
 * components and the preflight pack all judge by these, so each value is written once.
 */

/** Azure VPN gateway SKUs a new gateway may use: the AZ SKUs (https://learn.microsoft.com/en-us/azure/vpn-gateway/gateway-sku-consolidation, read 2026-11-30). */
export const AZURE_GATEWAY_SKUS = ["VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ"] as const;
export type AzureGatewaySku = (typeof AZURE_GATEWAY_SKUS)[number];

/**
 * Inside-tunnel /30s AWS refuses (https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html, read 2026-11-30).
 */
export const AWS_RESERVED_INSIDE_CIDRS = [
  "169.254.0.0/30",
  "169.254.1.0/30",
  "169.254.2.0/30",
  "169.254.3.0/30",
  "169.254.4.0/30",
  "169.254.5.0/30",
  "169.254.169.252/30",
] as const;

/** Private ASNs (RFC 6996): what an AWS virtual private gateway and a Cloud Router accept as their own. */
export const isPrivateAsn = (asn: number): boolean =>
  (asn >= 64512 && asn <= 65534) || (asn >= 4_200_000_000 && asn <= 4_294_967_294);

/**
 * ASNs Azure refuses for a peer (local network gateway) or its gateway: Azure's own (65515 is its gateway default,
 * allowed for the gateway itself) and IANA's reserved ones
 * (https://learn.microsoft.com/en-us/azure/vpn-gateway/vpn-gateway-vpn-faq#bgp, read 2026-11-30).
 */
export function azureRefusesAsn(asn: number, forGateway: boolean): boolean {
  if ([8074, 8075, 12076, 65517, 65518, 65519, 65520, 23456, 4_294_967_295].includes(asn)) return true;
  if (!forGateway && asn === 65515) return true;
  return (asn >= 64496 && asn <= 64511) || (asn >= 65535 && asn <= 65551);
}
