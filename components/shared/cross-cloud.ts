// Pure arithmetic and limits (the config schema imports them; no provider SDK here). The keys: cross-cloud-keys.ts.
import { cidrsOverlap, formatCidr, formatIpv4, parseCidr, type Cidr } from "./cidr";
import { AWS_RESERVED_INSIDE_CIDRS, type AzureGatewaySku } from "@tricloud/vocabulary/vpn";

/**
 * The site-to-site path between the three clouds' networks: the address plan of the tunnels, the BGP numbers
 * and the pre-shared keys. The clouds' own pieces live in components/{aws,azure,gcp}/vpn.ts; this module holds
 * what they must agree on, computed once.
 *
 * Topology (each pair as its clouds document it, read 2026-11-30):
 * - AWS <-> Azure: Azure's gateway active-active (two public addresses); AWS one customer gateway and one VPN
 *   connection (two tunnels) per Azure address; Azure one local network gateway and connection per AWS tunnel
 *   (https://learn.microsoft.com/en-us/azure/vpn-gateway/vpn-gateway-howto-aws-bgp).
 * - AWS <-> GCP: HA VPN's two interfaces; AWS one customer gateway and VPN connection per interface; GCP one
 *   external VPN gateway with the four AWS tunnel addresses (FOUR_IPS_REDUNDANCY), four tunnels, four BGP sessions
 *   (https://cloud.google.com/network-connectivity/docs/vpn/tutorials/create-ha-vpn-connections-google-cloud-aws).
 * - Azure <-> GCP: HA VPN interface k to Azure instance k, two tunnels, the external VPN gateway holding Azure's two
 *   addresses (TWO_IPS_REDUNDANCY)
 *   (https://cloud.google.com/network-connectivity/docs/vpn/tutorials/create-ha-vpn-connections-google-cloud-azure).
 */

// What the clouds accept, shared with the config schema and the preflight pack.
export {
  AWS_RESERVED_INSIDE_CIDRS,
  AZURE_GATEWAY_SKUS,
  azureRefusesAsn,
  isPrivateAsn,
  type AzureGatewaySku,
} from "@tricloud/vocabulary/vpn";

/**
 * Azure's range for custom (APIPA) BGP addresses on a VPN gateway, 169.254.21.0 to 169.254.22.255
 * (https://learn.microsoft.com/en-us/azure/vpn-gateway/bgp-howto, read 2026-11-30): two /24s, not one CIDR block.
 * AWS and GCP take a /30 anywhere in 169.254.0.0/16, so one range inside this one serves all three pairs.
 */
export const AZURE_APIPA_RANGE = "169.254.21.0-169.254.22.255";
const APIPA_FIRST = parseCidr("169.254.21.0/32")!.base;
const APIPA_LAST = parseCidr("169.254.22.255/32")!.base;
/** True when every address of `cidr` (or the single address `ip`) lies in Azure's APIPA range. */
export function insideAzureApipa(cidrOrIp: string): boolean {
  const c = parseCidr(cidrOrIp.includes("/") ? cidrOrIp : `${cidrOrIp}/32`);
  return !!c && c.base >= APIPA_FIRST && c.base + 2 ** (32 - c.prefix) - 1 <= APIPA_LAST;
}

/** The largest ASN an AWS customer gateway takes in its bgpAsn field (https://docs.aws.amazon.com/vpn/latest/s2svpn/cgw-options.html). */
export const AWS_CGW_MAX_ASN = 2_147_483_647;

export const CROSS_CLOUD_DEFAULTS = {
  asns: { aws: 64512, azure: 65515, gcp: 65534 },
  tunnelCidr: "169.254.21.0/24",
  azureGatewaySku: "VpnGw1AZ" as AzureGatewaySku,
} as const;

/** One tunnel's /30: `a` is the first usable address, `b` the second. */
export interface TunnelAddresses {
  readonly cidr: string;
  readonly a: string;
  readonly b: string;
}

