import { describe, expect, it } from "vitest";
import { workloadsCapacity } from "../../../policies/cost/capacity";
import { catalogWith } from "@tricloud/pricing/catalog";
import { nodesFor } from "@tricloud/pricing/capacity";
import { messages, res } from "../../helpers/policies";

const pool = { machine: "e2-medium", maxNodes: 3, cpuMillis: 6000, memoryMiB: 12288 };
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
        stack({ cpuMillis: 2000, memoryMiB: 2048 }, { cpuMillis: 6000, memoryMiB: 12288 }),
      ),
    ).toEqual([]);
  });

  it("warns when the HPA ceiling needs more nodes than the pool may have, with the nodes it needs and their list price", async () => {
    // 9 vCPU on 2-vCPU e2-medium nodes: 5 nodes; e2-medium is $0.033503 an hour in the catalog, 730 hours a month.
    const found = await messages(
      workloadsCapacity,
      stack({ cpuMillis: 2000, memoryMiB: 2048 }, { cpuMillis: 9000, memoryMiB: 4096 }),
    );
    const price = catalogWith(undefined).prices["gcp.compute.e2-medium"]!.usd;
    expect(found).toEqual([
      `gcp: the services request 9.0 vCPU, 4.0 GiB at the HPA ceiling, more than the node pool's maximum 3 x e2-medium (6.0 vCPU, 12.0 GiB); that needs at least 5 nodes of e2-medium (about $${(Math.round(5 * price * 730 * 100) / 100).toFixed(2)} a month at list price). Raise tricloud:clusters.gcp.maxNodes or size, or lower the requests or maxReplicas in tricloud:services.`,
    ]);
  });

  it("warns twice when even the replica floor does not fit, and counts memory as well as CPU", async () => {
    const found = await messages(
      workloadsCapacity,
      stack({ cpuMillis: 1000, memoryMiB: 20480 }, { cpuMillis: 1000, memoryMiB: 20480 }),
    );
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/at the replica floor.*at least 5 nodes of e2-medium/);
  });

  it("counts nodes by the scarcer of CPU and memory", () => {
    const catalog = catalogWith(undefined);
    expect(nodesFor("aws", "t3.medium", { cpuMillis: 2001, memoryMiB: 1 }, catalog).nodes).toBe(2);
    expect(nodesFor("aws", "t3.medium", { cpuMillis: 1, memoryMiB: 3 * 4096 + 1 }, catalog).nodes).toBe(4);
    expect(() => nodesFor("aws", "x9.huge", { cpuMillis: 1, memoryMiB: 1 }, catalog)).toThrow(
      /unknown machine x9\.huge/,
    );
  });
});
