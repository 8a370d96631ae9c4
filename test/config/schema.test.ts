import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readStackFile } from "../../cli/plan/stackfile";
import { parseStackConfig } from "../../stacks/config/load";
import { configProblems, stackConfig } from "../helpers/config";

const root = join(__dirname, "..", "..");
const stackFile = (stack: string) => readStackFile(root, "tricloud", stack).config;

const problems = configProblems;

const withOverrides = stackConfig;

describe("the real stack files", () => {
  it.each(["dev", "prod"])("%s validates", (stack) => {
    expect(problems(stackFile(stack), stack)).toEqual([]);
  });

  it("applies the documented defaults for provider regions", () => {
    const flat = stackFile("dev");
    delete flat["aws:region"];
    delete flat["azure-native:location"];
    delete flat["gcp:region"];
    const c = parseStackConfig(flat, "dev");
    expect([c.aws.region, c["azure-native"].location, c.gcp.region]).toEqual(["us-west-2", "eastus", "us-central1"]);
  });

  it("sizes dev small and prod highly available", () => {
    const dev = parseStackConfig(stackFile("dev"), "dev").tricloud;
    const prod = parseStackConfig(stackFile("prod"), "prod").tricloud;
    expect(dev.database.highAvailability).toBe(false);
    expect(prod.database.highAvailability).toBe(true);
    for (const cloud of ["aws", "azure", "gcp"] as const) {
      expect(prod.network[cloud].zones).toBeGreaterThanOrEqual(2);
      expect(prod.clusters[cloud].minNodes).toBeGreaterThanOrEqual(2);
      expect(dev.clusters[cloud].maxNodes).toBeLessThanOrEqual(prod.clusters[cloud].maxNodes);
    }
  });

  it("stack files are plain YAML with a config map (as Pulumi reads them)", () => {
    expect(readFileSync(join(root, "Pulumi.dev.yaml"), "utf8")).toMatch(/^config:/m);
  });
});

