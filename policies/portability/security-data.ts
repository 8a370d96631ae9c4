import type { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { get, isTrue, validateTypes, type Props, type TypedCheck } from "@tricloud/policy-kit/kit";
import { environmentOf } from "@tricloud/policy-kit/tags";

/**
 * Data at rest: encryption, no public databases, and in production backups
 * and deletion protection. Azure and GCP encrypt databases and disks at rest
 * with no switch to turn it off, so only settings that exist are checked.
 */

export const encryptionAtRest: ResourceValidationPolicy = {
  name: "security-storage-enable-encryption-at-rest",
  description:
    "Requires encryption at rest where a resource can turn it off: RDS storage, node volumes, Kubernetes secrets on EKS, ECR images, KMS key rotation.",
  enforcementLevel: "mandatory",
  validateResource: validateTypes({
    "aws:rds/instance:Instance": (p, _a, report) => {
      if (p.storageEncrypted !== true)
        report("storageEncrypted is not true: set storageEncrypted: true (it cannot be changed after creation).");
    },
    "aws:ec2/launchTemplate:LaunchTemplate": (p, _a, report) => {
      for (const [i, m] of ((p.blockDeviceMappings ?? []) as any[]).entries()) {
        if (m.ebs && !isTrue(m.ebs.encrypted))
          report(`blockDeviceMappings[${i}] (${m.deviceName}) is not encrypted: set ebs.encrypted: "true".`);
      }
    },
    "aws:eks/cluster:Cluster": (p, _a, report) => {
      const resources = (get(p, "encryptionConfig.resources") ?? []) as string[];
      if (!resources.includes("secrets"))
        report(
          'Kubernetes secrets are not envelope-encrypted: set encryptionConfig { provider.keyArn, resources: ["secrets"] } with a KMS key.',
        );
    },
    "aws:ecr/repository:Repository": (p, _a, report) => {
      const types = ((p.encryptionConfigurations ?? []) as any[]).map((c) => c.encryptionType);
      if (types.some((t) => t !== "AES256" && t !== "KMS" && t !== "KMS_DSSE"))
        report(`encryptionType ${types.join(", ")} is not AES256 or KMS.`);
    },
    "aws:kms/key:Key": (p, _a, report) => {
      if (
        p.enableKeyRotation !== true &&
        (p.customerMasterKeySpec ?? p.keySpec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT"
      )
        report("enableKeyRotation is not true: set it so the key material rotates yearly.");
    },
  }),
};

export const noPublicDatabase: ResourceValidationPolicy = {
  name: "security-database-disallow-public-access",
  description:
    "Disallows databases reachable from the internet: RDS publicly accessible, Azure Flexible Server public network access, Cloud SQL public IP.",
  enforcementLevel: "mandatory",
  validateResource: validateTypes({
    "aws:rds/instance:Instance": (p, _a, report) => {
      if (p.publiclyAccessible === true)
        report("publiclyAccessible is true: set it to false and reach the database from inside the VPC.");
    },
    "azure-native:dbforpostgresql:Server": (p, _a, report) => {
      const access = get(p, "network.publicNetworkAccess");
      if (access !== "Disabled" && !get(p, "network.delegatedSubnetResourceId"))
        report(
          `network.publicNetworkAccess is ${access ?? "unset (Enabled)"}: inject the server into a delegated subnet and set publicNetworkAccess: "Disabled".`,
        );
    },
    "gcp:sql/databaseInstance:DatabaseInstance": (p, _a, report) => {
      const ip = get(p, "settings.ipConfiguration") ?? {};
      if (ip.ipv4Enabled !== false)
        report(
          "settings.ipConfiguration.ipv4Enabled is not false: use private IP only (privateNetwork) and set ipv4Enabled: false.",
        );
    },
  }),
};

const envSchema = {
  environment: {
    type: "string",
    description: "The environment when a resource carries no environment tag (tricloud:environment).",
  },
} as const;

type ProdConfig = { environment?: string; minBackupRetentionDays: number };

/** Runs a check on production resources only; others are not applicable. */
function inProd(check: (p: Props, cfg: ProdConfig, report: ReportViolation) => void): TypedCheck {
  return (p, args, report) => {
    const cfg = args.getConfig<ProdConfig>();
    if (environmentOf(args.type, p, cfg.environment) !== "prod") return args.notApplicable("not a production resource");
    check(p, cfg, report);
  };
}

function backups(days: number, pitr: boolean, field: string, cfg: ProdConfig, report: ReportViolation): void {
  if (days < cfg.minBackupRetentionDays)
    report(
      `${field} keeps ${days} days of backups: keep at least ${cfg.minBackupRetentionDays} in prod (tricloud:database.backupRetentionDays).`,
    );
  if (!pitr) report(`point-in-time recovery is off: enable it (${field}) in prod.`);
}

export const backupsInProd: ResourceValidationPolicy = {
  name: "security-database-enable-backups-prod",
  description:
    "Requires automated backups kept for at least the configured days, and point-in-time recovery, on production databases.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      ...envSchema,
      minBackupRetentionDays: { type: "integer", default: 7, description: "Least days of automated backups in prod." },
    },
  },
  validateResource: validateTypes({
    // RDS point-in-time recovery comes with any retention above 0.
    "aws:rds/instance:Instance": inProd((p, cfg, report) =>
      backups(
        Number(p.backupRetentionPeriod ?? 0),
        Number(p.backupRetentionPeriod ?? 0) > 0,
        "backupRetentionPeriod",
        cfg,
        report,
      ),
    ),
    // Flexible Server always keeps point-in-time backups; 7 days unless set.
    "azure-native:dbforpostgresql:Server": inProd((p, cfg, report) =>
      backups(Number(get(p, "backup.backupRetentionDays") ?? 7), true, "backup.backupRetentionDays", cfg, report),
    ),
    "gcp:sql/databaseInstance:DatabaseInstance": inProd((p, cfg, report) => {
      const b = get(p, "settings.backupConfiguration") ?? {};
      const daily = b.enabled === true ? Number(get(b, "backupRetentionSettings.retainedBackups") ?? 7) : 0; // one backup a day
      backups(daily, b.pointInTimeRecoveryEnabled === true, "settings.backupConfiguration", cfg, report);
    }),
  }),
};

