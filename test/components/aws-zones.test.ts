import { describe, expect, it } from "vitest";
import {
  AWS_REGION_ZONE_LETTERS,
  EKS_DISALLOWED_AZ_IDS,
  awsZonesOfRegion,
  firstAwsZones,
} from "../../components/aws/zones";
import { ConfigError, type StackConfig } from "../../stacks/config/load";
import { awsZones } from "../../stacks/shared";
import { configProblems, planThroughBin, stackConfig as flatConfig } from "../helpers/config";
import { input, ofType, planStack } from "../helpers/plan";
import { stackConfig } from "../helpers/platform";

/** Just what awsZones reads (the schema is not what is under test here). */
const withAws = (region: string, zones: number) =>
  ({ aws: { region }, tricloud: { network: { aws: { zones } } } }) as unknown as StackConfig;

describe("AWS zones (components/aws/zones.ts)", () => {
  it("the stacks take the zones the table lists for their region", () => {
    expect(awsZones(stackConfig("dev"))).toEqual(["us-west-2a", "us-west-2b"]);
    expect(awsZones(stackConfig("prod"))).toEqual(["us-west-2a", "us-west-2b", "us-west-2c"]);
    expect(awsZones(stackConfig("dev", ["aws:region=eu-central-1", "tricloud:network.aws.zones=3"]))).toEqual([
      "eu-central-1a",
      "eu-central-1b",
      "eu-central-1c",
    ]);
  });

  it("every region in the table, for every zone count the schema allows (2-3), gives that many of its own zones", () => {
    for (const region of Object.keys(AWS_REGION_ZONE_LETTERS))
      for (const count of [2, 3]) {
        const zones = awsZones(withAws(region, count));
        expect(zones).toEqual(awsZonesOfRegion(region)!.slice(0, count));
        expect(new Set(zones).size).toBe(count);
        for (const z of zones) expect(z).toMatch(new RegExp(`^${region}[a-z]$`));
      }
  });

  it("takes a region's letters from the table, not a fixed a, b, c", () => {
    // A made-up region whose second code is missing, as when a constrained zone is left out.
    const table = AWS_REGION_ZONE_LETTERS as Record<string, string>;
    table["xx-test-1"] = "acd";
    try {
      expect(awsZones(withAws("xx-test-1", 2))).toEqual(["xx-test-1a", "xx-test-1c"]);
      expect(awsZones(withAws("xx-test-1", 3))).toEqual(["xx-test-1a", "xx-test-1c", "xx-test-1d"]);
    } finally {
      delete table["xx-test-1"];
    }
  });

  it("lists no region holding a zone EKS refuses subnets in (network-reqs.html)", () => {
    for (const region of Object.keys(EKS_DISALLOWED_AZ_IDS)) expect(awsZonesOfRegion(region)).toBeUndefined();
    expect(awsZonesOfRegion("toString")).toBeUndefined();
  });

  it("a region the table does not list is refused by the schema, naming aws:region and the regions it lists", () => {
    const found = configProblems(flatConfig("dev", "aws:region=us-east-1"));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^aws:region: expected a Region whose EKS-usable zones components\/aws\/zones\.ts lists \(/,
    );
    expect(found[0]).toContain(`(${Object.keys(AWS_REGION_ZONE_LETTERS).join(", ")}), got us-east-1`);
    expect(found[0]).toContain("us-west-2");
    // The program's own guard, for a config that did not come through the schema.
    expect(() => awsZones(withAws("us-east-1", 2))).toThrow(ConfigError);
    expect(() => awsZones(withAws("ap-northeast-1", 2))).toThrow(/aws:region: expected a Region .* got ap-northeast-1/);
    expect(firstAwsZones("us-west-2", 4)).toEqual({
      problem: expect.objectContaining({ key: "tricloud:network.aws.zones" }),
    });
  });

  it("tricloud plan exits 2 on such a region, before the program runs", () => {
    const r = planThroughBin("dev", "aws:region=us-west-1");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/aws:region: expected a Region whose EKS-usable zones .*us-west-2\), got us-west-1/);
  });

  it("the dev plan's subnets are in the table's zones of us-west-2", async () => {
    const r = await planStack("dev");
    const zones = ofType(r, "aws:ec2/subnet:Subnet").map((s) => input(s, "availabilityZone"));
    expect([...new Set(zones)].sort()).toEqual(["us-west-2a", "us-west-2b"]);
  });
});
