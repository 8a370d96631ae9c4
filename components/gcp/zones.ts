/**
 * The zones of each Compute Engine region, by their letters, as Google's table lists them
 * (https://cloud.google.com/compute/docs/regions-zones, "Available regions and zones"; the per-region zone list of
 * https://cloud.google.com/memorystore/docs/memcached/regions agrees where both were read).
 * The letters are not uniform: europe-west1 and us-east1 have no `-a` zone (retired), us-central1 has a fourth, `-f`.
 * A fixed table rather than `gcp.compute.getZones` at deploy time: the same config always gives the same zones (a
 * zone reported DOWN for a while would otherwise move a zonal cluster's location, which replaces the cluster), the
 * preview shows them before anything exists, and an unknown region fails before any resource is created.
 */
export const GCP_REGION_ZONE_LETTERS: Readonly<Record<string, string>> = {
  "africa-south1": "abc",
  "asia-east1": "abc",
  "asia-east2": "abc",
  "asia-northeast1": "abc",
  "asia-northeast2": "abc",
  "asia-northeast3": "abc",
  "asia-south1": "abc",
  "asia-south2": "abc",
  "asia-southeast1": "abc",
  "asia-southeast2": "abc",
  "australia-southeast1": "abc",
  "australia-southeast2": "abc",
  "europe-central2": "abc",
  "europe-north1": "abc",
  "europe-north2": "abc",
  "europe-southwest1": "abc",
  "europe-west1": "bcd",
  "europe-west2": "abc",
  "europe-west3": "abc",
  "europe-west4": "abc",
  "europe-west6": "abc",
  "europe-west8": "abc",
  "europe-west9": "abc",
  "europe-west10": "abc",
  "europe-west12": "abc",
  "me-central1": "abc",
  "me-central2": "abc",
  "me-west1": "abc",
  "northamerica-northeast1": "abc",
  "northamerica-northeast2": "abc",
  "northamerica-south1": "abc",
  "southamerica-east1": "abc",
  "southamerica-west1": "abc",
  "us-central1": "abcf",
  "us-east1": "bcd",
  "us-east4": "abc",
  "us-east5": "abc",
  "us-south1": "abc",
  "us-west1": "abc",
  "us-west2": "abc",
  "us-west3": "abc",
  "us-west4": "abc",
};

/** Every zone of a region in the table (`us-east1-b`, ...); undefined for a region the table does not list. */
export function zonesOfRegion(region: string): string[] | undefined {
  const letters = Object.hasOwn(GCP_REGION_ZONE_LETTERS, region) ? GCP_REGION_ZONE_LETTERS[region] : undefined;
  return letters === undefined ? undefined : [...letters].map((l) => `${region}-${l}`);
}

/** Whether a zone name is one the table lists (GKE refuses a zone that does not exist). */
export function isKnownZone(zone: string): boolean {
  const region = zone.replace(/-[a-z]$/, "");
  return region !== zone && (zonesOfRegion(region)?.includes(zone) ?? false);
}

/** What is wrong with asking a region for its first zones: the config key at fault (as a key and as a path) and why. */
export interface ZoneProblem {
  readonly key: "gcp:region" | "tricloud:network.gcp.zones";
  readonly path: readonly string[];
  readonly message: string;
}

/**
 * The first `count` zones of a region, or the problem with asking for them (a region the table does not list, or more
 * zones than it has). The stack schema reports the problem (exit 2); the program's guard (stacks/shared.ts) throws it.
 */
export function firstZones(region: string, count: number): { zones: string[] } | { problem: ZoneProblem } {
  const all = zonesOfRegion(region);
  if (!all)
    return {
      problem: {
        key: "gcp:region",
        path: ["gcp", "region"],
        message: `expected a region whose zones components/gcp/zones.ts lists, got ${region}; for a newer region, add its zones there from https://cloud.google.com/compute/docs/regions-zones`,
      },
    };
  if (count > all.length)
    return {
      problem: {
        key: "tricloud:network.gcp.zones",
        path: ["tricloud", "network", "gcp", "zones"],
        message: `expected at most ${all.length} (the zones of ${region}: ${all.join(", ")}), got ${count}`,
      },
    };
  return { zones: all.slice(0, count) };
}
