import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import {
  ALERT_THRESHOLDS as T,
  BURN_RATE_WINDOWS,
  burnRateThreshold,
  DASHBOARD_PANELS,
  NO_FUNCTIONS_TEXT,
  type DashboardPanel,
} from "../shared/slo";
import type { Size } from "@tricloud/vocabulary/sizes";
import type { Tags } from "../shared/tags";
import type { GcpProjectServices } from "./services";

/** A Cloud Functions (2nd gen) function to alert on; it runs as a Cloud Run service of the same name. */
export interface GcpFunctionTarget {
  /** Short logical name, used in policy names ("api"). */
  readonly name: string;
  /** The function's Cloud Run service name (resource.label.service_name). */
  readonly serviceName: pulumi.Input<string>;
}

export interface GcpObservabilityArgs {
  environment: string;
  project: string;
  emails: readonly string[];
  /** Days the project's _Default log bucket keeps logs. */
  logRetentionDays: number;
  sloTarget: number;
  p99LatencyMs: number;
  uptime: { apiHostname: string; originHostname: pulumi.Input<string> };
  /** minNodes: fewer nodes than the pool's floor reporting metrics means nodes are not Ready. */
  cluster: { name: pulumi.Input<string>; minNodes: number };
  /** `project:region:instance`, as the database component exports it. */
  database: { connectionName: pulumi.Input<string>; size: Size };
  functions?: readonly GcpFunctionTarget[];
  labels: Tags;
  /** The project's enabled APIs; every resource here waits for monitoring or logging. */
  apis: GcpProjectServices;
}

/** Cloud SQL for PostgreSQL's default max_connections by the memory of tricloud's tiers (4, 8, 16 GiB). */
export const CLOUD_SQL_MAX_CONNECTIONS: Readonly<Record<Size, number>> = { small: 100, medium: 400, large: 500 };

const seconds = (minutes: number) => `${minutes * 60}s`;
const quote = (s: string) => JSON.stringify(s);

/**
 * Cloud Monitoring for one environment: the retention of the project's _Default log bucket,
 * uptime checks on the API and the origin, burn-rate policies on the
 * origin's availability, Cloud SQL CPU/disk/connection policies, GKE node
 * policies, Cloud Run (Cloud Functions 2nd gen) error-rate and p99 policies,
 * an email notification channel per contact and a dashboard.
 */
export class GcpObservability extends pulumi.ComponentResource {
  readonly notificationChannelIds: pulumi.Output<string>[];
  readonly dashboardId: pulumi.Output<string>;
  readonly alertCount: number;

