import type { Cloud } from "@tricloud/vocabulary/sizes";

/**
 * The one Istio mesh over the three clusters (docs/workloads.md, "The mesh"): its names, derived from the stack's
 * config, and the Helm charts it installs at pinned versions. Pure data: components/workloads/mesh.ts renders the
 * objects, components/shared/mesh-ca.ts issues the certificates.
 */

/** A Helm chart at a pinned version, from a classic (HTTPS index) Helm repository. */
export interface HelmChart {
  readonly repo: string;
  readonly chart: string;
  readonly version: string;
}

/**
 * Istio 1.30: the newest minor whose Kubernetes range includes the stacks' 1.36 on two sources read 2026-11-30
 * (1.32 to 1.36: IBM Cloud's add-on table, https://cloud.ibm.com/docs/containers?topic=containers-supported-cluster-addon-versions;
 * the release series page https://istio.io/latest/news/releases/1.30.x/ lists 1.30.4 of 2026-08-27 as its latest
 * patch). 1.31.0 (2026-08-31) exists, but no stored copy of its Kubernetes range was found: policies/preflight/istio.ts
 * holds the table the preflight rule checks against.
 */
export const ISTIO_VERSION = "1.30.4";
/** Istio's Helm repository (https://istio.io/latest/docs/setup/install/helm/). */
export const ISTIO_REPO = "https://istio-release.storage.googleapis.com/charts";

/** Istio's four charts, all at one version (`tricloud:mesh.istioVersion`, ISTIO_VERSION by default). */
export const istioCharts = (version: string) =>
  ({
    base: { repo: ISTIO_REPO, chart: "base", version },
    cni: { repo: ISTIO_REPO, chart: "cni", version },
    istiod: { repo: ISTIO_REPO, chart: "istiod", version },
    gateway: { repo: ISTIO_REPO, chart: "gateway", version },
  }) satisfies Record<string, HelmChart>;

/**
 * Argo Rollouts v1.9.1: chart argo-rollouts-2.41.1 from argo-helm, the newest chart release found on 2026-11-30
 * (https://github.com/argoproj/argo-helm/releases/tag/argo-rollouts-2.41.1).
 */
export const ROLLOUTS_CHART: HelmChart = {
  repo: "https://argoproj.github.io/argo-helm",
  chart: "argo-rollouts",
  version: "2.41.1",
};

/**
 * External Secrets Operator 2.14.0 (its chart version is the app version; https://charts.external-secrets.io): the
 * newest release found on 2026-11-30 (the v2.14.0 release notes, https://github.com/external-secrets/external-secrets/releases).
 */
export const EXTERNAL_SECRETS_CHART: HelmChart = {
  repo: "https://charts.external-secrets.io",
  chart: "external-secrets",
  version: "2.14.0",
};

/**
 * Prometheus (prometheus-community's `prometheus` chart 27.52.0, a release listed in its changelog) for the canary
 * analysis: Istio's sidecars carry the scrape annotations its default `kubernetes-pods` job reads (Istio's metrics
 * merging), so its server holds `istio_requests_total` for the cluster.
 */
export const PROMETHEUS_CHART: HelmChart = {
  repo: "https://prometheus-community.github.io/helm-charts",
  chart: "prometheus",
  version: "27.52.0",
};
/** The in-cluster Prometheus's query address (the release's server, renamed and on port 9090 as Istio's addon does). */
export const IN_CLUSTER_PROMETHEUS_URL = "http://prometheus.istio-system.svc:9090";

export const ISTIO_NAMESPACE = "istio-system";
export const ROLLOUTS_NAMESPACE = "argo-rollouts";
export const EXTERNAL_SECRETS_NAMESPACE = "external-secrets";
/** The Kubernetes service account External Secrets runs as: each cloud's identity is bound to it. */
export const EXTERNAL_SECRETS_SERVICE_ACCOUNT = "external-secrets";
/** Istio reads its plugged-in CA from this Secret in its namespace (https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/). */
export const CACERTS_SECRET = "cacerts";

/** Where each cluster sits, as the mesh names it. */
export interface MeshCluster {
  readonly cloud: Cloud;
  /** `global.multiCluster.clusterName`: the cluster's id in the mesh. */
  readonly clusterName: string;
  /** `global.network`: endpoints on another network are reached through that network's east-west gateway. */
  readonly network: string;
  /** The cloud's region: the nodes' `topology.kubernetes.io/region`, the locality Istio weights by. */
  readonly region: string;
}

