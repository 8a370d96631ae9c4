import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesCluster, KubernetesClusterBaseArgs } from "../shared/platform";
import { nodeMachine } from "../shared/sizes";
import { PODS_RANGE, SERVICES_RANGE } from "./network";

export interface GcpKubernetesClusterArgs extends KubernetesClusterBaseArgs {
  project: string;
  region: string;
  /** One zone makes a zonal cluster (dev, covered by the GKE free tier); more make a regional one. */
  zones: readonly string[];
  networkId: pulumi.Input<string>;
  /** Subnetwork holding the PODS_RANGE and SERVICES_RANGE secondary ranges. */
  subnetworkId: pulumi.Input<string>;
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
  readonly endpoint: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly kubernetesVersion: string;
  /** The service account the nodes (and so the kubelet's image pulls) run as. */
  readonly nodeServiceAccountEmail: pulumi.Output<string>;
  readonly workloadPool: string;

  constructor(name: string, args: GcpKubernetesClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:gcp:KubernetesCluster", name, {}, opts);
    const child = { parent: this };
    const labels = { ...args.tags };
    const location = args.zones.length === 1 ? args.zones[0]! : args.region;

    const nodeAccount = new gcp.serviceaccount.Account(`${name}-nodes`, {
      project: args.project,
      accountId: `${name}-nodes`.slice(0, 30),
      displayName: `GKE nodes of ${name}`,
    }, child);
    // The documented minimum for GKE nodes (logs, metrics), instead of the over-broad Compute default account.
    new gcp.projects.IAMMember(`${name}-nodes-default`, {
      project: args.project,
      role: "roles/container.defaultNodeServiceAccount",
      member: pulumi.interpolate`serviceAccount:${nodeAccount.email}`,
    }, child);

    // Pin the newest patch of the configured minor, so all three clouds run the same minor.
    const versions = gcp.container.getEngineVersionsOutput(
      { project: args.project, location, versionPrefix: `${args.kubernetesVersion}.` },
      child,
    );

    const workloadPool = `${args.project}.svc.id.goog`;
    const privateOnly = args.publicAccessCidrs.length === 0;
    const cluster = new gcp.container.Cluster(name, {
      project: args.project,
      location,
      ...(args.zones.length > 1 ? { nodeLocations: [...args.zones] } : {}),
      minMasterVersion: versions.latestMasterVersion,
      releaseChannel: { channel: "REGULAR" },
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      network: args.networkId,
      subnetwork: args.subnetworkId,
      networkingMode: "VPC_NATIVE",
      ipAllocationPolicy: { clusterSecondaryRangeName: PODS_RANGE, servicesSecondaryRangeName: SERVICES_RANGE },
      privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: privateOnly },
      masterAuthorizedNetworksConfig: {
        cidrBlocks: args.publicAccessCidrs.map((cidrBlock) => ({ cidrBlock, displayName: "configured public access" })),
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
    }, child);

    const pool = args.nodePool;
    const zoneCount = Math.max(1, args.zones.length);
    new gcp.container.NodePool(`${name}-workers`, {
      project: args.project,
      location,
      cluster: cluster.name,
      // Per zone; the totals below are what the autoscaler keeps to.
      initialNodeCount: Math.ceil(pool.desiredNodes / zoneCount),
      autoscaling: { totalMinNodeCount: pool.minNodes, totalMaxNodeCount: pool.maxNodes, locationPolicy: "BALANCED" },
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
    }, {
      parent: this,
      // Changing the initial count would replace the pool; the autoscaler owns the live size.
      ignoreChanges: ["initialNodeCount"],
    });

    this.clusterName = cluster.name;
    this.endpoint = pulumi.interpolate`https://${cluster.endpoint}`;
    this.kubernetesVersion = args.kubernetesVersion;
    this.nodeServiceAccountEmail = nodeAccount.email;
    this.workloadPool = workloadPool;
    this.kubeconfig = pulumi.secret(
      pulumi.all([cluster.name, cluster.endpoint, cluster.masterAuth]).apply(([n, endpoint, auth]) => {
        const context = `gke_${args.project}_${location}_${n}`;
        return JSON.stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [{ name: context, cluster: { server: `https://${endpoint}`, "certificate-authority-data": auth.clusterCaCertificate } }],
          contexts: [{ name: context, context: { cluster: context, user: context } }],
          "current-context": context,
          users: [{
            name: context,
            user: {
              exec: {
                apiVersion: "client.authentication.k8s.io/v1beta1",
                command: "gke-gcloud-auth-plugin",
                provideClusterInfo: true,
                interactiveMode: "Never",
              },
            },
          }],
        });
      }),
    );
    this.registerOutputs({ clusterName: this.clusterName, endpoint: this.endpoint, kubeconfig: this.kubeconfig, nodeServiceAccountEmail: this.nodeServiceAccountEmail });
  }
}
