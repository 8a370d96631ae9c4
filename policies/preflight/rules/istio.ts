import { compareVersions, ISTIO_RELEASES, ISTIO_SUPPORT_URL, istioRelease } from "../calendar";
import type { Finding, PreflightRule, PreflightSettings, ResourceRule } from "../rule";
import { KUBERNETES_READERS } from "./versions";

/**
 * The Istio release the mesh pins (`tricloud:mesh.istioVersion`, handed to preflight as a setting) against each
 * cluster's Kubernetes minor, on Istio's support table (../calendar.ts). Read on the clusters only, not their node
 * pools: one finding per cluster.
 */
const CLUSTER_TYPES = [
  "aws:eks/cluster:Cluster",
  "azure-native:containerservice:ManagedCluster",
  "gcp:container/cluster:Cluster",
] as const;

const supported = ISTIO_RELEASES.map((r) => `${r.minor}: Kubernetes ${r.kubernetes[0]}-${r.kubernetes[1]}`).join("; ");

function istioRule(
  meta: Pick<ResourceRule, "name" | "description" | "level">,
  judge: (istio: string, kubernetes: string, settings: PreflightSettings) => string | null,
): ResourceRule {
  return {
    ...meta,
    source: { url: ISTIO_SUPPORT_URL, read: "2026-11-30" },
    types: CLUSTER_TYPES,
    check: (props, resource, settings): Finding[] => {
      const istio = settings.istioVersion;
      if (!istio) return [];
      const [version] = KUBERNETES_READERS[resource.type]!(props);
      if (!version) return [];
      const expected = judge(istio, version.version, settings);
      return expected ? [{ property: version.property, value: version.value, expected }] : [];
    },
  };
}

export const istioRules: readonly PreflightRule[] = [
  istioRule(
    {
      name: "preflight-versions-istio-kubernetes-unsupported",
      description: "The mesh's pinned Istio release does not support the cluster's Kubernetes minor.",
      level: "error",
    },
    (istio, kubernetes) => {
      const r = istioRelease(istio);
      if (!r) return null;
      const [min, max] = r.kubernetes;
      if (compareVersions(kubernetes, min) >= 0 && compareVersions(kubernetes, max) <= 0) return null;
      return `a Kubernetes minor Istio ${istio} supports (${min} to ${max}), or an Istio release that supports ${kubernetes} (tricloud:mesh.istioVersion; ${supported})`;
    },
  ),
  istioRule(
    {
      name: "preflight-versions-istio-release-unknown",
      description: "The mesh's pinned Istio minor is not in the support table, so its Kubernetes range is unchecked.",
      level: "warning",
    },
    (istio) =>
      istioRelease(istio)
        ? null
        : `an Istio minor in the support table (${supported}), or add Istio ${istio}'s row to policies/preflight/calendar.ts`,
  ),
  istioRule(
    {
      name: "preflight-versions-istio-release-past-support",
      description: "The mesh's pinned Istio minor is past its end of support at the plan's date.",
      level: "warning",
    },
    (istio, _k, settings) => {
      const r = istioRelease(istio);
      if (!r?.end || settings.asOf < r.end) return null;
      return `an Istio minor still supported at ${settings.asOf}: ${r.minor} ended on ${r.end}`;
    },
  ),
];
