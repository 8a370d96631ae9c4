import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { plan } from "../../cli/plan/run";
import {
  compareVersions,
  newestCommonVersion,
  recommendation,
  SUPPORT_CALENDAR,
  supportAt,
  windowOf,
} from "../../policies/preflight/calendar";
import { runPreflight } from "../../policies/preflight/engine";
import { preflightPolicies } from "../../policies/preflight/policies";
import type { PreflightResource } from "../../policies/preflight/rule";
import { kubernetesMinor, postgresMajor, versionRules } from "../../policies/preflight/rules/versions";

const root = join(__dirname, "..", "..");
const TODAY = "2026-11-30";

const EKS = "aws:eks/cluster:Cluster";
const AKS = "azure-native:containerservice:ManagedCluster";
const GKE = "gcp:container/cluster:Cluster";
const RDS = "aws:rds/instance:Instance";
const FLEX = "azure-native:dbforpostgresql:Server";
const CLOUD_SQL = "gcp:sql/databaseInstance:DatabaseInstance";

const res = (type: string, props: Record<string, unknown>, name = "r"): PreflightResource => ({
  urn: `urn:pulumi:dev::tricloud::${type}::${name}`,
  type,
  name,
  parent: null,
  props,
});

/** The version rules' findings over hand-made resources at a fixed date. */
const findings = (asOf: string, ...resources: PreflightResource[]) =>
  runPreflight(resources, { asOf }, versionRules, []).findings;
const rulesOf = (f: { rule: string }[]) => [...new Set(f.map((x) => x.rule))].sort();

describe("support calendar (policies/preflight/calendar.ts)", () => {
  it("gives every service its page, read date and well-formed windows from 1.29 / 13 up", () => {
    expect(SUPPORT_CALENDAR.map((c) => c.service)).toEqual([
      "EKS",
      "AKS",
      "GKE",
      "RDS for PostgreSQL",
      "Azure Database for PostgreSQL flexible server",
      "Cloud SQL for PostgreSQL",
    ]);
    for (const c of SUPPORT_CALENDAR) {
      expect(c.url).toMatch(/^https:\/\//);
      expect(c.read).toBe(TODAY);
      expect(windowOf(c, c.product === "kubernetes" ? "1.29" : "13")).toBeDefined();
      for (const w of c.windows) {
        for (const d of [w.start, w.standardEnd, w.extendedEnd].filter(Boolean) as string[])
          expect(new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10)).toBe(d);
        expect(w.start < w.standardEnd).toBe(true);
        if (w.extendedEnd) expect(w.standardEnd <= w.extendedEnd).toBe(true);
        // Anything not read as a day on the cloud's own page says why.
        if (w.status !== "firm") expect(w.note, `${c.service} ${w.version}`).toBeTruthy();
      }
    }
  });

  it("is the one docs/support-calendar.md shows, row by row", async () => {
    const { readFileSync } = await import("node:fs");
    const doc = readFileSync(join(root, "docs", "support-calendar.md"), "utf8");
    for (const c of SUPPORT_CALENDAR) {
      const section = doc.slice(doc.indexOf(`### ${c.service}\n`));
      expect(section, c.service).toContain(c.url);
      for (const w of c.windows)
        expect(section).toContain(
          `| ${w.version} | ${w.start} | ${w.standardEnd} | ${w.extendedEnd ?? "—"} | ${w.status} |`,
        );
    }
  });

  it("compares versions numerically", () => {
    expect(compareVersions("1.9", "1.10")).toBeLessThan(0);
    expect(compareVersions("1.36", "1.36")).toBe(0);
    expect(compareVersions("18", "9")).toBeGreaterThan(0);
  });

  it("treats the start as the first day offered and the end as the first day past standard support", () => {
    const eks = SUPPORT_CALENDAR.find((c) => c.service === "EKS")!;
    expect(supportAt(eks, "1.33", "2025-05-28").state).toBe("not-offered");
    expect(supportAt(eks, "1.33", "2025-05-29")).toMatchObject({ state: "standard" });
    expect(supportAt(eks, "1.33", "2026-07-28")).toMatchObject({ state: "standard", daysLeft: 1 });
    expect(supportAt(eks, "1.33", "2026-07-29").state).toBe("ended");
    expect(supportAt(eks, "1.99", TODAY)).toEqual({ state: "not-offered" });
  });

  it("names 1.36 and PostgreSQL 17 as the newest verified versions all three clouds support today", () => {
    expect(newestCommonVersion("kubernetes", TODAY)).toEqual({
      version: "1.36",
      until: "2027-06-30",
      endsFirstOn: "AKS",
    });
    // 18 is in standard support everywhere, but Cloud SQL's dates for it are estimated.
    expect(newestCommonVersion("postgres", TODAY)?.version).toBe("18");
    expect(newestCommonVersion("postgres", TODAY, { verified: true })).toEqual({
      version: "17",
      until: "2029-11-08",
      endsFirstOn: "Azure Database for PostgreSQL flexible server",
    });
    expect(recommendation("postgres", TODAY)).toMatch(/^use 17, .*; 18 too, but its dates are estimated/);
    expect(newestCommonVersion("kubernetes", "2020-01-01")).toBeNull();
    expect(recommendation("kubernetes", "2020-01-01")).toBe(
      "no version is in standard support on EKS, AKS and GKE all at 2020-01-01",
    );
  });
});

