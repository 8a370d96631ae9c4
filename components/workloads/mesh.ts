import type { IDestinationRule } from "@kubernetes-models/istio/networking.istio.io/v1/DestinationRule" with {
  "resolution-mode": "import",
};
import type { IGateway } from "@kubernetes-models/istio/networking.istio.io/v1/Gateway" with {
  "resolution-mode": "import",
};
import type { IVirtualService } from "@kubernetes-models/istio/networking.istio.io/v1/VirtualService" with {
  "resolution-mode": "import",
};
import type { IPeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication" with {
  "resolution-mode": "import",
};
import type { IRollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout" with {
  "resolution-mode": "import",
};
import type { IAnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate" with {
  "resolution-mode": "import",
};
import type { IExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret" with {
  "resolution-mode": "import",
};
import type { IClusterSecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore" with {
  "resolution-mode": "import",
};
import type { IPushSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1alpha1/PushSecret" with {
  "resolution-mode": "import",
};
import type { ISecret } from "kubernetes-models/v1/Secret" with { "resolution-mode": "import" };
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy" with {
  "resolution-mode": "import",
};
import type { INamespace } from "kubernetes-models/v1/Namespace" with { "resolution-mode": "import" };
import type { IService } from "kubernetes-models/v1/Service" with { "resolution-mode": "import" };
import { createHash } from "node:crypto";
import { CLOUDS, type Cloud } from "@tricloud/vocabulary/sizes";
import {
  CACERTS_SECRET,
  EXTERNAL_SECRETS_CHART,
  EXTERNAL_SECRETS_NAMESPACE,
  EXTERNAL_SECRETS_SERVICE_ACCOUNT,
  IN_CLUSTER_PROMETHEUS_URL,
  istioCharts,
  ISTIO_NAMESPACE,
  PROMETHEUS_CHART,
  READER_SERVICE_ACCOUNT,
  READER_TOKEN_SECRET,
  remoteSecretName,
  ROLLOUTS_CHART,
  ROLLOUTS_NAMESPACE,
  type HelmChart,
  type MeshPeer,
  type MeshRemoteSecrets,
  type MeshSecretSource,
  type MeshTopology,
} from "../shared/mesh";
import { helmInstalls, type GitOpsEngine, type HelmInstall } from "./helm";
import { LAST_WAVE } from "./order";
import {
  DEFAULT_NAMESPACE,
  servicesOn,
  SIDECAR_REQUESTS,
  TRAFFIC_DEFAULTS,
  type KubernetesObject,
  type WorkloadSpec,
} from "./render";
import { manifestYaml } from "./yaml";

/**
 * The mesh's part of what one cluster runs (docs/workloads.md, "The mesh"), rendered like the workloads and
 * delivered by the same GitOps agent: Istio (base, CNI, istiod, the east-west gateway) and the two controllers it
 * relies on (External Secrets for the CA, Argo Rollouts for canaries) as the agent's Helm objects at pinned
 * versions; the `cross-network-gateway`; mTLS STRICT; and per service a DestinationRule, a VirtualService and, with
 * a canary, a Rollout and its error-rate AnalysisTemplate. No private key is ever rendered: `cacerts` is an
 * ExternalSecret that the External Secrets operator fills from the cloud's own secret store.
 */

export interface ClusterMeshInput {
  readonly cloud: Cloud;
  readonly topology: MeshTopology;
  readonly services: Readonly<Record<string, WorkloadSpec>>;
  readonly namespace?: string;
  /** Absent when the cloud's GitOps (and so its secret-store entry) is not built: then no `cacerts` is rendered. */
  readonly secrets?: MeshSecretSource;
  /**
   * The peers' remote secrets and this cluster's reader-token push; absent with the VPN off (no private path to the
   * peers' API servers) or without `secrets` (the same store carries the tokens), and then none is rendered.
   */
  readonly remote?: MeshRemoteSecrets;
  /** Where the canary analysis queries Istio's request metrics (a Prometheus-compatible API). */
  readonly prometheusUrl: string;
}

/** The GitOps agent each cloud runs (components/<cloud>/gitops.ts). */
export const ENGINE: Readonly<Record<Cloud, GitOpsEngine>> = { aws: "argocd", azure: "flux", gcp: "configsync" };

