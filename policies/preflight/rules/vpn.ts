import {
  AWS_RESERVED_INSIDE_CIDRS as AWS_RESERVED_TUNNEL_CIDRS,
  AZURE_GATEWAY_SKUS as AZURE_VPN_SKUS,
  azureRefusesAsn,
  isPrivateAsn,
} from "@tricloud/vocabulary/vpn";
import { at, each, type Finding, type PreflightResource, type PreflightRule, type StackFinding } from "../rule";

/**
 * What the three clouds refuse in a site-to-site VPN: gateway SKUs, BGP numbers, the link-local ranges BGP runs on
 * inside the tunnels. The values the stack schema also checks (SKUs, reserved /30s, ASN ranges) come from
 * @tricloud/vocabulary/vpn, which both import, each with its page.
 */

const READ = "2026-11-30";
const src = (url: string) => ({ url, read: READ });

const AWS_TUNNELS = "https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html";
const AWS_VGW = "https://docs.aws.amazon.com/vpn/latest/s2svpn/VPC_VPN.html";
const AWS_CGW = "https://docs.aws.amazon.com/vpn/latest/s2svpn/cgw-options.html";
const AZURE_SKUS = "https://learn.microsoft.com/en-us/azure/vpn-gateway/gateway-sku-consolidation";
const AZURE_SKU_TABLE = "https://learn.microsoft.com/en-us/azure/vpn-gateway/about-gateway-skus#benchmark";
const AZURE_APIPA = "https://learn.microsoft.com/en-us/azure/vpn-gateway/bgp-howto";
const AZURE_BGP_FAQ = "https://learn.microsoft.com/en-us/azure/vpn-gateway/vpn-gateway-vpn-faq#bgp";
const AZURE_GATEWAY_SUBNET =
  "https://learn.microsoft.com/en-us/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings#gwsub";
const GCP_ROUTER = "https://cloud.google.com/network-connectivity/docs/router/concepts/overview";
const GCP_ROUTER_ASN = "https://cloud.google.com/compute/docs/reference/rest/v1/routers";
const AKS_PRIVATE = "https://learn.microsoft.com/en-us/azure/aks/private-clusters";
const GCP_EXTERNAL = "https://cloud.google.com/network-connectivity/docs/vpn/concepts/topologies";

const T = {
  awsVgw: "aws:ec2/vpnGateway:VpnGateway",
  awsCgw: "aws:ec2/customerGateway:CustomerGateway",
  awsVpn: "aws:ec2/vpnConnection:VpnConnection",
  azureGateway: "azure-native:network:VirtualNetworkGateway",
  azureLocal: "azure-native:network:LocalNetworkGateway",
  azureConnection: "azure-native:network:VirtualNetworkGatewayConnection",
  azureSubnet: "azure-native:network:Subnet",
  aks: "azure-native:containerservice:ManagedCluster",
  gcpRouter: "gcp:compute/router:Router",
  gcpInterface: "gcp:compute/routerInterface:RouterInterface",
  gcpPeer: "gcp:compute/routerPeer:RouterPeer",
  gcpExternal: "gcp:compute/externalVpnGateway:ExternalVpnGateway",
} as const;

/** ASNs AWS reserves for customer gateways in one region each (us-east-1, eu-west-1, ap-northeast-1, ap-southeast-1). */
export const AWS_REGION_RESERVED_ASNS = [7224, 9059, 10124, 17943] as const;

// ---- IPv4 arithmetic: the handful of lines the rules need (the pack imports nothing of the program) -------------

function ip(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  return o.some((x) => x > 255) ? undefined : o.reduce((a, x) => a * 256 + x, 0);
}
function cidr(text: string): { base: number; size: number; prefix: number } | undefined {
  const [addr, p] = text.split("/");
  const base = addr === undefined ? undefined : ip(addr);
  const prefix = Number(p);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  return base % size === 0 ? { base, size, prefix } : undefined;
}
const LINK_LOCAL = { base: ip("169.254.0.0")!, size: 65536 };
const APIPA = { first: ip("169.254.21.0")!, last: ip("169.254.22.255")! };
const inLinkLocal = (n: number) => n >= LINK_LOCAL.base && n < LINK_LOCAL.base + LINK_LOCAL.size;
const inApipa = (n: number) => n >= APIPA.first && n <= APIPA.last;

