import { describe, expect, it } from "vitest";
import { lockInRows, noLockInServices, SERVICES } from "../../../policies/portability/lock-in";
import { messages, res } from "../../helpers/policies";

describe("portability-resource-disallow-lock-in-services", () => {
  it("passes portable services", async () => {
    expect(
      await messages(noLockInServices, [
        res("aws:rds/instance:Instance", { engine: "postgres" }),
        res("gcp:container/cluster:Cluster", {}),
      ]),
    ).toEqual([]);
  });
  it.each([
    ["aws:dynamodb/table:Table", "DynamoDB"],
    ["aws:rds/cluster:Cluster", "Aurora"],
    ["azure-native:documentdb:DatabaseAccount", "Cosmos DB"],
    ["gcp:firestore/database:Database", "Firestore"],
    ["gcp:spanner/instance:Instance", "Spanner"],
    ["gcp:bigtable/instance:Instance", "Bigtable"],
  ])("fails %s and names the portable alternative", async (type, service) => {
    const m = await messages(noLockInServices, [res(type, {})]);
    expect(m).toHaveLength(1);
    expect(m[0]).toContain(service);
    expect(m[0]).toContain(`Use ${SERVICES[type]!.alternative}`);
    expect(m[0]).toContain("tricloud:allowedLockIn");
  });
  it("passes a lock-in service listed in the allowed config (by id or type)", async () => {
    expect(await messages(noLockInServices, [res("aws:dynamodb/table:Table", {})], { allowed: ["dynamodb"] })).toEqual(
      [],
    );
    expect(
      await messages(noLockInServices, [res("gcp:spanner/instance:Instance", {})], {
        allowed: ["gcp:spanner/instance:Instance"],
      }),
    ).toEqual([]);
  });
  it("every high lock-in entry names an alternative", () => {
    for (const [type, s] of Object.entries(SERVICES)) if (s.level === "high") expect(s.alternative, type).toBeTruthy();
  });
});

describe("lock-in report rows", () => {
  it("reports one row per service resource with its level and exit path, and whether high lock-in is allowed", () => {
    const rows = lockInRows(
      [
        { urn: "a", type: "aws:eks/cluster:Cluster", props: {} },
        { urn: "b", type: "aws:ec2/subnet:Subnet", props: {} },
        { urn: "c", type: "aws:dynamodb/table:Table", props: {} },
      ],
      ["dynamodb"],
      (r) => `component-${r.urn}`,
    );
    expect(rows).toEqual([
      {
        component: "component-a",
        resourceType: "aws:eks/cluster:Cluster",
        service: "EKS",
        lockInLevel: "low",
        exitPath: SERVICES["aws:eks/cluster:Cluster"]!.exitPath,
      },
      {
        component: "component-c",
        resourceType: "aws:dynamodb/table:Table",
        service: "DynamoDB",
        lockInLevel: "high",
        exitPath: SERVICES["aws:dynamodb/table:Table"]!.exitPath,
        allowed: true,
      },
    ]);
  });
});
