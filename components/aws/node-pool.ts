import type { INodePool } from "@kubernetes-models/karpenter/karpenter.sh/v1/NodePool" with {
  "resolution-mode": "import",
};
import { NODE_SIZES, type Size } from "@tricloud/vocabulary/sizes";
import type { KubernetesObject } from "../workloads/render";

/**
 * EKS Auto Mode's compute, bounded by the config (docs/workloads.md, "Node autoscaling").
 *
 * The built-in `general-purpose` NodePool cannot be edited and has no limits
 * (docs.aws.amazon.com/eks/latest/userguide/set-builtin-node-pools.html), so the cluster enables only the built-in
 * `system` pool (tainted CriticalAddonsOnly; a built-in pool is what hands EKS the node role in
 * `computeConfig.nodeRoleArn`, whose access entry EKS creates, and the NodeClass below names that role) and the
 * services' nodes come from the NodePool below, applied by the Argo CD capability like the other rendered objects,
 * on the program's own NodeClass (below: NetworkPolicies are enforced on its nodes). Its `limits` cap the CPU and
 * memory of the nodes it launches (docs.aws.amazon.com/eks/latest/userguide/create-node-pool.html;
 * karpenter.sh/docs/concepts/nodepools/#speclimits),
 * and its requirements pin each node to the size class's shape (`eks.amazonaws.com/instance-cpu` and
 * `eks.amazonaws.com/instance-memory`, the labels of create-node-pool.html's "EKS Auto Mode Supported Labels"), so
 * the limits are a node count: the managed node group's `desiredNodes` plus this pool's nodes make `maxNodes`.
 */

/** The NodePool's name (a DNS label; it is cluster-scoped). */
export const AUTO_MODE_NODE_POOL = "tricloud-services";
/** The built-in pools the cluster enables: `system` only (never the unbounded `general-purpose`). */
export const AUTO_MODE_BUILTIN_POOLS = ["system"] as const;
/**
 * The program's own NodeClass, which the NodePool uses instead of the built-in `default` one (which EKS provisions
 * when a built-in pool is enabled and which no one can edit): it states the NetworkPolicy setting of the nodes it
 * launches (below). Not `default`, which create-node-class.html reserves.
 */
export const AUTO_MODE_NODE_CLASS = {
  group: "eks.amazonaws.com",
  kind: "NodeClass",
  name: "tricloud-services",
} as const;
/**
 * What the NodeClass's nodes do with NetworkPolicies: `DefaultAllow` enforces the policies that select a pod and
 * leaves what no policy selects to Kubernetes' default, allowed (the services' namespace has its own default-deny
 * policy), as on the node group's nodes; `DefaultDeny` would change that default for every pod on these nodes, the
 * system's too, which nothing here has been tried with
 * (docs.aws.amazon.com/eks/latest/userguide/auto-net-pol.html; create-node-class.html, "Node Class Specification").
 */
export const AUTO_MODE_NETWORK_POLICY = "DefaultAllow" as const;

/** What the NodeClass needs of the cluster: Pulumi outputs of components/aws/cluster.ts, resolved. */
export interface AutoModeNodeNetwork {
  /**
   * The IAM role name of the Auto Mode nodes: the role in the cluster's `computeConfig.nodeRoleArn`, whose EC2 access
   * entry EKS creates itself (create-node-class.html, "Considerations"); another role would need its own.
   */
  readonly roleName: string;
  /** The cluster's private subnets (the node group's and the control plane's interfaces'). */
  readonly subnetIds: readonly string[];
  /** The cluster security group, which EKS attaches to the control plane and the managed nodes. */
  readonly securityGroupId: string;
}

/** An EKS Auto Mode NodeClass (`eks.amazonaws.com/v1`): the fields create-node-class.html specifies that it sets. */
export interface AutoModeNodeClass extends KubernetesObject {
  apiVersion: "eks.amazonaws.com/v1";
  kind: "NodeClass";
  spec: {
    role: string;
    subnetSelectorTerms: { id: string }[];
    securityGroupSelectorTerms: { id: string }[];
    networkPolicy: "DefaultAllow" | "DefaultDeny";
  };
}

