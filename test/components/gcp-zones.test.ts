import { describe, expect, it } from "vitest";
import { GcpKubernetesCluster } from "../../components/gcp/cluster";
import { GcpProjectServices } from "../../components/gcp/services";
import { GCP_REGION_ZONE_LETTERS, isKnownZone, zonesOfRegion } from "../../components/gcp/zones";
import { gkeZoneRefusal } from "../../cli/plan/mock-state";
import { ConfigError, type StackConfig } from "../../stacks/config/load";
import { gcpZones } from "../../stacks/shared";
import { buildComponent, COMPONENT_CONTEXT } from "../helpers/component";
import { input, oneOfType, planStack } from "../helpers/plan";
import { stackConfig } from "../helpers/platform";
import { CLUSTER } from "./args";

const project = COMPONENT_CONTEXT.gcpProject;
const NETWORK = "projects/tricloud-unit/global/networks/vpc";

/** Just what gcpZones reads (the schema's region pattern is not what is under test here). */
const withGcp = (region: string, zones: number) =>
  ({ gcp: { region }, tricloud: { network: { gcp: { zones } } } }) as unknown as StackConfig;

/** A GKE cluster in `region` over `zones`, built alone under the plan's mocks. */
const cluster = (region: string, zones: readonly string[]) =>
  buildComponent(
    () =>
      new GcpKubernetesCluster("k", {
        ...CLUSTER,
        project,
        region,
        zones,
        networkId: NETWORK,
        subnetworkId: `${NETWORK}/subnets/s`,
        apis: new GcpProjectServices("apis", { project }),
      }),
  );

describe("GCP zones (https://cloud.google.com/compute/docs/regions-zones)", () => {
  it("are lettered per region: us-east1 and europe-west1 have no -a, us-central1 has an -f", () => {
    expect(zonesOfRegion("us-east1")).toEqual(["us-east1-b", "us-east1-c", "us-east1-d"]);
    expect(zonesOfRegion("europe-west1")).toEqual(["europe-west1-b", "europe-west1-c", "europe-west1-d"]);
    expect(zonesOfRegion("us-central1")).toEqual(["us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"]);
    expect(isKnownZone("us-east1-a")).toBe(false);
    expect(isKnownZone("us-east1-b")).toBe(true);
    expect(zonesOfRegion("toString")).toBeUndefined();
  });

  it("the stacks take the region's own first zones: us-east1 and europe-west1 start at -b", () => {
    expect(gcpZones(stackConfig("dev", ["gcp:region=us-east1", "tricloud:network.gcp.zones=3"]))).toEqual([
      "us-east1-b",
      "us-east1-c",
      "us-east1-d",
    ]);
    expect(gcpZones(stackConfig("dev", ["gcp:region=europe-west1"]))).toEqual(["europe-west1-b"]);
    expect(gcpZones(stackConfig("dev", ["gcp:region=us-east1", "tricloud:network.gcp.zones=2"]))).toEqual([
      "us-east1-b",
      "us-east1-c",
    ]);
  });

  it("every region in the table, for every zone count the schema allows (1-3), gives that many real zones of it", () => {
    for (const region of Object.keys(GCP_REGION_ZONE_LETTERS))
      for (const count of [1, 2, 3]) {
        const zones = gcpZones(withGcp(region, count));
        expect(zones).toHaveLength(count);
        expect(new Set(zones).size).toBe(count);
        for (const z of zones) expect(isKnownZone(z) && z.startsWith(`${region}-`)).toBe(true);
      }
  });

  it("a region the table does not list is a configuration error naming gcp:region, from the schema (exit 2)", () => {
    expect(() => stackConfig("dev", ["gcp:region=mars-north9"])).toThrow(ConfigError);
    expect(() => stackConfig("dev", ["gcp:region=mars-north9"])).toThrow(
      /gcp:region: expected a region whose zones components\/gcp\/zones\.ts lists, got mars-north9/,
    );
    // The program's own guard, for a config that did not come through the schema.
    expect(() => gcpZones(withGcp("mars-north9", 1))).toThrow(
      /gcp:region: expected a region whose zones .* got mars-north9/,
    );
    // Regions with two-digit numbers are regions too.
    expect(stackConfig("dev", ["gcp:region=europe-west10"]).gcp.region).toBe("europe-west10");
  });

  it("the mocks refuse a zone GKE refuses (one that does not exist, or of another region), as GKE does", async () => {
    await expect(cluster("us-east1", ["us-east1-a"])).rejects.toThrow(
      /k \(gcp:container\/cluster:Cluster\): GKE refuses the zone "us-east1-a": no such Compute Engine zone/,
    );
    expect(gkeZoneRefusal({ location: "us-east1", nodeLocations: ["us-east1-b", "us-east1-a"] })).toMatch(/us-east1-a/);
    expect(gkeZoneRefusal({ location: "us-east1", nodeLocations: ["us-west1-a"] })).toMatch(/not a zone of us-east1/);
    expect(gkeZoneRefusal({ location: "us-east1", nodeLocations: ["us-east1-b", "us-east1-c"] })).toBeUndefined();
    expect(gkeZoneRefusal({ location: "us-east1-b" })).toBeUndefined();
  });

  it("a regional GKE cluster in europe-west1 spreads its nodes over europe-west1-b/c/d", async () => {
    const zones = gcpZones(stackConfig("dev", ["gcp:region=europe-west1", "tricloud:network.gcp.zones=3"]));
    const built = await cluster("europe-west1", zones);
    const gke = built.one("gcp:container/cluster:Cluster");
    expect(gke.inputs.location).toBe("europe-west1");
    expect(gke.inputs.nodeLocations).toEqual(["europe-west1-b", "europe-west1-c", "europe-west1-d"]);
  });

  it("the dev plan in us-east1 puts its zonal cluster in us-east1-b", async () => {
    const r = await planStack("dev", ["gcp:region=us-east1"]);
    expect(input(oneOfType(r, "gcp:container/cluster:Cluster"), "location")).toBe("us-east1-b");
    expect(input(oneOfType(r, "gcp:container/nodePool:NodePool"), "location")).toBe("us-east1-b");
  });
});
