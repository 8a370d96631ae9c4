import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesCluster, KubernetesClusterBaseArgs } from "../shared/platform";
import { nodeMachine } from "@tricloud/vocabulary/sizes";
import { PODS_RANGE, SERVICES_RANGE } from "./network";
import type { GcpProjectServices } from "./services";

export interface GcpKubernetesClusterArgs extends KubernetesClusterBaseArgs {
  project: string;
  region: string;
  /** One zone makes a zonal cluster (dev, covered by the GKE free tier); more make a regional one. */
  zones: readonly string[];
  networkId: pulumi.Input<string>;
  /** Subnetwork holding the PODS_RANGE and SERVICES_RANGE secondary ranges. */
  subnetworkId: pulumi.Input<string>;
  /** The project's enabled APIs; every resource (and the version lookup) waits for the ones it calls. */
  apis: GcpProjectServices;
  /**
   * Let the autoscaler drain the node pool toward 0 (an off-hours schedule scales the services to zero). GKE takes
   * a minimum of 0, but this pool is the cluster's only one: kube-system's pods (kube-dns, metrics-server, Config
   * Sync's reconcilers) have nowhere else to go, and the autoscaler does not remove a node whose kube-system pods
   * cannot move (github.com/kubernetes/autoscaler cluster-autoscaler/FAQ.md, "What types of pods can prevent CA
   * from removing a node?", read 2026-11-30), so one node stays.
   */
  userPoolScalesToZero?: boolean;
  /**
   * Private ranges of other networks connected by VPN that may reach the control plane's private endpoint (the
   * other clouds' control planes); added to the authorized networks, which GKE applies to the private endpoint too.
   */
  privateAccessCidrs?: readonly string[];
}

/** The release channel the cluster is enrolled in; GKE refuses a version the channel does not offer. */
export const GKE_RELEASE_CHANNEL = "REGULAR";

/**
 * The version a new cluster starts on: the newest patch of the configured minor that the channel
 * offers (the provider's `releaseChannelLatestVersion`, filtered by `versionPrefix`; no key when the
 * channel has no such minor). Without one, the channel's default, which GKE accepts: the portability
 * pack's same-minor policy then names the mismatch instead of the deploy failing half-way.
 */
export function channelVersion(
  versions: {
    releaseChannelLatestVersion?: Readonly<Record<string, string>>;
    releaseChannelDefaultVersion?: Readonly<Record<string, string>>;
  },
  minor: string,
  channel = GKE_RELEASE_CHANNEL,
): string {
  const latest = versions.releaseChannelLatestVersion?.[channel];
  if (latest) return latest;
  const fallback = versions.releaseChannelDefaultVersion?.[channel];
  if (!fallback)
    throw new Error(
      `GKE reported no ${channel} channel versions; tricloud:kubernetesVersion ${minor} cannot be placed`,
    );
  pulumi.log.warn(
    `tricloud:kubernetesVersion: GKE's ${channel} channel offers no ${minor}.x; a new cluster would start on the channel's default ${fallback}`,
  );
  return fallback;
}

/** Control-plane and node log components, the GKE counterpart of EKS's control-plane log types. */
export const GKE_LOG_COMPONENTS = ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"];

/**
 * A GKE Standard cluster: VPC-native on the foundation's secondary ranges,
 * private nodes, shielded nodes, workload identity, Dataplane V2, and a
 * separately managed autoscaling node pool running as a least-privilege
 * service account (the default pool is removed).
 */
export class GcpKubernetesCluster extends pulumi.ComponentResource implements KubernetesCluster {
  readonly cloud = "gcp" as const;
  readonly clusterName: pulumi.Output<string>;
  /** `projects/P/locations/L/clusters/N`, what the fleet membership links to. */
  readonly clusterId: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly kubernetesVersion: string;
  /** The service account the nodes (and so the kubelet's image pulls) run as. */
  readonly nodeServiceAccountEmail: pulumi.Output<string>;
  readonly workloadPool: string;
  /** The control plane's private endpoint, what the other clouds reach over the VPN (GKE's certificate names the address). */
  readonly privateEndpoint: pulumi.Output<string>;
  readonly caData: pulumi.Output<string>;

