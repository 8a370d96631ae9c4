import type { KubernetesObject } from "./render";

/**
 * The order in which a cluster's agent must apply what the program renders, where order matters: an object of a custom
 * kind only after the chart that installs its CRD (and serves its admission webhook), and istiod only after the
 * `cacerts` ExternalSecret (istiod reads `cacerts` once, at start: without it, it signs with a root of its own and
 * keeps it; istio 1.30 pilot/pkg/bootstrap/istio_ca.go, createIstioCA). Each agent says it its own way:
 * - Argo CD (EKS): sync waves, `argocd.argoproj.io/sync-wave` (https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/).
 *   gitops-engine (pkg/sync/sync_context.go) applies one wave at a time, waits for its objects to be healthy, and
 *   fails the sync at the first object of a wave that fails to apply, never starting the next wave;
 * - Config Sync (GKE): `config.kubernetes.io/depends-on` on the dependent object, applied only once its
 *   dependencies are reconciled (https://cloud.google.com/kubernetes-engine/config-sync/docs/how-to/declare-resource-dependency);
 * - Flux (AKS): one kustomization per step, each `dependsOn` the one before (scripts/publish-manifests.mjs, fluxFiles;
 *   components/azure/gitops.ts).
 */

export const SYNC_WAVE = "argocd.argoproj.io/sync-wave";
export const DEPENDS_ON = "config.kubernetes.io/depends-on";

/**
 * Marks an object that waits on another cluster (it reads a value the peers push, or pushes one of this cluster's
 * for them): under Argo CD it goes in a wave after everything else. Until the peers have pushed and the deploy step
 * has copied, such an object is not Ready; Argo CD then marks it Degraded and stops the sync at its wave, so in an
 * earlier wave it held back istiod and everything after it (the mesh's remote secrets on a first deploy). The marker
 * is read here and removed from every rendered object (stripOrderHints), whatever the agent.
 */
export const LAST_WAVE = "tricloud.dev/last-wave";

const hinted = (o: KubernetesObject) => o.metadata.annotations?.[LAST_WAVE] !== undefined;

/** The object without this module's ordering marker. */
function unhinted(o: KubernetesObject): KubernetesObject {
  if (!hinted(o)) return o;
  const { [LAST_WAVE]: _, ...annotations } = o.metadata.annotations!;
  return { ...o, metadata: { ...o.metadata, annotations } };
}

/** Every object without this module's ordering marker (Flux and Config Sync order otherwise). */
export const stripOrderHints = (objects: readonly KubernetesObject[]) => objects.map(unhinted);

/** What must be installed before the API server accepts an object of a custom kind. */
export interface KindSource {
  /** The Helm release whose chart installs the CRD; null when the cluster or its GitOps agent brings it. */
  readonly crd: string | null;
  /** The release serving a validating webhook for the kind that fails closed, when another than `crd`'s. */
  readonly webhook?: string;
  /** Kinds (`group/Kind`) whose objects must be ready first: the store before what reads through it. */
  readonly after?: readonly string[];
}

const ISTIO = { crd: "istio-base", webhook: "istiod" } as const;
const STORE = "external-secrets.io/ClusterSecretStore";

/**
 * Every custom kind the program renders, by `group/Kind`, and what it needs first (a test checks that each rendered
 * kind outside Kubernetes' own groups is here; components/workloads/mesh.ts, meshInstalls, names the releases):
 * - External Secrets: its chart installs the CRDs and the webhooks. An ExternalSecret or PushSecret goes through the
 *   store, which must be ready first (Argo CD's health checks for both read their Ready condition);
 * - Istio: `istio-base` installs the CRDs and the `istiod-default-validator` webhook, which calls istiod and, with
 *   `base.validationFailurePolicy: Fail` (mesh.ts), refuses every Istio object until istiod answers (istio 1.30.3
 *   manifests/charts/base/templates/defaultrevision-validatingwebhookconfiguration.yaml);
 * - Argo Rollouts: its chart's CRDs;
 * - brought by the platform: Argo CD's Application (the EKS capability), Flux's HelmRelease and HelmRepository (AKS's
 *   microsoft.flux extension), Config Sync's RootSync (GKE's configmanagement feature), EKS Auto Mode's NodeClass
 *   and NodePool.
 */
export const CUSTOM_KINDS: Readonly<Record<string, KindSource>> = {
  [STORE]: { crd: "external-secrets" },
  "external-secrets.io/ExternalSecret": { crd: "external-secrets", after: [STORE] },
  "external-secrets.io/PushSecret": { crd: "external-secrets", after: [STORE] },
  "networking.istio.io/Gateway": ISTIO,
  "networking.istio.io/VirtualService": ISTIO,
  "networking.istio.io/DestinationRule": ISTIO,
  "security.istio.io/PeerAuthentication": ISTIO,
  "argoproj.io/Rollout": { crd: "argo-rollouts" },
  "argoproj.io/AnalysisTemplate": { crd: "argo-rollouts" },
  "argoproj.io/Application": { crd: null },
  "helm.toolkit.fluxcd.io/HelmRelease": { crd: null },
  "source.toolkit.fluxcd.io/HelmRepository": { crd: null },
  "configsync.gke.io/RootSync": { crd: null },
  "eks.amazonaws.com/NodeClass": { crd: null },
  "karpenter.sh/NodePool": { crd: null },
};

