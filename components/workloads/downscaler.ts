import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment" with { "resolution-mode": "import" };
import type { IRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role" with { "resolution-mode": "import" };
import type { IRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding" with {
  "resolution-mode": "import",
};
import type { INamespace } from "kubernetes-models/v1/Namespace" with { "resolution-mode": "import" };
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount" with { "resolution-mode": "import" };
import type { Cloud } from "@tricloud/vocabulary/sizes";
import { toManifestYaml } from "./cluster-workloads";
import {
  DEFAULT_NAMESPACE,
  imageReference,
  restrictedContainerSecurity,
  RUN_AS_USER,
  type KubernetesObject,
} from "./render";

/**
 * Off-hours scale-to-zero, in the cluster: py-kube-downscaler (github.com/caas-team/py-kube-downscaler) scales the
 * services' Deployments to 0 replicas outside `--default-uptime` and back to their recorded count inside it; each
 * cloud's node autoscaler then removes the emptied user nodes.
 *
 * Why this way: it is the one mechanism that works the same on all three clusters. It is plain Kubernetes objects,
 * so it reaches the private clusters through the GitOps path the services already take, and it needs nothing of a
 * cloud's API. The alternatives fail on at least one cloud: a KEDA cron scaler brings its own HPA, which would fight
 * the HPAs the services already have; resizing the pools on a schedule from outside would be three different
 * mechanisms (ASG scheduled actions, `az aks nodepool scale` or an Automation runbook, a GKE resize from a CI cron),
 * each fighting the autoscaler that owns the live count and leaving the services' pods pending instead of stopped.
 *
 * What stays up off hours: the control planes; AKS's system pool (a system pool cannot be empty) with Flux, the
 * downscaler and kube-system; the EKS managed node group, which nothing autoscales (coredns and metrics-server run
 * there), while Auto Mode empties and removes its own nodes; on GKE the last node of the cluster's only pool, which
 * kube-system's pods (and Config Sync) keep. Databases, functions and the edge are untouched.
 *
 * It runs in constrained mode (`--namespace`): a Role in the services' namespace, no ClusterRole. Setting a
 * Deployment's replicas to 0 also stops its HPA from scaling it (the HPA cannot hold minReplicas 0), which the
 * project's README describes as the way to downscale HPA-managed Deployments to zero.
 */

/** The release mirrored into each stack registry (chart appVersion 26.4.0, tag v26.4.0; read 2026-11-30). */
export const DOWNSCALER_IMAGE = { repository: "py-kube-downscaler", tag: "26.4.0" } as const;
/** Where it is pulled from when CI mirrors it into the stack's registries (scripts/publish-manifests.mjs). */
export const DOWNSCALER_UPSTREAM = `ghcr.io/caas-team/py-kube-downscaler:${DOWNSCALER_IMAGE.tag}`;
export const DOWNSCALER_NAMESPACE = "kube-downscaler";
const NAME = "kube-downscaler";

export interface DownscalerInput {
  readonly cloud: Cloud;
  /** Kubernetes minor, e.g. "1.36": the namespace's Pod Security Standard is pinned to it. */
  readonly kubernetesVersion: string;
  readonly registryUrl: string;
  /** The downscaler's `--default-uptime`, e.g. "Mon-Fri 07:00-19:00 America/New_York" (stacks/config/schedule.ts). */
  readonly uptime: string;
  /** The namespace whose Deployments it scales. */
  readonly namespace?: string;
}

/**
 * Where the downscaler may run: on what stays up when the user pools drain, so it is never what keeps a user node.
 * AKS: the system pool (label kubernetes.azure.com/mode=system, taint CriticalAddonsOnly, which this pod tolerates;
 * learn.microsoft.com/en-us/azure/aks/use-system-pools, read 2026-11-30).
 * EKS: the managed node group, not an Auto Mode node (Auto Mode labels its nodes eks.amazonaws.com/compute-type=auto;
 * docs.aws.amazon.com/eks/latest/userguide/associate-workload.html, read 2026-11-30).
 * GKE: its one pool, whose last node stays for the system pods anyway.
 */
export function placement(cloud: Cloud): Pick<PodSpec, "nodeSelector" | "tolerations" | "affinity"> {
  if (cloud === "azure")
    return {
      nodeSelector: { "kubernetes.azure.com/mode": "system" },
      tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists", effect: "NoSchedule" }],
    };
  if (cloud === "aws")
    return {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: "eks.amazonaws.com/compute-type", operator: "NotIn", values: ["auto"] }] },
            ],
          },
        },
      },
    };
  return {};
}