/** Every /30 of the three pairs, in the order the range is carved (tunnel i takes the i-th /30). */
export interface TunnelPlan {
  /** AWS connection k goes to Azure instance k; its tunnels 1 and 2. AWS takes `a` (AWS's side is always the first). */
  readonly awsAzure: readonly [
    readonly [TunnelAddresses, TunnelAddresses],
    readonly [TunnelAddresses, TunnelAddresses],
  ];
  /** AWS connection k goes to HA VPN interface k; AWS takes `a`, GCP `b`. */
  readonly awsGcp: readonly [readonly [TunnelAddresses, TunnelAddresses], readonly [TunnelAddresses, TunnelAddresses]];
  /** HA VPN interface k to Azure instance k; Azure takes `a`, GCP `b` (as Google's Azure guide does). */
  readonly azureGcp: readonly [TunnelAddresses, TunnelAddresses];
  /** The custom BGP addresses of Azure's gateway instances 0 and 1 (its bgpPeeringAddresses). */
  readonly azureApipa: readonly [readonly string[], readonly string[]];
}

export const TUNNEL_COUNT = 10;

/** The i-th /30 of a range. */
function slash30(range: Cidr, i: number): TunnelAddresses {
  const base = range.base + 4 * i;
  return { cidr: formatCidr({ base, prefix: 30 }), a: formatIpv4(base + 1), b: formatIpv4(base + 2) };
}

/**
 * Carves the ten tunnels' /30s from `tunnelCidr` (validated by the stack schema: inside Azure's APIPA range, /26 or
 * larger). Pure and deterministic: the same range always gives the same addresses, so a plan never moves a tunnel.
 */
export function tunnelPlan(tunnelCidr: string): TunnelPlan {
  const range = parseCidr(tunnelCidr);
  if (!range) throw new Error(`tunnelCidr: expected an IPv4 range in CIDR form, got "${tunnelCidr}"`);
  if (2 ** (32 - range.prefix) < 4 * TUNNEL_COUNT) {
    throw new Error(`tunnelCidr: expected room for ${TUNNEL_COUNT} /30s (a /26 or larger), got ${tunnelCidr}`);
  }
  const t = (i: number) => slash30(range, i);
  return {
    awsAzure: [
      [t(0), t(1)],
      [t(2), t(3)],
    ],
    awsGcp: [
      [t(4), t(5)],
      [t(6), t(7)],
    ],
    azureGcp: [t(8), t(9)],
    azureApipa: [
      [t(0).b, t(1).b, t(8).a],
      [t(2).b, t(3).b, t(9).a],
    ],
  };
}

/** True when a /30 collides with one AWS reserves (used by the schema and by preflight). */
export const overlapsAwsReserved = (cidr: string): boolean => {
  const c = parseCidr(cidr);
  return !!c && AWS_RESERVED_INSIDE_CIDRS.some((r) => cidrsOverlap(c, parseCidr(r)!));
};

/** The address ranges of one stack's three networks, as the schema validated them. */
export interface CloudRanges {
  readonly aws: { readonly cidr: string };
  readonly azure: { readonly cidr: string };
  readonly gcp: { readonly cidr: string; readonly podsCidr: string };
}

/**
 * The ranges traffic from the other two clouds arrives from: their networks (EKS pods take VPC addresses, AKS pods
 * with Azure CNI take VNet addresses) and GKE's pod range (GKE does not masquerade pod traffic to RFC 1918
 * destinations, https://cloud.google.com/kubernetes-engine/docs/concepts/ip-masquerade-agent, read 2026-11-30).
 */
export function remoteRanges(ranges: CloudRanges, cloud: "aws" | "azure" | "gcp"): string[] {
  const all = {
    aws: [ranges.aws.cidr],
    azure: [ranges.azure.cidr],
    gcp: [ranges.gcp.cidr, ranges.gcp.podsCidr],
  };
  return (["aws", "azure", "gcp"] as const).filter((c) => c !== cloud).flatMap((c) => all[c]);
}

/**
 * Ports the other clouds reach in a cluster's network: 443 for the Kubernetes API (each control plane reads the
 * others' endpoints) and 15443, the Istio east-west gateway's mTLS port for cross-network traffic
 * (https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/, read 2026-11-30).
 */
export const CROSS_CLOUD_PORTS = [443, 15443] as const;