/** The API group of an apiVersion: "" for the core group (`v1`). */
export const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0]! : "");

/** Kubernetes' own groups: the core group, the unqualified ones (apps, batch, policy, autoscaling) and `*.k8s.io`. */
export const isBuiltInGroup = (group: string) => group === "" || !group.includes(".") || group.endsWith(".k8s.io");

type Typed = Pick<KubernetesObject, "apiVersion" | "kind">;
const kindKey = (o: Typed) => `${groupOf(o.apiVersion)}/${o.kind}`;

/** What an object's kind needs first; undefined for Kubernetes' own kinds. */
export function kindSource(o: Typed): KindSource | undefined {
  if (isBuiltInGroup(groupOf(o.apiVersion))) return undefined;
  const source = CUSTOM_KINDS[kindKey(o)];
  if (!source)
    throw new Error(
      `${kindKey(o)}: not in CUSTOM_KINDS (components/workloads/order.ts); expected an entry naming the release that installs its CRD`,
    );
  return source;
}

function keyWave(key: string, releaseWave: ReadonlyMap<string, number>): number | undefined {
  const source = CUSTOM_KINDS[key]!;
  const releases = [source.crd, source.webhook].flatMap((r) => (r ? [r] : []));
  const waves = [
    ...releases.map((r) => {
      const w = releaseWave.get(r);
      if (w === undefined) throw new Error(`${key} needs the release ${r}, which is not rendered before it`);
      return w;
    }),
    ...(source.after ?? []).map((k) => keyWave(k, releaseWave) ?? 0),
  ];
  return waves.length === 0 ? undefined : Math.max(...waves) + 1;
}

/**
 * Argo CD: the wave of an object, given the waves of the releases' Applications: one after everything its kind
 * needs; undefined (wave 0, the default) for a kind that needs no release.
 */
export function objectWave(o: Typed, releaseWave: ReadonlyMap<string, number>): number | undefined {
  return kindSource(o) === undefined ? undefined : keyWave(kindKey(o), releaseWave);
}

const isApplication = (o: KubernetesObject) => o.kind === "Application" && groupOf(o.apiVersion) === "argoproj.io";

/**
 * Argo CD: every object of a custom kind in the wave after what it needs, read from the rendered Applications'
 * waves (components/workloads/helm.ts); Kubernetes' own kinds (Namespaces, Deployments, ...) stay in wave 0.
 * An Application counts as applied once it exists: Argo CD assesses no Application's health since 1.8
 * (https://argo-cd.readthedocs.io/en/stable/operator-manual/health/, "Argocd App"), so a wave may start before the
 * chart of the wave before it is installed. That attempt fails and the bootstrap Application's retry
 * (scripts/publish-manifests.mjs, argoApplication) runs it again once the chart is there.
 */
export function withSyncWaves(objects: readonly KubernetesObject[]): KubernetesObject[] {
  const releaseWave = new Map(
    objects.filter(isApplication).map((a) => [a.metadata.name, Number(a.metadata.annotations?.[SYNC_WAVE] ?? 0)]),
  );
  const waved = objects.map((o) => {
    const wave = isApplication(o) || hinted(o) ? undefined : objectWave(o, releaseWave);
    return wave === undefined
      ? o
      : {
          ...o,
          metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), [SYNC_WAVE]: `${wave}` } },
        };
  });
  const last = Math.max(0, ...waved.map((o) => Number(o.metadata.annotations?.[SYNC_WAVE] ?? 0))) + 1;
  return waved.map((o) =>
    hinted(o)
      ? unhinted({
          ...o,
          metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, [SYNC_WAVE]: `${last}` } },
        })
      : o,
  );
}

/**
 * Config Sync: an object as a `config.kubernetes.io/depends-on` value names it, `<group>/namespaces/<namespace>/<Kind>/<name>`
 * or `<group>/<Kind>/<name>` cluster-scoped (the declare-resource-dependency page above; sigs.k8s.io/cli-utils
 * pkg/object/dependson/strings.go, which Config Sync applies with).
 */
export function dependsOnRef(o: KubernetesObject): string {
  const group = groupOf(o.apiVersion);
  const ns = o.metadata.namespace;
  return ns ? `${group}/namespaces/${ns}/${o.kind}/${o.metadata.name}` : `${group}/${o.kind}/${o.metadata.name}`;
}