const protectionProblems = (report: ReportViolation, problems: string[]) => {
  if (problems.length)
    report(
      `${problems.join("; ")}: production data and clusters must survive a mistaken delete. Turn the protection on.`,
    );
};

export const deletionProtectionInProd: ResourceValidationPolicy = {
  name: "security-database-enable-deletion-protection-prod",
  description:
    "Requires deletion protection (and RDS's final snapshot) on production RDS and Cloud SQL databases and EKS and GKE clusters.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...envSchema } },
  validateResource: validateTypes({
    "aws:rds/instance:Instance": inProd((p, _c, report) =>
      protectionProblems(report, [
        ...(p.deletionProtection === true ? [] : ["deletionProtection is not true"]),
        ...(p.skipFinalSnapshot === true ? ["skipFinalSnapshot is true (no final snapshot on delete)"] : []),
      ]),
    ),
    "gcp:sql/databaseInstance:DatabaseInstance": inProd((p, _c, report) =>
      protectionProblems(report, [
        ...(p.deletionProtection === false ? ["deletionProtection (Pulumi's guard) is false"] : []),
        ...(get(p, "settings.deletionProtectionEnabled") === true
          ? []
          : ["settings.deletionProtectionEnabled (the API's guard) is not true"]),
      ]),
    ),
    "aws:eks/cluster:Cluster": inProd((p, _c, report) =>
      protectionProblems(report, p.deletionProtection === true ? [] : ["deletionProtection is not true"]),
    ),
    "gcp:container/cluster:Cluster": inProd((p, _c, report) =>
      protectionProblems(report, p.deletionProtection === false ? ["deletionProtection is false"] : []),
    ),
  }),
};

/**
 * Azure Flexible Server has no deletion-protection flag: the guard is a
 * CanNotDelete management lock or Pulumi's `protect`. The program locks its
 * production server (components/azure/database.ts).
 */
export const azureDatabaseLockInProd: StackValidationPolicy = {
  name: "security-azure-postgres-enable-deletion-lock-prod",
  description:
    "Requires a CanNotDelete management lock or Pulumi's protect option on production Azure PostgreSQL Flexible Servers.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...envSchema } },
  validateStack: (args, reportViolation) => {
    const cfg = args.getConfig<{ environment?: string }>();
    const servers = args.resources.filter(
      (r) =>
        r.type === "azure-native:dbforpostgresql:Server" && environmentOf(r.type, r.props, cfg.environment) === "prod",
    );
    if (servers.length === 0) return args.notApplicable("no production Azure PostgreSQL server");
    const locks = args.resources.filter(
      (r) => r.type.startsWith("azure-native:authorization:ManagementLock") && r.props.level === "CanNotDelete",
    );
    // The resource a lock guards: the last segment of its scope (ByScope) or its resourceName (AtResourceLevel).
    const lockTarget = (l: (typeof locks)[number]) =>
      String(l.props.scope ?? l.props.resourceName ?? "")
        .replace(/\/+$/, "")
        .split("/")
        .pop() ?? "";
    for (const s of servers) {
      const physical = s.props.serverName ?? s.props.name;
      // Without the server's physical name (inputs of an auto-named server), its logical name plus an auto-name suffix.
      const guards = (target: string) =>
        typeof physical === "string"
          ? target === physical
          : target === s.name || (target.startsWith(s.name) && /^-?[0-9a-f]{6,8}$/.test(target.slice(s.name.length)));
      const locked = locks.some((l) => guards(lockTarget(l)));
      if (!s.opts.protect && !locked)
        reportViolation(
          `no deletion guard: Azure has no deletion-protection flag for Flexible Server, so add a CanNotDelete management lock on the server (azure-native authorization ManagementLockByScope) or protect: true.`,
          s.urn,
        );
    }
  },
};

export const dataPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
  encryptionAtRest,
  noPublicDatabase,
  backupsInProd,
  deletionProtectionInProd,
  azureDatabaseLockInProd,
];
