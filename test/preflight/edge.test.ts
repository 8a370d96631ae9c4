import { describe, expect, it } from "vitest";
import { runPreflight } from "../../policies/preflight/engine";
import { isStackRule, type PreflightResource, type PreflightSettings } from "../../policies/preflight/rule";
import {
  CLOUDFLARE_REGIONS,
  EDGE_TYPES,
  edgePrerequisites,
  edgeRules,
  MIN_MONITOR_INTERVAL,
} from "../../policies/preflight/rules/edge";
import { PLAN_LIMITS } from "../../components/cloudflare/plans";
import { quoteTxt } from "../../components/cloudflare/dns-records";
import { input, ofType, oneOfType, planStack } from "../helpers/plan";
import { AS_OF, r, ruleHarness } from "../helpers/preflight";

const { findings, props } = ruleHarness(edgeRules);
const T = { ...EDGE_TYPES, project: EDGE_TYPES.vercelProject };

const RESOURCE_CASES: [
  string,
  string,
  Record<string, unknown>,
  Record<string, unknown>,
  string[],
  PreflightSettings?,
][] = [
  [
    "preflight-cloudflare-lb-monitor-interval-plan",
    T.monitor,
    { interval: 60 },
    { interval: 15 },
    ["interval"],
    { ...AS_OF, cloudflarePlan: "pro" },
  ],
  [
    "preflight-cloudflare-lb-monitor-interval-plan",
    T.monitor,
    { interval: 15 },
    { interval: 10 },
    ["interval"],
    { ...AS_OF, cloudflarePlan: "business" },
  ],
  ["preflight-cloudflare-lb-pool-name", T.pool, { name: "prod-edge-api-gcp" }, { name: "prod.edge api" }, ["name"]],
  [
    "preflight-cloudflare-dns-txt-quoted",
    T.record,
    { type: "TXT", content: '"v=DMARC1; p=reject"' },
    { type: "TXT", content: "v=DMARC1; p=reject" },
    ["content"],
  ],
  [
    "preflight-cloudflare-dns-txt-quoted",
    T.record,
    { type: "TXT", content: `"${"a".repeat(255)}" "b"` },
    { type: "TXT", content: `"${"a".repeat(256)}"` },
    ["content"],
  ],
  [
    "preflight-vercel-project-git-source",
    T.project,
    { name: "tricloud-dev", gitRepository: { type: "github", repo: "o/r" } },
    { name: "tricloud-dev" },
    ["gitRepository"],
  ],
];

describe("Cloudflare and Vercel resource rules: a passing and a failing case each", () => {
  it.each(RESOURCE_CASES)("%s on %s", (name, type, good, bad, reported, settings) => {
    expect(findings(name, [r(type, good)], settings)).toEqual([]);
    expect(props(name, [r(type, bad)], settings)).toEqual(reported);
  });

  it("every resource rule has a case here", () => {
    const covered = new Set(RESOURCE_CASES.map(([name]) => name));
    expect(edgeRules.filter((x) => !isStackRule(x) && !covered.has(x.name)).map((x) => x.name)).toEqual([]);
  });

  it("the pack's monitor minimums are the program's plan table", () => {
    for (const [plan, limits] of Object.entries(PLAN_LIMITS))
      expect(MIN_MONITOR_INTERVAL[plan]).toBe(limits.minMonitorIntervalSeconds);
  });

  it("a monitor is not judged when the plan is unknown", () => {
    expect(findings("preflight-cloudflare-lb-monitor-interval-plan", [r(T.monitor, { interval: 5 })])).toEqual([]);
  });

  it("the program's TXT quoting passes the rule, long content included", () => {
    for (const v of ["v=DMARC1; p=reject", 'say "hi"', "x".repeat(600)]) {
      expect(
        findings("preflight-cloudflare-dns-txt-quoted", [r(T.record, { type: "TXT", content: quoteTxt(v) })]),
      ).toEqual([]);
    }
  });
});

describe("preflight-cloudflare-lb-dynamic-steering-regions", () => {
  const NAME = "preflight-cloudflare-lb-dynamic-steering-regions";
  const setup = (steeringPolicy: string, checkRegions: string[]) => {
    const pool = r(T.pool, { name: "p", checkRegions });
    return [pool, r(T.lb, { name: "api.example.com", steeringPolicy }, { dependencies: [pool.urn] })];
  };
  it("passes dynamic steering probed from every region, and standard steering from any", () => {
    expect(findings(NAME, setup("dynamic_latency", [...CLOUDFLARE_REGIONS]))).toEqual([]);
    expect(findings(NAME, setup("dynamic_latency", ["ALL_REGIONS"]))).toEqual([]);
    expect(findings(NAME, setup("random", ["WNAM", "ENAM"]))).toEqual([]);
  });
  it("warns when dynamic steering's pools probe from a few regions (dev before #15.12)", () => {
    expect(props(NAME, setup("dynamic_latency", ["WNAM", "ENAM"]))).toEqual(["checkRegions"]);
  });
});

