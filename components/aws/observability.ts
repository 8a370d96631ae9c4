import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  ALERT_THRESHOLDS as T,
  BURN_RATE_WINDOWS,
  burnRateThreshold,
  DASHBOARD_PANELS,
  NO_FUNCTIONS_TEXT,
  type DashboardPanel,
} from "../shared/slo";
import { DATABASE_SIZES, type Size } from "@tricloud/vocabulary/sizes";
import type { Tags } from "../shared/tags";
import { cloudWatchRetention } from "./cluster";

/** A Lambda function to alarm on; the function host passes one per function. */
export interface AwsFunctionTarget {
  /** Short logical name, used in alarm names ("api"). */
  readonly name: string;
  /** The Lambda function name (AWS/Lambda FunctionName dimension). */
  readonly functionName: pulumi.Input<string>;
}

export interface AwsObservabilityArgs {
  /** dev | staging | prod: prefixes alarm, topic and dashboard names. */
  environment: string;
  /** The stack's region (aws:region): alarms on regional metrics live here. */
  region: string;
  /** Where every alert goes (an email subscription each, confirmed once by the recipient). */
  emails: readonly string[];
  /** Days to keep the cluster's Container Insights logs (rounded up to a value CloudWatch accepts). */
  logRetentionDays: number;
  /** Availability objective in percent (99.9 dev, 99.95 prod). */
  sloTarget: number;
  /** Function p99 latency objective in milliseconds (target: 200). */
  p99LatencyMs: number;
  /** The public API hostname (`api.<domain>`) and this cloud's own origin; both serve GET /health. */
  uptime: { apiHostname: string; originHostname: pulumi.Input<string> };
  cluster: {
    name: pulumi.Input<string>;
    nodeRoleName: pulumi.Input<string>;
    /** EKS Auto Mode's node role: its nodes run the agent too. */
    autoNodeRoleName?: pulumi.Input<string>;
    minNodes: number;
    /** The node group: the add-on waits for it (EKS fails an add-on whose pods find no Ready node within 20 minutes). */
    nodes?: pulumi.Resource;
  };
  database: { instanceIdentifier: pulumi.Input<string>; size: Size; storageGb: number };
  /** Lambda functions; each gets an error-rate and a p99 latency alarm. */
  functions?: readonly AwsFunctionTarget[];
  tags: Tags;
}

/** Route 53 publishes health-check metrics in us-east-1 only, so their alarms and topic live there. */
const HEALTH_CHECK_REGION = "us-east-1";
/**
 * Container Insights log groups, created first so they get a retention. On AL2023 nodes `host` and `dataplane` stay
 * empty (those streams read /var/log files AL2023 keeps in journald); they are kept so a later agent that fills them
 * writes into a group with a retention (docs/first-deploy-aws.md).
 */
const CONTAINER_INSIGHTS_LOGS = ["application", "dataplane", "host", "performance"];
/**
 * What the CloudWatch agent of the amazon-cloudwatch-observability add-on needs on the node roles: metrics and logs,
 * and X-Ray writes for Application Signals, which the add-on turns on by default.
 */
export const CLOUDWATCH_AGENT_POLICIES = ["CloudWatchAgentServerPolicy", "AWSXrayWriteOnlyAccess"] as const;

/**
 * RDS for PostgreSQL: max_connections = LEAST(DBInstanceClassMemory / 9531392, 5000).
 * Uses the class's nominal memory, so it slightly overstates the real limit.
 */
export function rdsMaxConnections(size: Size): number {
  return Math.min(5000, Math.floor((DATABASE_SIZES[size].memoryGiB * 2 ** 30) / 9531392));
}

/**
 * CloudWatch alarms, uptime checks and a dashboard for one environment's AWS
 * region, all routed to one SNS topic with an email subscription per contact:
 * Route 53 health checks on the API and the origin with multi-window
 * burn-rate alarms on the origin's availability, RDS CPU/storage/connections,
 * EKS node health through Container Insights (the add-on, its IAM policy and
 * its log groups with retention), and Lambda errors and p99 latency.
 */
