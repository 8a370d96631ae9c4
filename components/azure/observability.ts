import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as authorization from "@pulumi/azure-native/authorization";
import * as monitor from "@pulumi/azure-native/monitor";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as portal from "@pulumi/azure-native/portal";
import * as pulumi from "@pulumi/pulumi";
import type * as inputs from "@pulumi/azure-native/types/input";
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

/** An Azure Function App to alert on; the function host passes one per app. */
export interface AzureFunctionTarget {
  /** Short logical name, used in alert names ("api"). */
  readonly name: string;
  /** The Function App's resource id. */
  readonly resourceId: pulumi.Input<string>;
  /** The Application Insights the app reports to (its own); without it, this component's. */
  readonly insightsId?: pulumi.Input<string>;
}

export interface AzureObservabilityArgs {
  environment: string;
  location: string;
  /** The platform's resource group (alerts, workspace and dashboard live beside what they watch). */
  resourceGroupName: pulumi.Input<string>;
  emails: readonly string[];
  /** Days the Log Analytics workspace keeps logs (Azure accepts 30 to 730). */
  logRetentionDays: number;
  sloTarget: number;
  p99LatencyMs: number;
  uptime: { apiHostname: string; originHostname: pulumi.Input<string> };
  cluster: { name: pulumi.Input<string> };
  /** `settled`: the server's last child operation; its diagnostic setting waits for it (one operation at a time, else ServerIsBusy). */
  database: { serverName: pulumi.Input<string>; size: Size; settled?: pulumi.Resource };
  functions?: readonly AzureFunctionTarget[];
  tags: Tags;
}

/**
 * Flexible Server's default max_connections per SKU, from Microsoft's table
 * (learn.microsoft.com/azure/postgresql/flexible-server/concepts-limits, "Maximum connections"): one entry for each SKU
 * DATABASE_SIZES maps a size to. A size moved to another SKU fails here until its row is added.
 */
export const FLEXIBLE_SERVER_MAX_CONNECTIONS_BY_SKU: Readonly<Record<string, number>> = {
  Standard_B2s: 429,
  Standard_D2ds_v5: 859,
  Standard_D4ds_v5: 1718,
};

/** The default max_connections of the SKU a database size runs on. */
export function flexibleServerMaxConnections(size: Size): number {
  const sku = DATABASE_SIZES[size].azure.name;
  const n = FLEXIBLE_SERVER_MAX_CONNECTIONS_BY_SKU[sku];
  if (n === undefined)
    throw new Error(`database size ${size}: no max_connections on record for Flexible Server SKU ${sku}`);
  return n;
}
/** Availability-test probe locations (East US, South Central US, North Central US, West US, West Europe). */
export const WEB_TEST_LOCATIONS = [
  "us-va-ash-azr",
  "us-tx-sn1-azr",
  "us-il-ch1-azr",
  "us-ca-sjc-azr",
  "emea-nl-ams-azr",
];
const AKS_LOG_CATEGORIES = [
  "kube-apiserver",
  "kube-audit-admin",
  "kube-controller-manager",
  "kube-scheduler",
  "cluster-autoscaler",
  "guard",
];

/**
 * A passed / failed request or probe in Application Insights' classic tables (`requests`,
 * `availabilityResults`, the tables a query scoped to the component reads). Their `success`
 * column is a string there ("True"/"False"; Microsoft Learn's mapping of legacy columns,
 * https://learn.microsoft.com/en-us/azure/azure-monitor/app/convert-classic-resource) and a bool
 * in the workspace's AppRequests: compared as text, the query means the same on either.
 */
/**
 * AKS's kube_node_status_condition series of a node that is not Ready: condition Ready, status
 * false or unknown. `status2` (Ready/NotReady) is the filter the AKS team set for removal, asking
 * alerts to use `status` instead (https://github.com/Azure/AKS/issues/1997); the metric's
 * dimensions: https://learn.microsoft.com/en-us/azure/azure-monitor/reference/supported-metrics/microsoft-containerservice-managedclusters-metrics
 */