/**
 * The load balancer annotation that keeps the east-west gateway on the private network (the clouds' private path
 * between the three networks carries it): the per-cloud adapter, the only cloud-specific values here.
 * - EKS (Auto Mode's load balancer controller): https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-nlb.html
 * - AKS: https://learn.microsoft.com/en-us/azure/aks/internal-lb
 * - GKE: https://cloud.google.com/kubernetes-engine/docs/how-to/internal-load-balancing
 */
export const INTERNAL_LB_ANNOTATIONS: Readonly<Record<Cloud, Readonly<Record<string, string>>>> = {
  aws: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" },
  azure: { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" },
  gcp: { "networking.gke.io/load-balancer-type": "Internal" },
};

const MESH_LABELS = { "app.kubernetes.io/part-of": "tricloud", "app.kubernetes.io/managed-by": "tricloud" };
const fqdn = (name: string, ns: string) => `${name}.${ns}.svc.cluster.local`;
const ms = (n: number) => (n % 1000 === 0 ? `${n / 1000}s` : `${n}ms`);

function namespace(name: string, labels: Record<string, string>): INamespace & KubernetesObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { ...MESH_LABELS, ...labels } } };
}

/** The Helm installs, in dependency order: CRDs (base) before istiod, istiod before the gateway. */
export function meshInstalls(input: ClusterMeshInput): HelmInstall[] {
  const c = input.topology.clusters[input.cloud];
  const istio = istioCharts(input.topology.istioVersion);
  const global = { meshID: input.topology.meshId, multiCluster: { clusterName: c.clusterName }, network: c.network };
  // GKE restricts the node-critical priority class the CNI node agent uses to namespaces with a quota; the chart
  // handles it with `global.platform: gke` (https://istio.io/latest/docs/ambient/install/platform-prerequisites/#google-kubernetes-engine-gke).
  const platform = input.cloud === "gcp" ? { platform: "gke" } : {};
  const install = (
    name: string,
    chart: HelmChart,
    namespace: string,
    values: Record<string, unknown>,
    dependsOn: string[],
    waitsFor: KubernetesObject[] = [],
  ): HelmInstall => ({ name, chart, namespace, values, dependsOn, ...(waitsFor.length ? { waitsFor } : {}) });
  const secretsValues = {
    serviceAccount: {
      name: EXTERNAL_SECRETS_SERVICE_ACCOUNT,
      annotations: { ...(input.secrets?.serviceAccountAnnotations ?? {}) },
    },
    podLabels: { ...(input.secrets?.podLabels ?? {}) },
  };
  return [
    install("external-secrets", EXTERNAL_SECRETS_CHART, EXTERNAL_SECRETS_NAMESPACE, secretsValues, []),
    // The validating webhooks' failurePolicy stated (both charts read base.validationFailurePolicy): a chart rendered
    // as a fresh install, as Argo CD and Config Sync render it on every sync, says Ignore, istiod then sets Fail, and
    // the agent reverts it forever (istio/istio#52785).
    install(
      "istio-base",
      istio.base,
      ISTIO_NAMESPACE,
      { defaultRevision: "default", base: { validationFailurePolicy: "Fail" } },
      [],
    ),
    // On GKE the CNI plugin goes to /home/kubernetes/bin (/opt/cni/bin is read-only there). The chart picks that from
    // the cluster's version (a `-gke` GitVersion) when cniBinDir is unset, but Config Sync renders charts offline with
    // `helm template` and no --kube-version, so Helm's default version decides: /opt/cni/bin, and the agent never
    // becomes ready (istio/istio#53849: "You need `cniBinDir: /home/kubernetes/bin` set on GKE").
    install(
      "istio-cni",
      istio.cni,
      ISTIO_NAMESPACE,
      input.cloud === "gcp"
        ? { global: { ...platform }, cniBinDir: "/home/kubernetes/bin" }
        : { global: { ...platform } },
      ["istio-base"],
    ),
    install(
      "istiod",
      istio.istiod,
      ISTIO_NAMESPACE,
      // The sidecars' traffic redirection comes from the CNI node agent, so the application pods need no
      // NET_ADMIN init container and stay within the restricted Pod Security profile.
      {
        global: {
          ...global,
          ...platform,
          proxy: {
            resources: { requests: { cpu: `${SIDECAR_REQUESTS.cpu}m`, memory: `${SIDECAR_REQUESTS.memory}Mi` } },
          },
        },
        base: { validationFailurePolicy: "Fail" },
        pilot: { cni: { enabled: true } },
        meshConfig: { trustDomain: "cluster.local" },
      },
      ["istio-base", "istio-cni", "external-secrets"],
      // istiod reads `cacerts` once, at start; without it, it signs with a root of its own and keeps it (istio 1.30
      // pilot/pkg/bootstrap/istio_ca.go, createIstioCA), and cross-network mTLS fails. Each agent installs istiod
      // only once the ExternalSecret that writes it is ready (components/workloads/order.ts).
      input.secrets ? [cacertsSecret(input.secrets)] : [],
    ),
    install(
      "istio-eastwestgateway",
      istio.gateway,
      ISTIO_NAMESPACE,
      {
        // `networkGateway` makes the chart expose the cross-network ports (15443 mTLS passthrough, 15012, 15017).
        networkGateway: c.network,
        labels: { istio: "eastwestgateway", "topology.istio.io/network": c.network },
        service: { annotations: { ...INTERNAL_LB_ANNOTATIONS[input.cloud] } },
      },
      ["istiod"],
    ),
    install("argo-rollouts", ROLLOUTS_CHART, ROLLOUTS_NAMESPACE, {}, ["istiod"]),
    // The canary analysis's metrics, unless tricloud:mesh.prometheusUrl names another Prometheus.
    ...(input.prometheusUrl === IN_CLUSTER_PROMETHEUS_URL
      ? [
          install(
            "prometheus",
            PROMETHEUS_CHART,
            ISTIO_NAMESPACE,
            {
              server: {
                fullnameOverride: "prometheus",
                service: { servicePort: 9090 },
                // Every 15 s instead of the chart's 1 minute: the canary analysis takes a rate over its window (at least
                // 60 s), and a rate needs two samples in it (ANALYSIS_MIN_WINDOW_S is four scrapes).
                global: { scrape_interval: `${SCRAPE_INTERVAL_S}s` },
                // Enough for the analysis windows (minutes); no volume to provision per cloud.
                persistentVolume: { enabled: false },
                retention: "6h",
              },
              alertmanager: { enabled: false },
              "kube-state-metrics": { enabled: false },
              "prometheus-node-exporter": { enabled: false },
              "prometheus-pushgateway": { enabled: false },
            },
            ["istiod"],
          ),
        ]
      : []),
  ];
}

