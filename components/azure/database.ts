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
 * linked to the VNet, zone-redundant HA, geo-redundant backups and, in
 * production, a CanNotDelete management lock (lockServer, called once what
 * else lives under the server exists).
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
   * The last of the server's child operations (database, then parameters). Anything else that
   * writes to the server (diagnostic settings) waits for it: Flexible Server runs one management
   * operation at a time and answers a concurrent one with ServerIsBusy.
   */
  readonly settled: pulumi.Resource;
  /** The production CanNotDelete lock on the server, once lockServer has created it. */
  lock?: authorization.ManagementLockByScope;

  private readonly lockName: string;
  private readonly production: boolean;
  private readonly serverId: pulumi.Output<string>;
  /** This component's resources under the server's scope (Azure ids below the server's id). */
  private readonly underServer: pulumi.Resource[];
  private lockServerCalled = false;

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

    // One operation at a time on the server (ServerIsBusy otherwise): database, then parameters.
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
    const underServer: pulumi.Resource[] = [database];
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
      underServer.push(last);
    }
    this.settled = last;
    this.underServer = underServer;
    this.lockName = `${name}-lock`;
    this.production = args.production;
    this.serverId = server.id;
    this.poolerPort = pgbouncer ? PGBOUNCER_PORT : POSTGRES_PORT;

    this.host = server.fullyQualifiedDomainName;
    this.serverName = server.name;
    this.adminPassword = pulumi.secret(password.result);
    this.postgresVersion = args.postgresVersion;
    this.storageGb = azureFlexibleServerStorageGb(args.storageGb);
    this.registerOutputs({ host: this.host, adminPassword: this.adminPassword });
  }

  /**
   * Production only: the CanNotDelete lock on the server. Flexible Server has no deletion-protection
   * flag; the lock refuses deletes from the portal, the CLI or other automation. It also refuses
   * deletes of everything under the server's scope (databases, parameters, diagnostic settings:
   * 409 ScopeLocked), so it must be the last thing created on the server: Pulumi deletes a resource's
   * dependents before the resource, so on a destroy or a replacement the lock, which depends on
   * all of them, is deleted first, and the server and what lies under it after. Removing the lock
   * from the program (or destroying the stack) is the deliberate way to delete the server.
   *
   * `extensions`: what the program keeps under the server's scope outside this component (the
   * diagnostic setting on the server). Call once, after creating them.
   */
  lockServer(extensions: readonly pulumi.Resource[]): authorization.ManagementLockByScope | undefined {
    if (this.lockServerCalled) throw new Error(`${this.lockName}: lockServer was already called`);
    this.lockServerCalled = true;
    if (!this.production) return undefined;
    this.lock = new authorization.ManagementLockByScope(
      this.lockName,
      {
        scope: this.serverId,
        lockName: "tricloud-cannot-delete",
        level: "CanNotDelete",
        notes:
          "tricloud production database: deleting it loses the data. Remove the lock in the tricloud program first.",
      },
      { parent: this, dependsOn: [...this.underServer, ...extensions] },
    );
    return this.lock;
  }
}