export interface MeshTopology {
  /** `global.meshID`: one per environment. */
  readonly meshId: string;
  readonly environment: string;
  /** The Istio release every cluster runs (one control-plane version across the mesh). */
  readonly istioVersion: string;
  readonly clusters: Readonly<Record<Cloud, MeshCluster>>;
}

/** Names from the environment and the three regions: `tricloud-prod`, `prod-aws`, `prod-aws-us-east-1`. */
export function meshTopology(
  environment: string,
  regions: Readonly<Record<Cloud, string>>,
  istioVersion: string = ISTIO_VERSION,
): MeshTopology {
  const cluster = (cloud: Cloud): MeshCluster => ({
    cloud,
    clusterName: `${environment}-${cloud}`,
    network: `${environment}-${cloud}-${regions[cloud]}`,
    region: regions[cloud],
  });
  return {
    meshId: `tricloud-${environment}`,
    environment,
    istioVersion,
    clusters: { aws: cluster("aws"), azure: cluster("azure"), gcp: cluster("gcp") },
  };
}

/** The name of each cloud's secret-store entry holding a cluster's `cacerts` (Secrets Manager, Key Vault, Secret Manager). */
export const cacertsSecretName = (environment: string, cloud: Cloud) =>
  `tricloud-${environment}-${cloud}-istio-cacerts`;

/** How this cluster's External Secrets operator reads the cloud's secret store (components/<cloud>/gitops.ts). */
export interface MeshSecretSource {
  /** `ClusterSecretStore.spec.provider`: the store, read with the operator's own cloud identity. */
  readonly provider: Record<string, unknown>;
  /** The store entry holding the cluster's `cacerts` JSON (ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem). */
  readonly key: string;
  /** What the operator's service account (and pods) must carry for that identity. */
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  readonly podLabels: Readonly<Record<string, string>>;
}

/**
 * Istio's reader service account (created by the `base` chart, bound to the reader ClusterRole by the `istiod`
 * chart's reader-clusterrolebinding.yaml): a peer's istiod watches this cluster's API with its token.
 */
export const READER_SERVICE_ACCOUNT = "istio-reader-service-account";
/** The long-lived token Secret of the reader account (type kubernetes.io/service-account-token), in istio-system. */
export const READER_TOKEN_SECRET = "istio-reader-token";

/**
 * The store entry holding one cluster's reader token: the cluster's External Secrets operator pushes it to its own
 * cloud's store under this name, and the copy step (scripts/copy-reader-tokens.mjs) writes it to the two peers' stores
 * under the same name, so an entry's name says whose token it holds wherever it is.
 */
export const readerTokenSecretName = (environment: string, cloud: Cloud) =>
  `tricloud-${environment}-${cloud}-istio-reader-token`;

/**
 * The tag (label on GCP) External Secrets requires on an entry it did not create before it writes it, with the value
 * `external-secrets` (its AWS, Azure and GCP providers check it; PushSecret with an existing secret).
 */
export const ESO_MANAGED_BY = "managed-by";
export const ESO_MANAGED_TAG: Readonly<Record<string, string>> = { [ESO_MANAGED_BY]: "external-secrets" };

/** The Secret istioctl create-remote-secret names for a peer: `istio-remote-secret-<peer cluster name>`. */
export const remoteSecretName = (clusterName: string) => `istio-remote-secret-${clusterName}`;

/** One peer as this cluster's istiod reaches it (docs/workloads.md, "How each control plane reaches the others"). */
export interface MeshPeer {
  /** The peer's `global.multiCluster.clusterName`: the remote secret's cluster annotation and kubeconfig names. */
  readonly clusterName: string;
  /** The peer's API endpoint over the VPN (the stack output `crossCloud.apiEndpoints.<peer>`). */
  readonly server: string;
  /** The peer's cluster CA, base64 PEM as a kubeconfig's `certificate-authority-data` holds it. */
  readonly caData: string;
  /** The entry in this cluster's own store holding the copy of the peer's reader token. */
  readonly tokenKey: string;
}

/** The remote secrets of one cluster: present only with the VPN on (tricloud:network.crossCloud.enabled). */
export interface MeshRemoteSecrets {
  /** The entry this cluster's own reader token is pushed to, in its own cloud's store. */
  readonly tokenKey: string;
  readonly peers: Readonly<Partial<Record<Cloud, MeshPeer>>>;
  /**
   * The tags the own entry carries besides `managed-by` (Azure: the operator's write replaces an entry's tags with
   * `managed-by` and the PushSecret's own, so the program's tags are handed to it to keep).
   */
  readonly storeTags?: Readonly<Record<string, string>>;
}