export const NODE_NOT_READY = [
  { key: "condition", values: ["Ready"] },
  { key: "status", values: ["false", "unknown"] },
] as const;

export const PASSED = 'iff(tostring(success) in~ ("true", "1"), 1.0, 0.0)';
export const FAILED = 'tostring(success) in~ ("false", "0")';
const iso = (minutes: number) => (minutes % 60 === 0 ? `PT${minutes / 60}H` : `PT${minutes}M`);

/**
 * Azure Monitor for one environment: a Log Analytics workspace (the log
 * retention) receiving AKS control-plane and PostgreSQL logs, workspace-based
 * Application Insights with standard availability tests on the API and the
 * origin, log-search burn-rate alerts on the origin's availability, metric
 * alerts on Flexible Server CPU/storage/connections and AKS node readiness,
 * Function App error-rate and p99 alerts, one action group emailing every
 * contact, and a portal dashboard.
 */
export class AzureObservability extends pulumi.ComponentResource {
  readonly actionGroupId: pulumi.Output<string>;
  /** The platform's resource group as a scope. */
  readonly resourceGroupId: pulumi.Output<string>;
  /** The subscription as a scope (the budget is scoped to it, filtered to the environment's groups). */
  readonly subscriptionScope: pulumi.Output<string>;
  readonly workspaceId: pulumi.Output<string>;
  /** For apps that report to the platform's Application Insights (the quorum Function App has its own). */
  readonly appInsightsConnectionString: pulumi.Output<string>;
  readonly dashboardId: pulumi.Output<string>;
  readonly alertCount: number;
  /**
   * The diagnostic setting on the PostgreSQL server: it lives under the server's scope, so a lock on the
   * server must be created after it (AzurePostgresDatabase.lockServer), or Azure refuses to delete it.
   */
  readonly databaseLogs: monitor.DiagnosticSetting;

