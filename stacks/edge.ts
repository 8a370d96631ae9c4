import type * as pulumi from "@pulumi/pulumi";
import type { DnsRecordSpec } from "../components/cloudflare/dns-records";
import { CloudflareEdge } from "../components/cloudflare/edge";
import { CLOUDS, type Cloud, type Steering } from "../components/cloudflare/load-balancer";
import { VercelFrontend } from "../components/vercel/frontend";
import type { StackConfig } from "./config/load";
import { edgeSummary } from "./edge-summary";

/** API origins by cloud; the function hosts pass their endpoints' hostnames here. */
export type EdgeOrigins = Partial<Record<Cloud, pulumi.Input<string>>>;

/**
 * Placeholder origin while neither the function hosts nor
 * `tricloud:traffic.origins` name one: a name in the team's own domain that
 * they can point at the cloud by hand. Until it resolves, the monitor marks
 * that pool unhealthy and the other pools carry the traffic.
 */
export function placeholderOrigin(cloud: Cloud, domain: string): string {
  return `${cloud}.origin.${domain}`;
}

/**
 * Builds the edge of one environment: the Vercel frontend on www.<domain> and
 * Cloudflare in front of everything (API load balancer on api.<domain>, the
 * team's DNS records, WAF, TLS). Origins given here win over config, which
 * wins over the placeholder.
 */
export function edge(config: StackConfig, origins: EdgeOrigins = {}) {
  const t = config.tricloud;
  const apiUrl = `https://api.${t.domain}`;

  const frontend = new VercelFrontend(`${t.environment}-web`, {
    projectName: `tricloud-${t.environment}`,
    framework: t.vercel.framework,
    domain: `www.${t.domain}`,
    apiUrl,
    teamId: t.vercel.teamId,
    gitRepository: t.vercel.gitRepository,
  });

  const records: Record<string, DnsRecordSpec> = { ...t.dns.records };
  // Unproxied: Vercel terminates TLS for www itself and issues its certificate by
  // answering on that name; behind Cloudflare's proxy the check and its CDN would be doubled.
  records.www = {
    type: "CNAME",
    value: frontend.dnsTarget,
    proxied: false,
    comment: "Vercel frontend (unproxied: Vercel serves TLS)",
  };

  const steering: Steering =
    t.traffic.steering === "weighted"
      ? { policy: "weighted", weights: t.traffic.weights! }
      : { policy: t.traffic.steering };
  const cloudflare = new CloudflareEdge(`${t.environment}-edge`, {
    zoneId: t.cloudflare.zoneId,
    accountId: t.cloudflare.accountId,
    domain: t.domain,
    origins: Object.fromEntries(
      CLOUDS.map((c) => [c, origins[c] ?? t.traffic.origins[c] ?? placeholderOrigin(c, t.domain)]),
    ) as Record<Cloud, pulumi.Input<string>>,
    steering,
    regions: { aws: config.aws.region, azure: config["azure-native"].location, gcp: config.gcp.region },
    fallback: t.traffic.fallback,
    monitor: t.traffic.monitor,
    records,
    rateLimit: t.waf.rateLimit,
  });

  return {
    cloudflare,
    frontend,
    outputs: {
      apiUrl,
      frontendUrl: `https://www.${t.domain}`,
      poolIds: cloudflare.loadBalancer.poolIds,
      vercelProjectId: frontend.projectId,
      ...edgeSummary(config),
    },
  };
}
