import type { StackValidationPolicy } from "@pulumi/policy";
import {
  CLUSTER_CLOUDS,
  WORKLOADS_OUTPUT,
  workloadsOf,
  type ClusterCloud,
  type ClusterWorkloadsOutput,
} from "./workloads";

/**
 * Annotation and label keys only one cloud's Kubernetes understands: its load balancer controller, its workload
 * identity webhook, its node labels. The rendered objects carry them where a cloud's adapter puts them
 * (components/<cloud>/gitops.ts: the External Secrets identity, the east-west gateway's internal load balancer);
 * anywhere else they are either ignored (another cloud's key) or tie a portable object to one cloud.
 * Each prefix was read on the page named beside it on 2026-11-30.
 */
export interface CloudKeyPrefix {
  readonly cloud: ClusterCloud;
  /** A key belongs to the cloud when it starts with this. */
  readonly prefix: string;
  readonly what: string;
  readonly source: string;
}

export const CLOUD_KEY_PREFIXES: readonly CloudKeyPrefix[] = [
  {
    cloud: "aws",
    prefix: "service.beta.kubernetes.io/aws-load-balancer-",
    what: "a Service's AWS load balancer (scheme, type, target type, ...)",
    source: "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/",
  },
  {
    cloud: "aws",
    prefix: "eks.amazonaws.com/",
    what: "EKS: the IAM role of a service account (eks.amazonaws.com/role-arn), EKS node labels",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
  },
  {
    cloud: "azure",
    prefix: "service.beta.kubernetes.io/azure-",
    what: "a Service's Azure load balancer (azure-load-balancer-internal, ...)",
    source:
      "https://learn.microsoft.com/en-us/azure/aks/internal-lb ; https://kubernetes-sigs.github.io/cloud-provider-azure/topics/loadbalancer",
  },
  {
    cloud: "azure",
    prefix: "azure.workload.identity/",
    what: "Microsoft Entra Workload ID: client-id and tenant-id on a service account, the use label on its pods",
    source:
      "https://learn.microsoft.com/en-us/azure/aks/workload-identity-overview ; https://azure.github.io/azure-workload-identity/docs/topics/service-account-labels-and-annotations.html",
  },
  {
    cloud: "gcp",
    prefix: "networking.gke.io/",
    what: "a Service's GKE load balancer (networking.gke.io/load-balancer-type, ...)",
    source: "https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters",
  },
  {
    cloud: "gcp",
    prefix: "cloud.google.com/",
    what: "GKE load balancing and node keys (cloud.google.com/l4-rbs, cloud.google.com/neg, cloud.google.com/gke-nodepool, ...)",
    source: "https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters",
  },
  {
    cloud: "gcp",
    prefix: "iam.gke.io/",
    what: "Workload Identity Federation for GKE: the IAM service account of a Kubernetes service account",
    source: "https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity",
  },
];

export const cloudOfKey = (key: string): ClusterCloud | undefined =>
  CLOUD_KEY_PREFIXES.find((p) => key.startsWith(p.prefix))?.cloud;

/** The kinds that make up a service of `tricloud:services` on every cloud alike (components/workloads/render.ts). */
const SERVICE_MATRIX_KINDS = ["Deployment", "Rollout", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"];

const TITLE: Record<ClusterCloud, string> = { aws: "AWS", azure: "Azure", gcp: "GCP" };

interface KeyUse {
  readonly key: string;
  readonly cloud: ClusterCloud;
  /** Where in the object: the map holding the key, or the field naming it (a node affinity's `key`). */
  readonly at: string;
}

/**
 * Every cloud key in one object, wherever it sits: metadata, a pod template, a Helm release's values. A key is a
 * property name (annotations, labels, node selectors) or the string a `key`/`topologyKey` field names (affinities,
 * tolerations, spread constraints). Walked by hand: no library reads both shapes of a Kubernetes key.
 */
function cloudKeysIn(value: unknown, path: string, out: KeyUse[] = []): KeyUse[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => cloudKeysIn(v, `${path}[${i}]`, out));
    return out;
  }
  if (!value || typeof value !== "object") return out;
  for (const [k, v] of Object.entries(value)) {
    const cloud = cloudOfKey(k);
    if (cloud) out.push({ key: k, cloud, at: path || "(top)" });
    if ((k === "key" || k === "topologyKey") && typeof v === "string") {
      const named = cloudOfKey(v);
      if (named) out.push({ key: v, cloud: named, at: path ? `${path}.${k}` : k });
    }
    cloudKeysIn(v, path ? `${path}.${k}` : k, out);
  }
  return out;
}

type Obj = NonNullable<ClusterWorkloadsOutput["objects"]>[number];
const nameOf = (o: Obj) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`;

/** What is out of place in the clusters' objects: another cloud's keys, and any cloud's key on a service's objects. */
export function cloudKeyFindings(all: Partial<Record<ClusterCloud, ClusterWorkloadsOutput>>): string[] {
  const out: string[] = [];
  for (const cloud of CLUSTER_CLOUDS) {
    const w = all[cloud];
    if (!w) continue;
    const services = new Set(w.services ?? []);
    for (const o of w.objects ?? []) {
      const portable = SERVICE_MATRIX_KINDS.includes(o.kind ?? "") && services.has(o.metadata?.name ?? "");
      for (const use of cloudKeysIn(o, "")) {
        const where = `${cloud}: ${nameOf(o)} carries ${use.key} (${TITLE[use.cloud]}'s, at ${use.at})`;
        if (portable)
          out.push(
            `${where}: a service's ${o.kind} is the same on every cloud (components/workloads/render.ts); a cloud's keys belong in that cloud's adapter (components/${use.cloud}/gitops.ts).`,
          );
        else if (use.cloud !== cloud)
          out.push(
            `${where}: only ${TITLE[use.cloud]}'s cluster reads it; render it from components/${use.cloud}/gitops.ts for that cluster alone.`,
          );
      }
    }
  }
  return out;
}

export const cloudKeysInAdapters: StackValidationPolicy = {
  name: "portability-workloads-cloud-keys-in-adapters",
  description:
    "Requires cloud-specific annotation and label keys (AWS, Azure, GKE load balancers and workload identities) only on objects of that cloud's own cluster, and never on the Deployments, Services, HPAs and PDBs of the service matrix.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const all = workloadsOf(args);
    if (!all) return args.notApplicable(`the stack exports no ${WORKLOADS_OUTPUT}`);
    for (const f of cloudKeyFindings(all)) reportViolation(f);
  },
};
