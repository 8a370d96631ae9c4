import { describe, expect, it } from "vitest";
import { costCeiling, missingPrice, sizeAllowList } from "../../../policies/cost/policies";
import { DEV_TAGS, messages, res, runPolicy, TAGS } from "../../helpers/policies";

// One EKS control plane (0.10 x 730 = 73.00) and one NAT gateway (0.045 x 730 = 32.85): $105.85 a month.
const stack = (ceiling?: number) => [
  res("pulumi:pulumi:Stack", {}, { outputs: ceiling === undefined ? {} : { costCeilingUsd: ceiling } }),
  res("aws:eks/cluster:Cluster", { tags: TAGS }),
  res("aws:ec2/natGateway:NatGateway", {}),
];

describe("cost-stack-ceiling", () => {
  it("passes when the estimate is at or under the stack's ceiling", async () => {
    expect(await messages(costCeiling, stack(105.85))).toEqual([]);
  });
  it("fails over the ceiling, naming the estimate, the ceiling and where it came from", async () => {
    const m = await messages(costCeiling, stack(100));
    expect(m).toEqual([
      expect.stringContaining(
        "estimated $105.85 a month (aws $105.85) exceeds the ceiling of $100.00 (from tricloud:costCeilingUsd) by $5.85",
      ),
    ]);
  });
  it("takes the lower of the pack's maxMonthlyUsd and the stack's ceiling", async () => {
    expect(await messages(costCeiling, stack(1000), { maxMonthlyUsd: 50 })).toEqual([
      expect.stringContaining("ceiling of $50.00 (from the cost pack's maxMonthlyUsd)"),
    ]);
  });
  it("applies what-ifs from its config to the estimate it checks", async () => {
    expect(await messages(costCeiling, stack(110))).toEqual([]);
    expect(await messages(costCeiling, stack(110), { whatIf: ["aws=+10%"] })).toEqual([
      expect.stringContaining("estimated $116.44 a month (aws $116.44) with what-if aws +10%"),
    ]);
  });
  it("is not applicable without any ceiling", async () => {
    const r = await runPolicy(costCeiling, stack());
    expect(r.violations).toEqual([]);
    expect(r.notApplicable[0]!.reason).toContain("tricloud:costCeilingUsd");
  });
});

describe("cost-resource-enforce-size-allow-list", () => {
  it("passes sizes the environment allows", async () => {
    expect(
      await messages(sizeAllowList, [
        res("aws:eks/nodeGroup:NodeGroup", { instanceTypes: ["t3.medium"], tags: DEV_TAGS }),
        res("gcp:sql/databaseInstance:DatabaseInstance", { settings: { tier: "db-custom-4-16384", userLabels: TAGS } }),
      ]),
    ).toEqual([]);
  });
  it("fails a size dev does not allow, and a machine outside the portable sizes", async () => {
    const m = await messages(sizeAllowList, [
      res("azure-native:dbforpostgresql:Server", { sku: { name: "Standard_D2ds_v5" }, tags: DEV_TAGS }),
      res("azure-native:containerservice:AgentPool", { vmSize: "Standard_E64s_v5", tags: TAGS }),
    ]);
    expect(m).toEqual([
      expect.stringContaining('size "medium", which dev does not allow (allowed: small)'),
      expect.stringContaining("Standard_E64s_v5 is not one of tricloud's portable node sizes"),
    ]);
  });
});

describe("cost-resource-missing-price", () => {
  it("passes modelled and free types", async () => {
    expect(
      await messages(missingPrice, [res("aws:eks/cluster:Cluster", {}), res("aws:ec2/subnet:Subnet", {})]),
    ).toEqual([]);
  });
  it("flags a type with no cost model and a machine with no catalog price", async () => {
    const m = await messages(missingPrice, [
      res("aws:elasticache/cluster:Cluster", {}),
      res("aws:eks/nodeGroup:NodeGroup", { instanceTypes: ["c7g.metal"], scalingConfig: { desiredSize: 1 } }),
    ]);
    expect(m).toEqual([
      expect.stringContaining("no cost model for aws:elasticache/cluster:Cluster"),
      expect.stringContaining('no price "aws.ec2.c7g.metal"'),
    ]);
  });
});
