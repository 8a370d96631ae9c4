import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { AwsBudget } from "../../components/aws/budget";
import { AwsKubernetesCluster } from "../../components/aws/cluster";
import { AwsPostgresDatabase } from "../../components/aws/database";
import { AwsFunctionHost } from "../../components/aws/function-host";
import { AwsNetwork } from "../../components/aws/network";
import { AwsObservability } from "../../components/aws/observability";
import { AwsContainerRegistry } from "../../components/aws/registry";
import { buildComponent, expectWellFormed, type Built } from "../helpers/component";
import { CLUSTER, DATABASE, FUNCTIONS, OBSERVABILITY, TAGS } from "./args";

// One EKS cluster, built once for the tests that read it.
let eksBuilt: Promise<Built<AwsKubernetesCluster>> | undefined;
const eksCluster = () =>
  (eksBuilt ??= buildComponent(
    () =>
      new AwsKubernetesCluster("k", {
        ...CLUSTER,
        region: "us-west-2",
        privateSubnetIds: ["subnet-a", "subnet-b"],
        logRetentionDays: 30,
      }),
  ));

// One fast test per AWS component, built alone from the fewest arguments it takes.
describe("AWS components in isolation", () => {
  it("AwsNetwork: a VPC, a private and a public subnet per zone, one NAT gateway unless natPerZone", async () => {
    const zones = [
      { id: "usw2-az1", label: "us-west-2a" },
      { id: "usw2-az2", label: "us-west-2b" },
    ];
    const one = await buildComponent(
      () => new AwsNetwork("n", { cidr: "10.10.0.0/16", zones, natPerZone: false, tags: TAGS }),
    );
    expectWellFormed(one, "tricloud:aws:Network");
    expect(one.one("aws:ec2/vpc:Vpc").inputs.cidrBlock).toBe("10.10.0.0/16");
    expect(one.ofType("aws:ec2/subnet:Subnet")).toHaveLength(4);
    // Subnets are created by AZ ID (the same zone in every account) and named by the zone's label.
    const privateA = one.one("aws:ec2/subnet:Subnet", "n-private-us-west-2a");
    expect(privateA.inputs.availabilityZoneId).toBe("usw2-az1");
    expect(privateA.inputs.availabilityZone).toBeUndefined();
    // The zones' codes come from the subnets, as EC2 answers them (here the mocks' pairing).
    const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
    expect(await Promise.all(one.component.zoneNames.map(value))).toEqual(["us-west-2a", "us-west-2b"]);
    expect(one.ofType("aws:ec2/natGateway:NatGateway")).toHaveLength(1);
    // A subnet created by zone code before (us-west-2a) is kept where it is: a new AZ ID would replace it, and EC2
    // refuses the replacement (same CIDR block). Children inherit a component's transformations, which see options.
    const ignored = new Map<string, unknown>();
    await buildComponent(
      () =>
        new AwsNetwork(
          "n",
          { cidr: "10.10.0.0/16", zones, natPerZone: false, tags: TAGS },
          {
            transformations: [
              (r) => {
                if (r.type === "aws:ec2/subnet:Subnet") ignored.set(r.name, r.opts.ignoreChanges);
                return undefined;
              },
            ],
          },
        ),
    );
    expect(ignored.size).toBe(4);
    for (const list of ignored.values()) expect(list).toEqual(["availabilityZoneId"]);
    const perZone = await buildComponent(
      () => new AwsNetwork("n", { cidr: "10.10.0.0/16", zones, natPerZone: true, tags: TAGS }),
    );
    expect(perZone.ofType("aws:ec2/natGateway:NatGateway")).toHaveLength(2);
  });

  it("AwsKubernetesCluster: EKS at the asked version with a private endpoint and encrypted secrets", async () => {
    const built = await eksCluster();
    expectWellFormed(built, "tricloud:aws:KubernetesCluster");
    const eks = built.one("aws:eks/cluster:Cluster");
    expect(eks.inputs.version).toBe(CLUSTER.kubernetesVersion);
    expect(eks.inputs.vpcConfig.endpointPublicAccess).toBe(false);
    expect(eks.inputs.encryptionConfig.resources).toEqual(["secrets"]);
    // The managed group holds desiredNodes (Auto Mode scales above it).
    expect(built.one("aws:eks/nodeGroup:NodeGroup").inputs.scalingConfig).toEqual({
      minSize: 1,
      desiredSize: 2,
      maxSize: 2,
    });
  });

  it("AwsKubernetesCluster: its Auto Mode NodeClass names the Auto Mode node role, the private subnets and the cluster security group", async () => {
    const built = await eksCluster();
    const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
    const c = built.component;
    const net = await value(c.autoModeNodeNetwork);
    // The role in computeConfig.nodeRoleArn (EKS made its access entry), not the node group's.
    expect(net.roleName).toBe(await value(c.autoNodeRoleName));
    expect(net.roleName).not.toBe(await value(c.nodeRoleName));
    expect(net.roleName).toMatch(/^k-auto-nodes/);
    expect(net.subnetIds).toEqual(["subnet-a", "subnet-b"]);
    expect(net.securityGroupId).toBe(await value(c.clusterSecurityGroupId));
    expect(net.securityGroupId).toMatch(/^sg-[0-9a-f]+$/);
  });

  it("AwsPostgresDatabase: RDS PostgreSQL, encrypted, private, at the asked major", async () => {
    const built = await buildComponent(
      () =>
        new AwsPostgresDatabase("d", {
          ...DATABASE,
          vpcId: "vpc-1",
          privateSubnetIds: ["subnet-a", "subnet-b"],
          clientSecurityGroupIds: ["sg-1"],
          logRetentionDays: 30,
        }),
    );
    expectWellFormed(built, "tricloud:aws:PostgresDatabase");
    const rds = built.one("aws:rds/instance:Instance");
    expect(rds.inputs).toMatchObject({
      engine: "postgres",
      storageEncrypted: true,
      publiclyAccessible: false,
      multiAz: false,
    });
    expect(String(rds.inputs.engineVersion)).toMatch(/^17/);
  });

  it("AwsContainerRegistry: ECR with immutable tags and scan on push", async () => {
    const built = await buildComponent(
      () =>
        new AwsContainerRegistry("r", {
          repositoryName: "tricloud/unit",
          untaggedExpiryDays: 7,
          keepImages: 50,
          production: false,
          tags: TAGS,
        }),
    );
    expectWellFormed(built, "tricloud:aws:ContainerRegistry");
    const repo = built.one("aws:ecr/repository:Repository");
    expect(repo.inputs.imageTagMutability).toBe("IMMUTABLE");
    expect(repo.inputs.imageScanningConfiguration.scanOnPush).toBe(true);
  });

  it("AwsBudget: a monthly cost budget in USD that mails the contacts", async () => {
    const built = await buildComponent(
      () => new AwsBudget("b", { environment: "dev", amountCents: 150_000, emails: ["ops@example.com"], tags: TAGS }),
    );
    expectWellFormed(built, "tricloud:aws:Budget");
    const budget = built.one("aws:budgets/budget:Budget");
    expect(budget.inputs).toMatchObject({
      budgetType: "COST",
      timeUnit: "MONTHLY",
      limitAmount: built.component.limitUsd,
      limitUnit: "USD",
    });
    expect(Number(built.component.limitUsd)).toBe(1500);
    expect(JSON.stringify(budget.inputs.notifications)).toContain("ops@example.com");
  });

  it("AwsFunctionHost: an arm64 Lambda behind a Function URL, in the private subnets", async () => {
    const built = await buildComponent(
      () =>
        new AwsFunctionHost("f", {
          ...FUNCTIONS,
          region: "us-west-2",
          vpcId: "vpc-1",
          privateSubnetIds: ["subnet-a", "subnet-b"],
          database: { host: "db.example", securityGroupId: "sg-db", instanceIdentifier: "db-1", adminPassword: "pw" },
          rdsProxy: false,
        }),
    );
    expectWellFormed(built, "tricloud:aws:FunctionHost");
    const fn = built.one("aws:lambda/function:Function");
    expect(fn.inputs.architectures).toEqual(["arm64"]);
    expect(fn.inputs.vpcConfig.subnetIds).toEqual(["subnet-a", "subnet-b"]);
    expect(built.ofType("aws:lambda/functionUrl:FunctionUrl")).toHaveLength(1);
    expect(built.ofType("aws:rds/proxy:Proxy")).toHaveLength(0);
  });

  it("AwsObservability: alarms to SNS topics (the region's and us-east-1's, where health checks report) that mail the contacts", async () => {
    const built = await buildComponent(
      () =>
        new AwsObservability("o", {
          ...OBSERVABILITY,
          region: "us-west-2",
          cluster: { name: "k8s", nodeRoleName: "node-role", minNodes: 1 },
          database: { instanceIdentifier: "db-1", size: "small", storageGb: 20 },
          tags: TAGS,
        }),
    );
    expectWellFormed(built, "tricloud:aws:Observability");
    const subscriptions = built.ofType("aws:sns/topicSubscription:TopicSubscription");
    expect(subscriptions.map((s) => s.inputs.region ?? "us-west-2").sort()).toEqual(["us-east-1", "us-west-2"]);
    for (const s of subscriptions) expect(s.inputs).toMatchObject({ protocol: "email", endpoint: "ops@example.com" });
    expect(built.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").length).toBeGreaterThan(0);
  });
});
