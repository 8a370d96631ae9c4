import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
  ADMIN_PASSWORD,
  ADMIN_USERNAME,
  DATABASE_NAME,
  POSTGRES_PORT,
  type PostgresDatabase,
  type PostgresDatabaseBaseArgs,
} from "../shared/platform";
import { databaseMachine } from "@tricloud/vocabulary/sizes";
import type { GcpProjectServices } from "./services";

export interface GcpPostgresDatabaseArgs extends PostgresDatabaseBaseArgs {
  project: string;
  region: string;
  networkId: pulumi.Input<string>;
  /** The private services access peering; the instance can only get a private IP once it exists. */
  privateServicesConnection: pulumi.Resource;
  /** The project's enabled APIs; every Cloud SQL resource waits for sqladmin. */
  apis: GcpProjectServices;
}

/** Cloud SQL keeps at most 7 days of transaction logs on the Enterprise edition. */
export const MAX_LOG_RETENTION_DAYS = 7;

/** The multi-region a region's backups are copied to in production ("us-central1" -> "us"). */
export function backupMultiRegion(region: string): string {
  const area = region.split("-")[0]!;
  return area === "europe" ? "eu" : area === "asia" || area === "australia" ? "asia" : "us";
}

/**
 * Cloud SQL for PostgreSQL reachable by private IP only (through service
 * networking), TLS required, daily backups with point-in-time recovery,
 * REGIONAL (a standby in another zone) when highly available, and deletion
 * protection plus backups copied to the multi-region in production.
 */
export class GcpPostgresDatabase extends pulumi.ComponentResource implements PostgresDatabase {
  readonly cloud = "gcp" as const;
  readonly host: pulumi.Output<string>;
  readonly port = POSTGRES_PORT;
  readonly databaseName = DATABASE_NAME;
  readonly adminUsername = ADMIN_USERNAME;
  readonly adminPassword: pulumi.Output<string>;
  readonly postgresVersion: string;
  readonly connectionName: pulumi.Output<string>;
  /** The instance's server CA (PEM, public): clients verify the server with it (its certificate names no IP). */
  readonly serverCaCert: pulumi.Output<string>;

  constructor(name: string, args: GcpPostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:gcp:PostgresDatabase", name, {}, opts);
    const child = { parent: this, dependsOn: args.apis.of("sqladmin.googleapis.com") };

    const password = new random.RandomPassword(`${name}-admin`, { ...ADMIN_PASSWORD }, { parent: this });

    const instance = new gcp.sql.DatabaseInstance(
      `${name}-pg`,
      {
        project: args.project,
        region: args.region,
        databaseVersion: `POSTGRES_${args.postgresVersion}`,
        deletionProtection: args.production,
        settings: {
          // db-custom-* machines exist on the Enterprise edition only.
          edition: "ENTERPRISE",
          tier: databaseMachine("gcp", args.size),
          availabilityType: args.highAvailability ? "REGIONAL" : "ZONAL",
          diskType: "PD_SSD",
          diskSize: args.storageGb,
          diskAutoresize: true,
          deletionProtectionEnabled: args.production,
          ipConfiguration: {
            ipv4Enabled: false,
            privateNetwork: args.networkId,
            sslMode: "ENCRYPTED_ONLY",
          },
          backupConfiguration: {
            enabled: true,
            pointInTimeRecoveryEnabled: true,
            startTime: "03:00",
            transactionLogRetentionDays: Math.min(MAX_LOG_RETENTION_DAYS, args.backupRetentionDays),
            backupRetentionSettings: { retainedBackups: args.backupRetentionDays, retentionUnit: "COUNT" },
            ...(args.production ? { location: backupMultiRegion(args.region) } : {}),
          },
          maintenanceWindow: { day: 7, hour: 4, updateTrack: "stable" },
          insightsConfig: { queryInsightsEnabled: true },
          userLabels: { ...args.tags },
        },
      },
      { parent: this, dependsOn: [args.privateServicesConnection, ...args.apis.of("sqladmin.googleapis.com")] },
    );

    new gcp.sql.Database(`${name}-db`, { project: args.project, instance: instance.name, name: DATABASE_NAME }, child);
    new gcp.sql.User(
      `${name}-admin`,
      {
        project: args.project,
        instance: instance.name,
        name: ADMIN_USERNAME,
        password: pulumi.secret(password.result),
        // PostgreSQL refuses to drop a role that owns objects; leave it to go with the instance.
        deletionPolicy: "ABANDON",
      },
      { ...child, additionalSecretOutputs: ["password"] },
    );

    this.host = instance.privateIpAddress;
    this.connectionName = instance.connectionName;
    this.serverCaCert = instance.serverCaCerts.apply((certs) => certs?.[0]?.cert ?? "");
    this.adminPassword = pulumi.secret(password.result);
    this.postgresVersion = args.postgresVersion;
    this.registerOutputs({ host: this.host, connectionName: this.connectionName, adminPassword: this.adminPassword });
  }
}
