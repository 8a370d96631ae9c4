import * as authorization from "@pulumi/azure-native/authorization";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import * as privatedns from "@pulumi/azure-native/privatedns";
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
import { azureFlexibleServerStorageGb, DATABASE_SIZES } from "@tricloud/vocabulary/sizes";

/** Flexible Server's built-in PgBouncer listens here, on the server's own host name. */
export const PGBOUNCER_PORT = 6432;

export interface AzurePostgresDatabaseArgs extends PostgresDatabaseBaseArgs {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  vnetId: pulumi.Input<string>;
  /** A subnet delegated to Microsoft.DBforPostgreSQL/flexibleServers. */
  databaseSubnetId: pulumi.Input<string>;
  /** Zones for the primary and, when highly available, the standby ("1", "2", ...). */
  zones: readonly string[];
  /** Globally unique label for the private DNS zone, e.g. "tricloud-dev". */
  dnsLabel: string;
}

/**
 * Azure Database for PostgreSQL Flexible Server with private access only:
 * injected into the delegated subnet, resolved through a private DNS zone
 * linked to the VNet, zone-redundant HA, geo-redundant backups and a
 * CanNotDelete management lock in production.
 */
export class AzurePostgresDatabase extends pulumi.ComponentResource implements PostgresDatabase {
  readonly cloud = "azure" as const;
  readonly host: pulumi.Output<string>;
  readonly port = POSTGRES_PORT;
  readonly databaseName = DATABASE_NAME;
  readonly adminUsername = ADMIN_USERNAME;
  readonly adminPassword: pulumi.Output<string>;
  readonly postgresVersion: string;
  readonly serverName: pulumi.Output<string>;
  /** Where many short-lived clients (the functions) connect: PgBouncer's 6432, or 5432 on Burstable, which has no PgBouncer. */
  readonly poolerPort: number;
  /** The Premium SSD size provisioned: the configured storageGb rounded up to a size Azure offers. */
  readonly storageGb: number;
  /**
   * The last of the server's child operations (database, parameters, lock). Anything else that
   * writes to the server (diagnostic settings) waits for it: Flexible Server runs one management
   * operation at a time and answers a concurrent one with ServerIsBusy.
   */
  readonly settled: pulumi.Resource;

  constructor(name: string, args: AzurePostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:azure:PostgresDatabase", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };
    const sku = DATABASE_SIZES[args.size].azure;

    const password = new random.RandomPassword(`${name}-admin`, { ...ADMIN_PASSWORD }, child);

    // Flexible Server requires a zone named *.postgres.database.azure.com for private access.
    const zone = new privatedns.PrivateZone(
      `${name}-dns`,
      {
        resourceGroupName: args.resourceGroupName,
        privateZoneName: `${args.dnsLabel}.private.postgres.database.azure.com`,
        location: "global",
        tags,
      },
      child,
    );
    const link = new privatedns.VirtualNetworkLink(
      `${name}-dns-link`,
      {
        resourceGroupName: args.resourceGroupName,
        privateZoneName: zone.name,
        location: "global",
        virtualNetwork: { id: args.vnetId },
        registrationEnabled: false,
        tags,
      },
      child,
    );

    const primaryZone = args.zones[0] ?? "1";
    const standbyZone = args.zones.find((z) => z !== primaryZone);
    const server = new dbforpostgresql.Server(
      `${name}-pg`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        version: args.postgresVersion,
        sku: { name: sku.name, tier: sku.tier },
        administratorLogin: ADMIN_USERNAME,
        administratorLoginPassword: pulumi.secret(password.result),
        // Entra sign-in needs a tenant and an Entra administrator (a principal this program does not
        // know); the functions sign in with the password from Key Vault, so Entra stays off.
        authConfig: { passwordAuth: "Enabled", activeDirectoryAuth: "Disabled" },
        storage: { storageSizeGB: azureFlexibleServerStorageGb(args.storageGb), autoGrow: "Enabled" },
        availabilityZone: primaryZone,
        highAvailability: args.highAvailability
          ? { mode: "ZoneRedundant", ...(standbyZone ? { standbyAvailabilityZone: standbyZone } : {}) }
          : { mode: "Disabled" },
        backup: {
          backupRetentionDays: args.backupRetentionDays,
          // Fixed at creation: a copy in the paired region survives the loss of the whole region.
          geoRedundantBackup: args.production ? "Enabled" : "Disabled",
        },
        network: {
          delegatedSubnetResourceId: args.databaseSubnetId,
          privateDnsZoneArmResourceId: zone.id,
          publicNetworkAccess: "Disabled",
        },
        tags,
      },
      { parent: this, dependsOn: [link], additionalSecretOutputs: ["administratorLoginPassword"] },
    );

    // One operation at a time on the server (ServerIsBusy otherwise): database, then parameters, then the lock.
    const database = new dbforpostgresql.Database(
      `${name}-db`,
      {
        resourceGroupName: args.resourceGroupName,
        serverName: server.name,
        databaseName: DATABASE_NAME,
        charset: "UTF8",
        collation: "en_US.utf8",
      },
      child,
    );
    let last: pulumi.Resource = database;

    // The built-in PgBouncer (transaction pooling, same host, port 6432): function instances
    // scale out faster than PostgreSQL accepts connections. Azure offers it on General Purpose
    // and Memory Optimized only.
    const pgbouncer = sku.tier !== "Burstable";
    if (pgbouncer) {
      last = new dbforpostgresql.Configuration(
        `${name}-pgbouncer`,
        {
          resourceGroupName: args.resourceGroupName,
          serverName: server.name,
          configurationName: "pgbouncer.enabled",
          value: "true",
          source: "user-override",
        },
        { parent: this, dependsOn: [last] },
      );
    }

    // Flexible Server has no deletion-protection flag: in production a CanNotDelete lock on the server
    // (inherited by its databases and parameters) refuses deletes from the portal, the CLI or other
    // automation. Pulumi deletes the lock before the server on a destroy or replacement, so removing
    // this block (or the stack) is the deliberate way to delete the server.
    if (args.production) {
      last = new authorization.ManagementLockByScope(
        `${name}-lock`,
        {
          scope: server.id,
          lockName: "tricloud-cannot-delete",
          level: "CanNotDelete",
          notes:
            "tricloud production database: deleting it loses the data. Remove the lock in the tricloud program first.",
        },
        { parent: this, dependsOn: [last] },
      );
    }
    this.settled = last;
    this.poolerPort = pgbouncer ? PGBOUNCER_PORT : POSTGRES_PORT;

    this.host = server.fullyQualifiedDomainName;
    this.serverName = server.name;
    this.adminPassword = pulumi.secret(password.result);
    this.postgresVersion = args.postgresVersion;
    this.storageGb = azureFlexibleServerStorageGb(args.storageGb);
    this.registerOutputs({ host: this.host, adminPassword: this.adminPassword });
  }
}
