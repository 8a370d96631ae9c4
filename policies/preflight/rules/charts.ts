import { CHART_SUPPORT, chartRelease, compareVersions, type ChartRelease, type ChartSupport } from "../calendar";
import type { PreflightResource, StackFinding, StackRule } from "../rule";
import { KUBERNETES_READERS } from "./versions";

/**
 * The Helm charts each cluster's GitOps agent installs besides Istio's (External Secrets, Argo Rollouts, Prometheus:
 * pinned in components/shared/mesh.ts) against the cluster's Kubernetes minor, on the ranges their projects document
 * (../calendar.ts, CHART_SUPPORT, each table with its page and the day it was read):
 * - External Secrets Operator publishes a support table (the Kubernetes minors each ESO minor is tested on);
 * - Argo Rollouts publishes no table: its installation page names the e2e test matrix at each release's tag as the
 *   versions fully tested, and that matrix is the range used;
 * - Prometheus publishes no Kubernetes support matrix at all; the prometheus-community chart declares only a floor
 *   (`kubeVersion: ">=1.19.0-0"`, which Helm enforces), so only that floor is checked and no ceiling is invented.
 *
 * The pins are not config: the rule reads them where the program leaves them, in the objects the agents apply (the
 * Stack's output `workloads.<cloud>.objects`: a Flux HelmRelease, an Argo CD Application or a Config Sync RootSync
 * per chart). The CrossGuard engine shows stack policies the Stack's outputs (`pulumi preview --policy-pack
 * policies/preflight`), and `tricloud plan` hands preflight the Stack's outputs too (cli/plan/run.ts). Only a chart's
 * own kubeVersion, which Helm enforces, makes an error; outside a range a project tests or guarantees is a warning.
 * Istio's charts are checked by istio.ts.
 */

type Cloud = "aws" | "azure" | "gcp";

const CLUSTER_CLOUD: Readonly<Record<string, Cloud>> = {
  "aws:eks/cluster:Cluster": "aws",
  "azure-native:containerservice:ManagedCluster": "azure",
  "gcp:container/cluster:Cluster": "gcp",
};

export interface InstalledChart {
  readonly chart: string;
  readonly version: string;
  /** The object that installs it, e.g. "HelmRelease istio-system/argo-rollouts". */
  readonly by: string;
}

/** The chart and version of each Helm install in one cluster's objects, in the three forms the agents take. */
export function installedCharts(objects: unknown): InstalledChart[] {
  if (!Array.isArray(objects)) return [];
  return objects.flatMap((o: any): InstalledChart[] => {
    const spec = o?.spec ?? {};
    const pair: [unknown, unknown] | undefined =
      o?.kind === "HelmRelease"
        ? [spec.chart?.spec?.chart, spec.chart?.spec?.version]
        : o?.kind === "Application"
          ? [spec.source?.chart, spec.source?.targetRevision]
          : o?.kind === "RootSync"
            ? [spec.helm?.chart, spec.helm?.version]
            : undefined;
    if (!pair || typeof pair[0] !== "string" || typeof pair[1] !== "string") return [];
    const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : "";
    return [{ chart: pair[0], version: pair[1], by: `${o.kind} ${ns}${o.metadata?.name}` }];
  });
}

const rangeText = (r: ChartRelease) =>
  r.kubernetes[1] === null ? `${r.kubernetes[0]} and later` : `${r.kubernetes[0]} to ${r.kubernetes[1]}`;
const named = (s: ChartSupport, c: InstalledChart, r?: ChartRelease) =>
  `${s.project} ${r?.app ?? c.version} (chart ${c.chart} ${c.version})`;

type Judge = (
  chart: InstalledChart,
  support: ChartSupport,
  release: ChartRelease | undefined,
  kubernetes: string,
) => string | null;

function chartRule(meta: Pick<StackRule, "name" | "description" | "level">, judge: Judge): StackRule {
  return {
    ...meta,
    source: { url: CHART_SUPPORT.map((s) => s.url).join(" ; "), read: "2026-11-30" },
    checkStack: (resources: readonly PreflightResource[]): StackFinding[] => {
      const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
      const workloads = stack?.props?.workloads;
      if (!workloads || typeof workloads !== "object") return [];
      return resources.flatMap((cluster) => {
        const cloud = CLUSTER_CLOUD[cluster.type];
        if (!cloud) return [];
        const [version] = KUBERNETES_READERS[cluster.type]!(cluster.props);
        if (!version) return [];
        return installedCharts((workloads as Record<string, any>)[cloud]?.objects).flatMap((c) => {
          const { support, release } = chartRelease(c.chart, c.version);
          if (!support) return [];
          const expected = judge(c, support, release, version.version);
          return expected
            ? [
                {
                  urn: cluster.urn,
                  property: version.property,
                  value: version.value,
                  expected: `${expected} (${c.by} on ${cloud})`,
                },
              ]
            : [];
        });
      });
    },
  };
}

/** The release's documented range does not hold the cluster's minor: what to do instead, or null. */
function outsideRange(c: InstalledChart, support: ChartSupport, release: ChartRelease, kubernetes: string) {
  const [min, max] = release.kubernetes;
  if (compareVersions(kubernetes, min) >= 0 && (max === null || compareVersions(kubernetes, max) <= 0)) return null;
  return `a Kubernetes minor ${named(support, c, release)} is documented for (${rangeText(release)}), or a release of it documented for ${kubernetes} (components/shared/mesh.ts pins it; ${support.url})`;
}

export const chartRules: readonly StackRule[] = [
  chartRule(
    {
      name: "preflight-versions-charts-kubernetes-unsupported",
      description:
        "A pinned chart whose own kubeVersion (which Helm enforces: the agent's install fails) excludes the cluster's Kubernetes minor; today the Prometheus chart's floor. Read from the Stack's workloads output.",
      level: "error",
    },
    (c, support, release, kubernetes) =>
      release?.enforcedByHelm ? outsideRange(c, support, release, kubernetes) : null,
  ),
  chartRule(
    {
      name: "preflight-versions-charts-kubernetes-untested",
      description:
        "A pinned External Secrets or Argo Rollouts chart whose project does not test or guarantee the cluster's Kubernetes minor (ESO's support table, Argo Rollouts' e2e matrix): nothing refuses the install, but the combination is one its project has not run. Read from the Stack's workloads output.",
      level: "warning",
    },
    (c, support, release, kubernetes) =>
      release && !release.enforcedByHelm ? outsideRange(c, support, release, kubernetes) : null,
  ),
  chartRule(
    {
      name: "preflight-versions-charts-release-unknown",
      description:
        "A pinned External Secrets, Argo Rollouts or Prometheus chart version that is not in the support table, so its Kubernetes range is unchecked. Read from the Stack's workloads output.",
      level: "warning",
    },
    (c, support, release) =>
      release
        ? null
        : `a ${c.chart} version in the table (${support.releases.map((r) => r.version).join(", ")}), or add ${named(support, c)}'s row to policies/preflight/calendar.ts from ${support.url}`,
  ),
];