export interface AwsNodePoolConfig {
  readonly size: Size;
  readonly desiredNodes: number;
  readonly maxNodes: number;
}

/** What EKS may run at most: the node group's fixed nodes and the nodes the NodePool may add, each of the size class. */
export interface AwsNodeBound {
  readonly nodeGroupNodes: number;
  /** Nodes the NodePool may launch (its limits divided by one node's vCPUs and memory). */
  readonly autoModeNodes: number;
  /** One node of the size class: `eks.amazonaws.com/instance-cpu` and `-memory` (MiB) take these values. */
  readonly node: { readonly vcpus: number; readonly memoryMiB: number };
  /** The NodePool's `spec.limits`: Kubernetes quantities. */
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** The bound of one EKS cluster's nodes, from `tricloud:clusters.aws` (maxNodes >= desiredNodes: the schema checks it). */
export function awsNodeBound(pool: AwsNodePoolConfig): AwsNodeBound {
  const spec = NODE_SIZES[pool.size];
  const autoModeNodes = Math.max(0, pool.maxNodes - pool.desiredNodes);
  return {
    nodeGroupNodes: pool.desiredNodes,
    autoModeNodes,
    node: { vcpus: spec.vcpus, memoryMiB: spec.memoryGiB * 1024 },
    limits: { cpu: String(autoModeNodes * spec.vcpus), memory: `${autoModeNodes * spec.memoryGiB}Gi` },
  };
}

/**
 * The NodeClass the NodePool's nodes are launched with (create-node-class.html): the Auto Mode node role, the
 * cluster's private subnets and the cluster security group by id (those of the node group's nodes), and
 * `networkPolicy` set, so the nodes enforce the services' NetworkPolicies (auto-net-pol.html). The network policy
 * controller it needs is switched on by the `amazon-vpc-cni` ConfigMap, which the VPC CNI add-on writes from
 * `enableNetworkPolicy` (components/aws/cluster.ts), so it is not rendered here (docs/workloads.md).
 */
export function renderAutoModeNodeClass(net: AutoModeNodeNetwork): AutoModeNodeClass {
  return {
    apiVersion: "eks.amazonaws.com/v1",
    kind: "NodeClass",
    metadata: {
      name: AUTO_MODE_NODE_CLASS.name,
      labels: { "app.kubernetes.io/part-of": "tricloud", "app.kubernetes.io/managed-by": "tricloud" },
    },
    spec: {
      role: net.roleName,
      subnetSelectorTerms: net.subnetIds.map((id) => ({ id })),
      securityGroupSelectorTerms: [{ id: net.securityGroupId }],
      networkPolicy: AUTO_MODE_NETWORK_POLICY,
    },
  };
}

/**
 * The NodePool the services' extra nodes come from: on-demand amd64 nodes of exactly the size class's vCPUs and
 * memory (what the node group runs and what the cost model prices), at most `maxNodes - desiredNodes` of them.
 * Disruption and expiry are left to Auto Mode's defaults (consolidation of underused nodes, 336 h expiry).
 */
export function renderAutoModeNodePool(pool: AwsNodePoolConfig): INodePool & KubernetesObject {
  const b = awsNodeBound(pool);
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: {
      name: AUTO_MODE_NODE_POOL,
      labels: { "app.kubernetes.io/part-of": "tricloud", "app.kubernetes.io/managed-by": "tricloud" },
    },
    spec: {
      template: {
        spec: {
          nodeClassRef: { ...AUTO_MODE_NODE_CLASS },
          requirements: [
            { key: "eks.amazonaws.com/instance-cpu", operator: "In", values: [String(b.node.vcpus)] },
            { key: "eks.amazonaws.com/instance-memory", operator: "In", values: [String(b.node.memoryMiB)] },
            { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
            { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
          ],
        },
      },
      limits: { ...b.limits },
    },
  };
}