const num = (v: unknown): number | undefined =>
  typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined;

function asnFinding(props: unknown, path: string, ok: (n: number) => boolean, expected: string): Finding[] {
  const v = at(props, path);
  const n = num(v);
  if (v === undefined || v === null) return [];
  return n !== undefined && ok(n) ? [] : [{ property: path, value: v, expected }];
}

/** A /30 inside 169.254.0.0/16 (the form all three clouds take for a tunnel's BGP addresses). */
function linkLocal30(value: string): boolean {
  const c = cidr(value);
  return !!c && c.prefix === 30 && inLinkLocal(c.base);
}

/**
 * The VPN gateway generations each SKU exists in (Microsoft's SKU table, AZURE_SKU_TABLE, read 2026-11-30); Azure
 * refuses any other pairing with VirtualNetworkGatewaySkuCannotBeCreatedForSpecifiedVmGeneration.
 */
export const AZURE_VPN_SKU_GENERATIONS: Readonly<Record<string, readonly string[]>> = {
  Basic: ["Generation1"],
  VpnGw1: ["Generation1"],
  VpnGw1AZ: ["Generation1"],
  VpnGw2: ["Generation1", "Generation2"],
  VpnGw2AZ: ["Generation1", "Generation2"],
  VpnGw3: ["Generation1", "Generation2"],
  VpnGw3AZ: ["Generation1", "Generation2"],
  VpnGw4: ["Generation2"],
  VpnGw4AZ: ["Generation2"],
  VpnGw5: ["Generation2"],
  VpnGw5AZ: ["Generation2"],
};

/** The gateway's generation against its SKU; unset, Azure takes Generation1 (so VpnGw4AZ/5AZ then fail too). */
function generationFinding(props: Record<string, any>): Finding[] {
  const sku = at(props, "sku.name");
  const allowed = typeof sku === "string" ? AZURE_VPN_SKU_GENERATIONS[sku] : undefined;
  const sent = props.vpnGatewayGeneration;
  if (!allowed || (sent !== undefined && typeof sent !== "string")) return [];
  const generation = sent ?? "Generation1";
  if (allowed.includes(generation)) return [];
  return [
    {
      property: "vpnGatewayGeneration",
      value: sent ?? null,
      expected: `${allowed.join(" or ")} for ${sku}${sent === undefined ? " (unset, Azure takes Generation1)" : ""}, per ${AZURE_SKU_TABLE}`,
    },
  ];
}

const PRIVATE_ASN = "a private ASN: 64512-65534 or 4200000000-4294967294";