  constructor(name: string, args: GcpKubernetesClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:gcp:KubernetesCluster", name, {}, opts);
    const iam = { parent: this, dependsOn: args.apis.of("iam.googleapis.com") };
    const child = { parent: this, dependsOn: args.apis.of("compute.googleapis.com", "container.googleapis.com") };
    const labels = { ...args.tags };
    const location = args.zones.length === 1 ? args.zones[0]! : args.region;

    const nodeAccount = new gcp.serviceaccount.Account(
      `${name}-nodes`,
      {
        project: args.project,
        accountId: `${name}-nodes`.slice(0, 30),
        displayName: `GKE nodes of ${name}`,
      },
      iam,
    );
    // The documented minimum for GKE nodes (logs, metrics), instead of the over-broad Compute default account.
    const nodeRole = new gcp.projects.IAMMember(
      `${name}-nodes-default`,
      {
        project: args.project,
        role: "roles/container.defaultNodeServiceAccount",
        member: pulumi.interpolate`serviceAccount:${nodeAccount.email}`,
      },
      { parent: this, dependsOn: args.apis.of("cloudresourcemanager.googleapis.com") },
    );

    // The configured minor, as the release channel offers it: a cluster in a channel only takes a version
    // the channel has, and the newest patch anywhere (latestMasterVersion) often is only in RAPID.
    const versions = gcp.container.getEngineVersionsOutput(
      { project: args.project, location, versionPrefix: `${args.kubernetesVersion}.` },
      { parent: this, dependsOn: args.apis.of("container.googleapis.com") },
    );

    const workloadPool = `${args.project}.svc.id.goog`;
    const privateOnly = args.publicAccessCidrs.length === 0;
    const cluster = new gcp.container.Cluster(
      name,
      {
        project: args.project,
        location,
        ...(args.zones.length > 1 ? { nodeLocations: [...args.zones] } : {}),
        minMasterVersion: versions.apply((v) => channelVersion(v, args.kubernetesVersion)),
        releaseChannel: { channel: GKE_RELEASE_CHANNEL },
        removeDefaultNodePool: true,
        initialNodeCount: 1,
        network: args.networkId,
        subnetwork: args.subnetworkId,
        networkingMode: "VPC_NATIVE",
        ipAllocationPolicy: { clusterSecondaryRangeName: PODS_RANGE, servicesSecondaryRangeName: SERVICES_RANGE },
        privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: privateOnly },
        masterAuthorizedNetworksConfig: {
          cidrBlocks: [
            ...args.publicAccessCidrs.map((cidrBlock) => ({ cidrBlock, displayName: "configured public access" })),
            ...(args.privateAccessCidrs ?? []).map((cidrBlock) => ({ cidrBlock, displayName: "cross-cloud VPN" })),
          ],
          gcpPublicCidrsAccessEnabled: false,
        },
        masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
        enableShieldedNodes: true,
        enableLegacyAbac: false,
        workloadIdentityConfig: { workloadPool },
        datapathProvider: "ADVANCED_DATAPATH",
        loggingConfig: { enableComponents: GKE_LOG_COMPONENTS },
        deletionProtection: args.production,
        resourceLabels: labels,
      },
      {
        ...child,
        // The starting version only: the channel upgrades the cluster from there, and the channel's newest
        // patch moves every few weeks, which would otherwise show as a change at every run.
        ignoreChanges: ["minMasterVersion"],
      },
    );

    const pool = args.nodePool;
    const zoneCount = Math.max(1, args.zones.length);
    new gcp.container.NodePool(
      `${name}-workers`,
      {
        project: args.project,
        location,
        cluster: cluster.name,
        // Per zone; the totals below are what the autoscaler keeps to.
        initialNodeCount: Math.ceil(pool.desiredNodes / zoneCount),
        autoscaling: {
          totalMinNodeCount: args.userPoolScalesToZero ? 0 : pool.minNodes,
          totalMaxNodeCount: pool.maxNodes,
          locationPolicy: "BALANCED",
        },
        management: { autoRepair: true, autoUpgrade: true },
        nodeConfig: {
          machineType: nodeMachine("gcp", pool.size),
          imageType: "COS_CONTAINERD",
          diskType: "pd-balanced",
          diskSizeGb: 50,
          serviceAccount: nodeAccount.email,
          oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
          shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
          workloadMetadataConfig: { mode: "GKE_METADATA" },
          metadata: { "disable-legacy-endpoints": "true" },
          resourceLabels: labels,
        },
      },
      {
        ...child,
        // The first nodes write logs and metrics with this role: they start after the grant, not before it.
        dependsOn: [...child.dependsOn, nodeRole],
        // Changing the initial count would replace the pool; the autoscaler owns the live size.
        ignoreChanges: ["initialNodeCount"],
      },
    );

    this.clusterName = cluster.name;
    this.clusterId = cluster.id;
    this.endpoint = pulumi.interpolate`https://${cluster.endpoint}`;
    this.privateEndpoint = pulumi.interpolate`https://${cluster.privateClusterConfig.apply((c) => c?.privateEndpoint ?? "")}`;
    this.kubernetesVersion = args.kubernetesVersion;
    // Not secret (every client of the API server holds it), but masterAuth also carries the client key, so the SDK marks
    // the whole object secret, and a secret CA would make every output built from it (the peers' remote secrets in
    // workloads.<cloud>.manifests) print as "[secret]" in `pulumi stack output --json`, which the publish step reads.
    this.caData = pulumi.unsecret(cluster.masterAuth.apply((a) => a.clusterCaCertificate ?? ""));
    this.nodeServiceAccountEmail = nodeAccount.email;
    this.workloadPool = workloadPool;
    this.kubeconfig = pulumi.secret(
      pulumi.all([cluster.name, cluster.endpoint, cluster.masterAuth]).apply(([n, endpoint, auth]) => {
        const context = `gke_${args.project}_${location}_${n}`;
        return JSON.stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [
            {
              name: context,
              cluster: { server: `https://${endpoint}`, "certificate-authority-data": auth.clusterCaCertificate },
            },
          ],
          contexts: [{ name: context, context: { cluster: context, user: context } }],
          "current-context": context,
          users: [
            {
              name: context,
              user: {
                exec: {
                  apiVersion: "client.authentication.k8s.io/v1beta1",
                  command: "gke-gcloud-auth-plugin",
                  provideClusterInfo: true,
                  interactiveMode: "Never",
                },
              },
            },
          ],
        });
      }),
    );
    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      kubeconfig: this.kubeconfig,
      nodeServiceAccountEmail: this.nodeServiceAccountEmail,
    });
  }
}