  constructor(name: string, args: AzureObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:azure:Observability", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };
    const prefix = `tricloud-${args.environment}`;
    const rg = args.resourceGroupName;
    let alerts = 0;

    const subscriptionId = authorization.getClientConfigOutput(child).subscriptionId;
    const clusterId = pulumi.interpolate`/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${args.cluster.name}`;
    const serverId = pulumi.interpolate`/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${args.database.serverName}`;

    const workspace = new operationalinsights.Workspace(
      `${name}-logs`,
      {
        resourceGroupName: rg,
        location: args.location,
        workspaceName: `${prefix}-logs`,
        sku: { name: "PerGB2018" },
        // PerGB2018 keeps at least 30 and at most 730 days interactively.
        retentionInDays: Math.min(730, Math.max(30, args.logRetentionDays)),
        tags,
      },
      child,
    );
    // `dedicated`: write to the resource's own tables ("Dedicated") rather than AzureDiagnostics, for a
    // resource type whose categories have such tables. Where they have none, the API accepts the field,
    // drops it (a GET returns null: https://github.com/Azure/azure-rest-api-specs/issues/9281), and
    // every refresh would show it as a change.
    const diagnostics = (
      id: string,
      resourceUri: pulumi.Input<string>,
      logs: { category: string; enabled: boolean }[],
      dedicated: boolean,
      after: pulumi.Resource[] = [],
    ) =>
      new monitor.DiagnosticSetting(
        `${name}-${id}-logs`,
        {
          name: `${prefix}-${id}`,
          resourceUri,
          workspaceId: workspace.id,
          ...(dedicated ? { logAnalyticsDestinationType: "Dedicated" } : {}),
          logs,
        },
        { parent: this, dependsOn: after },
      );
    // AKS control-plane logs have resource-specific tables (AKSControlPlane, AKSAudit, AKSAuditAdmin), each
    // "Requires Diagnostic Settings to use the Resource Specific destination table"
    // (https://learn.microsoft.com/azure/azure-monitor/reference/tables/microsoft-containerservice_managedclusters).
    diagnostics(
      "aks",
      clusterId,
      AKS_LOG_CATEGORIES.map((category) => ({ category, enabled: true })),
      true,
    );
    // Flexible Server's PostgreSQLLogs category is listed with the AzureDiagnostics table only
    // (https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-dbforpostgresql-flexibleservers-logs),
    // though a PGSQLServerLogs table is documented too. Without the field the logs land in AzureDiagnostics either
    // way, and nothing in this program queries either table.
    this.databaseLogs = diagnostics(
      "pg",
      serverId,
      [{ category: "PostgreSQLLogs", enabled: true }],
      false,
      args.database.settled ? [args.database.settled] : [],
    );

    const insights = new applicationinsights.Component(
      `${name}-insights`,
      {
        resourceGroupName: rg,
        location: args.location,
        resourceName: `${prefix}-insights`,
        kind: "web",
        applicationType: "web",
        workspaceResourceId: workspace.id,
        ingestionMode: "LogAnalytics",
        tags,
      },
      child,
    );

    const group = new monitor.ActionGroup(
      `${name}-alerts`,
      {
        resourceGroupName: rg,
        actionGroupName: `${prefix}-alerts`,
        groupShortName: `tc-${args.environment}`.slice(0, 12),
        location: "Global",
        enabled: true,
        emailReceivers: args.emails.map((emailAddress, i) => ({
          name: `email-${i}`,
          emailAddress,
          useCommonAlertSchema: true,
        })),
        tags,
      },
      child,
    );

    const metricAlert = (
      id: string,
      description: pulumi.Input<string>,
      scope: pulumi.Input<string> | pulumi.Input<string>[],
      criterion: monitor.MetricAlertArgs["criteria"],
      window: number = T.evaluationMinutes,
      severity = 2,
    ) => {
      alerts++;
      return new monitor.MetricAlert(
        `${name}-${id}`,
        {
          resourceGroupName: rg,
          ruleName: `${prefix}-${id}`,
          location: "global",
          description,
          enabled: true,
          severity,
          scopes: Array.isArray(scope) ? scope : [scope],
          evaluationFrequency: iso(Math.min(T.periodMinutes, window)),
          windowSize: iso(window),
          criteria: criterion,
          actions: [{ actionGroupId: group.id }],
          tags,
        },
        child,
      );
    };
    const staticCriterion = (
      metricNamespace: string,
      metricName: string,
      operator: string,
      threshold: number,
      timeAggregation: string,
      dimensions?: { name: string; operator: string; values: string[] }[],
    ) => ({
      odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria" as const,
      allOf: [
        {
          criterionType: "StaticThresholdCriterion" as const,
          name: metricName,
          metricNamespace,
          metricName,
          operator,
          threshold,
          timeAggregation,
          ...(dimensions ? { dimensions } : {}),
        },
      ],
    });
    const logAlert = (
      id: string,
      description: pulumi.Input<string>,
      query: pulumi.Input<string>,
      windowMinutes: number,
      frequencyMinutes: number,
      severity = 1,
      scope: pulumi.Input<string> = insights.id,
    ) => {
      alerts++;
      return new monitor.ScheduledQueryRule(
        `${name}-${id}`,
        {
          resourceGroupName: rg,
          ruleName: `${prefix}-${id}`,
          location: args.location,
          kind: "LogAlert",
          description,
          enabled: true,
          severity,
          scopes: [scope],
          windowSize: iso(windowMinutes),
          evaluationFrequency: iso(frequencyMinutes),
          // The query returns a row only when the condition holds.
          criteria: {
            allOf: [
              {
                query,
                timeAggregation: "Count",
                operator: "GreaterThan",
                threshold: 0,
                failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
              },
            ],
          },
          actions: { actionGroups: [group.id] },
          tags,
        },
        child,
      );
    };

    // Uptime: standard availability tests every 5 minutes from five locations; alert when 2 locations fail.
    const testName = (kind: string) => `${prefix}-${kind}-health`;
    for (const [kind, host] of [
      ["api", args.uptime.apiHostname],
      ["origin", args.uptime.originHostname],
    ] as const) {
      const test = new applicationinsights.WebTest(
        `${name}-uptime-${kind}`,
        {
          resourceGroupName: rg,
          location: args.location,
          webTestName: testName(kind),
          syntheticMonitorId: testName(kind),
          kind: "standard",
          webTestKind: "standard",
          enabled: true,
          frequency: 300,
          timeout: 30,
          retryEnabled: true,
          locations: WEB_TEST_LOCATIONS.map((location) => ({ location })),
          request: { requestUrl: pulumi.interpolate`https://${host}/health`, httpVerb: "GET", followRedirects: false },
          validationRules: { expectedHttpStatusCode: 200, sSLCheck: true, sSLCertRemainingLifetimeCheck: 7 },
          // Azure links a test to its Application Insights resource through this tag.
          tags: insights.id.apply((id) => ({ ...tags, [`hidden-link:${id}`]: "Resource" })),
        },
        child,
      );
      // Microsoft's availability-alert template scopes the web test and its Application Insights component.
      metricAlert(
        `uptime-${kind}`,
        pulumi.interpolate`GET https://${host}/health failing from 2 or more locations`,
        [test.id, insights.id],
        {
          odataType: "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria",
          webTestId: test.id,
          componentId: insights.id,
          failedLocationCount: 2,
        },
        5,
        1,
      );
    }

    // Burn-rate alerts on the origin's availability SLI: the share of failed probes, long and short window together.
    for (const w of BURN_RATE_WINDOWS) {
      const threshold = burnRateThreshold(args.sloTarget, w.burnRate);
      logAlert(
        `slo-${w.name}-burn`,
        `Availability SLO ${args.sloTarget} %: budget burning at ${w.burnRate}x over ${w.longWindowMinutes} min, confirmed over ${w.shortWindowMinutes} min`,
        [
          "availabilityResults",
          `| where name == "${testName("origin")}"`,
          `| summarize longRatio = 1.0 - avg(${PASSED}), shortRatio = 1.0 - avgif(${PASSED}, timestamp > ago(${w.shortWindowMinutes}m))`,
          `| where longRatio > ${threshold} and shortRatio > ${threshold}`,
        ].join("\n"),
        w.longWindowMinutes,
        Math.min(15, w.shortWindowMinutes),
      );
    }

    // Database: Flexible Server platform metrics.
    const pg = "Microsoft.DBforPostgreSQL/flexibleServers";
    const maxConnections = flexibleServerMaxConnections(args.database.size);
    metricAlert(
      "db-cpu",
      `PostgreSQL CPU above ${T.databaseCpuPercent} % for ${T.evaluationMinutes} min`,
      serverId,
      staticCriterion(pg, "cpu_percent", "GreaterThan", T.databaseCpuPercent, "Average"),
    );
    metricAlert(
      "db-storage",
      `PostgreSQL storage more than ${T.databaseStoragePercent} % used`,
      serverId,
      staticCriterion(pg, "storage_percent", "GreaterThan", T.databaseStoragePercent, "Average"),
    );
    metricAlert(
      "db-connections",
      `PostgreSQL connections above ${T.databaseConnectionsPercent} % of max_connections (${maxConnections})`,
      serverId,
      staticCriterion(
        pg,
        "active_connections",
        "GreaterThan",
        Math.floor((maxConnections * T.databaseConnectionsPercent) / 100),
        "Maximum",
      ),
    );

    // Cluster: the platform metric AKS publishes for node conditions, without Container Insights.
    metricAlert(
      "cluster-nodes",
      `AKS nodes not Ready within ${T.evaluationMinutes} min`,
      clusterId,
      staticCriterion(
        "Microsoft.ContainerService/managedClusters",
        "kube_node_status_condition",
        "GreaterThan",
        0,
        "Average",
        NODE_NOT_READY.map((d) => ({ name: d.key, operator: "Include", values: [...d.values] })),
      ),
    );

    // Functions: error rate and p99 from the requests the Function Apps report to Application Insights.
    const functions = (args.functions ?? []).map((f) => ({
      ...f,
      appName: pulumi.output(f.resourceId).apply((id) => id.split("/").pop() ?? id),
    }));
    for (const f of functions) {
      const requests = pulumi.interpolate`requests\n| where cloud_RoleName =~ "${f.appName}"`;
      logAlert(
        `fn-${f.name}-errors`,
        `Function App ${f.name}: more than ${T.functionErrorPercent} % of requests failing`,
        pulumi.interpolate`${requests}\n| summarize errorPercent = 100.0 * countif(${FAILED}) / count()\n| where errorPercent > ${T.functionErrorPercent}`,
        T.evaluationMinutes,
        T.periodMinutes,
        2,
        f.insightsId,
      );
      logAlert(
        `fn-${f.name}-p99`,
        `Function App ${f.name}: p99 duration above ${args.p99LatencyMs} ms`,
        pulumi.interpolate`${requests}\n| summarize p99 = percentile(duration, 99)\n| where p99 > ${args.p99LatencyMs}`,
        T.evaluationMinutes,
        T.periodMinutes,
        2,
        f.insightsId,
      );
    }

    const dashboard = new portal.Dashboard(
      `${name}-dashboard`,
      {
        resourceGroupName: rg,
        location: args.location,
        dashboardName: prefix,
        properties: pulumi
          .all([
            insights.id,
            serverId,
            clusterId,
            pulumi.all(functions.map((f) => f.appName)),
            pulumi.all(functions.map((f) => f.insightsId ?? insights.id)),
          ])
          .apply(([insightsId, server, cluster, apps, appInsightsIds]) =>
            azureDashboard({
              insightsId,
              serverId: server,
              clusterId: cluster,
              apps,
              functionInsightsIds: [...new Set(appInsightsIds)],
              originTest: testName("origin"),
            }),
          ),
        tags: { ...tags, "hidden-title": `tricloud ${args.environment}` },
      },
      child,
    );

    this.actionGroupId = group.id;
    this.resourceGroupId = pulumi.interpolate`/subscriptions/${subscriptionId}/resourceGroups/${rg}`;
    this.subscriptionScope = pulumi.interpolate`/subscriptions/${subscriptionId}`;
    this.workspaceId = workspace.id;
    this.appInsightsConnectionString = pulumi.secret(insights.connectionString);
    this.dashboardId = dashboard.id;
    this.alertCount = alerts;
    this.registerOutputs({
      actionGroupId: this.actionGroupId,
      workspaceId: this.workspaceId,
      dashboardId: this.dashboardId,
      alertCount: this.alertCount,
    });
  }
}