/** The Gateway that exposes this cluster's services to the other networks (Istio's expose-services.yaml). */
function crossNetworkGateway(): IGateway & KubernetesObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: { name: "cross-network-gateway", namespace: ISTIO_NAMESPACE, labels: MESH_LABELS },
    spec: {
      selector: { istio: "eastwestgateway" },
      servers: [
        {
          port: { number: 15443, name: "tls", protocol: "TLS" },
          tls: { mode: "AUTO_PASSTHROUGH" },
          hosts: ["*.local"],
        },
      ],
    },
  };
}

/** mTLS STRICT: mesh-wide (the root namespace) and again in the services' namespace, so neither can be loosened alone. */
function strictMtls(ns: string): (IPeerAuthentication & KubernetesObject)[] {
  return [ISTIO_NAMESPACE, ns].map((namespace) => ({
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    metadata: { name: "default", namespace, labels: MESH_LABELS },
    spec: { mtls: { mode: "STRICT" } },
  }));
}

/** The store every mesh ExternalSecret and PushSecret goes through (`cacerts`, then the reader tokens). */
const MESH_STORE = { kind: "ClusterSecretStore" as const, name: "mesh-ca" };

/** The store every mesh ExternalSecret reads through, with the operator's cloud identity. */
function meshStore(secrets: MeshSecretSource): IClusterSecretStore & KubernetesObject {
  // Cluster-scoped, so it may name the operator's own service account (a namespaced store only its own namespace's),
  // and usable from istio-system alone.
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ClusterSecretStore",
    metadata: { name: MESH_STORE.name, labels: MESH_LABELS },
    spec: {
      provider: secrets.provider as NonNullable<IClusterSecretStore["spec"]>["provider"],
      conditions: [{ namespaces: [ISTIO_NAMESPACE] }],
    },
  };
}

/** The cluster's intermediate CA, from the cloud's secret store into `istio-system/cacerts` (never in a manifest). */
function cacertsSecret(secrets: MeshSecretSource): IExternalSecret & KubernetesObject {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name: CACERTS_SECRET, namespace: ISTIO_NAMESPACE, labels: MESH_LABELS },
    spec: {
      refreshInterval: "1h",
      secretStoreRef: MESH_STORE,
      target: { name: CACERTS_SECRET, creationPolicy: "Owner" },
      // The entry is JSON with the four file names istiod reads as keys.
      dataFrom: [{ extract: { key: secrets.key } }],
    },
  };
}

