import { describe, expect, it } from "vitest";
import { EXTERNAL_SECRETS_CHART, PROMETHEUS_CHART, ROLLOUTS_CHART } from "../../components/shared/mesh";
import { evaluatePack } from "../../cli/plan/evaluate";
import { CHART_SUPPORT, chartRelease, compareVersions } from "../../policies/preflight/calendar";
import { runPreflight } from "../../policies/preflight/engine";
import { preflightPolicies } from "../../policies/preflight/policies";
import type { PreflightResource } from "../../policies/preflight/rule";
import { chartRules, installedCharts } from "../../policies/preflight/rules/charts";
import { kubernetesMinor } from "../../policies/preflight/rules/versions";
import { planStack } from "../helpers/plan";
import { r } from "../helpers/preflight";

const TODAY = "2026-11-30";
const res = (type: string, props: Record<string, unknown>, name = "k8s") => r(type, props, { name });
const EKS = (version: string) => res("aws:eks/cluster:Cluster", { version });
const AKS = (version: string) => res("azure-native:containerservice:ManagedCluster", { kubernetesVersion: version });
const GKE = (version: string) => res("gcp:container/cluster:Cluster", { minMasterVersion: version });

/** One install of each chart, in the form each cloud's agent takes (Argo CD, Flux, Config Sync). */
const application = (chart: string, version: string) => ({
  kind: "Application",
  metadata: { name: chart, namespace: "argocd" },
  spec: { source: { chart, repoURL: "https://example.test", targetRevision: version } },
});
const helmRelease = (chart: string, version: string) => ({
  kind: "HelmRelease",
  metadata: { name: chart, namespace: "flux-system" },
  spec: { chart: { spec: { chart, version } } },
});
const rootSync = (chart: string, version: string) => ({
  kind: "RootSync",
  metadata: { name: chart, namespace: "config-management-system" },
  spec: { helm: { chart, version } },
});
const stack = (objects: Record<"aws" | "azure" | "gcp", unknown[]>) =>
  res("pulumi:pulumi:Stack", {
    workloads: Object.fromEntries(Object.entries(objects).map(([c, o]) => [c, { objects: o }])),
  });
const run = (...resources: PreflightResource[]) => runPreflight(resources, { asOf: TODAY }, chartRules, []).findings;

