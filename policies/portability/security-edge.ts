import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { get, validateTypes } from "@tricloud/policy-kit/kit";

/** Exposure at the edges: Kubernetes API endpoints, TLS versions, the WAF in front of the API. */

const OPEN = ["0.0.0.0/0", "::/0"];
const restricted = (cidrs: unknown) =>
  Array.isArray(cidrs) && cidrs.length > 0 && !cidrs.some((c) => OPEN.includes(String(c)));

export const clusterEndpoints: ResourceValidationPolicy = {
  name: "security-kubernetes-cluster-disallow-public-endpoint",
  description:
    "Requires Kubernetes API endpoints to be private, or public only to a list of CIDRs that excludes 0.0.0.0/0.",
  enforcementLevel: "mandatory",
  validateResource: validateTypes({
    "aws:eks/cluster:Cluster": (p, _a, report) => {
      const v = p.vpcConfig ?? {};
      if (v.endpointPublicAccess === false) return;
      // EKS defaults publicAccessCidrs to 0.0.0.0/0 when the public endpoint is on.
      if (!restricted(v.publicAccessCidrs))
        report(
          "the public API endpoint is open to the internet: set vpcConfig.endpointPublicAccess: false, or publicAccessCidrs to specific CIDRs (tricloud:clusters.publicAccessCidrs).",
        );
    },
    "azure-native:containerservice:ManagedCluster": (p, _a, report) => {
      const a = p.apiServerAccessProfile ?? {};
      if (a.enablePrivateCluster === true) return;
      if (!restricted(a.authorizedIPRanges))
        report(
          "the API server is public to any address: set apiServerAccessProfile.enablePrivateCluster: true, or authorizedIPRanges to specific CIDRs.",
        );
    },
    "gcp:container/cluster:Cluster": (p, _a, report) => {
      if (get(p, "privateClusterConfig.enablePrivateEndpoint") === true) return;
      const blocks = ((get(p, "masterAuthorizedNetworksConfig.cidrBlocks") ?? []) as { cidrBlock?: string }[]).map(
        (b) => b.cidrBlock,
      );
      if (!p.masterAuthorizedNetworksConfig || blocks.some((c) => OPEN.includes(String(c)))) {
        report(
          "the control plane is public to any address: set privateClusterConfig.enablePrivateEndpoint: true, or masterAuthorizedNetworksConfig with specific CIDRs.",
        );
      }
    },
  }),
};

const TLS_ORDER = ["1.0", "1.1", "1.2", "1.3"];
const tlsBelow = (v: unknown, min: string) =>
  TLS_ORDER.indexOf(String(v).replace(/^TLS/i, "").replace("_", ".").replace(/^v/, "")) < TLS_ORDER.indexOf(min);

export const tlsMinimum: ResourceValidationPolicy = {
  name: "security-edge-enforce-tls-minimum",
  description:
    "Requires TLS at or above the configured minimum version at the edge, full (strict) TLS to origins, HTTPS-only health checks, and TLS to Cloud SQL.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minTlsVersion: {
        type: "string",
        enum: ["1.2", "1.3"],
        default: "1.2",
        description: "Lowest TLS version clients may use.",
      },
    },
  },
  validateResource: validateTypes({
    "cloudflare:index/zoneSetting:ZoneSetting": (p, args, report) => {
      const { minTlsVersion } = args.getConfig<{ minTlsVersion: string }>();
      if (p.settingId === "min_tls_version" && tlsBelow(p.value, minTlsVersion))
        report(`min_tls_version is ${p.value}: set it to ${minTlsVersion} or higher.`);
      else if (p.settingId === "ssl" && p.value !== "strict" && p.value !== "full")
        report(`ssl mode is "${p.value}": use "strict" so Cloudflare verifies the origin's certificate.`);
      else if (p.settingId === "always_use_https" && p.value !== "on")
        report("always_use_https is off: turn it on so no client talks plain HTTP.");
      else if (!["min_tls_version", "ssl", "always_use_https"].includes(p.settingId))
        args.notApplicable("not a TLS setting");
    },
    "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor": (p, _a, report) => {
      if (p.type !== "https") report(`health checks use ${p.type ?? "http"}: use type "https".`);
      if (p.allowInsecure === true) report("allowInsecure is true: verify origin certificates (allowInsecure: false).");
    },
    "gcp:sql/databaseInstance:DatabaseInstance": (p, _a, report) => {
      const mode = get(p, "settings.ipConfiguration.sslMode");
      if (mode !== "ENCRYPTED_ONLY" && mode !== "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")
        report(`settings.ipConfiguration.sslMode is ${mode ?? "unset (unencrypted allowed)"}: set ENCRYPTED_ONLY.`);
    },
    // RDS and Flexible Server enforce TLS by default (rds.force_ssl, require_secure_connection); only turning it off is flagged.
    "aws:rds/parameterGroup:ParameterGroup": (p, _a, report) => {
      const off = ((p.parameters ?? []) as { name: string; value: string }[]).find(
        (x) => x.name === "rds.force_ssl" && String(x.value) === "0",
      );
      if (off) report("rds.force_ssl is 0: leave it at 1 so clients must use TLS.");
    },
    "azure-native:dbforpostgresql:Configuration": (p, _a, report) => {
      if (p.configurationName === "require_secure_connection" && String(p.value).toLowerCase() === "off")
        report("require_secure_connection is off: leave it on so clients must use TLS.");
    },
  }),
};

export const wafPresent: StackValidationPolicy = {
  name: "security-cloudflare-zone-missing-waf",
  description:
    "Requires a Cloudflare WAF ruleset that runs managed rules on every zone that serves traffic through a load balancer or proxied records.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const zonesServing = new Set(
      args.resources
        .filter(
          (r) =>
            r.type === "cloudflare:index/loadBalancer:LoadBalancer" ||
            (r.type === "cloudflare:index/dnsRecord:DnsRecord" && r.props.proxied === true),
        )
        .map((r) => String(r.props.zoneId)),
    );
    if (zonesServing.size === 0) return args.notApplicable("no Cloudflare zone serves traffic in this stack");
    const protectedZones = new Set(
      args.resources
        .filter(
          (r) => r.type === "cloudflare:index/ruleset:Ruleset" && r.props.phase === "http_request_firewall_managed",
        )
        .filter((r) =>
          ((r.props.rules ?? []) as { action?: string; enabled?: boolean }[]).some(
            (x) => x.action === "execute" && x.enabled !== false,
          ),
        )
        .map((r) => String(r.props.zoneId)),
    );
    for (const zone of zonesServing) {
      if (!protectedZones.has(zone))
        reportViolation(
          `zone ${zone} serves traffic without a WAF: add a cloudflare.Ruleset in phase http_request_firewall_managed that executes the Cloudflare Managed and OWASP rulesets (components/cloudflare/waf.ts).`,
        );
    }
  },
};

export const edgePolicies = [clusterEndpoints, tlsMinimum, wafPresent];