/**
 * Per provider, the PushSecret metadata the push needs (External Secrets' provider sources, providers/v1/*):
 * - AWS: `secretPushFormat: string` writes SecretString (the default is SecretBinary), which the copy step and the
 *   peers' ExternalSecrets read as the token itself. No `tags`, on purpose: since External Secrets 2.4.0 (#6103,
 *   "do not set tags if undefined") the provider's patchTags leaves an entry's tags alone when the metadata names
 *   none, whereas with `tags` it untags every key not listed and retags what differs (UntagResource, TagResource),
 *   which the operator's role is not granted (components/aws/gitops.ts) and which would fight the program's tags;
 *   the chart pinned (components/shared/mesh.ts) is later than 2.4.0;
 * - GCP: `mergePolicy: Merge` keeps the labels the program gives the entry (the default replaces them with
 *   `managed-by` alone, an UpdateSecret the operator's identity is not granted);
 * - Azure: `tags`, the entry's tags (each write replaces them with `managed-by` and these).
 */
function pushMetadata(cloud: Cloud, remote: MeshRemoteSecrets): Record<string, unknown> {
  if (cloud === "aws") return { secretPushFormat: "string" };
  if (cloud === "gcp") return { mergePolicy: "Merge" };
  return { tags: { ...(remote.storeTags ?? {}) } };
}

/** A kubeconfig for one peer, the shape `istioctl create-remote-secret` writes, with the token left to the template. */
export function remoteKubeconfig(peer: Pick<MeshPeer, "clusterName" | "server" | "caData">, token: string): string {
  const n = peer.clusterName;
  return manifestYaml({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: n, cluster: { server: peer.server, "certificate-authority-data": peer.caData } }],
    contexts: [{ name: n, context: { cluster: n, user: n } }],
    "current-context": n,
    users: [{ name: n, user: { token } }],
  });
}

/**
 * What lets the peers' istiods read this cluster, and this istiod read theirs (Istio's multi-primary remote secrets):
 * - a long-lived token Secret for the reader service account (the API fills `token`, `ca.crt`, `namespace`);
 * - a PushSecret copying its `token` into this cloud's store (the entry the program creates, tagged
 *   `managed-by: external-secrets`, without which the operator refuses to write it);
 * - per peer, an ExternalSecret reading the peer's token (copied into this cloud's store by the deploy step) and
 *   templating the remote secret: labelled `istio/multiCluster: "true"`, annotated with the peer's cluster name, one
 *   key named after the peer holding its kubeconfig (endpoint and CA from the program, token from the store).
 */
function remoteSecrets(cloud: Cloud, remote: MeshRemoteSecrets): KubernetesObject[] {
  // All three wait on the other clusters (their tokens, the copy step) or feed them: under Argo CD, last (order.ts).
  const last = { [LAST_WAVE]: "true" };
  const token: ISecret & KubernetesObject = {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/service-account-token",
    metadata: {
      name: READER_TOKEN_SECRET,
      namespace: ISTIO_NAMESPACE,
      labels: MESH_LABELS,
      annotations: { "kubernetes.io/service-account.name": READER_SERVICE_ACCOUNT, ...last },
    },
  };
  const push: IPushSecret & KubernetesObject = {
    apiVersion: "external-secrets.io/v1alpha1",
    kind: "PushSecret",
    metadata: { name: READER_TOKEN_SECRET, namespace: ISTIO_NAMESPACE, labels: MESH_LABELS, annotations: last },
    spec: {
      refreshInterval: "1h",
      // The entry belongs to the program (it creates it and grants the writes): never deleted from here.
      deletionPolicy: "None",
      updatePolicy: "Replace",
      secretStoreRefs: [MESH_STORE],
      selector: { secret: { name: READER_TOKEN_SECRET } },
      data: [
        {
          match: { secretKey: "token", remoteRef: { remoteKey: remote.tokenKey } },
          metadata: {
            apiVersion: "kubernetes.external-secrets.io/v1alpha1",
            kind: "PushSecretMetadata",
            spec: pushMetadata(cloud, remote),
          },
        },
      ],
    },
  };
  const peers = CLOUDS.flatMap((c) => (remote.peers[c] ? [remote.peers[c]] : [])).map(
    (peer): IExternalSecret & KubernetesObject => {
      const name = remoteSecretName(peer.clusterName);
      return {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name, namespace: ISTIO_NAMESPACE, labels: MESH_LABELS, annotations: last },
        spec: {
          refreshInterval: "1h",
          secretStoreRef: MESH_STORE,
          target: {
            name,
            creationPolicy: "Owner",
            template: {
              engineVersion: "v2",
              metadata: {
                labels: { "istio/multiCluster": "true" },
                annotations: { "networking.istio.io/cluster": peer.clusterName },
              },
              data: { [peer.clusterName]: remoteKubeconfig(peer, "{{ .token }}") },
            },
          },
          data: [{ secretKey: "token", remoteRef: { key: peer.tokenKey } }],
        },
      };
    },
  );
  return [token, push, ...peers];
}

