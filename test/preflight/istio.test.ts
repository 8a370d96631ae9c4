import { describe, expect, it } from "vitest";
import { ISTIO_VERSION } from "../../components/shared/mesh";
import {
  compareVersions,
  ISTIO_RELEASES,
  ISTIO_SUPPORT_URL,
  istioRelease,
  SUPPORT_CALENDAR,
} from "../../policies/preflight/calendar";
import { runPreflight } from "../../policies/preflight/engine";
import { preflightPolicies } from "../../policies/preflight/policies";
import type { PreflightResource } from "../../policies/preflight/rule";
import { istioRules } from "../../policies/preflight/rules/istio";
import { planStack } from "../helpers/plan";
import { r } from "../helpers/preflight";

const TODAY = "2026-11-30";
const res = (type: string, props: Record<string, unknown>, name = "k8s") => r(type, props, { name });
const EKS = (version: string) => res("aws:eks/cluster:Cluster", { version });
const AKS = (version: string) =>
  res("azure-native:containerservice:ManagedCluster", {
    kubernetesVersion: version,
    agentPoolProfiles: [{ orchestratorVersion: version }],
  });
const GKE = (version: string) => res("gcp:container/cluster:Cluster", { minMasterVersion: version });
const NODE_POOL = res("aws:eks/nodeGroup:NodeGroup", { version: "1.36" }, "pool");

const run = (istioVersion: string | undefined, asOf: string, ...resources: PreflightResource[]) =>
  runPreflight(resources, { asOf, ...(istioVersion ? { istioVersion } : {}) }, istioRules, []).findings;

describe("Istio's support table (policies/preflight/calendar.ts)", () => {
  it("is newest first, well formed, and each minor's range spans the Kubernetes minors of its time", () => {
    const minors = ISTIO_RELEASES.map((r) => r.minor);
    expect([...minors].sort(compareVersions).reverse()).toEqual(minors);
    for (const r of ISTIO_RELEASES) {
      expect(compareVersions(r.kubernetes[0], r.kubernetes[1])).toBeLessThan(0);
      expect(r.released).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (r.end) expect(r.end > r.released).toBe(true);
      expect(r.note.length).toBeGreaterThan(20);
    }
    expect(istioRelease("1.30.4")?.kubernetes).toEqual(["1.32", "1.36"]);
    expect(istioRelease("1.31.0")).toBeUndefined();
  });

  it("is the one docs/support-calendar.md shows, row by row", async () => {
    const { readFileSync } = await import("node:fs");
    const doc = readFileSync(`${__dirname}/../../docs/support-calendar.md`, "utf8");
    const section = doc.slice(doc.indexOf("### Istio"));
    expect(section).toContain(ISTIO_SUPPORT_URL);
    for (const r of ISTIO_RELEASES)
      expect(section).toContain(
        `| ${r.minor} | ${r.released} | ${r.end ?? "— (1.32.0 not out)"} | ${r.kubernetes[0]} to ${r.kubernetes[1]} | ${r.status} |`,
      );
  });

  it("the pinned release supports the Kubernetes minor the calendar recommends on all three clouds today", () => {
    const k8s = SUPPORT_CALENDAR.find((c) => c.service === "EKS")!.windows.map((w) => w.version);
    const [min, max] = istioRelease(ISTIO_VERSION)!.kubernetes;
    expect(k8s).toContain("1.36");
    expect(compareVersions("1.36", min) >= 0 && compareVersions("1.36", max) <= 0).toBe(true);
  });
});

describe("preflight-versions-istio-* rules", () => {
  it("pass: the pinned 1.30.4 on 1.36 clusters of all three clouds (node pools are not read)", () => {
    expect(run("1.30.4", TODAY, EKS("1.36"), AKS("1.36"), GKE("1.36.5-gke.2100000"), NODE_POOL)).toEqual([]);
  });

  it("fail: Istio 1.29 does not support Kubernetes 1.36, one error per cluster, naming the key to change", () => {
    const f = run("1.29.2", "2026-09-01", EKS("1.36"), AKS("1.36"), GKE("1.36.5-gke.2100000"), NODE_POOL);
    expect(f.map((x) => [x.rule, x.level, x.property])).toEqual([
      ["preflight-versions-istio-kubernetes-unsupported", "error", "version"],
      ["preflight-versions-istio-kubernetes-unsupported", "error", "kubernetesVersion"],
      ["preflight-versions-istio-kubernetes-unsupported", "error", "minMasterVersion"],
    ]);
    expect(f[0]!.expected).toMatch(
      /^a Kubernetes minor Istio 1\.29\.2 supports \(1\.31 to 1\.35\), or an Istio release that supports 1\.36 \(tricloud:mesh\.istioVersion;/,
    );
    expect(f[0]!.source).toContain("istio.io/latest/docs/releases/supported-releases");
  });

  it("fail: a cluster older than the release's range", () => {
    const f = run("1.30.4", TODAY, EKS("1.31"));
    expect(f.map((x) => x.rule)).toEqual(["preflight-versions-istio-kubernetes-unsupported"]);
  });

  it("warns when the release is past its end of support at the plan's date, and not before", () => {
    expect(run("1.29.2", "2026-10-11", EKS("1.35"))).toEqual([]);
    const f = run("1.29.2", "2026-10-12", EKS("1.35"));
    expect(f.map((x) => [x.rule, x.level])).toEqual([["preflight-versions-istio-release-past-support", "warning"]]);
    expect(f[0]!.expected).toContain("1.29 ended on 2026-10-12");
  });

  it("warns when the minor is not in the table (its range cannot be checked)", () => {
    const f = run("1.31.0", TODAY, GKE("1.36"));
    expect(f.map((x) => [x.rule, x.level])).toEqual([["preflight-versions-istio-release-unknown", "warning"]]);
  });

  it("says nothing without a mesh version (a program without the mesh)", () => {
    expect(run(undefined, TODAY, EKS("1.20"))).toEqual([]);
  });

  it("is in the CrossGuard pack, reading the version from the pack config", () => {
    const names = preflightPolicies.map((p) => p.name);
    for (const r of istioRules) expect(names).toContain(r.name);
  });

  it("the plan hands it tricloud:mesh.istioVersion: an unsupported release stops the dev plan", async () => {
    const ok = await planStack("dev");
    expect(ok.preflight.filter((f) => f.rule.startsWith("preflight-versions-istio"))).toEqual([]);
    const bad = await planStack("dev", ["tricloud:mesh.istioVersion=1.28.4"]);
    const errors = bad.preflight.filter((f) => f.rule === "preflight-versions-istio-kubernetes-unsupported");
    expect(errors).toHaveLength(3);
  });
});
