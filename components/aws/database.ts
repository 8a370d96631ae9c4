import * as aws from "@pulumi/aws";
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
import { cloudWatchRetention } from "./cluster";

/** The log types the instance exports to CloudWatch Logs (both exist for PostgreSQL on RDS). */
export const RDS_LOG_EXPORTS = ["postgresql", "upgrade"] as const;

export interface AwsPostgresDatabaseArgs extends PostgresDatabaseBaseArgs {
  vpcId: pulumi.Input<string>;
  /** Private subnets only: the DB subnet group is built from these. */
  privateSubnetIds: pulumi.Input<string>[];
  /** Security groups admitted on the PostgreSQL port (the cluster's, later the functions'). */
  clientSecurityGroupIds: pulumi.Input<string>[];
  /** Days to keep the exported PostgreSQL and upgrade logs (rounded up to a value CloudWatch accepts). */
  logRetentionDays: number;
}

/**
 * RDS for PostgreSQL in private subnets: never publicly accessible, encrypted
 * gp3 storage, Multi-AZ when highly available, and in production deletion
 * protection plus a final snapshot.
 */
export class AwsPostgresDatabase extends pulumi.ComponentResource implements PostgresDatabase {
  readonly cloud = "aws" as const;
  readonly host: pulumi.Output<string>;
  readonly port = POSTGRES_PORT;
  readonly databaseName = DATABASE_NAME;
  readonly adminUsername = ADMIN_USERNAME;
  readonly adminPassword: pulumi.Output<string>;
  readonly postgresVersion: string;
  readonly securityGroupId: pulumi.Output<string>;
  readonly instanceIdentifier: pulumi.Output<string>;

  constructor(name: string, args: AwsPostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:aws:PostgresDatabase", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };

    const password = new random.RandomPassword(`${name}-admin`, { ...ADMIN_PASSWORD }, child);

    const subnets = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      {
        description: "Private subnets only: the database has no route from the internet",
        subnetIds: args.privateSubnetIds,
        tags,
      },
      child,
    );

    // No egress rules: a database never opens connections; ingress only from the named client groups.
    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.vpcId,
        description: "PostgreSQL from the platform clients only",
        tags: { ...tags, Name: `${name}-sg` },
      },
      child,
    );
    args.clientSecurityGroupIds.forEach(
      (client, i) =>
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-from-client-${i}`,
          {
            securityGroupId: sg.id,
            referencedSecurityGroupId: client,
            ipProtocol: "tcp",
            fromPort: POSTGRES_PORT,
            toPort: POSTGRES_PORT,
            description: "PostgreSQL from a platform client",
            tags,
          },
          child,
        ),
    );

    // A fixed identifier, so the log groups RDS writes to (/aws/rds/instance/<identifier>/<type>) can be created first
    // with a retention; RDS would otherwise create them itself, never expiring.
    const identifier = `${name}-pg`;
    const logGroups = RDS_LOG_EXPORTS.map(
      (kind) =>
        new aws.cloudwatch.LogGroup(
          `${name}-logs-${kind}`,
          {
            name: `/aws/rds/instance/${identifier}/${kind}`,
            retentionInDays: cloudWatchRetention(args.logRetentionDays),
            tags,
          },
          child,
        ),
    );

    const db = new aws.rds.Instance(
      `${name}-pg`,
      {
        identifier,
        engine: "postgres",
        // A major version alone: RDS picks the newest minor and keeps it patched (autoMinorVersionUpgrade).
        engineVersion: args.postgresVersion,
        autoMinorVersionUpgrade: true,
        allowMajorVersionUpgrade: false,
        instanceClass: databaseMachine("aws", args.size),
        dbName: DATABASE_NAME,
        username: ADMIN_USERNAME,
        password: pulumi.secret(password.result),
        port: POSTGRES_PORT,
        dbSubnetGroupName: subnets.name,
        vpcSecurityGroupIds: [sg.id],
        publiclyAccessible: false,
        storageType: "gp3",
        allocatedStorage: args.storageGb,
        // Storage autoscaling up to 4x, so a full disk is not an outage.
        maxAllocatedStorage: args.storageGb * 4,
        storageEncrypted: true,
        multiAz: args.highAvailability,
        backupRetentionPeriod: args.backupRetentionDays,
        backupWindow: "03:00-04:00",
        maintenanceWindow: "sun:04:30-sun:05:30",
        copyTagsToSnapshot: true,
        deleteAutomatedBackups: !args.production,
        deletionProtection: args.production,
        skipFinalSnapshot: !args.production,
        ...(args.production ? { finalSnapshotIdentifier: `${name}-final` } : {}),
        iamDatabaseAuthenticationEnabled: true,
        enabledCloudwatchLogsExports: [...RDS_LOG_EXPORTS],
        performanceInsightsEnabled: true,
        applyImmediately: !args.production,
        tags,
      },
      { parent: this, additionalSecretOutputs: ["password"], dependsOn: logGroups },
    );

    this.host = db.address;
    this.instanceIdentifier = db.identifier;
    this.adminPassword = pulumi.secret(password.result);
    this.postgresVersion = args.postgresVersion;
    this.securityGroupId = sg.id;
    this.registerOutputs({ host: this.host, adminPassword: this.adminPassword, securityGroupId: this.securityGroupId });
  }
}