describe("bad values name their full key and what was expected", () => {
  const cases: [string, string[], RegExp][] = [
    [
      "node counts out of order",
      ["tricloud:clusters.aws.maxNodes=0"],
      /^tricloud:clusters\.aws\.maxNodes: expected a whole number from 1 to 100/,
    ],
    [
      "min above desired",
      ["tricloud:clusters.gcp.minNodes=3"],
      /^tricloud:clusters\.gcp\.minNodes: expected minNodes \(3\) <= desiredNodes \(1\)/,
    ],
    [
      "desired above max",
      ["tricloud:clusters.azure.desiredNodes=5"],
      /^tricloud:clusters\.azure\.maxNodes: expected maxNodes \(3\) >= desiredNodes \(5\)/,
    ],
    [
      "unknown size",
      ["tricloud:clusters.aws.size=huge"],
      /^tricloud:clusters\.aws\.size: expected one of small, medium, large/,
    ],
    [
      "malformed kubernetes version",
      ["tricloud:kubernetesVersion=1.33.2"],
      /^tricloud:kubernetesVersion: expected a Kubernetes minor version/,
    ],
    [
      "unsupported postgres major",
      ["tricloud:postgresVersion=12"],
      /^tricloud:postgresVersion: expected a PostgreSQL major version/,
    ],
    [
      "weights not summing to 100",
      ["tricloud:traffic.steering=weighted", 'tricloud:traffic.weights={"aws":50,"azure":30,"gcp":10}'],
      /^tricloud:traffic\.weights: expected weights that sum to 100, got 50 \+ 30 \+ 10 = 90/,
    ],
    [
      "weighted steering without weights",
      [
        'tricloud:traffic={"steering":"weighted","fallback":"aws","cloudflarePlan":"pro","monitor":{"intervalSeconds":60,"retries":2,"timeoutSeconds":5,"regions":["WNAM","ENAM"]}}',
      ],
      /^tricloud:traffic\.weights: expected weights/,
    ],
    [
      "a health-check region Cloudflare does not have (its Southern Asia region is SAS)",
      ['tricloud:traffic.monitor.regions=["WNAM","IN"]'],
      /^tricloud:traffic\.monitor\.regions\[1\]: expected region codes from WNAM, ENAM, .*SAS, SEAS, NEAS/,
    ],
    [
      "overlapping cidrs",
      ["tricloud:network.azure.cidr=10.10.128.0/17"],
      /^tricloud:network\.azure\.cidr: expected a range that does not overlap tricloud:network\.aws\.cidr/,
    ],
    [
      "cidr with host bits",
      ["tricloud:network.aws.cidr=10.10.0.1/16"],
      /^tricloud:network\.aws\.cidr: expected an IPv4 network in CIDR form/,
    ],
    ["one AWS zone", ["tricloud:network.aws.zones=1"], /^tricloud:network\.aws\.zones: expected at least 2 \(EKS/],
    ["negative ceiling", ["tricloud:costCeilingUsd=-5"], /^tricloud:costCeilingUsd: expected a monthly ceiling/],
    ["misspelt key", ["tricloud:clusters.aws.maxNodez=4"], /^tricloud:clusters\.aws: unknown key "maxNodez"/],
    ["bad domain", ["tricloud:domain=Not A Domain"], /^tricloud:domain: expected a lowercase DNS name/],
    [
      "bad email",
      ['tricloud:alertContacts={"emails":["nobody"]}'],
      /^tricloud:alertContacts\.emails\[0\]: expected an email address/,
    ],
    [
      "missing required tag",
      ['tricloud:tags={"owner":"platform"}'],
      /^tricloud:tags\.cost-center: expected required tag "cost-center"/,
    ],
    [
      "tag key not portable",
      ['tricloud:tags={"owner":"platform","cost-center":"x","CostCenter":"y"}'],
      /^tricloud:tags\.CostCenter: expected tag keys of lowercase/,
    ],
    ["bad gcp project", ["gcp:project=X"], /^gcp:project: expected a GCP project id/],
  ];
  it.each(cases)("%s", (_label, overrides, expected) => {
    const found = problems(withOverrides("dev", ...overrides));
    expect(
      found.some((p) => expected.test(p)),
      `got:\n${found.join("\n")}`,
    ).toBe(true);
  });

  it("a missing required key is named", () => {
    const flat = stackFile("dev");
    delete flat["tricloud:domain"];
    delete flat["gcp:project"];
    const found = problems(flat);
    expect(found.some((p) => p.startsWith("tricloud:domain: required, but not set"))).toBe(true);
    expect(found.some((p) => p.startsWith("gcp:project: required, but not set"))).toBe(true);
  });

  it("reports every problem at once, one line each", () => {
    const found = problems(
      withOverrides(
        "dev",
        "tricloud:clusters.aws.size=huge",
        "tricloud:postgresVersion=9",
        "tricloud:costCeilingUsd=0",
      ),
    );
    expect(found).toHaveLength(3);
  });

  describe("prod rules", () => {
    it("prod needs HA databases, 30-day backups, two zones and two nodes", () => {
      const found = problems(
        withOverrides(
          "prod",
          "tricloud:database.highAvailability=false",
          "tricloud:database.backupRetentionDays=7",
          "tricloud:network.gcp.zones=1",
          "tricloud:clusters.azure.minNodes=1",
        ),
        "prod",
      );
      expect(found).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^tricloud:database\.highAvailability: expected true in prod/),
          expect.stringMatching(/^tricloud:database\.backupRetentionDays: expected at least 30 days in prod, got 7/),
          expect.stringMatching(/^tricloud:network\.gcp\.zones: expected at least 2 zones in prod, got 1/),
          expect.stringMatching(/^tricloud:clusters\.azure\.minNodes: expected at least 2 in prod/),
        ]),
      );
    });
    it("prod refuses a cluster endpoint open to the world", () => {
      // Without the cross-cloud VPN, which wants private endpoints only (test/config/cross-cloud.test.ts).
      const noVpn = "tricloud:network.crossCloud.enabled=false";
      const found = problems(withOverrides("prod", noVpn, 'tricloud:clusters.publicAccessCidrs=["0.0.0.0/0"]'), "prod");
      expect(found).toEqual([
        expect.stringMatching(/^tricloud:clusters\.publicAccessCidrs: expected specific CIDRs in prod/),
      ]);
      expect(
        problems(withOverrides("prod", noVpn, 'tricloud:clusters.publicAccessCidrs=["203.0.113.0/24"]'), "prod"),
      ).toEqual([]);
    });
  });
});

describe("properties", () => {
  it("any pool with min <= desired <= max in 1..100 is valid, any other order is rejected at the right key", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        (min, desired, max) => {
          const found = problems(
            withOverrides(
              "dev",
              `tricloud:clusters.aws.minNodes=${min}`,
              `tricloud:clusters.aws.desiredNodes=${desired}`,
              `tricloud:clusters.aws.maxNodes=${max}`,
            ),
          );
          const ordered = min <= desired && desired <= max;
          expect(found.length === 0).toBe(ordered);
          if (min > desired) expect(found).toContainEqual(expect.stringMatching(/^tricloud:clusters\.aws\.minNodes:/));
          if (desired > max) expect(found).toContainEqual(expect.stringMatching(/^tricloud:clusters\.aws\.maxNodes:/));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("weights are accepted exactly when they sum to 100", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (aws, azure, gcp) => {
          const flat = withOverrides(
            "dev",
            "tricloud:traffic.steering=weighted",
            `tricloud:traffic.weights={"aws":${aws},"azure":${azure},"gcp":${gcp}}`,
          );
          const found = problems(flat).filter((p) => p.startsWith("tricloud:traffic.weights"));
          expect(found.length === 0).toBe(aws + azure + gcp === 100);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("numbers given as strings (as Pulumi passes top-level values) parse like numbers", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (n) => {
        const c = parseStackConfig(withOverrides("dev", `tricloud:costCeilingUsd=${n}`), "dev");
        expect(c.tricloud.costCeilingUsd).toBe(n);
      }),
      { numRuns: 50 },
    );
  });
});