  constructor(name: string, args: GcpObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:gcp:Observability", name, {}, opts);
    const child = { parent: this, dependsOn: args.apis.of("monitoring.googleapis.com") };
    const userLabels = { ...args.labels };
    const project = args.project;
    const prefix = `tricloud-${args.environment}`;
    let alerts = 0;

    const channels = args.emails.map(
      (email, i) =>
        new gcp.monitoring.NotificationChannel(
          `${name}-email-${i}`,
          {
            project,
            type: "email",
            displayName: `${prefix}: ${email}`,
            labels: { email_address: email },
            userLabels,
          },
          child,
        ),
    );
    const notificationChannels = channels.map((c) => c.name);

    // The retention of the project's _Default log bucket, where the _Default sink already routes every
    // log entry but the Admin Activity, System Event and Access Transparency audit logs (those go to
    // _Required, kept 400 days). Logging creates _Default and it
    // cannot be deleted: the provider adopts it, and removing this resource leaves it as it is. A second
    // bucket with a sink of its own would bill ingestion twice. _Default is global, a location the
    // allowed-regions policy treats as no region.
    new gcp.logging.ProjectBucketConfig(
      `${name}-log-retention`,
      {
        project,
        location: "global",
        bucketId: "_Default",
        retentionDays: args.logRetentionDays,
      },
      { parent: this, dependsOn: args.apis.of("logging.googleapis.com") },
    );

    const policy = (
      id: string,
      documentation: pulumi.Input<string>,
      conditions: gcp.types.input.monitoring.AlertPolicyCondition[],
      combiner = "OR",
      severity = "ERROR",
    ) => {
      alerts++;
      return new gcp.monitoring.AlertPolicy(
        `${name}-${id}`,
        {
          project,
          displayName: `${prefix}-${id}`,
          combiner,
          conditions,
          severity,
          notificationChannels,
          documentation: { content: documentation, mimeType: "text/markdown" },
          alertStrategy: { autoClose: "1800s" },
          userLabels,
        },
        child,
      );
    };
    const threshold = (
      displayName: string,
      filter: pulumi.Input<string>,
      aggregation: gcp.types.input.monitoring.AlertPolicyConditionConditionThresholdAggregation,
      comparison: string,
      value: number,
      durationMinutes: number,
      extra: Partial<gcp.types.input.monitoring.AlertPolicyConditionConditionThreshold> = {},
    ) => ({
      displayName,
      conditionThreshold: {
        filter,
        aggregations: [aggregation],
        comparison,
        thresholdValue: value,
        duration: seconds(durationMinutes),
        trigger: { count: 1 },
        ...extra,
      },
    });

    // Uptime: checks every minute from every checker region; alert when more than one region fails (Google's recipe).
    const checks = Object.fromEntries(
      (["api", "origin"] as const).map((kind) => {
        const host = kind === "api" ? args.uptime.apiHostname : args.uptime.originHostname;
        const check = new gcp.monitoring.UptimeCheckConfig(
          `${name}-uptime-${kind}`,
          {
            project,
            displayName: `${prefix}-${kind}-health`,
            period: "60s",
            timeout: "10s",
            checkerType: "STATIC_IP_CHECKERS",
            httpCheck: {
              path: "/health",
              port: 443,
              useSsl: true,
              validateSsl: true,
              requestMethod: "GET",
              acceptedResponseStatusCodes: [{ statusValue: 200 }],
            },
            monitoredResource: { type: "uptime_url", labels: { project_id: project, host } },
            userLabels,
          },
          child,
        );
        const filter = pulumi.interpolate`metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND resource.type="uptime_url" AND metric.label.check_id="${check.uptimeCheckId}"`;
        policy(
          `uptime-${kind}`,
          pulumi.interpolate`GET https://${host}/health fails from more than one checker region.`,
          [
            threshold(
              `${kind} /health failing`,
              filter,
              {
                alignmentPeriod: "300s",
                perSeriesAligner: "ALIGN_NEXT_OLDER",
                crossSeriesReducer: "REDUCE_COUNT_FALSE",
                groupByFields: ["resource.label.host"],
              },
              "COMPARISON_GT",
              1,
              2,
            ),
          ],
          "OR",
          "CRITICAL",
        );
        return [kind, { check, filter }] as const;
      }),
    ) as Record<"api" | "origin", { check: gcp.monitoring.UptimeCheckConfig; filter: pulumi.Output<string> }>;

    // Burn-rate policies on the origin's availability SLI: both windows' share of passing probes below 1 - threshold.
    for (const w of BURN_RATE_WINDOWS) {
      const errorRatio = burnRateThreshold(args.sloTarget, w.burnRate);
      const window = (minutes: number) =>
        threshold(
          `passing probes over ${minutes} min below ${1 - errorRatio}`,
          checks.origin.filter,
          {
            alignmentPeriod: seconds(minutes),
            perSeriesAligner: "ALIGN_FRACTION_TRUE",
            crossSeriesReducer: "REDUCE_MEAN",
            groupByFields: ["resource.label.host"],
          },
          "COMPARISON_LT",
          Math.round((1 - errorRatio) * 1e9) / 1e9,
          0,
        );
      policy(
        `slo-${w.name}-burn`,
        `Availability SLO ${args.sloTarget} %: budget burning at ${w.burnRate}x over ${w.longWindowMinutes} min, confirmed over ${w.shortWindowMinutes} min.`,
        [window(w.longWindowMinutes), window(w.shortWindowMinutes)],
        "AND",
        "CRITICAL",
      );
    }

    // Database: Cloud SQL metrics of the one instance (database_id is project:instance).
    const databaseId = pulumi.output(args.database.connectionName).apply((c) => {
      const [p, , instance] = c.split(":");
      return `${p}:${instance}`;
    });
    const sql = (metric: string) =>
      pulumi.interpolate`resource.type="cloudsql_database" AND resource.label.database_id="${databaseId}" AND metric.type="cloudsql.googleapis.com/database/${metric}"`;
    const mean = { alignmentPeriod: seconds(T.periodMinutes), perSeriesAligner: "ALIGN_MEAN" };
    const maxConnections = CLOUD_SQL_MAX_CONNECTIONS[args.database.size];
    policy("db-cpu", `Cloud SQL CPU above ${T.databaseCpuPercent} % for ${T.evaluationMinutes} min.`, [
      threshold(
        "CPU utilization",
        sql("cpu/utilization"),
        mean,
        "COMPARISON_GT",
        T.databaseCpuPercent / 100,
        T.evaluationMinutes,
      ),
    ]);
    policy("db-storage", `Cloud SQL disk more than ${T.databaseStoragePercent} % used.`, [
      threshold(
        "disk utilization",
        sql("disk/utilization"),
        mean,
        "COMPARISON_GT",
        T.databaseStoragePercent / 100,
        T.evaluationMinutes,
      ),
    ]);
    policy(
      "db-connections",
      `Cloud SQL connections above ${T.databaseConnectionsPercent} % of max_connections (${maxConnections}).`,
      [
        threshold(
          "connections",
          sql("postgresql/num_backends"),
          { ...mean, crossSeriesReducer: "REDUCE_SUM", groupByFields: ["resource.label.database_id"] },
          "COMPARISON_GT",
          Math.floor((maxConnections * T.databaseConnectionsPercent) / 100),
          T.evaluationMinutes,
        ),
      ],
    );

    // Cluster: nodes that stop reporting are not Ready; fewer than the pool's floor, or none at all, alerts.
    // Both conditions reduce across the cluster: per node, every scale-down would end a series and fire "absent".
    const nodes = pulumi.interpolate`resource.type="k8s_node" AND resource.label.cluster_name="${args.cluster.name}" AND metric.type="kubernetes.io/node/cpu/allocatable_utilization"`;
    const perCluster = { ...mean, crossSeriesReducer: "REDUCE_COUNT", groupByFields: ["resource.label.cluster_name"] };
    policy(
      "cluster-nodes",
      `GKE nodes not Ready: fewer than ${args.cluster.minNodes} nodes reporting for ${T.evaluationMinutes} min.`,
      [
        threshold(
          "nodes reporting below the pool's minimum",
          nodes,
          perCluster,
          "COMPARISON_LT",
          args.cluster.minNodes,
          T.evaluationMinutes,
        ),
        {
          displayName: "no node reporting",
          conditionAbsent: {
            filter: nodes,
            duration: seconds(T.evaluationMinutes),
            aggregations: [perCluster],
            trigger: { count: 1 },
          },
        },
      ],
    );

    // Functions: Cloud Run request metrics of each function's service.
    const functions = args.functions ?? [];
    for (const f of functions) {
      const run = (metric: string, more = "") =>
        pulumi.interpolate`resource.type="cloud_run_revision" AND resource.label.service_name="${f.serviceName}" AND metric.type="run.googleapis.com/${metric}"${more}`;
      const rate = {
        alignmentPeriod: seconds(T.periodMinutes),
        perSeriesAligner: "ALIGN_RATE",
        crossSeriesReducer: "REDUCE_SUM",
        groupByFields: ["resource.label.service_name"],
      };
      policy(
        `fn-${f.name}-errors`,
        `Function ${f.name}: more than ${T.functionErrorPercent} % of requests failing (5xx).`,
        [
          threshold(
            "5xx share of requests",
            run("request_count", ' AND metric.label.response_code_class="5xx"'),
            rate,
            "COMPARISON_GT",
            T.functionErrorPercent / 100,
            T.evaluationMinutes,
            { denominatorFilter: run("request_count"), denominatorAggregations: [rate] },
          ),
        ],
      );
      policy(`fn-${f.name}-p99`, `Function ${f.name}: p99 latency above ${args.p99LatencyMs} ms.`, [
        threshold(
          "p99 latency",
          run("request_latencies"),
          {
            alignmentPeriod: seconds(T.periodMinutes),
            perSeriesAligner: "ALIGN_PERCENTILE_99",
            crossSeriesReducer: "REDUCE_MAX",
            groupByFields: ["resource.label.service_name"],
          },
          "COMPARISON_GT",
          args.p99LatencyMs,
          T.evaluationMinutes,
        ),
      ]);
    }

    const dashboard = new gcp.monitoring.Dashboard(
      `${name}-dashboard`,
      {
        project,
        dashboardJson: pulumi
          .all([
            checks.api.filter,
            checks.origin.filter,
            sql("cpu/utilization"),
            sql("disk/utilization"),
            sql("postgresql/num_backends"),
            nodes,
            pulumi.all(functions.map((f) => f.serviceName)),
          ])
          .apply(([api, origin, cpu, disk, backends, nodeFilter, services]) =>
            JSON.stringify(
              gcpDashboard({ title: prefix, api, origin, cpu, disk, backends, nodes: nodeFilter, services }),
            ),
          ),
      },
      child,
    );

    this.notificationChannelIds = channels.map((c) => c.name);
    this.dashboardId = dashboard.id;
    this.alertCount = alerts;
    this.registerOutputs({
      notificationChannelIds: this.notificationChannelIds,
      dashboardId: this.dashboardId,
      alertCount: this.alertCount,
    });
  }
}

