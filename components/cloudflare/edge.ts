import * as pulumi from "@pulumi/pulumi";
import { DnsRecords, type DnsRecordSpec } from "./dns-records";
import { failoverSeconds, type FailoverEstimate } from "./failover";
import { ApiLoadBalancer, type Cloud, type HealthMonitorSettings, type Steering } from "./load-balancer";
import { ZoneTls } from "./tls";
import { Waf, type RateLimitSettings } from "./waf";

export interface CloudflareEdgeArgs {
  /** The existing zone the domain lives in (teams own their zones; we never create one). */
  zoneId: string;
  /** Account that owns the zone: load-balancer monitors and pools are account resources. */
  accountId: string;
  /** The stack's domain; the API is served on `api.<domain>`. */
  domain: string;
  /** Each cloud's API origin hostname; see ApiLoadBalancerArgs.origins. */
  origins: Readonly<Record<Cloud, pulumi.Input<string>>>;
  steering: Steering;
  /** Each cloud's region (aws:region, azure-native:location, gcp:region): proximity steering places the pools by it. */
  regions: Readonly<Record<Cloud, string>>;
  fallback: Cloud;
  monitor: HealthMonitorSettings;
  /** Every other record of the domain, by relative name (including `www` for the frontend). */
  records: Readonly<Record<string, DnsRecordSpec>>;
  rateLimit: RateLimitSettings;
}

/** Everything Cloudflare does for one environment: API load balancing, DNS, WAF and TLS. */
export class CloudflareEdge extends pulumi.ComponentResource {
  readonly apiHostname: string;
  readonly loadBalancer: ApiLoadBalancer;
  readonly records: DnsRecords;
  /** Worst-case failover of the API, from the monitor settings (see failover.ts). */
  readonly failover: FailoverEstimate;

  constructor(name: string, args: CloudflareEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:cloudflare:Edge", name, {}, opts);
    const child = { parent: this };
    this.apiHostname = `api.${args.domain}`;

    this.loadBalancer = new ApiLoadBalancer(
      `${name}-api`,
      {
        accountId: args.accountId,
        zoneId: args.zoneId,
        hostname: this.apiHostname,
        origins: args.origins,
        steering: args.steering,
        regions: args.regions,
        fallback: args.fallback,
        monitor: args.monitor,
      },
      child,
    );
    this.records = new DnsRecords(
      `${name}-dns`,
      { zoneId: args.zoneId, domain: args.domain, records: args.records },
      child,
    );
    new Waf(`${name}-waf`, { zoneId: args.zoneId, apiHostname: this.apiHostname, rateLimit: args.rateLimit }, child);
    new ZoneTls(`${name}-tls`, { zoneId: args.zoneId }, child);

    // The load balancer is always proxied, so no DNS TTL enters the figure.
    this.failover = failoverSeconds({ ...args.monitor, proxied: true });
    this.registerOutputs({
      apiHostname: this.apiHostname,
      poolIds: this.loadBalancer.poolIds,
      failoverSeconds: this.failover.seconds,
    });
  }
}