describe("the charts' support table (policies/preflight/calendar.ts, CHART_SUPPORT)", () => {
  it("has a table for every chart the mesh pins besides Istio's, each row well formed, each with its source", () => {
    for (const pin of [EXTERNAL_SECRETS_CHART, ROLLOUTS_CHART, PROMETHEUS_CHART])
      expect(CHART_SUPPORT.map((s) => s.chart)).toContain(pin.chart);
    for (const s of CHART_SUPPORT) {
      expect(s.url).toMatch(/^https:\/\//);
      expect(s.read).toBe(TODAY);
      expect(s.publishes.length).toBeGreaterThan(20);
      for (const r of s.releases) {
        if (r.kubernetes[1] !== null) expect(compareVersions(r.kubernetes[0], r.kubernetes[1])).toBeLessThanOrEqual(0);
        expect(r.note.length).toBeGreaterThan(20);
      }
    }
  });

  it("matches a row exactly or at a dot: 2.9 covers 2.9.3, not 2.14.0; 2.1 does not cover 2.14.0", () => {
    expect(chartRelease("external-secrets", "2.9.3").release?.kubernetes).toEqual(["1.36", "1.36"]);
    expect(chartRelease("external-secrets", "2.14.0").release).toBeUndefined();
    expect(chartRelease("external-secrets", "2.14.0").support?.project).toBe("External Secrets Operator");
    expect(chartRelease("argo-rollouts", "2.41.1").release?.app).toBe("1.9.1");
    expect(chartRelease("istiod", "1.30.4")).toEqual({});
  });
});

describe("preflight-versions-charts-* rules", () => {
  it("reads the chart and version from a HelmRelease, an Application and a RootSync", () => {
    expect(
      installedCharts([application("a", "1"), helmRelease("b", "2"), rootSync("c", "3"), { kind: "Namespace" }]),
    ).toEqual([
      { chart: "a", version: "1", by: "Application argocd/a" },
      { chart: "b", version: "2", by: "HelmRelease flux-system/b" },
      { chart: "c", version: "3", by: "RootSync config-management-system/c" },
    ]);
  });

  it("pass: ESO 2.6, Argo Rollouts 2.41.1 and Prometheus 27.52.0 on 1.34 clusters of all three clouds", () => {
    const s = stack({
      aws: [application("external-secrets", "2.6.0"), application("argo-rollouts", "2.41.1")],
      azure: [helmRelease("external-secrets", "2.6.0"), helmRelease("prometheus", "27.52.0")],
      gcp: [rootSync("argo-rollouts", "2.41.1"), rootSync("prometheus", "27.52.0")],
    });
    expect(run(s, EKS("1.34"), AKS("1.34"), GKE("1.34.5-gke.100"))).toEqual([]);
  });

  it("warn: a cluster newer than the range the project tests is a warning (nothing refuses the install) naming the chart, its version and the cluster's", () => {
    const f = run(stack({ aws: [], azure: [helmRelease("argo-rollouts", "2.41.1")], gcp: [] }), AKS("1.36"));
    expect(f.map((x) => [x.rule, x.level, x.property, x.value])).toEqual([
      ["preflight-versions-charts-kubernetes-untested", "warning", "kubernetesVersion", "1.36"],
    ]);
    expect(f[0]!.expected).toBe(
      "a Kubernetes minor Argo Rollouts 1.9.1 (chart argo-rollouts 2.41.1) is documented for (1.32 to 1.35), or a release of it documented for 1.36 (components/shared/mesh.ts pins it; https://argoproj.github.io/argo-rollouts/installation/#supported-versions) (HelmRelease flux-system/argo-rollouts on azure)",
    );
    expect(f[0]!.source).toContain("external-secrets.io");
  });

  it("fail: a cluster below a chart's floor; a chart with no upper bound passes any newer minor", () => {
    const s = stack({
      aws: [application("prometheus", "27.52.0")],
      azure: [],
      gcp: [rootSync("prometheus", "27.52.0")],
    });
    const f = run(s, EKS("1.18"), GKE("1.40"));
    expect(f.map((x) => [x.rule, x.urn, x.value])).toEqual([
      ["preflight-versions-charts-kubernetes-unsupported", EKS("1.18").urn, "1.18"],
    ]);
    expect(f[0]!.expected).toContain("(1.19 and later)");
  });

  it("warns when the pinned version is not in its table (its range cannot be checked), per cluster", () => {
    const f = run(stack({ aws: [application("external-secrets", "2.14.0")], azure: [], gcp: [] }), EKS("1.36"));
    expect(f.map((x) => [x.rule, x.level])).toEqual([["preflight-versions-charts-release-unknown", "warning"]]);
    expect(f[0]!.expected).toMatch(/^a external-secrets version in the table \(2\.9, 2\.8, /);
  });

  it("says nothing without the Stack's workloads output (a run that hands the Stack its inputs only)", () => {
    expect(run(res("pulumi:pulumi:Stack", {}), EKS("1.10"))).toEqual([]);
  });

  it("is in the CrossGuard pack as stack policies: errors mandatory, warnings advisory, reading the Stack's outputs", async () => {
    const policies = preflightPolicies.filter((p) => chartRules.some((r) => r.name === p.name));
    expect(policies.map((p) => [p.name, p.enforcementLevel])).toEqual([
      ["preflight-versions-charts-kubernetes-unsupported", "mandatory"],
      ["preflight-versions-charts-kubernetes-untested", "advisory"],
      ["preflight-versions-charts-release-unknown", "advisory"],
    ]);
    const s = stack({ aws: [application("argo-rollouts", "2.41.1")], azure: [], gcp: [] });
    const eks = EKS("1.36");
    const { violations } = await evaluatePack(
      { name: "tricloud-preflight", policies },
      [s, eks].map((r) => ({ ...r, inputs: r.props, outputs: r.props })),
      { stackTags: new Map([["pulumi:project", "tricloud"]]), config: { all: { asOf: TODAY } } },
    );
    expect(violations.map((v) => [v.policy, v.enforcementLevel, v.urn])).toEqual([
      ["preflight-versions-charts-kubernetes-untested", "advisory", eks.urn],
    ]);
    expect(violations[0]!.message).toMatch(/expected a Kubernetes minor Argo Rollouts 1\.9\.1/);
  });

  it("on the stacks' own objects and clusters (the Stack with its outputs, as the engine shows it): Argo Rollouts 1.9.1 is not documented for their 1.36, ESO 2.14.0 is not in the table, Prometheus 27.52.0 passes", async () => {
    for (const name of ["dev", "staging", "prod"]) {
      const report = await planStack(name);
      const resources: PreflightResource[] = report.resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent,
        props: r.type === "pulumi:pulumi:Stack" ? (report.outputs as Record<string, any>) : r.inputs,
      }));
      const f = runPreflight(resources, { asOf: TODAY }, chartRules, []).findings;
      // GKE sends a patch version (1.36.5-gke.…): the rule judges its minor.
      expect(
        f.map((x) => [x.rule, kubernetesMinor(x.value), x.expected.match(/\(chart (\S+) (\S+)\)/)?.slice(1)]),
      ).toEqual([
        ["preflight-versions-charts-kubernetes-untested", "1.36", ["argo-rollouts", "2.41.1"]],
        ["preflight-versions-charts-kubernetes-untested", "1.36", ["argo-rollouts", "2.41.1"]],
        ["preflight-versions-charts-kubernetes-untested", "1.36", ["argo-rollouts", "2.41.1"]],
        ["preflight-versions-charts-release-unknown", "1.36", ["external-secrets", "2.14.0"]],
        ["preflight-versions-charts-release-unknown", "1.36", ["external-secrets", "2.14.0"]],
        ["preflight-versions-charts-release-unknown", "1.36", ["external-secrets", "2.14.0"]],
      ]);
    }
  });
});
