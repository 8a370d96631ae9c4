import { describe, expect, it } from "vitest";
import { catalogWith } from "@tricloud/pricing/catalog";
import { estimateCost } from "@tricloud/pricing/estimate";
import { machineAllocatable } from "@tricloud/vocabulary/allocatable";

const stack = (cpuMillis: number, memoryMiB: number) => ({
  urn: "urn:pulumi:t::tricloud::pulumi:pulumi:Stack::t",
  type: "pulumi:pulumi:Stack",
  name: "t",
  parent: null,
  props: { workloads: { gcp: { requested: { atMinReplicas: { cpuMillis, memoryMiB } } } } },
});
const pool = {
  urn: "urn:pulumi:t::tricloud::gcp:container/nodePool:NodePool::p",
  type: "gcp:container/nodePool:NodePool",
  name: "p",
  parent: null,
  props: { location: "us-central1-a", nodeConfig: { machineType: "e2-medium" }, initialNodeCount: 2 },
};
const floorLines = (e: ReturnType<typeof estimateCost>) =>
  e.lines.filter((l) => l.name.startsWith("Nodes the services' replica floor"));
// What one e2-medium allocates to pods: 940m of its 2 vCPU (GKE keeps 1060m of a shared-core E2) and 2972 of 4096 MiB.
const node = machineAllocatable("gcp", "e2-medium");
/** Three and a half nodes' worth of CPU: 4 nodes, 2 of them the pool's own. */
const FOUR_NODES_CPU = 3.5 * node.cpuMillis;

describe("the node capacity the service matrix keeps busy", () => {
  const catalog = catalogWith(undefined);
  const hourly = catalog.prices["gcp.compute.e2-medium"]!.usd;

  it("prices the nodes the services' replica floor needs above the pool's own count as their own line", () => {
    // 3290m on e2-medium nodes of 940m: 4 nodes, 2 of them the pool's own; 2048 MiB fits one node.
    const e = estimateCost([stack(FOUR_NODES_CPU, 2048), pool], { catalog });
    expect(floorLines(e).map((l) => [l.name, l.quantity, l.monthlyUsd])).toEqual([
      [
        "Nodes the services' replica floor needs above the pool (e2-medium) x 2",
        2 * 730,
        Math.round(2 * 730 * hourly * 100) / 100,
      ],
    ]);
  });

  it("adds nothing when the pool's own nodes hold the floor, or when the stack renders no workloads", () => {
    // Exactly what the pool's 2 nodes allocate, CPU and memory both.
    expect(floorLines(estimateCost([stack(2 * node.cpuMillis, 2 * node.memoryMiB), pool], { catalog }))).toEqual([]);
    expect(floorLines(estimateCost([pool], { catalog }))).toEqual([]);
  });

  it("counts memory when memory is the scarcer resource", () => {
    // 4.5 nodes' worth of memory (13374 MiB of 2972 each): 5 nodes, 3 above the pool; 100m of CPU would need 1.
    expect(floorLines(estimateCost([stack(100, 4.5 * node.memoryMiB), pool], { catalog }))[0]?.quantity).toBe(3 * 730);
  });
});

describe("the floor-nodes line and Auto Mode's hours stop at the cluster's maximum (workloads.<cloud>.capacity.maxNodes)", () => {
  const catalog = catalogWith(undefined);
  const capped = (maxNodes: number) => ({
    ...stack(FOUR_NODES_CPU, 2048),
    props: {
      workloads: {
        gcp: { requested: { atMinReplicas: { cpuMillis: FOUR_NODES_CPU, memoryMiB: 2048 } }, capacity: { maxNodes } },
      },
    },
  });

  it("prices only the nodes the autoscaler may add: 4 needed, 2 in the pool, a maximum of 3 leaves 1", () => {
    expect(floorLines(estimateCost([capped(3), pool], { catalog })).map((l) => l.quantity)).toEqual([730]);
    expect(floorLines(estimateCost([capped(2), pool], { catalog }))).toEqual([]);
    expect(floorLines(estimateCost([capped(10), pool], { catalog })).map((l) => l.quantity)).toEqual([2 * 730]);
  });

  it("EKS: the Auto Mode node hours a usage profile asks for are capped at the NodePool's nodes all month", () => {
    const parent = "urn:pulumi:t::tricloud::tricloud:aws:KubernetesCluster::k";
    const eks = {
      urn: "urn:pulumi:t::tricloud::aws:eks/cluster:Cluster::k",
      type: "aws:eks/cluster:Cluster",
      name: "k",
      parent,
      props: { computeConfig: { enabled: true } },
    };
    const group = {
      urn: "urn:pulumi:t::tricloud::aws:eks/nodeGroup:NodeGroup::g",
      type: "aws:eks/nodeGroup:NodeGroup",
      name: "g",
      parent,
      props: { instanceTypes: ["t3.medium"], scalingConfig: { desiredSize: 2 } },
    };
    const outputs = (maxNodes: number) => ({
      ...stack(0, 0),
      props: { workloads: { aws: { capacity: { maxNodes } } } },
    });
    const usage = (hours: number) => ({
      name: "test",
      defaults: { "aws:eks/cluster:Cluster": { autoModeNodeHours: hours } },
      resources: {},
    });
    const autoHours = (maxNodes: number, hours: number) =>
      estimateCost([outputs(maxNodes), eks, group], { catalog, usage: usage(hours) })
        .lines.filter((l) => l.name.startsWith("EKS Auto Mode"))
        .map((l) => l.quantity);
    // Staging's shape: 10 nodes at most, 2 of them the node group's: 8 x 730 h.
    expect(autoHours(10, 100_000)).toEqual([8 * 730, 8 * 730]);
    expect(autoHours(10, 500)).toEqual([500, 500]);
    expect(autoHours(2, 500)).toEqual([0, 0]);
  });
});