export const vpnRules: readonly PreflightRule[] = [
  {
    name: "preflight-azure-vpn-gateway-sku",
    description:
      "A new VPN gateway takes an AZ SKU (VpnGw1AZ-VpnGw5AZ): VpnGw1-5 without AZ cannot be created since January 2025, and Basic has no BGP; its generation matches the SKU (VpnGw1AZ Generation1, VpnGw4AZ and VpnGw5AZ Generation2).",
    level: "error",
    source: src(AZURE_SKUS),
    types: [T.azureGateway],
    check(props) {
      if (props.gatewayType !== undefined && props.gatewayType !== "Vpn") return [];
      const out: Finding[] = [];
      for (const path of ["sku.name", "sku.tier"]) {
        const v = at(props, path);
        if (typeof v === "string" && !(AZURE_VPN_SKUS as readonly string[]).includes(v))
          out.push({ property: path, value: v, expected: `one of ${AZURE_VPN_SKUS.join(", ")}` });
      }
      if (props.enableBgp && props.vpnType !== undefined && props.vpnType !== "RouteBased")
        out.push({
          property: "vpnType",
          value: props.vpnType,
          expected: "RouteBased (a policy-based gateway has no BGP)",
        });
      return [...out, ...generationFinding(props)];
    },
  },
  {
    name: "preflight-azure-vpn-apipa-addresses",
    description:
      "Custom BGP (APIPA) addresses of an Azure VPN gateway, and those its connections pick, lie in 169.254.21.0-169.254.22.255.",
    level: "error",
    source: src(AZURE_APIPA),
    types: [T.azureGateway, T.azureConnection],
    check(props) {
      const values = [
        ...each(props, "bgpSettings.bgpPeeringAddresses[].customBgpIpAddresses[]"),
        ...each(props, "gatewayCustomBgpIpAddresses[].customBgpIpAddress"),
      ];
      return values.flatMap(({ path, value }) => {
        if (typeof value !== "string") return [];
        const n = ip(value);
        return n !== undefined && inApipa(n)
          ? []
          : [
              {
                property: path,
                value,
                expected: "an address from 169.254.21.0 to 169.254.22.255 (Azure's APIPA range)",
              },
            ];
      });
    },
  },
  {
    name: "preflight-azure-vpn-bgp-asn",
    description:
      "Azure refuses its own reserved ASNs (8074, 8075, 12076, 65517-65520; 65515 for a peer) and IANA's (23456, 64496-64511, 65535-65551) on a gateway or local network gateway.",
    level: "error",
    source: src(AZURE_BGP_FAQ),
    types: [T.azureGateway, T.azureLocal],
    check(props, resource) {
      const gateway = resource.type === T.azureGateway;
      return asnFinding(
        props,
        "bgpSettings.asn",
        (n) => n >= 1 && n <= 4_294_967_294 && !azureRefusesAsn(n, gateway),
        gateway
          ? "an ASN Azure allows for its gateway (not 8074, 8075, 12076, 65517-65520, 23456, 64496-64511, 65535-65551)"
          : "an ASN Azure accepts for a peer (not 65515, 65517-65520, 8074, 8075, 12076, 23456, 64496-64511, 65535-65551)",
      );
    },
  },
  {
    name: "preflight-azure-vpn-gateway-subnet-size",
    description:
      "The GatewaySubnet is /29 at the smallest; Microsoft recommends /27 or larger so AZ and active-active gateways fit.",
    level: "warning",
    source: src(AZURE_GATEWAY_SUBNET),
    types: [T.azureSubnet],
    check(props) {
      if (props.subnetName !== "GatewaySubnet" || typeof props.addressPrefix !== "string") return [];
      const c = cidr(props.addressPrefix);
      return c && c.prefix <= 27
        ? []
        : [{ property: "addressPrefix", value: props.addressPrefix, expected: "a /27 or larger range" }];
    },
  },
  {
    name: "preflight-azure-vpn-aks-public-fqdn",
    description:
      "Networks connected by VPN resolve a private AKS cluster's API server by its public FQDN (which holds the private address); with it turned off they cannot resolve it.",
    level: "error",
    source: src(AKS_PRIVATE),
    checkStack(resources: readonly PreflightResource[]): StackFinding[] {
      if (!resources.some((r) => r.type === T.azureGateway)) return [];
      return resources
        .filter(
          (r) =>
            r.type === T.aks &&
            at(r.props, "apiServerAccessProfile.enablePrivateCluster") === true &&
            at(r.props, "apiServerAccessProfile.enablePrivateClusterPublicFQDN") === false,
        )
        .map((r) => ({
          urn: r.urn,
          property: "apiServerAccessProfile.enablePrivateClusterPublicFQDN",
          value: false,
          expected: "true (or unset) while a VPN gateway connects the other clouds to this network",
        }));
    },
  },
  {
    name: "preflight-aws-vpn-gateway-asn",
    description: "The Amazon side ASN of a virtual private gateway is private: 64512-65534 or 4200000000-4294967294.",
    level: "error",
    source: src(AWS_VGW),
    types: [T.awsVgw],
    check: (props) => asnFinding(props, "amazonSideAsn", isPrivateAsn, PRIVATE_ASN),
  },
  {
    name: "preflight-aws-vpn-customer-gateway-asn",
    description:
      "A customer gateway's bgpAsn is 1-2147483647 and not one AWS reserves in a region (7224, 9059, 10124, 17943).",
    level: "error",
    source: src(AWS_CGW),
    types: [T.awsCgw],
    check: (props) =>
      asnFinding(
        props,
        "bgpAsn",
        (n) => n >= 1 && n <= 2_147_483_647 && !(AWS_REGION_RESERVED_ASNS as readonly number[]).includes(n),
        "an ASN from 1 to 2147483647 other than 7224, 9059, 10124 and 17943 (reserved by AWS in us-east-1, eu-west-1, ap-northeast-1, ap-southeast-1)",
      ),
  },
  {
    name: "preflight-aws-vpn-tunnel-inside-cidr",
    description:
      "Each tunnel's inside CIDR is a /30 in 169.254.0.0/16, not one AWS reserves, and unique among the VPN connections of one gateway.",
    level: "error",
    source: src(AWS_TUNNELS),
    checkStack(resources: readonly PreflightResource[]): StackFinding[] {
      const out: StackFinding[] = [];
      const seen = new Map<string, string>(); // "<gateway> <cidr>" -> property that used it first
      for (const r of resources.filter((x) => x.type === T.awsVpn)) {
        for (const property of ["tunnel1InsideCidr", "tunnel2InsideCidr"]) {
          const v = r.props[property];
          if (typeof v !== "string") continue;
          if (!linkLocal30(v) || (AWS_RESERVED_TUNNEL_CIDRS as readonly string[]).includes(v)) {
            out.push({
              urn: r.urn,
              property,
              value: v,
              expected: `a /30 in 169.254.0.0/16 other than ${AWS_RESERVED_TUNNEL_CIDRS.join(", ")}`,
            });
            continue;
          }
          const key = `${String(r.props.vpnGatewayId ?? r.props.transitGatewayId ?? "")} ${v}`;
          const first = seen.get(key);
          if (first)
            out.push({
              urn: r.urn,
              property,
              value: v,
              expected: `a /30 no other tunnel of the gateway uses (${first} has it)`,
            });
          else seen.set(key, `${r.name}.${property}`);
        }
      }
      return out;
    },
  },
  {
    name: "preflight-gcp-vpn-router-asn",
    description: "A Cloud Router's own ASN is private: 64512-65534 or 4200000000-4294967294.",
    level: "error",
    source: src(GCP_ROUTER_ASN),
    types: [T.gcpRouter],
    check: (props) => asnFinding(props, "bgp.asn", isPrivateAsn, PRIVATE_ASN),
  },
  {
    name: "preflight-gcp-vpn-bgp-link-local",
    description:
      "A Cloud Router interface on a VPN tunnel takes a /30 in 169.254.0.0/16, and its BGP peer's addresses lie in it.",
    level: "error",
    source: src(GCP_ROUTER),
    types: [T.gcpInterface, T.gcpPeer],
    check(props, resource) {
      const out: Finding[] = [];
      if (resource.type === T.gcpInterface) {
        const v = props.ipRange;
        if (props.vpnTunnel !== undefined && typeof v === "string") {
          const [addr, p] = v.split("/");
          const n = addr === undefined ? undefined : ip(addr);
          if (n === undefined || p !== "30" || !inLinkLocal(n))
            out.push({
              property: "ipRange",
              value: v,
              expected: "an address with /30 in 169.254.0.0/16, e.g. 169.254.21.18/30",
            });
        }
        return out;
      }
      for (const property of ["ipAddress", "peerIpAddress"]) {
        const v = props[property];
        if (typeof v !== "string") continue;
        const n = ip(v);
        if (n === undefined || !inLinkLocal(n))
          out.push({ property, value: v, expected: "a link-local address in 169.254.0.0/16" });
      }
      const [a, b] = [ip(String(props.ipAddress ?? "")), ip(String(props.peerIpAddress ?? ""))];
      if (
        a !== undefined &&
        b !== undefined &&
        inLinkLocal(a) &&
        inLinkLocal(b) &&
        Math.floor(a / 4) !== Math.floor(b / 4)
      )
        out.push({
          property: "peerIpAddress",
          value: props.peerIpAddress,
          expected: `an address in the same /30 as ipAddress ${props.ipAddress}`,
        });
      return out;
    },
  },
  {
    name: "preflight-gcp-vpn-external-gateway-interfaces",
    description:
      "An external VPN gateway has exactly as many interfaces as its redundancy type says: SINGLE_IP 1, TWO_IPS 2, FOUR_IPS 4.",
    level: "error",
    source: src(GCP_EXTERNAL),
    types: [T.gcpExternal],
    check(props) {
      const want = { SINGLE_IP_INTERNALLY_REDUNDANT: 1, TWO_IPS_REDUNDANCY: 2, FOUR_IPS_REDUNDANCY: 4 }[
        String(props.redundancyType) as "TWO_IPS_REDUNDANCY"
      ];
      const list = props.interfaces;
      if (!want || !Array.isArray(list) || list.length === want) return [];
      return [
        { property: "interfaces", value: list.length, expected: `${want} interfaces for ${props.redundancyType}` },
      ];
    },
  },
];
