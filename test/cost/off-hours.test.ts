import { describe, expect, it } from "vitest";
import { estimateCost, offHoursSaving } from "@tricloud/pricing/estimate";
import { OFF_HOURS_LINE, offHoursOf, type PricedResource } from "@tricloud/pricing/model";
import { renderComment } from "../../cli/plan/comment";
import { planStack } from "../helpers/plan";

// Every figure below is worked by hand from pricing/price-catalog.json (Standard_D2s_v3 $0.096/h, e2-medium
// $0.033503/h, t3.medium $0.0416/h) and the dev schedule: Mon-Fri 07:00-19:00 is 60 of 168 hours a week on, so
// 108/168 x 730 = 469.2857 h a month off (469.29 in the stack output).
const OFF = 469.29;

const stack = (props: Record<string, unknown>): PricedResource => ({
  urn: "urn:pulumi:t::tricloud::pulumi:pulumi:Stack::t",
  type: "pulumi:pulumi:Stack",
  name: "t",
  parent: null,
  props,
});
const schedule = { schedule: { hoursOffPerMonth: OFF, hoursPerMonth: 730 } };
let n = 0;
const res = (type: string, props: Record<string, unknown>, parent = "urn:parent"): PricedResource => ({
  urn: `urn:pulumi:t::tricloud::${type}::r${++n}`,
  type,
  name: `r${n}`,
  parent,
  props,
});
const savings = (rs: PricedResource[]) =>
  estimateCost(rs)
    .lines.filter((l) => l.name.startsWith(OFF_HOURS_LINE))
    .map((l) => [l.cloud, l.quantity, l.monthlyUsd]);

describe("the off-hours saving line: hours off x the nodes that go away x their price", () => {
  it("AKS user pool with minCount 0: every node goes, 2 x 469.29 h x $0.096 = $90.10", () => {
    const pool = { agentPoolName: "workers", vmSize: "Standard_D2s_v3", count: 2, enableAutoScaling: true };
    expect(
      savings([stack(schedule), res("azure-native:containerservice:AgentPool", { ...pool, minCount: 0 })]),
    ).toEqual([["azure", -938.58, -90.1]]);
    // minCount 1 keeps one node: 1 x 469.29 x 0.096 = 45.05
    expect(
      savings([stack(schedule), res("azure-native:containerservice:AgentPool", { ...pool, minCount: 1 })]),
    ).toEqual([["azure", -469.29, -45.05]]);
  });

  it("GKE's only pool keeps a node for kube-system even at minimum 0: 3 nodes, 2 go, 2 x 469.29 x $0.033503 = $31.45", () => {
    const pool = {
      location: "us-central1-a",
      nodeConfig: { machineType: "e2-medium" },
      initialNodeCount: 3,
      autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 5 },
    };
    // Their boot disks (GKE's default, pd-balanced 100 GB) go with them: 2 x 100 GB x 469.29/730 x $0.10 = 12.86
    expect(savings([stack(schedule), res("gcp:container/nodePool:NodePool", pool)])).toEqual([
      ["gcp", -938.58, -31.45],
      ["gcp", -128.5726, -12.86],
    ]);
    // A second pool in the same cluster can drain to its minimum: 3 + 3 nodes, 6 x 469.29 x 0.033503 = 94.34
    const parent = "urn:cluster";
    expect(
      savings([
        stack(schedule),
        res("gcp:container/nodePool:NodePool", pool, parent),
        res("gcp:container/nodePool:NodePool", pool, parent),
      ]),
    ).toEqual([
      ["gcp", -1407.87, -47.17],
      ["gcp", -192.8589, -19.29],
      ["gcp", -1407.87, -47.17],
      ["gcp", -192.8589, -19.29],
    ]);
  });

  it("EKS: the node group stays (nothing scales it); only Auto Mode's nodes for the services' floor go", () => {
    const group = { instanceTypes: ["t3.medium"], scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 1 } };
    expect(savings([stack(schedule), res("aws:eks/nodeGroup:NodeGroup", group)])).toEqual([]);
    // The services' floor needs 5 vCPU: 3 t3.medium (2 vCPU), 2 above the group: 2 x 469.29 x 0.0416 = 39.04
    const floor = { workloads: { aws: { requested: { atMinReplicas: { cpuMillis: 5000, memoryMiB: 1024 } } } } };
    expect(savings([stack({ ...schedule, ...floor }), res("aws:eks/nodeGroup:NodeGroup", group)])).toEqual([
      ["aws", -938.58, -39.04],
    ]);
  });

  it("no schedule, no saving; a pool without autoscaling never drains", () => {
    const pool = {
      agentPoolName: "workers",
      vmSize: "Standard_D2s_v3",
      count: 2,
      enableAutoScaling: true,
      minCount: 0,
    };
    expect(savings([stack({}), res("azure-native:containerservice:AgentPool", pool)])).toEqual([]);
    expect(
      savings([stack(schedule), res("azure-native:containerservice:AgentPool", { ...pool, enableAutoScaling: false })]),
    ).toEqual([]);
  });

  it("reads the hours off as a share of the month the program counted in", () => {
    expect(offHoursOf({ schedule: { hoursOffPerMonth: 365, hoursPerMonth: 730 } })).toBe(365);
    expect(offHoursOf({ schedule: { hoursOffPerMonth: 360, hoursPerMonth: 720 } })).toBe(365);
    expect(offHoursOf({})).toBeUndefined();
    expect(offHoursOf({ schedule: { hoursOffPerMonth: 0, hoursPerMonth: 730 } })).toBeUndefined();
  });
});

