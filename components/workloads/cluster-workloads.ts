import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { Cloud } from "@tricloud/vocabulary/sizes";
import {
  renderClusterWorkloads,
  requestedCapacity,
  servicesOn,
  type KubernetesObject,
  type WorkloadSpec,
} from "./render";

export interface ClusterWorkloadsArgs {
  cloud: Cloud;
  /** The cluster's Kubernetes minor, e.g. "1.36". */
  kubernetesVersion: string;
  /** The cloud's registry (`<host>/<path>`, no tag): every image comes from it. */
  registryUrl: pulumi.Input<string>;
  services: Readonly<Record<string, WorkloadSpec>>;
  namespace?: string;
}

/** Joins objects into one multi-document YAML file, the form the GitOps agents read. */
export function toManifestYaml(objects: readonly KubernetesObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
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
  /** CPU (millicores) and memory (MiB) the services request at their replica floor and at their HPA ceiling. */
  readonly requested: ReturnType<typeof requestedCapacity>;

  constructor(name: string, args: ClusterWorkloadsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:workloads:ClusterWorkloads", name, {}, opts);
    this.cloud = args.cloud;
    this.services = servicesOn(args.cloud, args.services).map(([n]) => n);
    this.objects = pulumi.output(args.registryUrl).apply((registryUrl) =>
      renderClusterWorkloads({
        cloud: args.cloud,
        kubernetesVersion: args.kubernetesVersion,
        registryUrl,
        services: args.services,
        namespace: args.namespace,
      }),
    );
    this.manifests = this.objects.apply(toManifestYaml);
    this.sha256 = this.manifests.apply((y) => createHash("sha256").update(y).digest("hex"));
    this.requested = requestedCapacity(args.cloud, args.services);
    this.registerOutputs({ services: this.services, sha256: this.sha256 });
  }
}
