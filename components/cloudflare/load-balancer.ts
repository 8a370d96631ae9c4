import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { CONSECUTIVE_DOWN } from "./failover";

export const CLOUDS = ["aws", "azure", "gcp"] as const;
export type Cloud = (typeof CLOUDS)[number];

/** How the load balancer spreads requests over the three clouds. */
export type Steering =
  | { policy: "dynamic_latency" | "proximity" | "off" }
  /** Percent of requests per cloud; they sum to 100. */
  | { policy: "weighted"; weights: Readonly<Record<Cloud, number>> };

export interface HealthMonitorSettings {
  intervalSeconds: number;
  retries: number;
  timeoutSeconds: number;
  /** Cloudflare probing regions (WNAM, ENAM, WEU, ...). */
  regions: readonly string[];
}

export interface ApiLoadBalancerArgs {
  accountId: string;
  zoneId: string;
  /** The public API hostname, e.g. `api.example.com`. */
  hostname: string;
  /**
   * Each cloud's API origin (a hostname that resolves to it directly, not
   * through Cloudflare). Inputs so the function hosts can plug in their
   * endpoints' outputs.
   */
  origins: Readonly<Record<Cloud, pulumi.Input<string>>>;
  steering: Steering;
  /** The pool served when every pool is unhealthy (Cloudflare requires one). */
  fallback: Cloud;
  monitor: HealthMonitorSettings;
  /** Path every origin serves its health document on (200 unless unhealthy). */
  healthPath?: string;
}

/**
 * A health-checked, proxied Cloudflare load balancer over one pool per cloud:
 * a pool whose origin fails the monitor stops receiving traffic and the
 * others take it over, with no one acting.
 */
export class ApiLoadBalancer extends pulumi.ComponentResource {
  readonly hostname: string;
  readonly monitorId: pulumi.Output<string>;
  readonly poolIds: Readonly<Record<Cloud, pulumi.Output<string>>>;
  readonly loadBalancerId: pulumi.Output<string>;

  constructor(name: string, args: ApiLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:cloudflare:ApiLoadBalancer", name, {}, opts);
    const child = { parent: this };
    const m = args.monitor;

    const monitor = new cloudflare.LoadBalancerMonitor(
      `${name}-health`,
      {
        accountId: args.accountId,
        description: `${args.hostname} GET ${args.healthPath ?? "/health"}`,
        type: "https",
        method: "GET",
        path: args.healthPath ?? "/health",
        expectedCodes: "200",
        followRedirects: false,
        allowInsecure: false,
        interval: m.intervalSeconds,
        retries: m.retries,
        timeout: m.timeoutSeconds,
        // Explicit, because the failover arithmetic (failover.ts) counts on it.
        consecutiveDown: CONSECUTIVE_DOWN,
        consecutiveUp: 2,
      },
      child,
    );

    const pools = {} as Record<Cloud, cloudflare.LoadBalancerPool>;
    for (const cloud of CLOUDS) {
      const origin = args.origins[cloud];
      pools[cloud] = new cloudflare.LoadBalancerPool(
        `${name}-${cloud}`,
        {
          accountId: args.accountId,
          name: `${name}-${cloud}`.replace(/[^A-Za-z0-9_-]/g, "-"),
          description: `${args.hostname} on ${cloud}`,
          monitor: monitor.id,
          checkRegions: [...m.regions],
          minimumOrigins: 1,
          origins: [
            {
              name: cloud,
              address: origin,
              enabled: true,
              weight: 1,
              // Function hosts route by their own hostname, not api.<domain>; the
              // override also applies to the health probes (it beats the monitor's).
              header: { hosts: [origin] },
            },
          ],
        },
        child,
      );
    }

    const id = (c: Cloud) => pools[c].id;
    const weighted = args.steering.policy === "weighted" ? args.steering.weights : undefined;
    // Pool order is the failover order for "off" and the tie-break elsewhere: heaviest first.
    const order = [...CLOUDS].sort((a, b) => (weighted ? weighted[b] - weighted[a] : 0));

    const lb = new cloudflare.LoadBalancer(
      `${name}-lb`,
      {
        zoneId: args.zoneId,
        name: args.hostname,
        description: `tricloud API over ${CLOUDS.join(", ")}`,
        proxied: true,
        defaultPools: order.map(id),
        fallbackPool: id(args.fallback),
        // Cloudflare's weighted steering is "random" with per-pool weights (0..1, relative).
        steeringPolicy: weighted ? "random" : args.steering.policy,
        ...(weighted
          ? {
              randomSteering: {
                defaultWeight: 0,
                poolWeights: pulumi
                  .all(CLOUDS.map((c) => pools[c].id))
                  .apply((ids) => Object.fromEntries(ids.map((poolId, i) => [poolId, weighted[CLOUDS[i]!] / 100]))),
              },
            }
          : {}),
        // Between probes, a refused connection (521/522/523) is retried on another pool at once.
        adaptiveRouting: { failoverAcrossPools: true },
        sessionAffinity: "none",
      },
      child,
    );

    this.hostname = args.hostname;
    this.monitorId = monitor.id;
    this.poolIds = { aws: id("aws"), azure: id("azure"), gcp: id("gcp") };
    this.loadBalancerId = lb.id;
    this.registerOutputs({
      hostname: this.hostname,
      monitorId: this.monitorId,
      poolIds: this.poolIds,
      loadBalancerId: this.loadBalancerId,
    });
  }
}