type PodSpec = NonNullable<NonNullable<IDeployment["spec"]>["template"]["spec"]>;
type Typed<T> = T & KubernetesObject;

const labels = { "app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "tricloud" };

/** The objects one cluster needs for the schedule: namespace, service account, Role and binding, Deployment. */
export function renderDownscaler(input: DownscalerInput): KubernetesObject[] {
  const target = input.namespace ?? DEFAULT_NAMESPACE;
  const pss = Object.fromEntries(
    ["enforce", "audit", "warn"].flatMap((mode) => [
      [`pod-security.kubernetes.io/${mode}`, "restricted"],
      [`pod-security.kubernetes.io/${mode}-version`, `v${input.kubernetesVersion}`],
    ]),
  );
  const meta = { name: NAME, namespace: DOWNSCALER_NAMESPACE, labels };
  const namespace: Typed<INamespace> = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: DOWNSCALER_NAMESPACE, labels: { ...labels, ...pss } },
  };
  const account: Typed<IServiceAccount> = { apiVersion: "v1", kind: "ServiceAccount", metadata: meta };
  const role: Typed<IRole> = {
    // Constrained mode reads its namespace and pods and scales Deployments there (the chart's namespaced Role,
    // reduced to the kinds it is told to scale).
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: NAME, namespace: target, labels },
    rules: [
      { apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "watch", "list"] },
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "watch", "list", "update", "patch"] },
    ],
  };
  const binding: Typed<IRoleBinding> = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: NAME, namespace: target, labels },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: NAME },
    subjects: [{ kind: "ServiceAccount", name: NAME, namespace: DOWNSCALER_NAMESPACE }],
  };
  const deployment: Typed<IDeployment> = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta,
    spec: {
      replicas: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": NAME } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: NAME,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS_USER,
            runAsGroup: RUN_AS_USER,
            seccompProfile: { type: "RuntimeDefault" },
          },
          ...placement(input.cloud),
          containers: [
            {
              name: NAME,
              image: imageReference(input.cloud, input.registryUrl, DOWNSCALER_IMAGE),
              args: [
                "--interval=60",
                `--namespace=${target}`,
                "--include-resources=deployments",
                `--default-uptime=${input.uptime}`,
              ],
              // The chart's own requests and limits.
              resources: { requests: { cpu: "200m", memory: "300Mi" }, limits: { cpu: "500m", memory: "900Mi" } },
              securityContext: restrictedContainerSecurity(),
            },
          ],
        },
      },
    },
  };
  return [namespace, account, role, binding, deployment];
}

export interface DownscalerArgs extends Omit<DownscalerInput, "registryUrl"> {
  registryUrl: pulumi.Input<string>;
}

/**
 * The schedule's objects for one cluster, rendered and not applied (like ClusterWorkloads): CI publishes `manifests`
 * beside the services' so the cluster's GitOps agent applies both.
 */
export class Downscaler extends pulumi.ComponentResource {
  readonly objects: pulumi.Output<KubernetesObject[]>;
  readonly manifests: pulumi.Output<string>;
  readonly sha256: pulumi.Output<string>;
  /** The image the Deployment pulls: DOWNSCALER_UPSTREAM mirrored into the stack's registry by CI. */
  readonly image: pulumi.Output<string>;

  constructor(name: string, args: DownscalerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:workloads:Downscaler", name, {}, opts);
    this.objects = pulumi
      .output(args.registryUrl)
      .apply((registryUrl) => renderDownscaler({ ...args, registryUrl: registryUrl }));
    this.manifests = this.objects.apply(toManifestYaml);
    this.sha256 = this.manifests.apply((y) => createHash("sha256").update(y).digest("hex"));
    this.image = pulumi.output(args.registryUrl).apply((u) => imageReference(args.cloud, u, DOWNSCALER_IMAGE));
    this.registerOutputs({ sha256: this.sha256 });
  }
}
