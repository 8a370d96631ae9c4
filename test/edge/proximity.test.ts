import { describe, expect, it } from "vitest";
import {
  ApiLoadBalancer,
  poolCoordinates,
  REGION_COORDINATES,
  type HealthMonitorSettings,
  type Steering,
} from "../../components/cloudflare/load-balancer";
import { EDGE_TYPES, edgeRules } from "../../policies/preflight/rules/edge";
import { buildComponent } from "../helpers/component";
import { planStack } from "../helpers/plan";
import { r, ruleHarness } from "../helpers/preflight";

const monitor: HealthMonitorSettings = { intervalSeconds: 60, retries: 2, timeoutSeconds: 5, regions: ["WNAM"] };
const origins = { aws: "aws.example.com", azure: "azure.example.com", gcp: "gcp.example.com" };
const regions = { aws: "us-west-2", azure: "eastus", gcp: "us-central1" };
const lb = (steering: Steering, withRegions = true) =>
  new ApiLoadBalancer("lb", {
    accountId: "fedcba9876543210fedcba9876543210",
    zoneId: "0123456789abcdef0123456789abcdef",
    hostname: "api.example.com",
    origins,
    steering,
    fallback: "aws",
    monitor,
    ...(withRegions ? { regions } : {}),
  });
const { findings } = ruleHarness(edgeRules);
const RULE = "preflight-cloudflare-lb-proximity-pool-coordinates";

/** The built pools and load balancer as preflight sees them (the balancer waits for its pools). */
const asPreflight = (built: Awaited<ReturnType<typeof buildComponent<ApiLoadBalancer>>>) => {
  const pools = built.ofType(EDGE_TYPES.pool).map((p) => r(EDGE_TYPES.pool, p.inputs, { name: p.name }));
  const balancer = r(EDGE_TYPES.lb, built.one(EDGE_TYPES.lb).inputs, { dependencies: pools.map((p) => p.urn) });
  return [...pools, balancer];
};

// Cloudflare: "To use proximity steering on a load balancer, you first need to add GPS coordinates to each pool."
describe("proximity steering places each pool at its cloud's region", () => {
  it("gives every pool the latitude and longitude of its region, and the preflight rule passes them", async () => {
    const built = await buildComponent(() => lb({ policy: "proximity" }));
    expect(built.one(EDGE_TYPES.lb).inputs.steeringPolicy).toBe("proximity");
    for (const cloud of ["aws", "azure", "gcp"] as const) {
      const [latitude, longitude] = REGION_COORDINATES[cloud][regions[cloud]]!;
      expect(built.one(EDGE_TYPES.pool, `-${cloud}`).inputs).toMatchObject({ latitude, longitude });
    }
    expect(findings(RULE, asPreflight(built))).toEqual([]);
  });

  it("leaves pools of other steering policies as they were", async () => {
    const built = await buildComponent(() =>
      lb({ policy: "weighted", weights: { aws: 50, azure: 25, gcp: 25 } }, false),
    );
    for (const pool of built.ofType(EDGE_TYPES.pool)) expect(pool.inputs).not.toHaveProperty("latitude");
  });

  it("fails naming the region and its config key when the region's coordinates are unknown", () => {
    expect(() => poolCoordinates({ policy: "proximity" }, { ...regions, gcp: "me-central2" })).toThrow(
      /gcp:region "me-central2".*expected one of .*us-central1/,
    );
    expect(() => poolCoordinates({ policy: "proximity" }, { ...regions, azure: "qatarcentral" })).toThrow(
      /azure-native:location "qatarcentral"/,
    );
    expect(() => poolCoordinates({ policy: "proximity" }, undefined)).toThrow(/tricloud:traffic\.steering.*regions/);
    // Other policies need no coordinates, so an unknown region is no error for them.
    expect(poolCoordinates({ policy: "dynamic_latency" }, { ...regions, aws: "mars-north-1" })).toBeUndefined();
  });

  it("every coordinate is a point on Earth", () => {
    for (const [cloud, table] of Object.entries(REGION_COORDINATES))
      for (const [region, [lat, lon]] of Object.entries(table)) {
        expect(Math.abs(lat), `${cloud} ${region}`).toBeLessThanOrEqual(90);
        expect(Math.abs(lon), `${cloud} ${region}`).toBeLessThanOrEqual(180);
      }
  });

  it("the program hands the load balancer each cloud's configured region: a proximity plan places every pool", async () => {
    const report = await planStack("dev", [
      'tricloud:traffic={"steering":"proximity","fallback":"aws","cloudflarePlan":"pro","monitor":{"intervalSeconds":60,"retries":2,"timeoutSeconds":5,"regions":["WNAM","ENAM"]}}',
    ]);
    expect(report.preflight.filter((f) => f.level === "error")).toEqual([]);
    const pools = report.resources.filter((x) => x.type === EDGE_TYPES.pool);
    expect(pools).toHaveLength(3);
    for (const p of pools) {
      const cloud = (["aws", "azure", "gcp"] as const).find((c) => p.name.endsWith(`-api-${c}`))!;
      const [latitude, longitude] = REGION_COORDINATES[cloud][regions[cloud]]!;
      expect(p.inputs).toMatchObject({ latitude, longitude });
    }
  });
});
