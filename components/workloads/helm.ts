import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application" with {
  "resolution-mode": "import",
};
import type { IHelmRelease } from "@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmRelease" with {
  "resolution-mode": "import",
};
import type { IHelmRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/HelmRepository" with {
  "resolution-mode": "import",
};
import type { HelmChart } from "../shared/mesh";
import { DEPENDS_ON, dependsOnRef, objectWave, SYNC_WAVE } from "./order";
import type { KubernetesObject } from "./render";

/**
 * A Helm release as each cloud's GitOps agent declares it: the chart is pulled and installed in the cluster by the
 * agent (no Helm runs here, and no Kubernetes API is called). One function per agent, same input:
 * - Flux (AKS): a `HelmRepository` per repository and a `HelmRelease` per install, ordered by `dependsOn`
 *   (https://fluxcd.io/flux/components/helm/helmreleases/); what an install `waitsFor` comes first through the
 *   kustomizations (scripts/publish-manifests.mjs, fluxFiles);
 * - Argo CD (EKS capability): an `Application` with a Helm source per install, ordered by sync waves (after its
 *   `dependsOn` and its `waitsFor`, components/workloads/order.ts); the destination is the local cluster registered
 *   as `in-cluster` (EKS: "Register target clusters", argocd-register-clusters.html);
 * - Config Sync (GKE): a `RootSync` with `sourceType: helm` per install
 *   (https://cloud.google.com/kubernetes-engine/config-sync/docs/reference/rootsync-reposync-fields), annotated
 *   `config.kubernetes.io/depends-on` its `waitsFor`.
 */

export type GitOpsEngine = "flux" | "argocd" | "configsync";

export interface HelmInstall {
  /** The release name (and the agent object's name). */
  readonly name: string;
  readonly chart: HelmChart;
  /** The namespace the release installs into. */
  readonly namespace: string;
  readonly values: Record<string, unknown>;
  /** Releases that must be ready first (their CRDs or webhooks). */
  readonly dependsOn: readonly string[];
  /** Rendered objects (not releases) that must be ready before the release installs: istiod's `cacerts`. */
  readonly waitsFor?: readonly KubernetesObject[];
}

export const FLUX_NAMESPACE = "flux-system";
export const ARGOCD_NAMESPACE = "argocd";
export const CONFIG_SYNC_NAMESPACE = "config-management-system";
/** How often the agents look for a new chart version or drift. */
const INTERVAL = "10m";

const labels = { "app.kubernetes.io/part-of": "tricloud", "app.kubernetes.io/managed-by": "tricloud" };

/** A DNS-label name for a repository URL's host: istio-release-storage-googleapis-com. */
export const repositoryName = (url: string) =>
  new URL(url).host
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 63);

function flux(installs: readonly HelmInstall[]): KubernetesObject[] {
  const repos = [...new Set(installs.map((i) => i.chart.repo))].map((url): IHelmRepository & KubernetesObject => ({
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "HelmRepository",
    metadata: { name: repositoryName(url), namespace: FLUX_NAMESPACE, labels },
    spec: { url, interval: INTERVAL },
  }));
  const releases = installs.map((i): IHelmRelease & KubernetesObject => ({
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name: i.name, namespace: FLUX_NAMESPACE, labels },
    spec: {
      interval: INTERVAL,
      releaseName: i.name,
      targetNamespace: i.namespace,
      chart: {
        spec: {
          chart: i.chart.chart,
          version: i.chart.version,
          sourceRef: { kind: "HelmRepository", name: repositoryName(i.chart.repo), namespace: FLUX_NAMESPACE },
        },
      },
      install: { crds: "CreateReplace", remediation: { retries: 3 } },
      upgrade: { crds: "CreateReplace", remediation: { retries: 3 } },
      dependsOn: i.dependsOn.map((name) => ({ name })),
      values: i.values,
    },
  }));
  return [...repos, ...releases];
}

/** The wave of each install: one after the latest of the releases it depends on and of the objects it waits for. */
function waves(installs: readonly HelmInstall[]): Map<string, number> {
  const wave = new Map<string, number>();
  for (const i of installs) {
    const before = [
      ...i.dependsOn.map((d) => wave.get(d) ?? -1),
      ...(i.waitsFor ?? []).map((o) => objectWave(o, wave) ?? 0),
    ];
    wave.set(i.name, Math.max(-1, ...before) + 1);
  }
  return wave;
}

function argocd(installs: readonly HelmInstall[]): KubernetesObject[] {
  const wave = waves(installs);
  return installs.map((i): IApplication & KubernetesObject => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: i.name,
      namespace: ARGOCD_NAMESPACE,
      labels,
      annotations: { [SYNC_WAVE]: String(wave.get(i.name)) },
    },
    spec: {
      project: "default",
      source: {
        repoURL: i.chart.repo,
        chart: i.chart.chart,
        targetRevision: i.chart.version,
        helm: { releaseName: i.name, valuesObject: i.values },
      },
      destination: { name: "in-cluster", namespace: i.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ["ServerSideApply=true"],
        retry: { limit: 5, backoff: { duration: "30s", factor: 2, maxDuration: "10m" } },
      },
    },
  }));
}

function configsync(installs: readonly HelmInstall[]): KubernetesObject[] {
  // RootSyncs have no ordering between them: a release whose CRDs are not there yet fails and is retried at the
  // next period until they are. What a release waits for is its RootSync's depends-on: the root reconciler applies
  // that RootSync (and so installs the chart) only once those objects are reconciled (components/workloads/order.ts).
  return installs.map((i) => ({
    apiVersion: "configsync.gke.io/v1beta1",
    kind: "RootSync",
    metadata: {
      name: i.name,
      namespace: CONFIG_SYNC_NAMESPACE,
      labels,
      ...(i.waitsFor?.length ? { annotations: { [DEPENDS_ON]: i.waitsFor.map(dependsOnRef).join(",") } } : {}),
    },
    spec: {
      sourceFormat: "unstructured",
      sourceType: "helm",
      helm: {
        repo: i.chart.repo,
        chart: i.chart.chart,
        version: i.chart.version,
        releaseName: i.name,
        namespace: i.namespace,
        includeCRDs: true,
        auth: "none",
        period: "15m",
        values: i.values,
      },
    },
  }));
}

export function helmInstalls(engine: GitOpsEngine, installs: readonly HelmInstall[]): KubernetesObject[] {
  return engine === "flux" ? flux(installs) : engine === "argocd" ? argocd(installs) : configsync(installs);
}