describe("the dev plan shows the saving as its own line", () => {
  // Dev's replica floor, sidecars included, is 1774m + 8 x 100m = 2574m and 1920 + 8 x 128 = 2944 MiB per cluster. Nodes
  // it needs by what they allocate: EKS t3.medium (1930m, 2531 MiB) 2, AKS Standard_D2s_v3 (1900m, 7442 MiB) 2, GKE
  // e2-medium (940m, 2972 MiB) 3; each pool has 1. Off hours: the EKS node group's node stays and Auto Mode's 1 goes
  // (1 x 469.29 x 0.0416 = 19.52); the AKS user pool drains to 0 (2 x 469.29 x 0.096 = 90.10); GKE's only pool keeps 1
  // of 3 (2 x 469.29 x 0.033503 = 31.45), and those 2 nodes' boot disks (2 x 50 GB x 469.29/730 x $0.10 = 6.43) and
  // Cloud NAT gateway hours (2 x 469.29 x $0.0014 = 1.31) go with them: gcp 39.19. 19.52 + 90.10 + 39.19 = 148.81.
  it("the nodes above what stays up, off 469.29 of 730 h on each cloud: -$148.81, in the total, the text and the comment", async () => {
    const r = await planStack("dev");
    const lines = r.cost.lines.filter((l) => l.name.startsWith(OFF_HOURS_LINE));
    expect(lines.map((l) => [l.cloud, l.name, l.quantity, l.unitPriceUsd, l.monthlyUsd])).toEqual([
      ["aws", `${OFF_HOURS_LINE}: t3.medium x 1 off 469.29 of 730 h`, -469.29, 0.0416, -19.52],
      ["azure", `${OFF_HOURS_LINE}: Standard_D2s_v3 x 2 off 469.29 of 730 h`, -938.58, 0.096, -90.1],
      ["gcp", `${OFF_HOURS_LINE}: e2-medium x 2 off 469.29 of 730 h`, -938.58, 0.033503, -31.45],
      ["gcp", `${OFF_HOURS_LINE}: boot disks (pd-balanced, 50 GB) x 2 off 469.29 of 730 h`, -64.2863, 0.1, -6.43],
      ["gcp", `${OFF_HOURS_LINE}: NAT gateway VMs x 2 off 469.29 of 730 h`, -938.58, 0.0014, -1.31],
    ]);
    expect(offHoursSaving(r.cost.lines)).toEqual({
      monthlyUsd: 148.81,
      byCloud: { aws: 19.52, azure: 90.1, gcp: 39.19 },
    });
    // The total is the sum of the priced lines, the saving included.
    const sum = r.cost.lines.reduce((s, l) => s + (l.monthlyUsd ?? 0), 0);
    expect(r.cost.monthlyUsd).toBeCloseTo(sum, 2);
    expect(renderComment([{ head: r }])).toContain(
      "dev: off-hours scale-to-zero (tricloud:schedule) saves $148.81 a month (aws $19.52, azure $90.10, gcp $39.19), included above.",
    );
  });

  it("prod has no saving line", async () => {
    const r = await planStack("prod");
    expect(offHoursSaving(r.cost.lines)).toBeNull();
  });
});