/** With sidecars, pods talk to istiod (xDS, 15012) and to other networks' east-west gateways (15443). */
function meshNetworkPolicy(ns: string): INetworkPolicy & KubernetesObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "allow-mesh", namespace: ns, labels: MESH_LABELS },
    spec: {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
      // Cross-network calls arrive through this cluster's east-west gateway.
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ISTIO_NAMESPACE } } }] }],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ISTIO_NAMESPACE } } }],
          ports: [{ protocol: "TCP", port: 15012 }],
        },
        { ports: [{ protocol: "TCP", port: 15443 }] },
      ],
    },
  };
}

/**
 * Outlier detection, the connection pool and the cross-cloud weights. The weights are a locality setting on the
 * destination (from each region, the configured share to each cloud's region), not VirtualService weights: the
 * VirtualService's route weights belong to the canary controller, and two owners of one field would fight.
 * https://istio.io/latest/docs/tasks/traffic-management/locality-load-balancing/distribute/
 */
function destinationRule(
  name: string,
  s: WorkloadSpec,
  ns: string,
  topology: MeshTopology,
): IDestinationRule & KubernetesObject {
  const t = s.traffic ?? TRAFFIC_DEFAULTS;
  const to = Object.fromEntries(
    CLOUDS.filter((c) => (s.clouds[c] ?? 0) > 0).map((c) => [`${topology.clusters[c].region}/*`, s.clouds[c]!]),
  );
  const distribute = CLOUDS.map((c) => ({ from: `${topology.clusters[c].region}/*`, to }));
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: { name, namespace: ns, labels: MESH_LABELS },
    spec: {
      host: fqdn(name, ns),
      trafficPolicy: {
        tls: { mode: "ISTIO_MUTUAL" },
        connectionPool: {
          tcp: { maxConnections: t.maxConnections },
          http: { http1MaxPendingRequests: t.maxPendingRequests },
        },
        outlierDetection: {
          consecutive5xxErrors: t.consecutive5xxErrors,
          interval: "10s",
          baseEjectionTime: "30s",
          maxEjectionPercent: t.maxEjectionPercent,
        },
        loadBalancer: { localityLbSetting: { enabled: true, distribute } },
      },
    },
  };
}

/**
 * The VirtualService's name: the service's, then the first 8 hex digits of the sha256 of its spec as rendered. The
 * agents leave a canaried service's VirtualService alone once it exists (its route weights are Argo Rollouts'), so a
 * changed timeout or retry policy must arrive as a new object: a new name, which the Rollout follows, while the
 * agent prunes the old one.
 */
export function virtualServiceName(name: string, spec: unknown): string {
  return `${name}-${createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 8)}`;
}

/**
 * What each agent is told about the objects Argo Rollouts edits during a rollout (the VirtualService's route weights,
 * the stable and canary Services' selectors), so that it does not put them back at its next sync:
 * - Flux: `kustomize.toolkit.fluxcd.io/ssa: IfNotPresent`, applied only while absent
 *   (https://fluxcd.io/flux/components/kustomize/kustomizations/#controlling-the-apply-behavior-of-resources);
 *   the ARM API's Flux configuration has no `driftIgnoreRules`;
 * - Config Sync: `client.lifecycle.config.k8s.io/mutation: ignore`, created and then not kept in step
 *   (https://docs.cloud.google.com/kubernetes-engine/config-sync/docs/concepts/configs, "Ignore object mutations");
 * - Argo CD: nothing on the objects; the bootstrap Application ignores the fields the rollouts controller manages
 *   and respects that when it syncs (scripts/publish-manifests.mjs, argoApplication).
 */
