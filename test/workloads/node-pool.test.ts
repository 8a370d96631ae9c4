import { describe, expect, it } from "vitest";
import {
  AUTO_MODE_BUILTIN_POOLS,
  AUTO_MODE_NETWORK_POLICY,
  AUTO_MODE_NODE_CLASS,
  AUTO_MODE_NODE_POOL,
  awsNodeBound,
  renderAutoModeNodeClass,
  renderAutoModeNodePool,
} from "../../components/aws/node-pool";
import { parseStackConfig } from "../../stacks/config/load";
import { poolCapacity } from "../../stacks/workloads";
import { machineAllocatable } from "@tricloud/vocabulary/allocatable";
import { MACHINE_SPECS, NODE_SIZES, SIZES, nodeMachine } from "@tricloud/vocabulary/sizes";
import { stackConfig } from "../helpers/config";
import { input, ofType, oneOfType, planStack, planStackWithoutEksArgoCd } from "../helpers/plan";

const STACKS = ["dev", "staging", "prod"] as const;
const config = (stack: string, ...overrides: string[]) => parseStackConfig(stackConfig(stack, ...overrides), stack);

/** Karpenter's own CRD schema (karpenter.sh/v1 NodePool), as packaged by @kubernetes-models/karpenter 2.0.0. */
async function schemaProblems(o: unknown): Promise<string[]> {
  const { NodePool } = await import("@kubernetes-models/karpenter/karpenter.sh/v1");
  try {
    new NodePool(o as never).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

/**
 * EKS Auto Mode's NodeClass CRD (`eks.amazonaws.com/v1`) is not published as a schema (EKS installs it itself; no
 * package ships it), so the rendered NodeClass is checked against the fields docs.aws.amazon.com/eks/latest/userguide/
 * create-node-class.html's "Node Class Specification" documents instead: the required role and selector terms,
 * the keys each selector term takes, the enum values, and no field the page does not list. docs/workloads.md says so.
 */
const NODE_CLASS_FIELDS = [
  "role",
  "subnetSelectorTerms",
  "securityGroupSelectorTerms",
  "snatPolicy",
  "networkPolicy",
  "networkPolicyEventLogs",
  "ephemeralStorage",
  "advancedNetworking",
  "certificateBundles",
  "tags",
];
function nodeClassProblems(o: any): string[] {
  const out: string[] = [];
  const spec = o?.spec ?? {};
  if (o?.apiVersion !== "eks.amazonaws.com/v1" || o?.kind !== "NodeClass") out.push("apiVersion/kind");
  const name = o?.metadata?.name;
  if (typeof name !== "string" || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name === "default")
    out.push("metadata.name");
  for (const k of Object.keys(spec)) if (!NODE_CLASS_FIELDS.includes(k)) out.push(`spec.${k}: not documented`);
  if (typeof spec.role !== "string" || spec.role === "") out.push("spec.role");
  const terms = (field: string, keys: string[], id: RegExp) => {
    const list = spec[field];
    if (!Array.isArray(list) || list.length === 0) return out.push(`spec.${field}`);
    for (const [i, t] of list.entries()) {
      const extra = Object.keys(t ?? {}).filter((k) => !keys.includes(k));
      if (extra.length > 0 || Object.keys(t ?? {}).length === 0) out.push(`spec.${field}[${i}]`);
      if (t?.id !== undefined && !(typeof t.id === "string" && id.test(t.id))) out.push(`spec.${field}[${i}].id`);
    }
    return 0;
  };
  terms("subnetSelectorTerms", ["id", "tags"], /^subnet-[0-9a-f]+$/);
  terms("securityGroupSelectorTerms", ["id", "name", "tags"], /^sg-[0-9a-f]+$/);
  const oneOf = (field: string, values: string[]) => {
    if (spec[field] !== undefined && !values.includes(spec[field])) out.push(`spec.${field}`);
  };
  oneOf("networkPolicy", ["DefaultAllow", "DefaultDeny"]);
  oneOf("networkPolicyEventLogs", ["Disabled", "Enabled"]);
  oneOf("snatPolicy", ["Random", "Disabled"]);
  return out;
}

const NETWORK = {
  roleName: "k-auto-nodes-1a2b3c4",
  subnetIds: ["subnet-0a1b", "subnet-0c2d"],
  securityGroupId: "sg-0e3f",
};

describe("EKS Auto Mode's NodeClass (components/aws/node-pool.ts)", () => {
  it("has the documented fields: the node role, the subnets and security group by id, networkPolicy DefaultAllow", () => {
    const nc = renderAutoModeNodeClass(NETWORK);
    expect(nodeClassProblems(nc)).toEqual([]);
    expect(nc.metadata.name).toBe(AUTO_MODE_NODE_CLASS.name);
    expect(nc.spec).toEqual({
      role: NETWORK.roleName,
      subnetSelectorTerms: [{ id: "subnet-0a1b" }, { id: "subnet-0c2d" }],
      securityGroupSelectorTerms: [{ id: "sg-0e3f" }],
      networkPolicy: "DefaultAllow",
    });
    expect(AUTO_MODE_NETWORK_POLICY).toBe("DefaultAllow");
  });

  it("the field check refuses what the page does not allow (it is not vacuous)", () => {
    const nc = renderAutoModeNodeClass(NETWORK) as any;
    const broken = (edit: (x: any) => void) => {
      const x = structuredClone(nc);
      edit(x);
      return nodeClassProblems(x);
    };
    expect(broken((x) => (x.spec.networkPolicy = "Allow"))).toEqual(["spec.networkPolicy"]);
    expect(broken((x) => delete x.spec.role)).toEqual(["spec.role"]);
    expect(broken((x) => (x.spec.subnetSelectorTerms = []))).toEqual(["spec.subnetSelectorTerms"]);
    expect(broken((x) => (x.spec.subnetSelectorTerms[0] = { id: "sg-0e3f" }))).toEqual([
      "spec.subnetSelectorTerms[0].id",
    ]);
    expect(broken((x) => (x.spec.securityGroupSelectorTerms[0] = { ids: ["sg-0e3f"] }))).toEqual([
      "spec.securityGroupSelectorTerms[0]",
    ]);
    expect(broken((x) => (x.spec.networkPolicyEventLogs = "On"))).toEqual(["spec.networkPolicyEventLogs"]);
    expect(broken((x) => (x.spec.instanceType = "t3.medium"))).toEqual(["spec.instanceType: not documented"]);
    expect(broken((x) => (x.metadata.name = "default"))).toEqual(["metadata.name"]);
  });

  for (const stack of STACKS) {
    it(`${stack}: the plan renders the NodeClass before the NodePool that points at it, with the Auto Mode node role, the private subnets and the cluster security group`, async () => {
      const plan = await planStack(stack);
      const objects = (plan.outputs as any).workloads.aws.objects as any[];
      const classes = objects.filter((o) => o.kind === "NodeClass");
      expect(classes.map((o) => o.metadata.name)).toEqual([AUTO_MODE_NODE_CLASS.name]);
      const nc = classes[0];
      expect(nodeClassProblems(nc)).toEqual([]);
      const pool = objects.find((o) => o.kind === "NodePool");
      expect(pool.spec.template.spec.nodeClassRef).toEqual(AUTO_MODE_NODE_CLASS);
      expect(objects.indexOf(nc)).toBeLessThan(objects.indexOf(pool));
      expect(nc.spec.networkPolicy).toBe("DefaultAllow");
      expect(nc.spec.role).toMatch(new RegExp(`^${stack}-aws-k8s-auto-nodes-`));
      // The subnets the cluster's control plane and node group are in.
      const eks = oneOfType(plan, "aws:eks/cluster:Cluster");
      expect(nc.spec.subnetSelectorTerms.map((t: { id: string }) => t.id)).toEqual(input(eks, "vpcConfig.subnetIds"));
      expect(nc.spec.securityGroupSelectorTerms).toHaveLength(1);
      // No amazon-vpc-cni ConfigMap is rendered: the VPC CNI add-on owns it and writes the controller switch.
      expect(objects.filter((o) => o.kind === "ConfigMap" && o.metadata.name === "amazon-vpc-cni")).toEqual([]);
      const cni = ofType(plan, "aws:eks/addon:Addon").find((a) => input(a, "addonName") === "vpc-cni")!;
      expect(JSON.parse(input(cni, "configurationValues") as string)).toEqual({ enableNetworkPolicy: "true" });
    });
  }
});

/** A Kubernetes quantity of whole CPUs or of Gi, as the NodePool's limits are written. */
const cpus = (q: string) => Number(/^(\d+)$/.exec(q)![1]);
const gib = (q: string) => Number(/^(\d+)Gi$/.exec(q)![1]);

describe("EKS Auto Mode's NodePool (components/aws/node-pool.ts)", () => {
  for (const stack of STACKS) {
    it(`${stack}: validates against Karpenter's schema, and its limits are maxNodes - desiredNodes nodes of the size class`, async () => {
      const pool = config(stack).tricloud.clusters.aws;
      const np = renderAutoModeNodePool(pool);
      expect(await schemaProblems(np)).toEqual([]);
      const node = NODE_SIZES[pool.size];
      const extra = pool.maxNodes - pool.desiredNodes;
      expect(cpus(np.spec.limits!.cpu as string)).toBe(extra * node.vcpus);
      expect(gib(np.spec.limits!.memory as string)).toBe(extra * node.memoryGiB);
      expect(np.spec.template.spec.nodeClassRef).toEqual(AUTO_MODE_NODE_CLASS);
    });
  }

  it("the schema check refuses what the API server would (it is not vacuous)", async () => {
    const np = renderAutoModeNodePool(config("staging").tricloud.clusters.aws);
    const badOperator = structuredClone(np) as any;
    badOperator.spec.template.spec.requirements[0].operator = "Maybe";
    expect(await schemaProblems(badOperator)).toEqual([expect.stringMatching(/operator/)]);
    const noClass = structuredClone(np) as any;
    delete noClass.spec.template.spec.nodeClassRef;
    expect(await schemaProblems(noClass)).toEqual([expect.stringMatching(/nodeClassRef/)]);
    const badLimit = structuredClone(np) as any;
    badLimit.spec.limits.cpu = "sixteen";
    expect(await schemaProblems(badLimit)).toEqual([expect.stringMatching(/cpu/)]);
  });

  it("pins every node to the size class's shape, which the class's EC2 machine (what the node group runs) has", () => {
    for (const size of SIZES) {
      const np = renderAutoModeNodePool({ size, desiredNodes: 1, maxNodes: 2 });
      const req = Object.fromEntries(np.spec.template.spec.requirements.map((r) => [r.key, [r.operator, r.values]]));
      const machine = MACHINE_SPECS[nodeMachine("aws", size)]!;
      expect(req).toEqual({
        "eks.amazonaws.com/instance-cpu": ["In", [String(machine.vcpus)]],
        "eks.amazonaws.com/instance-memory": ["In", [String(machine.memoryGiB * 1024)]],
        "kubernetes.io/arch": ["In", ["amd64"]],
        "karpenter.sh/capacity-type": ["In", ["on-demand"]],
      });
    }
  });

  it("a pool whose maxNodes is its desiredNodes may add nothing (limits of zero)", async () => {
    const np = renderAutoModeNodePool({ size: "large", desiredNodes: 3, maxNodes: 3 });
    expect(np.spec.limits).toEqual({ cpu: "0", memory: "0Gi" });
    expect(await schemaProblems(np)).toEqual([]);
    expect(awsNodeBound({ size: "large", desiredNodes: 3, maxNodes: 3 }).autoModeNodes).toBe(0);
  });
});

describe("the capacity the plan shows for EKS is the node group plus the rendered NodePool", () => {
  for (const stack of STACKS) {
    it(`${stack}: workloads.aws.capacity = desiredNodes nodes + the NodePool's limits, and the cluster enables only the system pool`, async () => {
      const c = config(stack);
      const pool = c.tricloud.clusters.aws;
      const plan = await planStack(stack);
      const aws = (plan.outputs as any).workloads.aws;
      const pools = (aws.objects as any[]).filter((o) => o.kind === "NodePool");
      expect(pools.map((o) => o.metadata.name)).toEqual([AUTO_MODE_NODE_POOL]);
      const limits = pools[0].spec.limits;
      const machine = nodeMachine("aws", pool.size);
      // Karpenter's limits count whole machines: as many of them as the NodePool may launch, by CPU and by memory.
      const spec = MACHINE_SPECS[machine]!;
      const autoModeNodes = cpus(limits.cpu) / spec.vcpus;
      expect(gib(limits.memory) / spec.memoryGiB).toBe(autoModeNodes);
      // The capacity counts what each of those nodes and the node group's allocates to pods.
      const nodes = pool.desiredNodes + autoModeNodes;
      const node = machineAllocatable("aws", machine);
      expect(aws.capacity).toEqual({
        machine,
        maxNodes: pool.maxNodes,
        cpuMillis: nodes * node.cpuMillis,
        memoryMiB: nodes * node.memoryMiB,
      });
      expect(aws.capacity).toEqual(poolCapacity(c, "aws"));
      const eks = oneOfType(plan, "aws:eks/cluster:Cluster");
      expect(input(eks, "computeConfig.nodePools")).toEqual([...AUTO_MODE_BUILTIN_POOLS]);
      const group = oneOfType(plan, "aws:eks/nodeGroup:NodeGroup");
      expect(input(group, "scalingConfig.maxSize")).toBe(pool.desiredNodes);
    });
  }

  it("without the Argo CD capability no NodePool reaches EKS: the capacity is the node group's alone, and the warning says so", async () => {
    const plan = await planStackWithoutEksArgoCd("staging");
    const aws = (plan.outputs as any).workloads.aws;
    expect((aws.objects as any[]).filter((o) => o.kind === "NodePool" || o.kind === "NodeClass")).toEqual([]);
    const pool = config("staging").tricloud.clusters.aws;
    expect(aws.capacity.maxNodes).toBe(pool.desiredNodes);
    const warnings = JSON.stringify(plan.policies);
    expect(warnings).toMatch(/aws: the services request .* more than the node pool's maximum 2 x t3\.medium/);
  });
});
