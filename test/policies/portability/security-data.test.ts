import { describe, expect, it } from "vitest";
import {
  azureDatabaseLockInProd,
  backupsInProd,
  deletionProtectionInProd,
  encryptionAtRest,
  noPublicDatabase,
} from "../../../policies/portability/security-data";
import { DEV_TAGS, messages, res, runPolicy, TAGS } from "../../helpers/policies";

describe("security-storage-enable-encryption-at-rest", () => {
  it("passes encrypted storage, volumes, secrets and rotating keys", async () => {
    expect(
      await messages(encryptionAtRest, [
        res("aws:rds/instance:Instance", { storageEncrypted: true }),
        res("aws:ec2/launchTemplate:LaunchTemplate", {
          blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }],
        }),
        res("aws:eks/cluster:Cluster", { encryptionConfig: { resources: ["secrets"] } }),
        res("aws:kms/key:Key", { enableKeyRotation: true }),
      ]),
    ).toEqual([]);
  });
  it("fails unencrypted RDS, volumes and EKS secrets", async () => {
    const m = await messages(encryptionAtRest, [
      res("aws:rds/instance:Instance", {}),
      res("aws:ec2/launchTemplate:LaunchTemplate", {
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }],
      }),
      res("aws:eks/cluster:Cluster", {}),
      res("aws:kms/key:Key", { enableKeyRotation: false }),
    ]);
    expect(m).toEqual([
      expect.stringContaining("storageEncrypted"),
      expect.stringContaining("/dev/xvda"),
      expect.stringContaining("envelope-encrypted"),
      expect.stringContaining("enableKeyRotation"),
    ]);
  });
});

describe("security-database-disallow-public-access", () => {
  it("passes private databases on all three clouds", async () => {
    expect(
      await messages(noPublicDatabase, [
        res("aws:rds/instance:Instance", { publiclyAccessible: false }),
        res("azure-native:dbforpostgresql:Server", {
          network: { publicNetworkAccess: "Disabled", delegatedSubnetResourceId: "/sub" },
        }),
        res("gcp:sql/databaseInstance:DatabaseInstance", { settings: { ipConfiguration: { ipv4Enabled: false } } }),
      ]),
    ).toEqual([]);
  });
  it("fails public databases on all three clouds", async () => {
    const m = await messages(noPublicDatabase, [
      res("aws:rds/instance:Instance", { publiclyAccessible: true }),
      res("azure-native:dbforpostgresql:Server", { network: { publicNetworkAccess: "Enabled" } }),
      res("gcp:sql/databaseInstance:DatabaseInstance", { settings: { ipConfiguration: { ipv4Enabled: true } } }),
    ]);
    expect(m).toHaveLength(3);
  });
});

describe("security-database-enable-backups-prod", () => {
  it("passes prod databases with enough backups and PITR, and ignores dev", async () => {
    const r = await runPolicy(backupsInProd, [
      res("aws:rds/instance:Instance", { backupRetentionPeriod: 30, tags: TAGS }),
      res("gcp:sql/databaseInstance:DatabaseInstance", {
        settings: {
          userLabels: TAGS,
          backupConfiguration: {
            enabled: true,
            pointInTimeRecoveryEnabled: true,
            backupRetentionSettings: { retainedBackups: 30 },
          },
        },
      }),
      res("aws:rds/instance:Instance", { backupRetentionPeriod: 0, tags: DEV_TAGS }),
    ]);
    expect(r.violations).toEqual([]);
    expect(r.notApplicable.map((n) => n.reason)).toContain("not a production resource");
  });
  it("fails prod databases under the configured retention or without PITR", async () => {
    const m = await messages(
      backupsInProd,
      [
        res("azure-native:dbforpostgresql:Server", { backup: { backupRetentionDays: 7 }, tags: TAGS }),
        res("gcp:sql/databaseInstance:DatabaseInstance", {
          settings: { userLabels: TAGS, backupConfiguration: { enabled: true } },
        }),
      ],
      { minBackupRetentionDays: 14 },
    );
    expect(m).toEqual([
      expect.stringContaining("keeps 7 days"),
      expect.stringContaining("keeps 7 days"),
      expect.stringContaining("point-in-time recovery is off"),
    ]);
  });
  it("treats an untagged resource as prod unless the config names the environment", async () => {
    expect(
      await messages(backupsInProd, [res("aws:rds/instance:Instance", { backupRetentionPeriod: 1 })]),
    ).toHaveLength(1);
    expect(
      await messages(backupsInProd, [res("aws:rds/instance:Instance", { backupRetentionPeriod: 1 })], {
        environment: "dev",
      }),
    ).toEqual([]);
  });
});