export const ROLLOUT_OWNED_ANNOTATIONS: Readonly<Record<GitOpsEngine, Readonly<Record<string, string>>>> = {
  flux: { "kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent" },
  configsync: { "client.lifecycle.config.k8s.io/mutation": "ignore" },
  argocd: {},
};

/**
 * Marks, in one cluster's objects, what Argo Rollouts edits for each canaried service (a Rollout names it): its
 * VirtualService and its stable and canary Services get the agent's annotation. Everything else stays the agent's.
 */
export function yieldToRollouts(objects: readonly KubernetesObject[], engine: GitOpsEngine): KubernetesObject[] {
  const annotations = ROLLOUT_OWNED_ANNOTATIONS[engine];
  if (Object.keys(annotations).length === 0) return [...objects];
  const owned = new Set<string>();
  for (const o of objects) {
    if (o.kind !== "Rollout") continue;
    const canary = (o as unknown as IRollout).spec?.strategy?.canary;
    const ns = o.metadata.namespace;
    if (canary?.stableService) owned.add(`Service/${ns}/${canary.stableService}`);
    if (canary?.canaryService) owned.add(`Service/${ns}/${canary.canaryService}`);
    const vs = canary?.trafficRouting?.istio?.virtualService?.name;
    if (vs) owned.add(`VirtualService/${ns}/${vs}`);
  }
  return objects.map((o) =>
    owned.has(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)
      ? { ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), ...annotations } } }
      : o,
  );
}

/** Retries and the timeout; with a canary, the `primary` route the Rollout splits between stable and canary. */
function virtualService(name: string, s: WorkloadSpec, ns: string): IVirtualService & KubernetesObject {
  const t = s.traffic ?? TRAFFIC_DEFAULTS;
  const route = s.canary
    ? [
        { destination: { host: fqdn(name, ns) }, weight: 100 },
        { destination: { host: fqdn(`${name}-canary`, ns) }, weight: 0 },
      ]
    : [{ destination: { host: fqdn(name, ns) } }];
  const spec = {
    hosts: [fqdn(name, ns)],
    http: [
      {
        name: "primary",
        route,
        timeout: ms(t.timeoutMs),
        retries: {
          attempts: t.retries,
          perTryTimeout: ms(t.perTryTimeoutMs),
          retryOn: "connect-failure,refused-stream,unavailable,cancelled,5xx",
        },
      },
    ],
  };
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    // Only a canaried service's VirtualService is left to Argo Rollouts, so only its name carries the spec's hash.
    metadata: { name: s.canary ? virtualServiceName(name, spec) : name, namespace: ns, labels: MESH_LABELS },
    spec,
  };
}

/** The Service the canary's pods answer on while a rollout runs (Argo Rollouts points its selector at them). */
function canaryService(name: string, s: WorkloadSpec, ns: string): IService & KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `${name}-canary`, namespace: ns, labels: { ...MESH_LABELS, "app.kubernetes.io/name": name } },
    spec: {
      type: "ClusterIP",
      selector: { "app.kubernetes.io/name": name },
      ports: [{ name: "http", port: s.port, targetPort: "http", protocol: "TCP" }],
    },
  };
}

/**
 * The canary of one service: the Rollout takes over the rendered Deployment's pod template (`workloadRef`, the
 * Deployment scaled down as the Rollout comes up), moves `weightPercent` of the traffic to the new version for
 * `intervalSeconds`, then half, then all; the analysis runs from the first step and aborts (rolls back to the stable
 * version) at the first measurement at or above `maxErrorRatePercent`.
 */
