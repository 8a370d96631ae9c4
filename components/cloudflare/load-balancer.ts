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

/** Latitude and longitude in decimal degrees, as a pool's latitude/longitude take them. */
export type Coordinates = readonly [latitude: number, longitude: number];

/**
 * Where each cloud's regions are, for proximity steering (Cloudflare: "To use proximity steering on a load balancer,
 * you first need to add GPS coordinates to each pool",
 * https://developers.cloudflare.com/load-balancing/understand-basics/traffic-steering/steering-policies/proximity-steering/,
 * read 2026-11-30). Azure publishes each location's coordinates (metadata.latitude/longitude of
 * https://learn.microsoft.com/en-us/rest/api/resources/subscriptions/list-locations); AWS and GCP name a place
 * (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html,
 * https://cloud.google.com/about/locations), given here at that city's well-known coordinates (where AWS names only a
 * state, at the city in brackets). Proximity only ranks pools by distance, so a city's centre is precise enough. Add a
 * region here before a stack uses it.
 */
export const REGION_COORDINATES: Readonly<Record<Cloud, Readonly<Record<string, Coordinates>>>> = {
  aws: {
    "us-east-1": [39.04, -77.49], // N. Virginia (Ashburn)
    "us-east-2": [39.96, -83.0], // Ohio (Columbus)
    "us-west-1": [37.77, -122.42], // N. California (San Francisco)
    "us-west-2": [45.84, -119.7], // Oregon (Boardman)
    "ca-central-1": [45.5, -73.57], // Canada (Montreal)
    "eu-west-1": [53.35, -6.26], // Ireland (Dublin)
    "eu-west-2": [51.51, -0.13], // London
    "eu-west-3": [48.86, 2.35], // Paris
    "eu-central-1": [50.11, 8.68], // Frankfurt
    "eu-north-1": [59.33, 18.07], // Stockholm
    "ap-southeast-1": [1.35, 103.82], // Singapore
    "ap-southeast-2": [-33.87, 151.21], // Sydney
    "ap-northeast-1": [35.68, 139.69], // Tokyo
  },
  azure: {
    eastus: [37.3719, -79.8164],
    eastus2: [36.6681, -78.3889],
    centralus: [41.5908, -93.6208],
    northcentralus: [41.8819, -87.6278],
    southcentralus: [29.4167, -98.5],
    westus: [37.783, -122.417],
    westus2: [47.233, -119.852],
    canadacentral: [43.653, -79.383],
    northeurope: [53.3478, -6.2597],
    westeurope: [52.3667, 4.9],
    uksouth: [50.941, -0.799],
    francecentral: [46.3772, 2.373],
    germanywestcentral: [50.110924, 8.682127],
    southeastasia: [1.283, 103.833],
    australiaeast: [-33.86, 151.2094],
    japaneast: [35.68, 139.77],
  },
  gcp: {
    "us-central1": [41.26, -95.86], // Council Bluffs, Iowa
    "us-east1": [33.2, -80.01], // Moncks Corner, South Carolina
    "us-east4": [39.04, -77.49], // Ashburn, Virginia
    "us-west1": [45.6, -121.18], // The Dalles, Oregon
    "us-west2": [34.05, -118.24], // Los Angeles
    "northamerica-northeast1": [45.5, -73.57], // Montreal
    "europe-west1": [50.45, 3.82], // St. Ghislain, Belgium
    "europe-west2": [51.51, -0.13], // London
    "europe-west3": [50.11, 8.68], // Frankfurt
    "europe-west4": [53.44, 6.83], // Eemshaven, Netherlands
    "asia-southeast1": [1.34, 103.71], // Jurong West, Singapore
    "australia-southeast1": [-33.87, 151.21], // Sydney
    "asia-northeast1": [35.68, 139.69], // Tokyo
  },
};

/** The stack config key that names each cloud's region (what an error about a region points the reader to). */
export const REGION_CONFIG_KEYS: Readonly<Record<Cloud, string>> = {
  aws: "aws:region",
  azure: "azure-native:location",
  gcp: "gcp:region",
};

/**
 * Each pool's coordinates when the steering needs them (proximity), else none. Throws, naming the region and its
 * config key, rather than let a pool go out without them.
 */
export function poolCoordinates(
  steering: Steering,
  regions: Readonly<Record<Cloud, string>> | undefined,
): Readonly<Record<Cloud, Coordinates>> | undefined {
  if (steering.policy !== "proximity") return undefined;
  if (!regions)
    throw new Error(
      "proximity steering (tricloud:traffic.steering) needs each cloud's region for its pool's coordinates, and the load balancer was given none (ApiLoadBalancerArgs.regions)",
    );
  const of = (cloud: Cloud): Coordinates => {
    const at = REGION_COORDINATES[cloud][regions[cloud]];
    if (!at)
      throw new Error(
        `proximity steering (tricloud:traffic.steering) needs the coordinates of ${REGION_CONFIG_KEYS[cloud]} "${regions[cloud]}", which are not known; expected one of ${Object.keys(REGION_COORDINATES[cloud]).join(", ")} (or add it to REGION_COORDINATES in components/cloudflare/load-balancer.ts)`,
      );
    return at;
  };
  return { aws: of("aws"), azure: of("azure"), gcp: of("gcp") };
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
  /**
   * Each cloud's region as the stack names it (aws:region, azure-native:location, gcp:region): proximity steering
   * places each pool there (REGION_COORDINATES) and needs it; other policies ignore it.
   */
  regions?: Readonly<Record<Cloud, string>>;
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
    const coordinates = poolCoordinates(args.steering, args.regions);

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
          ...(coordinates ? { latitude: coordinates[cloud][0], longitude: coordinates[cloud][1] } : {}),
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
