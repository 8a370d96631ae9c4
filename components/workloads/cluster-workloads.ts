import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { Cloud } from "@tricloud/vocabulary/sizes";
import type { MeshRemoteSecrets, MeshSecretSource, MeshTopology } from "../shared/mesh";
import { ENGINE, meshInstalls, renderClusterMesh, yieldToRollouts } from "./mesh";
import { stripOrderHints, withSyncWaves } from "./order";
import {
  renderClusterWorkloads,
  requestedCapacity,
  servicesOn,
  type KubernetesObject,
  type WorkloadSpec,
} from "./render";
import { manifestYaml } from "./yaml";

export interface ClusterWorkloadsArgs {
  cloud: Cloud;
  /** The cluster's Kubernetes minor, e.g. "1.36". */
  kubernetesVersion: string;
  /** The cloud's registry (`<host>/<path>`, no tag): every image comes from it. */
  registryUrl: pulumi.Input<string>;
  services: Readonly<Record<string, WorkloadSpec>>;
  namespace?: string;
  /**
   * Cluster-scoped objects of the cloud's own that the same agent applies before the services (EKS Auto Mode's
   * NodeClass and NodePool, components/aws/node-pool.ts); an output where they name cloud resources.
   */
  clusterObjects?: pulumi.Input<readonly KubernetesObject[]>;
  /** The cluster's place in the mesh; without it the services run without sidecars or canaries. */
  mesh?: {
    topology: MeshTopology;
    /** How the External Secrets operator reads `cacerts`; absent where the cloud's secret store entry is not built. */
    secrets?: pulumi.Input<MeshSecretSource>;
    /** The peers' remote secrets (absent with the VPN off or without `secrets`: none is rendered). */
    remote?: pulumi.Input<MeshRemoteSecrets>;
    prometheusUrl: string;
  };
}

/** What the plan shows of one cluster's mesh. */
export interface MeshSummary {
  meshId: string;
  clusterName: string;
  network: string;
  istioVersion: string;
  /** The GitOps agent that installs the charts, and the charts as `release: chart@version`. */
  engine: string;
  charts: string[];
  /** The secret-store entry `istio-system/cacerts` comes from; null when none is built for this cloud. */
  cacertsFrom: string | null;
  /** Services with a canary (an Argo Rollouts Rollout). */
  canaries: string[];
  /** The store entry this cluster's reader token is pushed to; null when no remote secrets are rendered. */
  readerTokenTo: string | null;
  /** The peers this istiod reads through a remote secret, by cluster name (empty with the VPN off). */
  remoteClusters: string[];
}

/** Joins objects into one multi-document YAML file, the form the GitOps agents read. */
export function toManifestYaml(objects: readonly KubernetesObject[]): string {
  return objects.map(manifestYaml).join("---\n");
}

/**
 * What one cluster runs, rendered and not applied: the objects, their YAML and its sha256 are outputs that a CI
 * step publishes to the cloud's own store, from which the cloud's managed GitOps agent applies them
 * (docs/workloads.md). No child resources: nothing here calls the cluster's private API.
 */
export class ClusterWorkloads extends pulumi.ComponentResource {
  readonly cloud: Cloud;
  /** Services this cluster runs. */
  readonly services: string[];
  readonly objects: pulumi.Output<KubernetesObject[]>;
  /** Multi-document YAML of `objects`. */
  readonly manifests: pulumi.Output<string>;
  readonly sha256: pulumi.Output<string>;
  /** The cluster's place in the mesh (undefined without `mesh` or when it runs no service). */
  readonly mesh: pulumi.Output<MeshSummary | undefined>;
  /** CPU (millicores) and memory (MiB) the services request at their replica floor and at their HPA ceiling. */
  readonly requested: ReturnType<typeof requestedCapacity>;

  constructor(name: string, args: ClusterWorkloadsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:workloads:ClusterWorkloads", name, {}, opts);
    this.cloud = args.cloud;
    this.services = servicesOn(args.cloud, args.services).map(([n]) => n);
    const m = args.mesh;
    const inputs = pulumi.all([args.registryUrl, m?.secrets, m?.remote, args.clusterObjects]);
    this.objects = inputs.apply(([registryUrl, secrets, remote, clusterObjects]) => {
      const objects = [
        ...((clusterObjects as readonly KubernetesObject[] | undefined) ?? []),
        ...renderClusterWorkloads({
          cloud: args.cloud,
          kubernetesVersion: args.kubernetesVersion,
          registryUrl,
          services: args.services,
          namespace: args.namespace,
          mesh: m !== undefined,
        }),
        ...(m
          ? renderClusterMesh({
              cloud: args.cloud,
              topology: m.topology,
              services: args.services,
              namespace: args.namespace,
              secrets,
              remote,
              prometheusUrl: m.prometheusUrl,
            })
          : []),
      ];
      // What Argo Rollouts edits during a rollout is marked for the cluster's agent (components/workloads/mesh.ts).
      const marked = m ? yieldToRollouts(objects, ENGINE[args.cloud]) : objects;
      // Argo CD applies a custom kind's objects only in a wave after the chart that brings the kind
      // (components/workloads/order.ts); the other agents order by the files (Flux) and depends-on (Config Sync).
      return ENGINE[args.cloud] === "argocd" ? withSyncWaves(marked) : stripOrderHints(marked);
    });
    this.mesh = pulumi.all([m?.secrets, m?.remote]).apply(([secrets, remote]) => {
      if (!m || this.services.length === 0) return undefined;
      const c = m.topology.clusters[args.cloud];
      const input = {
        cloud: args.cloud,
        topology: m.topology,
        services: args.services,
        prometheusUrl: m.prometheusUrl,
      };
      return {
        meshId: m.topology.meshId,
        clusterName: c.clusterName,
        network: c.network,
        istioVersion: m.topology.istioVersion,
        engine: ENGINE[args.cloud],
        charts: meshInstalls(input).map((i) => `${i.name}: ${i.chart.chart}@${i.chart.version}`),
        cacertsFrom: secrets?.key ?? null,
        canaries: this.services.filter((n) => args.services[n]!.canary !== undefined),
        readerTokenTo: secrets && remote ? remote.tokenKey : null,
        remoteClusters: secrets && remote ? Object.values(remote.peers).map((p) => p!.clusterName) : [],
      };
    });
    this.manifests = this.objects.apply(toManifestYaml);
    this.sha256 = this.manifests.apply((y) => createHash("sha256").update(y).digest("hex"));
    this.requested = requestedCapacity(args.cloud, args.services);
    this.registerOutputs({ services: this.services, sha256: this.sha256, mesh: this.mesh });
  }
}