describe("version parsing", () => {
  it("reads a Kubernetes minor from each form the clouds take", () => {
    expect(["1.36", "1.36.2", "1.36.5-gke.2100000", "v1.36"].map(kubernetesMinor)).toEqual([
      "1.36",
      "1.36",
      "1.36",
      "1.36",
    ]);
    expect([undefined, "latest", "", 1.36].map(kubernetesMinor)).toEqual([null, null, null, null]);
  });

  it("reads a PostgreSQL major and ignores other engines", () => {
    expect(["17", "17.4", "POSTGRES_17", 17].map(postgresMajor)).toEqual(["17", "17", "17", "17"]);
    expect(["MYSQL_8_0", "SQLSERVER_2019_STANDARD", undefined].map(postgresMajor)).toEqual([null, null, null]);
  });
});

describe("Kubernetes version rules", () => {
  it("pass a minor every cloud supports for more than 90 days", () => {
    expect(
      findings(
        TODAY,
        res(EKS, { version: "1.36" }),
        res(AKS, { kubernetesVersion: "1.36" }),
        res(GKE, { minMasterVersion: "1.36.5-gke.2100000" }),
      ),
    ).toEqual([]);
  });

  it("warn within 90 days of the first cloud's end of standard support", () => {
    const f = findings("2027-05-15", res(EKS, { version: "1.36" }));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      rule: "preflight-versions-kubernetes-standard-support-ending",
      level: "warning",
      property: "version",
      value: "1.36",
    });
    expect(f[0]!.expected).toContain("AKS ends standard support on 2027-06-30 (46 days)");
    expect(f[0]!.source).toContain("https://learn.microsoft.com/en-us/azure/aks/supported-kubernetes-versions");
    // 91 days before AKS's end: no warning yet.
    expect(findings("2027-03-31", res(EKS, { version: "1.36" }))).toEqual([]);
  });

  it("refuse a minor past end of standard support on any cloud, naming the newest all three support", () => {
    const f = findings(TODAY, res(EKS, { version: "1.33" }));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      rule: "preflight-versions-kubernetes-past-standard-support",
      level: "error",
      value: "1.33",
    });
    expect(f[0]!.expected).toContain(
      "EKS ended standard support on 2026-07-29; AKS ended standard support on 2026-07-31; GKE ended standard support on 2026-08-03",
    );
    expect(f[0]!.expected).toContain(
      "use 1.36, the newest version EKS, AKS and GKE all support at 2026-11-30 (standard support until 2027-06-30 on AKS)",
    );
    // 1.34 ends on AKS today, though EKS and GKE differ: one cloud is enough.
    expect(rulesOf(findings(TODAY, res(AKS, { kubernetesVersion: "1.34" })))).toEqual([
      "preflight-versions-kubernetes-past-standard-support",
    ]);
  });

  it("refuse a minor a cloud does not offer yet", () => {
    const early = findings("2026-06-05", res(EKS, { version: "1.36" }));
    expect(rulesOf(early)).toEqual(["preflight-versions-kubernetes-not-offered"]);
    expect(early[0]!.expected).toContain("AKS offers 1.36 from 2026-06-30; GKE offers 1.36 from 2026-06-09");
    expect(early[0]!.expected).not.toContain("EKS offers");
    const unlisted = findings(TODAY, res(GKE, { minMasterVersion: "1.37.1-gke.100" }));
    expect(rulesOf(unlisted)).toEqual(["preflight-versions-kubernetes-not-offered"]);
    expect(unlisted[0]!.expected).toContain("EKS does not list 1.37");
  });

  it("read every place a cluster or pool sends a version, and skip unknown ones", () => {
    const f = findings(
      TODAY,
      res(AKS, { kubernetesVersion: "1.36", agentPoolProfiles: [{ name: "system", orchestratorVersion: "1.33" }] }),
      res("azure-native:containerservice:AgentPool", { orchestratorVersion: "1.33.1" }),
      res("aws:eks/nodeGroup:NodeGroup", { version: "1.32" }),
      res("gcp:container/nodePool:NodePool", { version: "1.33.5-gke.1" }),
      res(GKE, { nodeVersion: "1.33.5-gke.1" }),
      res(EKS, {}),
    );
    expect(f.map((x) => `${x.urn?.split("::").pop()}:${x.property}`)).toEqual([
      "r:agentPoolProfiles[0].orchestratorVersion",
      "r:orchestratorVersion",
      "r:version",
      "r:version",
      "r:nodeVersion",
    ]);
  });

  it("read a channel-following GKE cluster's configured minor from its labels", () => {
    const f = findings(
      TODAY,
      res(GKE, { releaseChannel: { channel: "REGULAR" }, resourceLabels: { "kubernetes-minor": "1-33" } }),
    );
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      property: "resourceLabels.kubernetes-minor",
      value: "1-33",
      rule: "preflight-versions-kubernetes-past-standard-support",
    });
    expect(findings(TODAY, res(GKE, { resourceLabels: { "kubernetes-minor": "1-36", team: "1-33" } }))).toEqual([]);
  });
});

