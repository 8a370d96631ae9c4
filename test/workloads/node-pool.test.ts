import { describe, expect, it } from "vitest";
import {
  AUTO_MODE_BUILTIN_POOLS,
  AUTO_MODE_NODE_CLASS,
  AUTO_MODE_NODE_POOL,
  awsNodeBound,
  renderAutoModeNodePool,
} from "../../components/aws/node-pool";
import { parseStackConfig } from "../../stacks/config/load";
import { poolCapacity } from "../../stacks/workloads";
import { MACHINE_SPECS, NODE_SIZES, SIZES, nodeMachine } from "@tricloud/vocabulary/sizes";
import { stackConfig } from "../helpers/config";
import { input, oneOfType, planStack, planStackWithoutEksArgoCd } from "../helpers/plan";

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
      const node = MACHINE_SPECS[nodeMachine("aws", pool.size)]!;
      expect(aws.capacity).toEqual({
        machine: nodeMachine("aws", pool.size),
        maxNodes: pool.maxNodes,
        cpuMillis: (pool.desiredNodes * node.vcpus + cpus(limits.cpu)) * 1000,
        memoryMiB: (pool.desiredNodes * node.memoryGiB + gib(limits.memory)) * 1024,
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
    expect((aws.objects as any[]).filter((o) => o.kind === "NodePool")).toEqual([]);
    const pool = config("staging").tricloud.clusters.aws;
    expect(aws.capacity.maxNodes).toBe(pool.desiredNodes);
    const warnings = JSON.stringify(plan.policies);
    expect(warnings).toMatch(/aws: the services request .* more than the node pool's maximum 2 x t3\.medium/);
  });
});
