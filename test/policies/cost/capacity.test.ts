import { describe, expect, it } from "vitest";
import { workloadsCapacity } from "../../../policies/cost/capacity";
import { catalogWith } from "@tricloud/pricing/catalog";
import { nodesFor } from "@tricloud/pricing/capacity";
import { machineAllocatable } from "@tricloud/vocabulary/allocatable";
import { messages, res } from "../../helpers/policies";

// What 3 e2-medium nodes allocate to pods (stacks/workloads.ts poolCapacity): GKE keeps 1060m of each one's 2 vCPU and
// 1124 MiB of its 4 GiB, so 3 x 940m = 2820m and 3 x 2972 MiB = 8916 MiB.
const node = machineAllocatable("gcp", "e2-medium");
const pool = { machine: "e2-medium", maxNodes: 3, cpuMillis: 3 * node.cpuMillis, memoryMiB: 3 * node.memoryMiB };
const stack = (atMin: { cpuMillis: number; memoryMiB: number }, atMax: { cpuMillis: number; memoryMiB: number }) => [
  res(
    "pulumi:pulumi:Stack",
    {},
    { outputs: { workloads: { gcp: { requested: { atMinReplicas: atMin, atMaxReplicas: atMax }, capacity: pool } } } },
  ),
];

describe("cost-stack-workloads-exceed-node-capacity", () => {
  it("passes when the requests fit the pool at its maximum, even at the HPA ceiling", async () => {
    expect(
      await messages(
        workloadsCapacity,
        stack({ cpuMillis: 2000, memoryMiB: 2048 }, { cpuMillis: pool.cpuMillis, memoryMiB: pool.memoryMiB }),
      ),
    ).toEqual([]);
  });

  it("warns when the HPA ceiling needs more nodes than the pool may have, with the nodes it needs and their list price", async () => {
    // 9 vCPU on e2-medium nodes that allocate 940m each: 9000 / 940 = 9.6, so 10 nodes; e2-medium is $0.033503 an hour
    // in the catalog, 730 hours a month. The pool: 2820m = 2.8 vCPU, 8916 MiB = 8.7 GiB.
    const found = await messages(
      workloadsCapacity,
      stack({ cpuMillis: 2000, memoryMiB: 2048 }, { cpuMillis: 9000, memoryMiB: 4096 }),
    );
    const price = catalogWith(undefined).prices["gcp.compute.e2-medium"]!.usd;
    expect(found).toEqual([
      `gcp: the services request 9.0 vCPU, 4.0 GiB at the HPA ceiling, more than the node pool's maximum 3 x e2-medium (2.8 vCPU, 8.7 GiB); that needs at least 10 nodes of e2-medium (about $${(Math.round(10 * price * 730 * 100) / 100).toFixed(2)} a month at list price). Raise tricloud:clusters.gcp.maxNodes or size, or lower the requests or maxReplicas in tricloud:services.`,
    ]);
  });

  it("warns twice when even the replica floor does not fit, and counts memory as well as CPU", async () => {
    const found = await messages(
      workloadsCapacity,
      stack({ cpuMillis: 1000, memoryMiB: 20480 }, { cpuMillis: 1000, memoryMiB: 20480 }),
    );
    expect(found).toHaveLength(2);
    // 1000m would need 2 nodes of 940m; 20480 MiB needs 20480 / 2972 = 6.9, so 7: memory sets the count.
    expect(found[0]).toMatch(/at the replica floor.*at least 7 nodes of e2-medium/);
  });

  it("counts nodes by the scarcer of CPU and memory", () => {
    const catalog = catalogWith(undefined);
    // A t3.medium on EKS allocates 1930m and 2531 MiB to pods: one past a node's worth of either needs one more node.
    const t3 = machineAllocatable("aws", "t3.medium");
    expect(nodesFor("aws", "t3.medium", { cpuMillis: t3.cpuMillis, memoryMiB: 1 }, catalog).nodes).toBe(1);
    expect(nodesFor("aws", "t3.medium", { cpuMillis: t3.cpuMillis + 1, memoryMiB: 1 }, catalog).nodes).toBe(2);
    expect(nodesFor("aws", "t3.medium", { cpuMillis: 1, memoryMiB: 3 * t3.memoryMiB + 1 }, catalog).nodes).toBe(4);
    expect(() => nodesFor("aws", "x9.huge", { cpuMillis: 1, memoryMiB: 1 }, catalog)).toThrow(
      /unknown machine x9\.huge/,
    );
  });
});