describe("preflight-cloudflare-lb-proximity-pool-coordinates", () => {
  const NAME = "preflight-cloudflare-lb-proximity-pool-coordinates";
  const setup = (steeringPolicy: string, coordinates: Record<string, number>) => {
    const pools = ["aws", "gcp"].map((cloud) =>
      r(T.pool, { name: cloud, ...(cloud === "aws" ? coordinates : {}) }, { name: `proximity-${cloud}` }),
    );
    const lb = r(T.lb, { name: "api.example.com", steeringPolicy }, { dependencies: pools.map((p) => p.urn) });
    return [...pools, lb];
  };
  it("passes proximity steering whose pools all have coordinates, and other steering without any", () => {
    const both = (name: string) => r(T.pool, { name, latitude: 45.84, longitude: -119.7 });
    const pools = [both("aws"), both("gcp")];
    const lb = r(
      T.lb,
      { name: "api.example.com", steeringPolicy: "proximity" },
      { dependencies: pools.map((p) => p.urn) },
    );
    expect(findings(NAME, [...pools, lb])).toEqual([]);
    expect(findings(NAME, setup("random", {}))).toEqual([]);
  });
  it("fails each pool of a proximity-steered load balancer that lacks its latitude or longitude", () => {
    const found = findings(NAME, setup("proximity", { latitude: 45.84 }));
    expect(found.map((f) => `${f.urn!.split("::").pop()}.${f.property}`).sort()).toEqual([
      "proximity-aws.longitude",
      "proximity-gcp.latitude",
      "proximity-gcp.longitude",
    ]);
    expect(found[0]!.expected).toContain("api.example.com uses proximity steering");
    expect(found.every((f) => f.level === "error")).toBe(true);
  });
});

describe("edge prerequisites", () => {
  const list = (resources: PreflightResource[], settings: PreflightSettings = AS_OF) =>
    runPreflight(resources, settings, [], edgePrerequisites).prerequisites.map((p) => p.what);
  const pool = (cloud: string, regions: string[]) =>
    r(T.pool, {
      accountId: "acct",
      name: cloud,
      checkRegions: regions,
      origins: [{ name: cloud, address: `${cloud}.example` }],
    });

  it("sizes the Load Balancing add-on by origins, regions and interval, and asks Traffic Steering only for non-standard steering", () => {
    const pools = [pool("aws", ["WNAM", "ENAM"]), pool("azure", ["WNAM", "ENAM"]), pool("gcp", ["WNAM", "WEU"])];
    const monitor = r(T.monitor, { accountId: "acct", interval: 15 });
    const random = r(T.lb, { zoneId: "z", name: "api.example.com", steeringPolicy: "random" });
    const what = list([...pools, monitor, random], { ...AS_OF, environment: "prod" });
    expect(what[0]).toBe(
      "Load Balancing add-on on account acct covering at least 3 origins and 1 load balancer(s), health checks from 3 region(s) (WNAM, ENAM, WEU) every 15 s for prod; stacks sharing the account add up",
    );
    expect(what.some((w) => w.startsWith("Traffic Steering"))).toBe(false);
    const dynamic = r(T.lb, { zoneId: "z", name: "api.example.com", steeringPolicy: "dynamic_latency" });
    expect(list([...pools, monitor, dynamic])).toContain(
      "Traffic Steering on the Load Balancing add-on (for dynamic_latency steering of api.example.com)",
    );
  });

  it("names the zone's apex and the entry-point rulesets to import, and the Vercel Git integration", () => {
    const what = list([
      r(T.lb, { zoneId: "z1", name: "api.example.com", steeringPolicy: "off" }),
      r(T.ruleset, { zoneId: "z1", kind: "zone", phase: "http_ratelimit" }),
      r(T.project, { name: "web", gitRepository: { type: "github", repo: "o/web" } }),
    ]);
    expect(what).toEqual([
      expect.stringContaining("Zone z1 is the zone of example.com itself"),
      expect.stringContaining("pulumi import cloudflare:index/ruleset:Ruleset <resource name> zones/z1/<ruleset id>"),
      "Vercel's github integration installed for o/web in the team the deploy token belongs to",
    ]);
    expect(list([r(T.project, { name: "web" })])).toEqual([]);
  });
});

describe.each(["dev", "prod"])("the %s plan", (stack) => {
  it("has no Cloudflare or Vercel preflight finding and lists the edge prerequisites", async () => {
    const report = await planStack(stack);
    expect(report.preflight!.filter((f) => /^preflight-(cloudflare|vercel)-/.test(f.rule))).toEqual([]);
    const what = (report.prerequisites ?? [])
      .filter((p) => p.cloud === "cloudflare" || p.cloud === "vercel")
      .map((p) => p.what);
    expect(what[0]).toMatch(/^Load Balancing add-on on account [0-9a-f]{32} covering at least 3 origins/);
    // Neither stack needs Traffic Steering: dev is random (#15.12), prod weighted random.
    expect(what.some((w) => w.startsWith("Traffic Steering"))).toBe(false);
    expect(what).toContainEqual(
      expect.stringMatching(/entry-point ruleset yet for http_request_firewall_managed, http_ratelimit/),
    );
  });

  it("serves the domain from its own apex zone (#15.14) with quoted TXT (#15.16)", async () => {
    const report = await planStack(stack);
    const lb = oneOfType(report, T.lb);
    expect(String(input(lb, "name")).split(".")).toHaveLength(3); // api.<apex>.<tld>
    for (const txt of ofType(report, T.record).filter((x) => input(x, "type") === "TXT"))
      expect(String(input(txt, "content"))).toMatch(/^".*"$/);
  });
});