describe("PostgreSQL version rules", () => {
  it("pass a major every cloud supports", () => {
    expect(
      findings(
        TODAY,
        res(RDS, { engine: "postgres", engineVersion: "17" }),
        res(FLEX, { version: "17" }),
        res(CLOUD_SQL, { databaseVersion: "POSTGRES_17" }),
      ),
    ).toEqual([]);
  });

  it("warn within 90 days of the first cloud's end", () => {
    const f = findings("2026-10-01", res(FLEX, { version: "14" }));
    expect(f.map((x) => [x.rule, x.level])).toEqual([
      ["preflight-versions-postgres-standard-support-ending", "warning"],
    ]);
    expect(f[0]!.expected).toContain(
      "Azure Database for PostgreSQL flexible server ends standard support on 2026-11-12 (42 days)",
    );
    expect(f[0]!.expected).toContain("use 17");
  });

  it("refuse a major past end of standard support on any cloud", () => {
    const f = findings(TODAY, res(CLOUD_SQL, { databaseVersion: "POSTGRES_14" }));
    expect(f.map((x) => [x.rule, x.level, x.property, x.value])).toEqual([
      ["preflight-versions-postgres-past-standard-support", "error", "databaseVersion", "POSTGRES_14"],
    ]);
    expect(f[0]!.expected).toContain(
      "Azure Database for PostgreSQL flexible server ended standard support on 2026-11-12",
    );
    expect(
      rulesOf(findings(TODAY, res(RDS, { engine: "postgres", engineVersion: "16.4" }), res(FLEX, { version: "13" }))),
    ).toEqual(["preflight-versions-postgres-past-standard-support"]);
  });

  it("refuse a major not offered yet, and ignore other engines", () => {
    expect(rulesOf(findings(TODAY, res(FLEX, { version: "19" })))).toEqual(["preflight-versions-postgres-not-offered"]);
    expect(rulesOf(findings("2025-10-01", res(RDS, { engineVersion: "18" })))).toEqual([
      "preflight-versions-postgres-not-offered",
    ]);
    expect(
      findings(
        TODAY,
        res(RDS, { engine: "mysql", engineVersion: "8.0" }),
        res(CLOUD_SQL, { databaseVersion: "MYSQL_8_0" }),
      ),
    ).toEqual([]);
  });
});