describe("security-database-enable-deletion-protection-prod", () => {
  it("passes protected prod databases and clusters", async () => {
    expect(
      await messages(deletionProtectionInProd, [
        res("aws:rds/instance:Instance", { deletionProtection: true, skipFinalSnapshot: false, tags: TAGS }),
        res("gcp:sql/databaseInstance:DatabaseInstance", {
          deletionProtection: true,
          settings: { deletionProtectionEnabled: true, userLabels: TAGS },
        }),
        res("aws:eks/cluster:Cluster", { deletionProtection: true, tags: TAGS }),
        res("gcp:container/cluster:Cluster", { resourceLabels: TAGS }),
      ]),
    ).toEqual([]);
  });
  it("fails unprotected prod resources", async () => {
    const m = await messages(deletionProtectionInProd, [
      res("aws:rds/instance:Instance", { skipFinalSnapshot: true, tags: TAGS }),
      res("gcp:sql/databaseInstance:DatabaseInstance", { settings: { userLabels: TAGS } }),
    ]);
    expect(m).toEqual([
      expect.stringContaining("skipFinalSnapshot is true"),
      expect.stringContaining("deletionProtectionEnabled"),
    ]);
  });
});

describe("security-azure-postgres-enable-deletion-lock-prod", () => {
  const server = (protect = false) =>
    res("azure-native:dbforpostgresql:Server", { serverName: "pg1", tags: TAGS }, { protect });
  it("passes a server with protect or a CanNotDelete lock on it", async () => {
    expect(await messages(azureDatabaseLockInProd, [server(true)])).toEqual([]);
    expect(
      await messages(azureDatabaseLockInProd, [
        server(),
        res("azure-native:authorization:ManagementLockByScope", {
          level: "CanNotDelete",
          scope: "/subscriptions/x/.../flexibleServers/pg1",
        }),
      ]),
    ).toEqual([]);
  });
  it("fails an unguarded prod server, as mandatory", async () => {
    const r = await runPolicy(azureDatabaseLockInProd, [server()]);
    expect(r.violations.map((v) => [v.enforcementLevel, v.urn])).toEqual([
      ["mandatory", expect.stringContaining("Server")],
    ]);
  });
  it("fails a prod server whose locks are not CanNotDelete or lock another server", async () => {
    const r = await runPolicy(azureDatabaseLockInProd, [
      server(),
      res("azure-native:authorization:ManagementLockByScope", {
        level: "NotSpecified",
        scope: "/subscriptions/x/.../flexibleServers/pg1",
      }),
      res("azure-native:authorization:ManagementLockByScope", {
        level: "CanNotDelete",
        scope: "/subscriptions/x/.../flexibleServers/other",
      }),
    ]);
    expect(r.violations.map((v) => v.enforcementLevel)).toEqual(["mandatory"]);
  });
  it("asks nothing of a dev server", async () => {
    expect(
      await messages(azureDatabaseLockInProd, [
        res("azure-native:dbforpostgresql:Server", { serverName: "pg1", tags: DEV_TAGS }),
      ]),
    ).toEqual([]);
  });
});
