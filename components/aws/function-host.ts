import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HOST_ENV, RECONCILE_EVENT } from "../../functions/adapters/env";
import { functionBundle, RDS_CA_BUNDLE_FILE } from "../shared/bundle";
import { cloudWatchRetention } from "./cluster";
import { baseUrlOf, databaseUrl, hostnameOf } from "../shared/function-urls";
import {
  ADMIN_USERNAME,
  DATABASE_NAME,
  FUNCTION_POOL_MAX,
  POSTGRES_PORT,
  functionSchema,
  type FunctionHost,
  type FunctionHostBaseArgs,
} from "../shared/platform";

export interface AwsFunctionHostArgs extends FunctionHostBaseArgs {
  region: string;
  vpcId: pulumi.Input<string>;
  /** The function's ENIs go here (egress through the NAT for peers and Secrets Manager). */
  privateSubnetIds: pulumi.Input<string>[];
  database: {
    host: pulumi.Input<string>;
    /** The RDS instance's security group: the function (or its proxy) is admitted on 5432. */
    securityGroupId: pulumi.Input<string>;
    instanceIdentifier: pulumi.Input<string>;
    adminPassword: pulumi.Input<string>;
  };
  /** RDS Proxy between the functions and the database (prod: instances scale faster than PostgreSQL accepts connections). */
  rdsProxy: boolean;
}

/**
 * The RDS and RDS Proxy CAs shipped in the function's own package (components/shared/bundle.ts), where Lambda
 * unpacks it (LAMBDA_TASK_ROOT, /var/task): `sslmode=verify-full` checks the database against these rather
 * than whatever CA file the runtime image carries. Node reads NODE_EXTRA_CA_CERTS once, at start.
 */
export const LAMBDA_CA_BUNDLE = `/var/task/${RDS_CA_BUNDLE_FILE}`;

/**
 * The health/quorum function on AWS: Lambda (Node 24, arm64) in the private subnets,
 * a public Function URL as the Cloudflare origin, its key and database URL in
 * Secrets Manager read by an execution role that may do exactly that and write its
 * own logs, an EventBridge schedule for the reconciler, and in production an
 * RDS Proxy in front of PostgreSQL.
 */
export class AwsFunctionHost extends pulumi.ComponentResource implements FunctionHost {
  readonly cloud = "aws" as const;
  readonly hostname: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  readonly bundle: { readonly bytes: number; readonly sha256: string };