interface DashboardFilters {
  title: string;
  api: string;
  origin: string;
  cpu: string;
  disk: string;
  backends: string;
  nodes: string;
  services: string[];
}

/** The Cloud Monitoring dashboard: DASHBOARD_PANELS in order, two per row on a 12-column mosaic. */
export function gcpDashboard(f: DashboardFilters): object {
  const chart = (
    title: DashboardPanel,
    series: { filter: string; aligner: string; reducer?: string; by?: string }[],
  ) => ({
    title,
    xyChart: {
      dataSets: series.map((s) => ({
        plotType: "LINE",
        timeSeriesQuery: {
          timeSeriesFilter: {
            filter: s.filter,
            aggregation: {
              alignmentPeriod: "60s",
              perSeriesAligner: s.aligner,
              ...(s.reducer ? { crossSeriesReducer: s.reducer, groupByFields: [s.by ?? "resource.label.host"] } : {}),
            },
          },
        },
      })),
    },
  });
  const text = (title: DashboardPanel) => ({ title, text: { content: NO_FUNCTIONS_TEXT, format: "MARKDOWN" } });
  // one_of(...): the documented form for "any of these values" in a monitoring filter (https://cloud.google.com/monitoring/api/v3/filters).
  const services = f.services.map(quote).join(", ");
  const run = (metric: string) =>
    `resource.type="cloud_run_revision" AND resource.label.service_name=one_of(${services}) AND metric.type="run.googleapis.com/${metric}"`;
  const panels: Record<DashboardPanel, object> = {
    "API uptime (api and origin /health)": chart("API uptime (api and origin /health)", [
      { filter: f.api, aligner: "ALIGN_FRACTION_TRUE", reducer: "REDUCE_MEAN" },
      { filter: f.origin, aligner: "ALIGN_FRACTION_TRUE", reducer: "REDUCE_MEAN" },
    ]),
    "Availability SLI (share of passing probes)": chart("Availability SLI (share of passing probes)", [
      { filter: f.origin, aligner: "ALIGN_FRACTION_TRUE", reducer: "REDUCE_MEAN" },
    ]),
    "Function errors": f.services.length
      ? chart("Function errors", [
          { filter: `${run("request_count")} AND metric.label.response_code_class="5xx"`, aligner: "ALIGN_RATE" },
        ])
      : text("Function errors"),
    "Function p99 latency (ms)": f.services.length
      ? chart("Function p99 latency (ms)", [{ filter: run("request_latencies"), aligner: "ALIGN_PERCENTILE_99" }])
      : text("Function p99 latency (ms)"),
    "Database CPU (%)": chart("Database CPU (%)", [{ filter: f.cpu, aligner: "ALIGN_MEAN" }]),
    "Database storage used": chart("Database storage used", [{ filter: f.disk, aligner: "ALIGN_MEAN" }]),
    "Database connections": chart("Database connections", [{ filter: f.backends, aligner: "ALIGN_MEAN" }]),
    "Cluster nodes not ready": chart("Cluster nodes not ready", [
      { filter: f.nodes, aligner: "ALIGN_MEAN", reducer: "REDUCE_COUNT", by: "resource.label.cluster_name" },
    ]),
  };
  return {
    displayName: f.title,
    mosaicLayout: {
      columns: 12,
      tiles: DASHBOARD_PANELS.map((p, i) => ({
        xPos: (i % 2) * 6,
        yPos: Math.floor(i / 2) * 4,
        width: 6,
        height: 4,
        widget: panels[p],
      })),
    },
  };
}
