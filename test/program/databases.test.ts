import { describe, expect, it } from "vitest";
import type { PlanReport } from "../../cli/plan/report";
import { backupMultiRegion } from "../../components/gcp/database";
import { ADMIN_USERNAME, DATABASE_NAME } from "../../components/shared/platform";
import { azureFlexibleServerStorageGb, DATABASE_SIZES, databaseMachine } from "@tricloud/vocabulary/sizes";
import { input, ofType, oneOfType, planStack } from "../helpers/plan";
import { expectConfigError, mockId, mockState, owningComponents, stackConfig } from "../helpers/platform";

const RDS = "aws:rds/instance:Instance";
const FLEX = "azure-native:dbforpostgresql:Server";
const CLOUD_SQL = "gcp:sql/databaseInstance:DatabaseInstance";

/** Every resource input that carries a password, by type and input path. */
const PASSWORD_INPUTS: [string, string][] = [
  [RDS, "password"],
  [FLEX, "administratorLoginPassword"],
  ["gcp:sql/user:User", "password"],
];

describe.each(["dev", "prod"])("%s databases", (stack) => {
  const prod = stack === "prod";
  const t = stackConfig(stack).tricloud;
  const db = t.database;

  it("has exactly one PostgreSQL server per cloud, each under its component", async () => {
    const r = await planStack(stack);
    for (const cloud of ["aws", "azure", "gcp"])
      expect(ofType(r, `tricloud:${cloud}:PostgresDatabase`)).toHaveLength(1);
    for (const type of [RDS, FLEX, CLOUD_SQL]) {
      const [server, ...others] = ofType(r, type);
      expect(others, type).toHaveLength(0);
      expect(owningComponents(r, server!).slice(0, 2)).toEqual([
        `tricloud:${server!.cloud}:PostgresDatabase`,
        `tricloud:${server!.cloud}:Platform`,
      ]);
    }
  });

  it("runs one PostgreSQL major everywhere: the configured one", async () => {
    const r = await planStack(stack);
    expect(input(oneOfType(r, RDS), "engine")).toBe("postgres");
    expect(input(oneOfType(r, RDS), "engineVersion")).toBe(t.postgresVersion);
    expect(input(oneOfType(r, FLEX), "version")).toBe(t.postgresVersion);
    expect(input(oneOfType(r, CLOUD_SQL), "databaseVersion")).toBe(`POSTGRES_${t.postgresVersion}`);
    for (const cloud of ["aws", "azure", "gcp"] as const) {
      expect(r.outputs[cloud]).toMatchObject({
        database: {
          postgresVersion: t.postgresVersion,
          name: DATABASE_NAME,
          adminUsername: ADMIN_USERNAME,
          port: 5432,
        },
      });
    }
  });

  it("RDS: private subnets only, not public, encrypted gp3, backups, and the right availability and protection", async () => {
    const r = await planStack(stack);
    const rds = oneOfType(r, RDS);
    expect(rds.inputs).toMatchObject({
      publiclyAccessible: false,
      storageEncrypted: true,
      storageType: "gp3",
      allocatedStorage: db.storageGb,
      instanceClass: databaseMachine("aws", db.size),
      multiAz: prod,
      backupRetentionPeriod: db.backupRetentionDays,
      deletionProtection: prod,
      skipFinalSnapshot: !prod,
    });
    expect(input(rds, "backupRetentionPeriod")).toBeGreaterThanOrEqual(prod ? 30 : 7);
    if (prod) expect(input(rds, "finalSnapshotIdentifier")).toMatch(/\S/);

    const group = oneOfType(r, "aws:rds/subnetGroup:SubnetGroup");
    expect(input(rds, "dbSubnetGroupName")).toBe(mockState(stack, group).name);
    const privateIds = ofType(r, "aws:ec2/subnet:Subnet")
      .filter((s) => input(s, "tags.tier") === "private")
      .map((s) => mockId(stack, s));
    expect([...(input(group, "subnetIds") as string[])].sort()).toEqual(privateIds.sort());
  });

  it("RDS: its security group admits PostgreSQL from the cluster's and the quorum function's (prod: its RDS Proxy's) security groups only, and nothing from CIDRs", async () => {
    const r = await planStack(stack);
    const sg = oneOfType(r, "aws:ec2/securityGroup:SecurityGroup", "-db-");
    expect(input(oneOfType(r, RDS), "vpcSecurityGroupIds")).toEqual([mockId(stack, sg)]);
    expect(input(sg, "ingress")).toBeUndefined();
    expect(input(sg, "egress")).toBeUndefined();
    const rules = ofType(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
      (x) => input(x, "securityGroupId") === mockId(stack, sg),
    );
    const eks = mockState(stack, oneOfType(r, "aws:eks/cluster:Cluster")) as {
      vpcConfig: { clusterSecurityGroupId: string };
    };
    const fnClient = mockId(
      stack,
      oneOfType(r, "aws:ec2/securityGroup:SecurityGroup", stack === "prod" ? "-fn-proxy-sg" : "-fn-sg"),
    );
    expect(rules.map((x) => input(x, "referencedSecurityGroupId")).sort()).toEqual(
      [eks.vpcConfig.clusterSecurityGroupId, fnClient].sort(),
    );
    for (const rule of rules) {
      expect(rule.inputs).toMatchObject({ fromPort: 5432, toPort: 5432, ipProtocol: "tcp" });
      expect(input(rule, "cidrIpv4")).toBeUndefined();
    }
  });

  it("Flexible Server: private access through the delegated subnet and a linked private DNS zone", async () => {
    const r = await planStack(stack);
    const server = oneOfType(r, FLEX);
    const subnet = oneOfType(r, "azure-native:network:Subnet", "-net-database");
    expect(input(subnet, "delegations")).toEqual([
      expect.objectContaining({ serviceName: "Microsoft.DBforPostgreSQL/flexibleServers" }),
    ]);
    const zone = oneOfType(r, "azure-native:privatedns:PrivateZone");
    expect(input(zone, "privateZoneName")).toMatch(/\.postgres\.database\.azure\.com$/);
    expect(input(server, "network")).toEqual({
      delegatedSubnetResourceId: mockId(stack, subnet),
      privateDnsZoneArmResourceId: mockId(stack, zone),
      publicNetworkAccess: "Disabled",
    });
    const link = oneOfType(r, "azure-native:privatedns:VirtualNetworkLink");
    expect(input(link, "privateZoneName")).toBe(mockState(stack, zone).name);
    expect(input(link, "virtualNetwork.id")).toBe(mockId(stack, oneOfType(r, "azure-native:network:VirtualNetwork")));
    expect(input(link, "registrationEnabled")).toBe(false);
  });

  it("Flexible Server: zone-redundant HA and geo-redundant backups in prod, retention as configured", async () => {
    const r = await planStack(stack);
    const server = oneOfType(r, FLEX);
    expect(input(server, "sku")).toEqual(DATABASE_SIZES[db.size].azure);
    expect(input(server, "backup")).toEqual({
      backupRetentionDays: db.backupRetentionDays,
      geoRedundantBackup: prod ? "Enabled" : "Disabled",
    });
    const ha = input(server, "highAvailability") as { mode: string; standbyAvailabilityZone?: string };
    expect(ha.mode).toBe(prod ? "ZoneRedundant" : "Disabled");
    if (prod) expect(ha.standbyAvailabilityZone).not.toBe(input(server, "availabilityZone"));
    // Premium SSD takes fixed sizes: the configured storageGb rounded up (dev 20 -> 32, prod 100 -> 128).
    expect(input(server, "storage.storageSizeGB")).toBe(azureFlexibleServerStorageGb(db.storageGb));
    expect(input(server, "storage.storageSizeGB")).toBe(prod ? 128 : 32);
    // Deletion guard: a CanNotDelete lock scoped to the server, under the database component, in prod only.
    const locks = ofType(r, "azure-native:authorization:ManagementLockByScope");
    if (prod) {
      expect(locks).toHaveLength(1);
      expect(locks[0]!.inputs).toMatchObject({ level: "CanNotDelete", scope: mockId(stack, server) });
      expect(owningComponents(r, locks[0]!)[0]).toBe("tricloud:azure:PostgresDatabase");
    } else {
      expect(locks).toEqual([]);
    }
  });

  it("Cloud SQL: private IP only through service networking, TLS only, backups with PITR, REGIONAL and protected in prod", async () => {
    const r = await planStack(stack);
    const sql = oneOfType(r, CLOUD_SQL);
    const network = oneOfType(r, "gcp:compute/network:Network");
    expect(input(sql, "settings.ipConfiguration")).toEqual({
      ipv4Enabled: false,
      privateNetwork: mockId(stack, network),
      sslMode: "ENCRYPTED_ONLY",
    });
    // The range the private IP comes from is the one service networking peers (dependsOn is not visible under mocks).
    const connection = oneOfType(r, "gcp:servicenetworking/connection:Connection");
    expect(input(connection, "network")).toBe(mockId(stack, network));
    const backup = input(sql, "settings.backupConfiguration") as Record<string, unknown>;
    expect(backup).toMatchObject({
      enabled: true,
      pointInTimeRecoveryEnabled: true,
      backupRetentionSettings: { retainedBackups: db.backupRetentionDays, retentionUnit: "COUNT" },
    });
    expect(backup.transactionLogRetentionDays).toBe(7);
    expect(backup.location).toBe(prod ? backupMultiRegion(stackConfig(stack).gcp.region) : undefined);
    expect(input(sql, "settings.availabilityType")).toBe(prod ? "REGIONAL" : "ZONAL");
    expect(input(sql, "settings.tier")).toBe(databaseMachine("gcp", db.size));
    expect(input(sql, "deletionProtection")).toBe(prod);
    expect(input(sql, "settings.deletionProtectionEnabled")).toBe(prod);
  });

  it("generates admin passwords with @pulumi/random and hands them over only as secrets", async () => {
    const r = await planStack(stack);
    // One admin password per database (the cross-cloud VPN's pre-shared keys are the others).
    const admin = ofType(r, "random:index/randomPassword:RandomPassword").filter((p) => !p.name.includes("-vpn-keys-"));
    expect(admin).toHaveLength(3);
    for (const [type, path] of PASSWORD_INPUTS) {
      const res = oneOfType(r, type);
      expect(res.secretInputs, type).toContain(path);
      expect(input(res, path), type).toBe("[secret]");
    }
    for (const cloud of ["aws", "azure", "gcp"] as const) {
      expect(r.outputs[cloud]).toMatchObject({ database: { adminPassword: "[secret]" } });
    }
    expectNoPasswordInPlainText(r);
  });

  it("carries the configured tags and labels", async () => {
    const r = await planStack(stack);
    const want = { ...t.tags, environment: t.environment, "managed-by": "tricloud" };
    expect(input(oneOfType(r, RDS), "tags")).toMatchObject(want);
    expect(input(oneOfType(r, FLEX), "tags")).toMatchObject(want);
    expect(input(oneOfType(r, CLOUD_SQL), "settings.userLabels")).toMatchObject(want);
  });
});