function rollout(name: string, s: WorkloadSpec, ns: string, virtualService: string): IRollout & KubernetesObject {
  const c = s.canary!;
  const pause = { pause: { duration: `${c.intervalSeconds}s` } };
  const steps = [{ setWeight: c.weightPercent }, pause, ...(c.weightPercent < 50 ? [{ setWeight: 50 }, pause] : [])];
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name, namespace: ns, labels: { ...MESH_LABELS, "app.kubernetes.io/name": name } },
    spec: {
      // No count, as on the Deployment (render.ts): the service's HPA scales the Rollout and owns spec.replicas
      // (https://argoproj.github.io/argo-rollouts/features/hpa-support/); a declared count would be re-applied by
      // the GitOps agent on every sync, undoing it.
      revisionHistoryLimit: 3,
      selector: { matchLabels: { "app.kubernetes.io/name": name } },
      workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name, scaleDown: "progressively" },
      strategy: {
        canary: {
          stableService: name,
          canaryService: `${name}-canary`,
          trafficRouting: { istio: { virtualService: { name: virtualService, routes: ["primary"] } } },
          analysis: {
            templates: [{ templateName: `${name}-error-rate` }],
            args: [
              { name: "service", value: `${name}-canary` },
              { name: "namespace", value: ns },
            ],
          },
          steps,
        },
      },
    },
  };
}

/** Prometheus' scrape interval in the clusters, and the shortest window the canary analysis takes a rate over. */
export const SCRAPE_INTERVAL_S = 15;
export const ANALYSIS_MIN_WINDOW_S = 4 * SCRAPE_INTERVAL_S;

/** Istio's own request metric: the share of 5xx answers of the canary's Service over the last interval. */
function analysisTemplate(
  name: string,
  c: NonNullable<WorkloadSpec["canary"]>,
  ns: string,
  prometheusUrl: string,
): IAnalysisTemplate & KubernetesObject {
  const selector =
    'reporter="source",destination_service_name="{{args.service}}",destination_service_namespace="{{args.namespace}}"';
  const window = `${Math.max(c.intervalSeconds, ANALYSIS_MIN_WINDOW_S)}s`;
  // No 5xx series at all is a rate of 0, not an empty result: without `or on() vector(0)` the division is empty while
  // the canary answers well, and an empty result is a measurement error (`result[0]` of nothing), not a success, so
  // the analysis would only ever error and never measure. No request at all leaves the denominator, and so the
  // result, empty: that is no evidence against the canary.
  const query =
    `(sum(rate(istio_requests_total{${selector},response_code=~"5.."}[${window}])) or on() vector(0)) / ` +
    `sum(rate(istio_requests_total{${selector}}[${window}]))`;
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: `${name}-error-rate`, namespace: ns, labels: MESH_LABELS },
    spec: {
      args: [{ name: "service" }, { name: "namespace" }],
      metrics: [
        {
          name: "error-rate",
          interval: `${c.intervalSeconds}s`,
          // No request in the window (an empty result, or NaN) is not a failure; the first measurement at the
          // threshold is.
          successCondition: `len(result) == 0 || isNaN(result[0]) || result[0] < ${c.maxErrorRatePercent / 100}`,
          failureLimit: 0,
          provider: { prometheus: { address: prometheusUrl, query } },
        },
      ],
    },
  };
}

/** Everything the mesh adds to one cluster, in apply order. Empty when the cloud runs no service. */
export function renderClusterMesh(input: ClusterMeshInput): KubernetesObject[] {
  const ns = input.namespace ?? DEFAULT_NAMESPACE;
  const running = servicesOn(input.cloud, input.services);
  if (running.length === 0) return [];
  const c = input.topology.clusters[input.cloud];
  const objects: KubernetesObject[] = [
    // The CNI node agent needs host access: istio-system is the one namespace outside the restricted profile.
    namespace(ISTIO_NAMESPACE, {
      "topology.istio.io/network": c.network,
      "pod-security.kubernetes.io/enforce": "privileged",
    }),
    namespace(EXTERNAL_SECRETS_NAMESPACE, { "pod-security.kubernetes.io/enforce": "restricted" }),
    namespace(ROLLOUTS_NAMESPACE, { "pod-security.kubernetes.io/enforce": "restricted" }),
    ...helmInstalls(ENGINE[input.cloud], meshInstalls(input)),
    crossNetworkGateway(),
    ...strictMtls(ns),
    ...(input.secrets ? [meshStore(input.secrets), cacertsSecret(input.secrets)] : []),
    ...(input.secrets && input.remote ? remoteSecrets(input.cloud, input.remote) : []),
    meshNetworkPolicy(ns),
  ];
  for (const [name, s] of running) {
    const vs = virtualService(name, s, ns);
    objects.push(destinationRule(name, s, ns, input.topology), vs);
    if (s.canary)
      objects.push(
        canaryService(name, s, ns),
        rollout(name, s, ns, vs.metadata.name),
        analysisTemplate(name, s.canary, ns, input.prometheusUrl),
      );
  }
  return objects;
}