export class AwsObservability extends pulumi.ComponentResource {
  readonly alertTopicArn: pulumi.Output<string>;
  readonly dashboardName: pulumi.Output<string>;
  /** Alarms that notify (composite burn-rate alarms count once; their member alarms do not notify). */
  readonly alertCount: number;

  constructor(name: string, args: AwsObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:aws:Observability", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };
    const prefix = `tricloud-${args.environment}`;
    let alerts = 0;

    // One topic in the region and one in us-east-1 (unless they are the same): an alarm can only notify a topic in its own region.
    const topic = (region: string | undefined, suffix: string) => {
      const t = new aws.sns.Topic(
        `${name}-alerts${suffix}`,
        { name: `${prefix}-alerts`, ...(region ? { region } : {}), tags },
        child,
      );
      args.emails.forEach(
        (email, i) =>
          new aws.sns.TopicSubscription(
            `${name}-alerts${suffix}-email-${i}`,
            { topic: t.arn, protocol: "email", endpoint: email, ...(region ? { region } : {}) },
            child,
          ),
      );
      return t.arn;
    };
    const regional = topic(undefined, "");
    const eastTopic = args.region === HEALTH_CHECK_REGION ? regional : topic(HEALTH_CHECK_REGION, "-us-east-1");
    const notify = (arn: pulumi.Input<string>) => ({ alarmActions: [arn], okActions: [arn] });

    const alarm = (id: string, a: Omit<aws.cloudwatch.MetricAlarmArgs, "name" | "tags">) => {
      if (a.alarmActions) alerts++;
      return new aws.cloudwatch.MetricAlarm(`${name}-${id}`, { name: `${prefix}-${id}`, tags, ...a }, child);
    };
    const sustained = {
      period: T.periodMinutes * 60,
      evaluationPeriods: T.evaluationMinutes / T.periodMinutes,
      datapointsToAlarm: T.evaluationMinutes / T.periodMinutes,
    };

    // Uptime: Route 53 probes GET /health over HTTPS from several regions every 30 s.
    const checks = {
      api: args.uptime.apiHostname,
      origin: args.uptime.originHostname,
    };
    const healthChecks = Object.fromEntries(
      Object.entries(checks).map(([kind, fqdn]) => {
        const hc = new aws.route53.HealthCheck(
          `${name}-uptime-${kind}`,
          {
            type: "HTTPS",
            fqdn,
            port: 443,
            resourcePath: "/health",
            enableSni: true,
            requestInterval: 30,
            failureThreshold: 3,
            measureLatency: true,
            tags: { ...tags, Name: `${prefix}-${kind}-health` },
          },
          child,
        );
        alarm(`uptime-${kind}`, {
          region: HEALTH_CHECK_REGION,
          alarmDescription: pulumi.interpolate`GET https://${fqdn}/health has failed for 2 minutes`,
          namespace: "AWS/Route53",
          metricName: "HealthCheckStatus",
          dimensions: { HealthCheckId: hc.id },
          statistic: "Minimum",
          period: 60,
          evaluationPeriods: 2,
          comparisonOperator: "LessThanThreshold",
          threshold: 1,
          // No data means the check itself is gone: treat it as down.
          treatMissingData: "breaching",
          ...notify(eastTopic),
        });
        return [kind, hc] as const;
      }),
    ) as Record<keyof typeof checks, aws.route53.HealthCheck>;

    // Burn-rate alerts on the origin's availability SLI: the share of Route 53 checkers that fail.
    for (const w of BURN_RATE_WINDOWS) {
      const threshold = burnRateThreshold(args.sloTarget, w.burnRate);
      const member = (span: "long" | "short", minutes: number) =>
        alarm(`slo-${w.name}-${span}`, {
          region: HEALTH_CHECK_REGION,
          alarmDescription: `Origin error ratio over ${minutes} min above ${threshold} (${w.burnRate}x the ${args.sloTarget} % SLO's budget); member of the ${w.name} burn-rate alert`,
          metricQueries: [
            {
              id: "healthy",
              returnData: false,
              metric: {
                namespace: "AWS/Route53",
                metricName: "HealthCheckPercentageHealthy",
                dimensions: { HealthCheckId: healthChecks.origin.id },
                period: minutes * 60,
                stat: "Average",
              },
            },
            {
              id: "errors",
              returnData: true,
              expression: "1 - healthy / 100",
              label: `origin error ratio (${minutes} min)`,
            },
          ],
          evaluationPeriods: 1,
          comparisonOperator: "GreaterThanThreshold",
          threshold,
          treatMissingData: "notBreaching",
        });
      const long = member("long", w.longWindowMinutes);
      const short = member("short", w.shortWindowMinutes);
      new aws.cloudwatch.CompositeAlarm(
        `${name}-slo-${w.name}`,
        {
          region: HEALTH_CHECK_REGION,
          alarmName: `${prefix}-slo-${w.name}-burn`,
          alarmDescription: `Availability SLO ${args.sloTarget} %: budget burning at ${w.burnRate}x over ${w.longWindowMinutes} min, confirmed over ${w.shortWindowMinutes} min`,
          alarmRule: pulumi.interpolate`ALARM("${long.name}") AND ALARM("${short.name}")`,
          ...notify(eastTopic),
          tags,
        },
        child,
      );
      alerts++;
    }

    // Database: RDS metrics for the one instance.
    const db = { DBInstanceIdentifier: args.database.instanceIdentifier };
    const maxConnections = rdsMaxConnections(args.database.size);
    const freeBytesFloor = Math.round(args.database.storageGb * 2 ** 30 * (1 - T.databaseStoragePercent / 100));
    alarm("db-cpu", {
      alarmDescription: `RDS CPU above ${T.databaseCpuPercent} % for ${T.evaluationMinutes} min`,
      namespace: "AWS/RDS",
      metricName: "CPUUtilization",
      dimensions: db,
      statistic: "Average",
      ...sustained,
      comparisonOperator: "GreaterThanThreshold",
      threshold: T.databaseCpuPercent,
      treatMissingData: "missing",
      ...notify(regional),
    });
    alarm("db-storage", {
      alarmDescription: `RDS storage more than ${T.databaseStoragePercent} % used (free below ${freeBytesFloor} bytes of ${args.database.storageGb} GB)`,
      namespace: "AWS/RDS",
      metricName: "FreeStorageSpace",
      dimensions: db,
      statistic: "Minimum",
      ...sustained,
      comparisonOperator: "LessThanThreshold",
      threshold: freeBytesFloor,
      treatMissingData: "missing",
      ...notify(regional),
    });
    alarm("db-connections", {
      alarmDescription: `RDS connections above ${T.databaseConnectionsPercent} % of max_connections (${maxConnections})`,
      namespace: "AWS/RDS",
      metricName: "DatabaseConnections",
      dimensions: db,
      statistic: "Maximum",
      ...sustained,
      comparisonOperator: "GreaterThanThreshold",
      threshold: Math.floor((maxConnections * T.databaseConnectionsPercent) / 100),
      treatMissingData: "missing",
      ...notify(regional),
    });

    // Cluster: Container Insights reports node health; its log groups exist first so they get a retention.
    const partition = aws.getPartitionOutput({}, child).partition;
    const nodeRoles = [
      ["node", args.cluster.nodeRoleName],
      ...(args.cluster.autoNodeRoleName ? [["auto-node", args.cluster.autoNodeRoleName] as const] : []),
    ] as const;
    const agentPolicies = nodeRoles.flatMap(([kind, role]) =>
      CLOUDWATCH_AGENT_POLICIES.map(
        (policy) =>
          new aws.iam.RolePolicyAttachment(
            policy === "CloudWatchAgentServerPolicy" ? `${name}-${kind}-cloudwatch` : `${name}-${kind}-${policy}`,
            {
              role,
              policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}`,
            },
            child,
          ),
      ),
    );
    const insightsLogs = CONTAINER_INSIGHTS_LOGS.map(
      (kind) =>
        new aws.cloudwatch.LogGroup(
          `${name}-insights-${kind}`,
          {
            name: pulumi.interpolate`/aws/containerinsights/${args.cluster.name}/${kind}`,
            retentionInDays: cloudWatchRetention(args.logRetentionDays),
            tags,
          },
          child,
        ),
    );
    new aws.eks.Addon(
      `${name}-insights`,
      {
        clusterName: args.cluster.name,
        addonName: "amazon-cloudwatch-observability",
        tags,
      },
      {
        parent: this,
        dependsOn: [...agentPolicies, ...insightsLogs, ...(args.cluster.nodes ? [args.cluster.nodes] : [])],
      },
    );
    const cluster = { ClusterName: args.cluster.name };
    alarm("cluster-nodes", {
      alarmDescription: `EKS nodes failing (not Ready) for ${T.evaluationMinutes} min; no data means the Container Insights agent stopped reporting`,
      namespace: "ContainerInsights",
      metricName: "cluster_failed_node_count",
      dimensions: cluster,
      statistic: "Maximum",
      ...sustained,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "breaching",
      ...notify(regional),
    });

    // Functions: error rate and p99 latency of the HTTP path per Lambda function. The Function URL metrics count only
    // requests (Errors and Duration would also count the scheduled reconciler, which calls the peers across clouds),
    // and a 5xx answer is an error there even when the handler returned it (docs.aws.amazon.com/lambda/latest/dg/urls-monitoring.html).
    const functions = args.functions ?? [];
    for (const f of functions) {
      const fn = { FunctionName: f.functionName };
      alarm(`fn-${f.name}-errors`, {
        alarmDescription: `Lambda ${f.name}: more than ${T.functionErrorPercent} % of Function URL requests answered 5xx for ${T.evaluationMinutes} min`,
        metricQueries: [
          {
            id: "errors",
            returnData: false,
            metric: {
              namespace: "AWS/Lambda",
              metricName: "Url5xxCount",
              dimensions: fn,
              period: T.periodMinutes * 60,
              stat: "Sum",
            },
          },
          {
            id: "requests",
            returnData: false,
            metric: {
              namespace: "AWS/Lambda",
              metricName: "UrlRequestCount",
              dimensions: fn,
              period: T.periodMinutes * 60,
              stat: "Sum",
            },
          },
          {
            id: "errorPercent",
            returnData: true,
            expression: "IF(requests > 0, 100 * errors / requests, 0)",
            label: `${f.name} 5xx %`,
          },
        ],
        evaluationPeriods: sustained.evaluationPeriods,
        datapointsToAlarm: sustained.datapointsToAlarm,
        comparisonOperator: "GreaterThanThreshold",
        threshold: T.functionErrorPercent,
        treatMissingData: "notBreaching",
        ...notify(regional),
      });
      alarm(`fn-${f.name}-p99`, {
        alarmDescription: `Lambda ${f.name}: p99 Function URL latency above ${args.p99LatencyMs} ms for ${T.evaluationMinutes} min`,
        namespace: "AWS/Lambda",
        metricName: "UrlRequestLatency",
        dimensions: fn,
        extendedStatistic: "p99",
        ...sustained,
        comparisonOperator: "GreaterThanThreshold",
        threshold: args.p99LatencyMs,
        treatMissingData: "notBreaching",
        ...notify(regional),
      });
    }

    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: prefix,
        dashboardBody: pulumi
          .all([
            healthChecks.api.id,
            healthChecks.origin.id,
            args.database.instanceIdentifier,
            args.cluster.name,
            pulumi.all(functions.map((f) => f.functionName)),
          ])
          .apply(([apiCheck, originCheck, dbId, clusterName, fnNames]) =>
            JSON.stringify(
              awsDashboard({
                region: args.region,
                apiCheck,
                originCheck,
                dbId,
                clusterName,
                fnNames,
                p99LatencyMs: args.p99LatencyMs,
              }),
            ),
          ),
      },
      child,
    );

    this.alertTopicArn = regional;
    this.dashboardName = dashboard.dashboardName;
    this.alertCount = alerts;
    this.registerOutputs({
      alertTopicArn: this.alertTopicArn,
      dashboardName: this.dashboardName,
      alertCount: this.alertCount,
    });
  }
}

interface DashboardIds {
  region: string;
  apiCheck: string;
  originCheck: string;
  dbId: string;
  clusterName: string;
  fnNames: string[];
  p99LatencyMs: number;
}

/** The CloudWatch dashboard body: DASHBOARD_PANELS in order, two per row. */
export function awsDashboard(ids: DashboardIds): { widgets: object[] } {
  const fns = ids.fnNames;
  const metric = (title: DashboardPanel, metrics: unknown[][], extra: object = {}, region = ids.region) => ({
    type: "metric",
    properties: { title, region, view: "timeSeries", stat: "Average", period: 300, metrics, ...extra },
  });
  const text = (title: DashboardPanel) => ({
    type: "text",
    properties: { markdown: `## ${title}\n\n${NO_FUNCTIONS_TEXT}` },
  });
  const panels: Record<DashboardPanel, object> = {
    "API uptime (api and origin /health)": metric(
      "API uptime (api and origin /health)",
      [
        ["AWS/Route53", "HealthCheckStatus", "HealthCheckId", ids.apiCheck, { label: "api" }],
        ["AWS/Route53", "HealthCheckStatus", "HealthCheckId", ids.originCheck, { label: "origin" }],
      ],
      { stat: "Minimum", period: 60 },
      HEALTH_CHECK_REGION,
    ),
    "Availability SLI (share of passing probes)": metric(
      "Availability SLI (share of passing probes)",
      [
        [
          "AWS/Route53",
          "HealthCheckPercentageHealthy",
          "HealthCheckId",
          ids.originCheck,
          { label: "origin % healthy" },
        ],
      ],
      {},
      HEALTH_CHECK_REGION,
    ),
    "Function errors": fns.length
      ? metric(
          "Function errors",
          fns.map((f) => ["AWS/Lambda", "Url5xxCount", "FunctionName", f]),
          { stat: "Sum" },
        )
      : text("Function errors"),
    "Function p99 latency (ms)": fns.length
      ? metric(
          "Function p99 latency (ms)",
          fns.map((f) => ["AWS/Lambda", "UrlRequestLatency", "FunctionName", f]),
          { stat: "p99", annotations: { horizontal: [{ label: "objective", value: ids.p99LatencyMs }] } },
        )
      : text("Function p99 latency (ms)"),
    "Database CPU (%)": metric("Database CPU (%)", [["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", ids.dbId]]),
    "Database storage used": metric(
      "Database storage used",
      [["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", ids.dbId, { label: "free bytes" }]],
      { stat: "Minimum" },
    ),
    "Database connections": metric(
      "Database connections",
      [["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", ids.dbId]],
      { stat: "Maximum" },
    ),
    "Cluster nodes not ready": metric(
      "Cluster nodes not ready",
      [["ContainerInsights", "cluster_failed_node_count", "ClusterName", ids.clusterName]],
      { stat: "Maximum" },
    ),
  };
  return {
    widgets: DASHBOARD_PANELS.map((p, i) => ({
      ...panels[p],
      x: (i % 2) * 12,
      y: Math.floor(i / 2) * 6,
      width: 12,
      height: 6,
    })),
  };
}