  constructor(name: string, args: AwsFunctionHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:aws:FunctionHost", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };
    const fnName = `tricloud-${args.environment}-quorum`;
    const bundle = functionBundle("aws-lambda");

    // Network: the function may reach PostgreSQL (directly or via the proxy) and HTTPS; nothing reaches it but Lambda.
    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: "tricloud quorum function", tags: { ...tags, Name: `${name}-sg` } },
      child,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-https`,
      {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
        description: "peers (the other clouds functions) and Secrets Manager, through the NAT",
        tags,
      },
      child,
    );

    let dbHost: pulumi.Input<string> = args.database.host;
    let dbTargetSg: pulumi.Input<string> = args.database.securityGroupId;
    // What the function's first calls need besides its role: its secrets' values and, behind the proxy, its target.
    const ready: pulumi.Resource[] = [];
    if (args.rdsProxy) {
      const proxy = this.rdsProxy(name, args, sg.id, tags);
      dbHost = proxy.endpoint;
      dbTargetSg = proxy.securityGroupId;
      ready.push(proxy.target);
    } else {
      postgresRule(
        "ingress",
        `${name}-db-from-fn`,
        args.database.securityGroupId,
        sg.id,
        "PostgreSQL from the quorum function",
        tags,
        child,
      );
    }
    postgresRule(
      "egress",
      `${name}-postgres`,
      sg.id,
      dbTargetSg,
      args.rdsProxy ? "PostgreSQL through RDS Proxy" : "PostgreSQL",
      tags,
      child,
    );

    // Secrets: one each, so the database password rotates without touching the signing key. Their names are fixed, so
    // outside prod they are deleted at once on destroy (a 7-30 day recovery window would hold the name and make the
    // next `pulumi up` of the same stack fail); prod keeps the 30-day window to undo a mistaken delete.
    const secret = (id: string, secretName: string, description: string) =>
      new aws.secretsmanager.Secret(
        id,
        { name: secretName, description, recoveryWindowInDays: secretRecoveryWindowDays(args.environment), tags },
        child,
      );
    const signingKey = secret(
      `${name}-signing-key`,
      `tricloud/${args.environment}/aws/signing-key`,
      "Ed25519 private key of the AWS quorum node (PKCS#8 PEM)",
    );
    const signingKeyValue = new aws.secretsmanager.SecretVersion(
      `${name}-signing-key`,
      { secretId: signingKey.id, secretString: pulumi.secret(args.privateKeyPem) },
      child,
    );
    const dbUrl = secret(
      `${name}-database-url`,
      `tricloud/${args.environment}/aws/database-url`,
      "PostgreSQL URL of the AWS quorum node",
    );
    const dbUrlValue = new aws.secretsmanager.SecretVersion(
      `${name}-database-url`,
      {
        secretId: dbUrl.id,
        secretString: databaseUrl({
          host: dbHost,
          port: POSTGRES_PORT,
          database: DATABASE_NAME,
          user: ADMIN_USERNAME,
          password: args.database.adminPassword,
          params: { sslmode: "verify-full" },
        }),
      },
      child,
    );

    // CloudWatch Logs accepts only fixed retention values (PutRetentionPolicy): rounded up like the other log groups.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/lambda/${fnName}`, retentionInDays: cloudWatchRetention(args.logRetentionDays), tags },
      child,
    );

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: "Execution role of the tricloud quorum function",
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags,
      },
      child,
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      { role: role.id, policy: functionPolicy(logGroup.arn, [signingKey.arn, dbUrl.arn]) },
      child,
    );

    const fn = new aws.lambda.Function(
      `${name}-fn`,
      {
        name: fnName,
        description: "tricloud health/quorum node (aws)",
        runtime: aws.lambda.Runtime.NodeJS24dX,
        architectures: ["arm64"],
        handler: "index.handler",
        code: bundle.archive(),
        role: role.arn,
        memorySize: args.memoryMb,
        // A reconciler pass drives up to 200 events with 2 s peer timeouts; requests take milliseconds.
        timeout: 60,
        reservedConcurrentExecutions: args.maxInstances,
        vpcConfig: { subnetIds: args.privateSubnetIds, securityGroupIds: [sg.id] },
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        environment: {
          variables: {
            [HOST_ENV.cloud]: "aws",
            [HOST_ENV.region]: args.region,
            [HOST_ENV.peers]: pulumi.jsonStringify(args.peerUrls),
            [HOST_ENV.publicKeys]: args.publicKeysJson,
            [HOST_ENV.schema]: functionSchema("aws"),
            [HOST_ENV.poolMax]: String(FUNCTION_POOL_MAX),
            // RDS Proxy refuses a startup packet's options ("Feature not supported: RDS Proxy currently
            // doesn't support command-line options"): the runtime sets its session settings another way.
            ...(args.rdsProxy ? { [HOST_ENV.dbPooler]: "rds-proxy" } : {}),
            ...(args.corsOrigins?.length ? { [HOST_ENV.corsOrigins]: JSON.stringify(args.corsOrigins) } : {}),
            [HOST_ENV.privateKeySecretArn]: signingKey.arn,
            [HOST_ENV.databaseUrlSecretArn]: dbUrl.arn,
            NODE_EXTRA_CA_CERTS: LAMBDA_CA_BUNDLE,
          },
        },
        tags,
        // The inline policy holds the ENI permissions: CreateFunction in a VPC fails until the role has them, and
        // without them the function cannot log or read its secrets on its first invocations.
      },
      { parent: this, dependsOn: [logGroup, policy, signingKeyValue, dbUrlValue, ...ready] },
    );

    // The public origin behind Cloudflare. Since 2025 a public URL needs both permissions.
    const fnUrl = new aws.lambda.FunctionUrl(
      `${name}-url`,
      { functionName: fn.name, authorizationType: "NONE" },
      child,
    );
    new aws.lambda.Permission(
      `${name}-url-invoke`,
      { function: fn.name, action: "lambda:InvokeFunctionUrl", principal: "*", functionUrlAuthType: "NONE" },
      child,
    );
    new aws.lambda.Permission(
      `${name}-url-invoke-fn`,
      { function: fn.name, action: "lambda:InvokeFunction", principal: "*", invokedViaFunctionUrl: true },
      child,
    );

    const schedule = new aws.cloudwatch.EventRule(
      `${name}-reconcile`,
      {
        description: "Runs the quorum reconciler",
        scheduleExpression:
          args.reconcileEveryMinutes === 1 ? "rate(1 minute)" : `rate(${args.reconcileEveryMinutes} minutes)`,
        tags,
      },
      child,
    );
    new aws.cloudwatch.EventTarget(
      `${name}-reconcile`,
      { rule: schedule.name, arn: fn.arn, input: JSON.stringify(RECONCILE_EVENT) },
      child,
    );
    new aws.lambda.Permission(
      `${name}-reconcile-invoke`,
      {
        function: fn.name,
        action: "lambda:InvokeFunction",
        principal: "events.amazonaws.com",
        sourceArn: schedule.arn,
      },
      child,
    );

    this.url = baseUrlOf(fnUrl.functionUrl);
    this.hostname = hostnameOf(fnUrl.functionUrl);
    this.functionName = fn.name;
    this.bundle = { bytes: bundle.bytes, sha256: bundle.sha256 };
    this.registerOutputs({ hostname: this.hostname, url: this.url, functionName: this.functionName });
  }

  /** RDS Proxy: its own login secret and role, admitted by the database, admitting the function. */
  private rdsProxy(name: string, args: AwsFunctionHostArgs, fnSg: pulumi.Input<string>, tags: Record<string, string>) {
    const child = { parent: this };
    const login = new aws.secretsmanager.Secret(
      `${name}-proxy-login`,
      {
        name: `tricloud/${args.environment}/aws/rds-proxy-login`,
        description: "Database login RDS Proxy uses",
        recoveryWindowInDays: secretRecoveryWindowDays(args.environment),
        tags,
      },
      child,
    );
    const loginValue = new aws.secretsmanager.SecretVersion(
      `${name}-proxy-login`,
      {
        secretId: login.id,
        secretString: pulumi.secret(
          pulumi.jsonStringify({ username: ADMIN_USERNAME, password: args.database.adminPassword }),
        ),
      },
      child,
    );
    const role = new aws.iam.Role(
      `${name}-proxy-role`,
      {
        description: "RDS Proxy reads its database login",
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags,
      },
      child,
    );
    const readLogin = new aws.iam.RolePolicy(
      `${name}-proxy-policy`,
      {
        role: role.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [login.arn] }],
        }),
      },
      child,
    );
    const sg = new aws.ec2.SecurityGroup(
      `${name}-proxy-sg`,
      {
        vpcId: args.vpcId,
        description: "RDS Proxy of the quorum function",
        tags: { ...tags, Name: `${name}-proxy-sg` },
      },
      child,
    );
    postgresRule("ingress", `${name}-proxy-from-fn`, sg.id, fnSg, "PostgreSQL from the quorum function", tags, child);
    postgresRule(
      "egress",
      `${name}-proxy-to-db`,
      sg.id,
      args.database.securityGroupId,
      "PostgreSQL to the database",
      tags,
      child,
    );
    postgresRule(
      "ingress",
      `${name}-db-from-proxy`,
      args.database.securityGroupId,
      sg.id,
      "PostgreSQL from RDS Proxy",
      tags,
      child,
    );

    const proxy = new aws.rds.Proxy(
      `${name}-proxy`,
      {
        name: `tricloud-${args.environment}-quorum`,
        engineFamily: "POSTGRESQL",
        auths: [
          {
            authScheme: "SECRETS",
            secretArn: login.arn,
            iamAuth: "DISABLED",
            clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256",
          },
        ],
        requireTls: true,
        idleClientTimeout: 900,
        roleArn: role.arn,
        vpcSubnetIds: args.privateSubnetIds,
        vpcSecurityGroupIds: [sg.id],
        tags,
      },
      // The proxy logs in with the secret's value through the role (preflight-aws-rds-proxy-login-first).
      { ...child, dependsOn: [loginValue, readLogin] },
    );
    const group = new aws.rds.ProxyDefaultTargetGroup(
      `${name}-proxy-targets`,
      {
        dbProxyName: proxy.name,
        // Leave half the server's connections to the cluster's workloads and to operators.
        connectionPoolConfig: { maxConnectionsPercent: 50, maxIdleConnectionsPercent: 10, connectionBorrowTimeout: 30 },
      },
      child,
    );
    const target = new aws.rds.ProxyTarget(
      `${name}-proxy-target`,
      { dbProxyName: proxy.name, targetGroupName: group.name, dbInstanceIdentifier: args.database.instanceIdentifier },
      child,
    );
    return { endpoint: proxy.endpoint, securityGroupId: sg.id, target };
  }
}

