import { describe, expect, it } from "vitest";
import {
  functionHostParity,
  kubernetesVersionsAgree,
  postgresVersionsAgree,
  roleParity,
} from "../../../policies/portability/roles";
import { messages, res, runPolicy } from "../../helpers/policies";

const full = () => [
  res("aws:eks/cluster:Cluster", { version: "1.33" }),
  res("azure-native:containerservice:ManagedCluster", { kubernetesVersion: "1.33" }),
  res("gcp:container/cluster:Cluster", { minMasterVersion: "1.33.5-gke.1000000" }),
  res("aws:rds/instance:Instance", { engine: "postgres", engineVersion: "16" }),
  res("azure-native:dbforpostgresql:Server", { version: "16" }),
  res("gcp:sql/databaseInstance:DatabaseInstance", { databaseVersion: "POSTGRES_16" }),
  res("aws:ecr/repository:Repository", {}),
  res("azure-native:containerregistry:Registry", {}),
  res("gcp:artifactregistry/repository:Repository", { format: "DOCKER" }),
];

describe("portability-stack-enforce-role-parity", () => {
  it("passes with a cluster, a database and a registry on every cloud", async () => {
    expect(await messages(roleParity, full())).toEqual([]);
  });
  it("names the missing role and cloud, and what to add", async () => {
    const m = await messages(
      roleParity,
      full().filter((r) => r.type !== "azure-native:dbforpostgresql:Server"),
    );
    expect(m).toHaveLength(1);
    expect(m[0]).toContain("no database on azure");
    expect(m[0]).toContain("azure-native:dbforpostgresql:Server");
  });
  it("does not count an Aurora-style non-PostgreSQL RDS engine as the database role", async () => {
    const m = await messages(
      roleParity,
      full().map((r) => (r.type === "aws:rds/instance:Instance" ? res(r.type, { engine: "mysql" }) : r)),
    );
    expect(m[0]).toContain("no database on aws");
  });
});

describe("portability-stack-enforce-function-host-parity", () => {
  it("passes when every cloud has a function host", async () => {
    const hosts = [
      res("aws:lambda/function:Function", {}),
      res("azure-native:web:WebApp", { kind: "functionapp,linux" }),
      res("gcp:cloudfunctionsv2/function:Function", {}),
    ];
    expect(await messages(functionHostParity, hosts)).toEqual([]);
  });
  it("fails, as mandatory, when a cloud has no function host (a web app that is not a function app does not count)", async () => {
    const r = await runPolicy(functionHostParity, [
      res("aws:lambda/function:Function", {}),
      res("azure-native:web:WebApp", { kind: "app" }),
    ]);
    expect(r.violations.map((v) => v.enforcementLevel)).toEqual(["mandatory"]);
    expect(r.violations[0]!.message).toContain("no functionHost on azure, gcp");
  });
});

describe("portability-kubernetes-cluster-enforce-same-minor", () => {
  it("passes when every cluster and pool runs one minor (GKE patch strings included)", async () => {
    expect(
      await messages(kubernetesVersionsAgree, [...full(), res("aws:eks/nodeGroup:NodeGroup", { version: "1.33" })]),
    ).toEqual([]);
  });
  it("fails when one cloud drifts, naming both versions", async () => {
    const m = await messages(kubernetesVersionsAgree, [
      ...full(),
      res("azure-native:containerservice:AgentPool", { orchestratorVersion: "1.32" }, { name: "pool" }),
    ]);
    expect(m[0]).toMatch(/1\.33 .* vs 1\.32 \(pool\)/);
  });
});

describe("portability-postgres-instance-enforce-same-major", () => {
  it("passes when RDS, Flexible Server and Cloud SQL run one major", async () => {
    expect(await messages(postgresVersionsAgree, full())).toEqual([]);
  });
  it("fails when majors differ", async () => {
    const m = await messages(postgresVersionsAgree, [
      ...full().filter((r) => r.type !== "gcp:sql/databaseInstance:DatabaseInstance"),
      res("gcp:sql/databaseInstance:DatabaseInstance", { databaseVersion: "POSTGRES_15" }),
    ]);
    expect(m[0]).toContain("PostgreSQL major versions differ");
    expect(m[0]).toContain("15");
  });
});