describe("the version rules as CrossGuard policies", () => {
  it("are in the preflight pack: errors mandatory, warnings advisory", () => {
    const byName = new Map(preflightPolicies.map((p) => [p.name, p.enforcementLevel]));
    for (const r of versionRules) expect(byName.get(r.name)).toBe(r.level === "error" ? "mandatory" : "advisory");
  });
});

describe("the stacks' versions", () => {
  // Kubernetes and PostgreSQL against the calendar; the Helm charts' rules have their own suite (charts.test.ts).
  const VERSION_RULE = /^preflight-versions-(?!charts-)/;
  for (const stack of ["dev", "prod"]) {
    it(`${stack}: no version findings at ${TODAY}`, { timeout: 120_000 }, async () => {
      const report = await plan({ stack, overrides: [], projectDir: root, asOf: TODAY });
      expect(report.asOf).toBe(TODAY);
      expect(report.preflight.filter((f) => VERSION_RULE.test(f.rule))).toEqual([]);
    });
  }

  it(
    "dev with the old 1.33 / 16: errors on every cluster for Kubernetes, none for PostgreSQL",
    { timeout: 120_000 },
    async () => {
      const report = await plan({
        stack: "dev",
        overrides: ["tricloud:kubernetesVersion=1.33", "tricloud:postgresVersion=16"],
        projectDir: root,
        asOf: TODAY,
      });
      const versions = report.preflight.filter((f) => VERSION_RULE.test(f.rule));
      expect(new Set(versions.map((f) => f.rule))).toEqual(
        new Set(["preflight-versions-kubernetes-past-standard-support"]),
      );
      const types = new Set(versions.map((f) => report.resources.find((r) => r.urn === f.urn)?.type));
      expect(types).toEqual(
        new Set([EKS, "aws:eks/nodeGroup:NodeGroup", AKS, "azure-native:containerservice:AgentPool", GKE]),
      );
    },
  );
});

describe("tricloud plan --as-of (CLI)", () => {
  const tricloud = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(root, "bin", "tricloud.cjs"), ...args], {
      cwd: root,
      encoding: "utf8",
      timeout: 120_000,
      // The JSON report passes spawnSync's 1 MiB default with the rendered workloads and mesh.
      maxBuffer: 64 << 20,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it("at 2020-01-01 refuses versions no cloud offered yet and exits 1", { timeout: 120_000 }, () => {
    const r = tricloud("plan", "--stack", "dev", "--as-of", "2020-01-01", "--format", "json");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.asOf).toBe("2020-01-01");
    const rules = new Set(
      report.preflight.filter((f: { level: string }) => f.level === "error").map((f: { rule: string }) => f.rule),
    );
    expect([...rules]).toEqual(
      expect.arrayContaining(["preflight-versions-kubernetes-not-offered", "preflight-versions-postgres-not-offered"]),
    );
  });

  it("far in the future refuses versions past standard support and exits 1", { timeout: 120_000 }, () => {
    const r = tricloud("plan", "--stack", "dev", "--as-of", "2031-06-01", "--format", "json");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const past = report.preflight.filter(
      (f: { rule: string }) => f.rule === "preflight-versions-kubernetes-past-standard-support",
    );
    expect(past.length).toBeGreaterThan(0);
    expect(past[0].expected).toContain("no version is in standard support on EKS, AKS and GKE all at 2031-06-01");
  });

  it("a bad --as-of exits 2 naming the flag", () => {
    const r = tricloud("plan", "--stack", "dev", "--as-of", "nope");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--as-of/);
    expect(r.stdout).toBe("");
  });
});