/** The mocks' generated passwords start with "mock-password-": none may appear anywhere in the report. */
function expectNoPasswordInPlainText(r: PlanReport): void {
  const generated = ofType(r, "random:index/randomPassword:RandomPassword").map((p) => p.name);
  expect(generated.length).toBeGreaterThan(0);
  expect(JSON.stringify(r)).not.toMatch(/mock-password-/);
}

describe("dev and prod databases differ where production needs it", () => {
  it("prod is highly available, keeps backups longer and is protected from deletion", async () => {
    const [dev, prod] = await Promise.all([planStack("dev"), planStack("prod")]);
    const pick = (r: PlanReport) => ({
      multiAz: input(oneOfType(r, RDS), "multiAz"),
      retention: input(oneOfType(r, RDS), "backupRetentionPeriod") as number,
      rdsProtected: input(oneOfType(r, RDS), "deletionProtection"),
      flexHa: input(oneOfType(r, FLEX), "highAvailability.mode"),
      sqlHa: input(oneOfType(r, CLOUD_SQL), "settings.availabilityType"),
      sqlProtected: input(oneOfType(r, CLOUD_SQL), "deletionProtection"),
    });
    expect(pick(dev)).toMatchObject({
      multiAz: false,
      rdsProtected: false,
      flexHa: "Disabled",
      sqlHa: "ZONAL",
      sqlProtected: false,
    });
    expect(pick(prod)).toMatchObject({
      multiAz: true,
      rdsProtected: true,
      flexHa: "ZoneRedundant",
      sqlHa: "REGIONAL",
      sqlProtected: true,
    });
    expect(pick(prod).retention).toBeGreaterThan(pick(dev).retention);
  });
});

describe("bad database config is rejected naming the key", () => {
  it.each([
    ["dev", "tricloud:postgresVersion=13", "tricloud:postgresVersion"],
    ["dev", "tricloud:postgresVersion=16.2", "tricloud:postgresVersion"],
    ["dev", "tricloud:database.size=xlarge", "tricloud:database.size"],
    ["dev", "tricloud:database.backupRetentionDays=3", "tricloud:database.backupRetentionDays"],
    ["prod", "tricloud:database.backupRetentionDays=14", "tricloud:database.backupRetentionDays"],
    ["prod", "tricloud:database.highAvailability=false", "tricloud:database.highAvailability"],
    // Azure serves "small" as Burstable, which has no zone-redundant standby.
    ["prod", "tricloud:database.size=small", "tricloud:database.size"],
  ])("%s: %s", async (stack, override, key) => {
    await expectConfigError(stack, [override], key);
  });
});