interface DashboardIds {
  insightsId: string;
  serverId: string;
  clusterId: string;
  apps: string[];
  /** The Application Insights the Function Apps report to (each has its own); the function panels query these. */
  functionInsightsIds?: string[];
  originTest: string;
}

/** The portal dashboard: DASHBOARD_PANELS in order, two per row; metric charts, and log charts where metrics cannot say it (p99, ratios). */
export function azureDashboard(ids: DashboardIds): inputs.portal.DashboardPropertiesWithProvisioningStateArgs {
  const chart = (
    title: DashboardPanel,
    resourceId: string,
    namespace: string,
    metric: string,
    aggregationType: number,
    filters?: readonly { key: string; values: readonly string[] }[],
  ) => ({
    type: "Extension/HubsExtension/PartType/MonitorChartPart",
    inputs: [{ name: "sharedTimeRange", isOptional: true }],
    settings: {
      content: {
        options: {
          chart: {
            title,
            titleKind: 2,
            visualization: { chartType: 2 },
            metrics: [
              {
                resourceMetadata: { id: resourceId },
                namespace,
                name: metric,
                aggregationType,
                metricVisualization: { displayName: title },
              },
            ],
            // operator 0: the portal's "equals" (any of the values).
            ...(filters
              ? {
                  filterCollection: {
                    filters: filters.map((f) => ({ key: f.key, operator: 0, values: [...f.values] })),
                  },
                }
              : {}),
          },
        },
      },
    },
  });
  const logs = (title: DashboardPanel, query: string, scope: string[] = [ids.insightsId]) => ({
    type: "Extension/Microsoft_OperationsManagementSuite_Workspace/PartType/LogsDashboardPart",
    inputs: [
      { name: "Scope", isOptional: true, value: { resourceIds: scope } },
      { name: "Query", isOptional: true, value: query },
      { name: "PartTitle", isOptional: true, value: title },
      { name: "ControlType", isOptional: true, value: "FrameControlChart" },
      { name: "TimeRange", isOptional: true, value: "P1D" },
      { name: "Version", isOptional: true, value: "2.0" },
    ],
    settings: { content: { PartTitle: title } },
  });
  const markdown = (title: DashboardPanel) => ({
    type: "Extension/HubsExtension/PartType/MarkdownPart",
    inputs: [],
    settings: { content: { settings: { title, subtitle: "", content: NO_FUNCTIONS_TEXT } } },
  });
  const apps = ids.apps.map((a) => `"${a}"`).join(", ");
  const fnScope = ids.functionInsightsIds?.length ? ids.functionInsightsIds : [ids.insightsId];
  const pg = "Microsoft.DBforPostgreSQL/flexibleServers";
  // aggregationType: 1 sum, 3 max, 4 average (the portal's enumeration).
  const panels: Record<DashboardPanel, inputs.portal.DashboardPartMetadataArgs> = {
    "API uptime (api and origin /health)": chart(
      "API uptime (api and origin /health)",
      ids.insightsId,
      "microsoft.insights/components",
      "availabilityResults/availabilityPercentage",
      4,
    ),
    "Availability SLI (share of passing probes)": logs(
      "Availability SLI (share of passing probes)",
      `availabilityResults\n| where name == "${ids.originTest}"\n| summarize sli = avg(${PASSED}) by bin(timestamp, 5m)\n| render timechart`,
    ),
    "Function errors": ids.apps.length
      ? logs(
          "Function errors",
          `requests\n| where cloud_RoleName in~ (${apps})\n| summarize failed = countif(${FAILED}) by bin(timestamp, 5m), cloud_RoleName\n| render timechart`,
          fnScope,
        )
      : markdown("Function errors"),
    "Function p99 latency (ms)": ids.apps.length
      ? logs(
          "Function p99 latency (ms)",
          `requests\n| where cloud_RoleName in~ (${apps})\n| summarize p99 = percentile(duration, 99) by bin(timestamp, 5m), cloud_RoleName\n| render timechart`,
          fnScope,
        )
      : markdown("Function p99 latency (ms)"),
    "Database CPU (%)": chart("Database CPU (%)", ids.serverId, pg, "cpu_percent", 4),
    "Database storage used": chart("Database storage used", ids.serverId, pg, "storage_percent", 4),
    "Database connections": chart("Database connections", ids.serverId, pg, "active_connections", 3),
    "Cluster nodes not ready": chart(
      "Cluster nodes not ready",
      ids.clusterId,
      "Microsoft.ContainerService/managedClusters",
      "kube_node_status_condition",
      4,
      NODE_NOT_READY,
    ),
  };
  return {
    lenses: [
      {
        order: 0,
        parts: DASHBOARD_PANELS.map((p, i) => ({
          position: { x: (i % 2) * 6, y: Math.floor(i / 2) * 4, colSpan: 6, rowSpan: 4 },
          metadata: panels[p],
        })),
      },
    ],
    metadata: {
      model: {
        timeRange: {
          type: "MsPortalFx.Composition.Configuration.ValueTypes.TimeRange",
          value: { relative: { duration: 24, timeUnit: 1 } },
        },
      },
    },
  };
}
