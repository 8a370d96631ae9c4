import { describe, expect, it } from "vitest";
import { allowedRegions, requiredTags } from "../../../policies/portability/governance";
import { messages, res, TAGS } from "../../helpers/policies";

describe("portability-resource-missing-required-tags", () => {
  it("passes tagged AWS, Azure and labelled GCP resources (labels at each type's own path)", async () => {
    expect(
      await messages(requiredTags, [
        res("aws:ec2/vpc:Vpc", { tags: TAGS }),
        res("azure-native:resources:ResourceGroup", { tags: TAGS }),
        res("gcp:sql/databaseInstance:DatabaseInstance", { settings: { userLabels: TAGS } }),
        res("gcp:container/nodePool:NodePool", { nodeConfig: { resourceLabels: TAGS } }),
      ]),
    ).toEqual([]);
  });
  it("fails a resource missing a required key, naming it and where tags go", async () => {
    const m = await messages(requiredTags, [
      res("gcp:container/cluster:Cluster", { resourceLabels: { owner: "platform", environment: "dev" } }),
    ]);
    expect(m).toEqual([expect.stringContaining('missing "cost-center" in resourceLabels')]);
  });
  it("reads the required keys from config", async () => {
    expect(await messages(requiredTags, [res("aws:ec2/vpc:Vpc", { tags: TAGS })], { requiredTags: ["team"] })).toEqual([
      expect.stringContaining('"team"'),
    ]);
  });
});

describe("portability-resource-enforce-allowed-regions", () => {
  const provider = (region: string) => ({
    type: "pulumi:providers:aws",
    name: "default",
    urn: "urn:p",
    props: { region },
  });
  it("passes resources in allowed regions (AWS via the provider, Azure location, GCP zone)", async () => {
    expect(
      await messages(allowedRegions, [
        res("aws:ec2/vpc:Vpc", {}, { provider: provider("us-west-2") }),
        res("azure-native:resources:ResourceGroup", { location: "eastus" }),
        res("gcp:container/cluster:Cluster", { location: "us-central1-a" }),
        res("azure-native:privatedns:PrivateZone", { location: "global" }),
      ]),
    ).toEqual([]);
  });
  it("fails a resource outside the allowed list, naming the region and the config keys", async () => {
    const m = await messages(allowedRegions, [
      res("aws:ec2/vpc:Vpc", {}, { provider: provider("eu-west-1") }),
      res("gcp:sql/databaseInstance:DatabaseInstance", { region: "europe-west1" }),
    ]);
    expect(m).toHaveLength(2);
    expect(m[0]).toContain('region "eu-west-1" is not allowed');
    expect(m[1]).toContain("europe-west1");
  });
  it("treats GCP's global location or region as no region, like Azure's global", async () => {
    expect(
      await messages(
        allowedRegions,
        [
          res("gcp:logging/projectBucketConfig:ProjectBucketConfig", { location: "global", bucketId: "_Default" }),
          res("gcp:compute/globalAddress:GlobalAddress", { region: "global" }),
          res("gcp:secretmanager/secret:Secret", { location: "Global" }),
        ],
        { allowedRegions: ["us-central1"] },
      ),
    ).toEqual([]);
  });
  it("still checks a GCP resource whose region is global but whose location is a region outside the list", async () => {
    const m = await messages(
      allowedRegions,
      [res("gcp:logging/projectBucketConfig:ProjectBucketConfig", { region: "global", location: "europe-west1" })],
      { allowedRegions: ["us-central1"] },
    );
    expect(m).toEqual([expect.stringContaining('region "europe-west1" is not allowed')]);
  });
  it("uses the configured list", async () => {
    expect(
      await messages(allowedRegions, [res("aws:ec2/vpc:Vpc", { region: "eu-west-1" })], {
        allowedRegions: ["eu-west-1"],
      }),
    ).toEqual([]);
  });
});
