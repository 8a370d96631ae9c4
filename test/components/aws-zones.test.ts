import { describe, expect, it } from "vitest";
import {
  AWS_REGION_ZONE_IDS,
  EKS_DISALLOWED_AZ_IDS,
  awsZone,
  awsZonesOfRegion,
  firstAwsZones,
} from "../../components/aws/zones";
import { mockResource } from "../../cli/plan/mock-state";
import { ConfigError, type StackConfig } from "../../stacks/config/load";
import { awsZones } from "../../stacks/shared";
import { COMPONENT_CONTEXT } from "../helpers/component";
import { configProblems, planThroughBin, stackConfig as flatConfig } from "../helpers/config";
import { input, ofType, planStack } from "../helpers/plan";
import { stackConfig } from "../helpers/platform";

/** Just what awsZones reads (the schema is not what is under test here). */
const withAws = (region: string, zones: number) =>
  ({ aws: { region }, tricloud: { network: { aws: { zones } } } }) as unknown as StackConfig;

const ids = (region: string, count: number) => awsZones(withAws(region, count)).map((z) => z.id);

describe("AWS zones (components/aws/zones.ts)", () => {
  it("the stacks take the first AZ IDs the table lists for their region, labelled as their resources were named", () => {
    expect(awsZones(stackConfig("dev"))).toEqual([
      { id: "usw2-az1", label: "us-west-2a" },
      { id: "usw2-az2", label: "us-west-2b" },
    ]);
    expect(awsZones(stackConfig("prod")).map((z) => z.id)).toEqual(["usw2-az1", "usw2-az2", "usw2-az3"]);
    expect(awsZones(stackConfig("dev", ["aws:region=eu-central-1", "tricloud:network.aws.zones=3"]))).toEqual([
      { id: "euc1-az1", label: "eu-central-1a" },
      { id: "euc1-az2", label: "eu-central-1b" },
      { id: "euc1-az3", label: "eu-central-1c" },
    ]);
  });

  it("the regions whose zone codes differ per account are accepted, by AZ ID, without the zones EKS refuses", () => {
    expect(ids("us-east-1", 3)).toEqual(["use1-az1", "use1-az2", "use1-az4"]);
    expect(ids("us-west-1", 2)).toEqual(["usw1-az1", "usw1-az3"]);
    expect(ids("ca-central-1", 3)).toEqual(["cac1-az1", "cac1-az2", "cac1-az4"]);
    // apne1-az3 is constrained: not offered to newer accounts.
    expect(ids("ap-northeast-1", 3)).toEqual(["apne1-az1", "apne1-az2", "apne1-az4"]);
    expect(ids("eu-west-1", 3)).toEqual(["euw1-az1", "euw1-az2", "euw1-az3"]);
    for (const region of ["ap-southeast-1", "ap-southeast-2", "sa-east-1", "us-west-2"])
      expect(ids(region, 3)).toHaveLength(3);
    // Each label keeps the AZ ID's number as its letter, so a skipped zone shows: use1-az4 is us-east-1d.
    expect(
      awsZonesOfRegion("us-east-1")!
        .map((z) => z.label)
        .slice(0, 3),
    ).toEqual(["us-east-1a", "us-east-1b", "us-east-1d"]);
  });

  it("every region in the table, for every zone count the schema allows (2-3) that it has, gives that many of its own AZ IDs, none EKS refuses", () => {
    for (const [region, listed] of Object.entries(AWS_REGION_ZONE_IDS)) {
      const prefix = listed[0]!.replace(/-az\d+$/, "");
      for (const id of listed) expect(id).toMatch(new RegExp(`^${prefix}-az\\d+$`));
      expect(new Set(listed).size).toBe(listed.length);
      for (const id of EKS_DISALLOWED_AZ_IDS[region] ?? []) expect(listed).not.toContain(id);
      for (const count of [2, 3].filter((n) => n <= listed.length)) {
        const zones = awsZones(withAws(region, count));
        expect(zones).toEqual(awsZonesOfRegion(region)!.slice(0, count));
        expect(zones.map((z) => z.id)).toEqual(listed.slice(0, count));
        expect(new Set(zones.map((z) => z.label)).size).toBe(count);
        for (const z of zones) expect(z.label).toMatch(new RegExp(`^${region}[a-z]$`));
      }
    }
    expect(awsZonesOfRegion("toString")).toBeUndefined();
    expect(() => awsZone("us-east-1", "us-east-1a")).toThrow(/not an AZ ID/);
  });

  it("us-east-1 passes the schema, and its plan puts no subnet in use1-az3 (EKS refuses it)", async () => {
    expect(configProblems(flatConfig("dev", "aws:region=us-east-1", "tricloud:network.aws.zones=3"))).toEqual([]);
    const r = await planStack("dev", ["aws:region=us-east-1", "tricloud:network.aws.zones=3"]);
    const subnets = ofType(r, "aws:ec2/subnet:Subnet");
    expect(subnets).toHaveLength(6);
    const zones = subnets.map((s) => input(s, "availabilityZoneId"));
    expect(zones).not.toContain("use1-az3");
    expect([...new Set(zones)].sort()).toEqual(["use1-az1", "use1-az2", "use1-az4"]);
  });

  it("a region the table does not list is refused by the schema, naming aws:region and the regions it lists", () => {
    const found = configProblems(flatConfig("dev", "aws:region=us-gov-west-1"));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^aws:region: expected a Region whose EKS-usable AZ IDs components\/aws\/zones\.ts lists \(/,
    );
    expect(found[0]).toContain(`(${Object.keys(AWS_REGION_ZONE_IDS).join(", ")}), got us-gov-west-1`);
    expect(found[0]).toContain("us-east-1, us-east-2, us-west-1, us-west-2");
    // The program's own guard, for a config that did not come through the schema.
    expect(() => awsZones(withAws("cn-north-1", 2))).toThrow(ConfigError);
    expect(() => awsZones(withAws("us-gov-east-1", 2))).toThrow(/aws:region: expected a Region .* got us-gov-east-1/);
  });

  it("more zones than a region lists are refused, naming tricloud:network.aws.zones and the region's AZ IDs", () => {
    const found = configProblems(flatConfig("dev", "aws:region=us-west-1", "tricloud:network.aws.zones=3"));
    expect(found).toEqual([
      "tricloud:network.aws.zones: expected at most 2 (the AZ IDs EKS accepts that components/aws/zones.ts lists for us-west-1: usw1-az1, usw1-az3), got 3",
    ]);
    expect(configProblems(flatConfig("dev", "aws:region=us-west-1", "tricloud:network.aws.zones=2"))).toEqual([]);
    expect(() => awsZones(withAws("us-west-1", 3))).toThrow(/tricloud:network\.aws\.zones: expected at most 2/);
    expect(firstAwsZones("us-west-2", 5)).toEqual({
      problem: expect.objectContaining({ key: "tricloud:network.aws.zones" }),
    });
  });

  it("tricloud plan exits 2 on such a config, before the program runs", () => {
    const region = planThroughBin("dev", "aws:region=us-gov-west-1");
    expect(region.code).toBe(2);
    expect(region.stderr).toMatch(
      /aws:region: expected a Region whose EKS-usable AZ IDs .*us-west-2\), got us-gov-west-1/,
    );
    const zones = planThroughBin("dev", "aws:region=us-west-1", "tricloud:network.aws.zones=3");
    expect(zones.code).toBe(2);
    expect(zones.stderr).toMatch(/tricloud:network\.aws\.zones: expected at most 2 .*usw1-az1, usw1-az3\), got 3/);
  });

  it("the dev plan's subnets are created by AZ ID, the table's first two of us-west-2, under their old names", async () => {
    const r = await planStack("dev");
    const subnets = ofType(r, "aws:ec2/subnet:Subnet");
    expect(subnets).toHaveLength(4);
    for (const s of subnets) expect(input(s, "availabilityZone")).toBeUndefined();
    expect(subnets.map((s) => [s.name, input(s, "availabilityZoneId")]).sort()).toEqual([
      ["dev-aws-net-private-us-west-2a", AWS_REGION_ZONE_IDS["us-west-2"]![0]],
      ["dev-aws-net-private-us-west-2b", AWS_REGION_ZONE_IDS["us-west-2"]![1]],
      ["dev-aws-net-public-us-west-2a", AWS_REGION_ZONE_IDS["us-west-2"]![0]],
      ["dev-aws-net-public-us-west-2b", AWS_REGION_ZONE_IDS["us-west-2"]![1]],
    ]);
  });

  it("the plan's mocks answer a subnet created by AZ ID with its zone's code too, as EC2 does", () => {
    const byId = mockResource("aws:ec2/subnet:Subnet", "s", { availabilityZoneId: "usw2-az3" }, COMPONENT_CONTEXT);
    expect(byId.state).toMatchObject({ availabilityZoneId: "usw2-az3", availabilityZone: "us-west-2c" });
    const byCode = mockResource("aws:ec2/subnet:Subnet", "s", { availabilityZone: "us-west-2b" }, COMPONENT_CONTEXT);
    expect(byCode.state).toMatchObject({ availabilityZone: "us-west-2b", availabilityZoneId: "usw2-az2" });
  });
});