/**
 * Days Secrets Manager keeps a deleted secret (DeleteSecret RecoveryWindowInDays: 7-30, or 0 to delete at once):
 * 30 in prod, 0 elsewhere so a destroyed dev stack can be created again under the same secret names.
 */
/** A PostgreSQL rule on `securityGroupId` admitting (ingress) or reaching (egress) the group `referenced`. */
function postgresRule(
  kind: "ingress" | "egress",
  name: string,
  securityGroupId: pulumi.Input<string>,
  referenced: pulumi.Input<string>,
  description: string,
  tags: Record<string, string>,
  opts: pulumi.CustomResourceOptions,
): void {
  const Rule = kind === "ingress" ? aws.vpc.SecurityGroupIngressRule : aws.vpc.SecurityGroupEgressRule;
  new Rule(
    name,
    {
      securityGroupId,
      referencedSecurityGroupId: referenced,
      ipProtocol: "tcp",
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      description,
      tags,
    },
    opts,
  );
}

export function secretRecoveryWindowDays(environment: string): number {
  return environment === "prod" ? 30 : 0;
}

/**
 * The execution role's only permissions, listed exactly: write its own log group,
 * read its two secrets, and the network-interface calls Lambda makes for a function
 * in a VPC (those EC2 calls take no resource-level scope, hence "*" resources).
 */
export const LAMBDA_VPC_ACTIONS = [
  "ec2:AssignPrivateIpAddresses",
  "ec2:CreateNetworkInterface",
  "ec2:DeleteNetworkInterface",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
  "ec2:UnassignPrivateIpAddresses",
] as const;

export function functionPolicy(
  logGroupArn: pulumi.Input<string>,
  secretArns: pulumi.Input<string>[],
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [pulumi.interpolate`${logGroupArn}:*`],
      },
      { Sid: "OwnSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secretArns },
      { Sid: "VpcNetworkInterfaces", Effect: "Allow", Action: [...LAMBDA_VPC_ACTIONS], Resource: "*" },
    ],
  });
}
