import { describe, expect, it } from "vitest";
import type { PlanReport, PlannedResource } from "../../cli/plan/report";
import {
  BUDGET_ALERT_PERCENTS,
  BURN_RATE_WINDOWS,
  burnRateThreshold,
  DASHBOARD_PANELS,
  splitBudgetCents,
} from "../../components/shared/slo";
import {
  FLEXIBLE_SERVER_MAX_CONNECTIONS_BY_SKU,
  flexibleServerMaxConnections,
} from "../../components/azure/observability";
import { SIZES } from "@tricloud/vocabulary/sizes";
import { input, ofType, oneOfType, planStack } from "../helpers/plan";
import { expectConfigError, mockState, owningComponents, stackConfig } from "../helpers/platform";
import { dashboardTitles } from "../helpers/dashboards";

const T = {
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  composite: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  topic: "aws:sns/topic:Topic",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  healthCheck: "aws:route53/healthCheck:HealthCheck",
  metricAlert: "azure-native:monitor:MetricAlert",
  queryRule: "azure-native:monitor:ScheduledQueryRule",
  actionGroup: "azure-native:monitor:ActionGroup",
  webTest: "azure-native:applicationinsights:WebTest",
  policy: "gcp:monitoring/alertPolicy:AlertPolicy",
  channel: "gcp:monitoring/notificationChannel:NotificationChannel",
  uptime: "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig",
};
type Json = Record<string, any>;
const inputs = (r: PlannedResource) => r.inputs as Json;
/** GCP policies' condition filters, joined, so a test can look for what they watch. */
const filters = (r: PlannedResource) =>
  (inputs(r).conditions as Json[]).map((c) => (c.conditionThreshold ?? c.conditionAbsent).filter as string).join("\n");

describe.each(["dev", "prod"])("%s observability", (stack) => {
  const config = stackConfig(stack);
  const t = config.tricloud;
  const target = stack === "prod" ? 99.95 : 99.9;
  const plan = () => planStack(stack);

  it("uses the environment's SLO (99.9 % dev, 99.95 % prod) and the 200 ms p99 objective", async () => {
    const r = await plan();
    expect(r.outputs.observability).toMatchObject({
      sloTargetPercent: target,
      p99LatencyMs: 200,
      alerts: { aws: 10, azure: 10, gcp: 10 },
    }); // 8 platform alerts + 2 for the quorum function
  });

  it("every cluster has a node-health alert on that very cluster", async () => {
    const r = await plan();
    const eks = oneOfType(r, "aws:eks/cluster:Cluster");
    const nodes = ofType(r, T.alarm).filter((a) => inputs(a).metricName === "cluster_failed_node_count");
    expect(nodes.map((a) => inputs(a).dimensions.ClusterName)).toEqual([input(eks, "name")]);
    expect(oneOfType(r, "aws:eks/addon:Addon", "-obs-insights").inputs).toMatchObject({
      clusterName: input(eks, "name"),
      addonName: "amazon-cloudwatch-observability",
    });

    const aks = mockState(stack, oneOfType(r, "azure-native:containerservice:ManagedCluster"));
    const aksAlerts = ofType(r, T.metricAlert).filter((a) =>
      (inputs(a).scopes as string[]).some((s) => s.endsWith(`/managedClusters/${aks.name}`)),
    );
    expect(aksAlerts.map((a) => inputs(a).criteria.allOf[0].metricName)).toEqual(["kube_node_status_condition"]);

    const gke = mockState(stack, oneOfType(r, "gcp:container/cluster:Cluster"));
    const gkeAlerts = ofType(r, T.policy).filter((p) =>
      filters(p).includes(`resource.label.cluster_name="${gke.name}"`),
    );
    expect(gkeAlerts).toHaveLength(1);
    expect(inputs(gkeAlerts[0]!).conditions[0].conditionThreshold).toMatchObject({
      comparison: "COMPARISON_LT",
      thresholdValue: t.clusters.gcp.minNodes,
    });
    // "No node reporting" counts nodes across the cluster: per node, every scale-down would end a series and fire it.
    expect(inputs(gkeAlerts[0]!).conditions[1].conditionAbsent.aggregations).toEqual([
      expect.objectContaining({ crossSeriesReducer: "REDUCE_COUNT", groupByFields: ["resource.label.cluster_name"] }),
    ]);
  });

  it("every database has CPU, storage and connection alerts on that very database", async () => {
    const r = await plan();
    const rds = mockState(stack, oneOfType(r, "aws:rds/instance:Instance"));
    const rdsAlarms = ofType(r, T.alarm).filter((a) => inputs(a).dimensions?.DBInstanceIdentifier === rds.identifier);
    expect(rdsAlarms.map((a) => inputs(a).metricName).sort()).toEqual([
      "CPUUtilization",
      "DatabaseConnections",
      "FreeStorageSpace",
    ]);
    const free = rdsAlarms.find((a) => inputs(a).metricName === "FreeStorageSpace")!;
    expect(inputs(free).threshold).toBe(Math.round(t.database.storageGb * 2 ** 30 * 0.2));

    const server = mockState(stack, oneOfType(r, "azure-native:dbforpostgresql:Server"));
    const pgAlerts = ofType(r, T.metricAlert).filter((a) =>
      (inputs(a).scopes as string[]).some((s) => s.endsWith(`/flexibleServers/${server.name}`)),
    );
    expect(pgAlerts.map((a) => inputs(a).criteria.allOf[0].metricName).sort()).toEqual([
      "active_connections",
      "cpu_percent",
      "storage_percent",
    ]);
    // 80 % of the default max_connections of the SKU the database runs on (Microsoft's table, by SKU name).
    const sku = String(input(oneOfType(r, "azure-native:dbforpostgresql:Server"), "sku.name"));
    const connections = pgAlerts.find((a) => inputs(a).criteria.allOf[0].metricName === "active_connections")!;
    expect(inputs(connections).criteria.allOf[0].threshold).toBe(
      Math.floor(FLEXIBLE_SERVER_MAX_CONNECTIONS_BY_SKU[sku]! * 0.8),
    );

    const sql = mockState(stack, oneOfType(r, "gcp:sql/databaseInstance:DatabaseInstance"));
    const [project, , instance] = String(sql.connectionName).split(":");
    const sqlPolicies = ofType(r, T.policy).filter((p) =>
      filters(p).includes(`resource.label.database_id="${project}:${instance}"`),
    );
    expect(sqlPolicies.map((p) => filters(p).match(/database\/([a-z_/]+)"/)![1]).sort()).toEqual([
      "cpu/utilization",
      "disk/utilization",
      "postgresql/num_backends",
    ]);
  });

  it("probes https://api.<domain>/health and each cloud's origin from every cloud", async () => {
    const r = await plan();
    const api = `api.${t.domain}`;
    // The origins are the function hosts' own hostnames (the same the Cloudflare pools use).
    const origin = (cloud: string) => (r.outputs.functions as Record<string, { hostname: string }>)[cloud]!.hostname;
    expect(ofType(r, T.healthCheck).map((h) => [inputs(h).fqdn, inputs(h).resourcePath, inputs(h).type])).toEqual([
      [api, "/health", "HTTPS"],
      [origin("aws"), "/health", "HTTPS"],
    ]);
    expect(ofType(r, T.webTest).map((w) => inputs(w).request.requestUrl)).toEqual([
      `https://${api}/health`,
      `https://${origin("azure")}/health`,
    ]);
    expect(
      ofType(r, T.uptime).map((u) => [
        inputs(u).monitoredResource.labels.host,
        inputs(u).httpCheck.path,
        inputs(u).httpCheck.useSsl,
      ]),
    ).toEqual([
      [api, "/health", true],
      [origin("gcp"), "/health", true],
    ]);
  });

  it("burn-rate alerts: 14.4x over 1 h with 5 min and 6x over 6 h with 30 min, both windows required", async () => {
    const r = await plan();
    const origin = mockState(
      stack,
      ofType(r, T.healthCheck).find((h) => h.name.endsWith("-origin"))!,
    ).id;
    for (const w of BURN_RATE_WINDOWS) {
      const ratio = burnRateThreshold(target, w.burnRate);
      // AWS: two member alarms on the origin's health-check SLI, joined by a composite that notifies.
      const member = (span: string) => ofType(r, T.alarm).find((a) => a.name.endsWith(`-slo-${w.name}-${span}`))!;
      for (const [span, minutes] of [
        ["long", w.longWindowMinutes],
        ["short", w.shortWindowMinutes],
      ] as const) {
        const m = inputs(member(span));
        expect(m.threshold).toBe(ratio);
        expect(m.metricQueries[0].metric).toMatchObject({
          metricName: "HealthCheckPercentageHealthy",
          period: minutes * 60,
          dimensions: { HealthCheckId: origin },
        });
        expect(m.alarmActions).toBeUndefined();
      }
      const composite = ofType(r, T.composite).find((c) => c.name.endsWith(`-slo-${w.name}`))!;
      expect(inputs(composite).alarmRule).toBe(
        `ALARM("${inputs(member("long")).name}") AND ALARM("${inputs(member("short")).name}")`,
      );
      // Azure: one log alert over the long window, checking both ratios.
      const rule = inputs(ofType(r, T.queryRule).find((q) => q.name.endsWith(`-slo-${w.name}-burn`))!);
      expect(rule.windowSize).toBe(w.longWindowMinutes === 60 ? "PT1H" : "PT6H");
      expect(rule.criteria.allOf[0].query).toContain(`ago(${w.shortWindowMinutes}m)`);
      expect(rule.criteria.allOf[0].query).toContain(`longRatio > ${ratio} and shortRatio > ${ratio}`);
      // GCP: two conditions, AND-combined, on the share of passing probes.
      const policy = inputs(ofType(r, T.policy).find((p) => p.name.endsWith(`-slo-${w.name}-burn`))!);
      expect(policy.combiner).toBe("AND");
      expect(
        policy.conditions.map((c: Json) => [
          c.conditionThreshold.aggregations[0].alignmentPeriod,
          c.conditionThreshold.thresholdValue,
        ]),
      ).toEqual(
        [
          [`${w.longWindowMinutes * 60}s`, 1 - ratio],
          [`${w.shortWindowMinutes * 60}s`, 1 - ratio],
        ].map(([p, v]) => [p, Math.round((v as number) * 1e9) / 1e9]),
      );
    }
  });

  it("routes every alert to the configured emails and nothing else", async () => {
    const r = await plan();
    const emails = t.alertContacts.emails;
    // AWS: one topic per region in use, each with one email subscription per contact; every notifying alarm targets a topic.
    const topics = ofType(r, T.topic).map((x) => mockState(stack, x).arn as string);
    expect(topics).toHaveLength(2);
    expect(new Set(topics).size).toBe(2);
    for (const arn of topics)
      expect(
        ofType(r, T.subscription)
          .filter((s) => inputs(s).topic === arn)
          .map((s) => [inputs(s).protocol, inputs(s).endpoint]),
      ).toEqual(emails.map((e) => ["email", e]));
    const notifying = [...ofType(r, T.alarm), ...ofType(r, T.composite)].filter((a) => inputs(a).alarmActions);
    expect(notifying).toHaveLength(10);
    for (const a of notifying) {
      expect(inputs(a).alarmActions).toHaveLength(1);
      expect(topics).toContain(inputs(a).alarmActions[0]);
      // Alarms on Route 53 metrics live in us-east-1 and must notify the topic there.
      if (inputs(a).region === "us-east-1")
        expect(inputs(a).alarmActions[0]).toBe(
          mockState(
            stack,
            ofType(r, T.topic).find((x) => inputs(x).region === "us-east-1")!,
          ).arn,
        );
    }
    // Azure: one action group emailing everyone; every alert uses it.
    const group = oneOfType(r, T.actionGroup);
    expect(inputs(group).emailReceivers.map((e: Json) => e.emailAddress)).toEqual(emails);
    const groupId = mockState(stack, group).id;
    for (const a of ofType(r, T.metricAlert)) expect(inputs(a).actions).toEqual([{ actionGroupId: groupId }]);
    for (const q of ofType(r, T.queryRule)) expect(inputs(q).actions).toEqual({ actionGroups: [groupId] });
    // GCP: an email channel per contact; every policy notifies all of them.
    const channels = ofType(r, T.channel);
    expect(channels.map((c) => inputs(c).labels.email_address)).toEqual(emails);
    const channelNames = channels.map((c) => mockState(stack, c).name);
    for (const p of ofType(r, T.policy)) expect(inputs(p).notificationChannels).toEqual(channelNames);
    // Cloudflare: pool health changes of the three API pools, by email.
    const cf = oneOfType(r, "cloudflare:index/notificationPolicy:NotificationPolicy");
    expect(inputs(cf)).toMatchObject({
      alertType: "load_balancing_health_alert",
      accountId: t.cloudflare.accountId,
      mechanisms: { emails: emails.map((id) => ({ id })) },
    });
    expect(inputs(cf).filters.poolIds).toHaveLength(3);
    expect(inputs(cf).filters.newHealths).toEqual(["Unhealthy", "Healthy"]);
  });

  it("keeps logs for the configured days on every cloud", async () => {
    const r = await plan();
    const days = t.logRetentionDays;
    const insights = ofType(r, "aws:cloudwatch/logGroup:LogGroup").filter((l) =>
      String(inputs(l).name).startsWith("/aws/containerinsights/"),
    );
    expect(insights).toHaveLength(4);
    for (const l of insights) expect(inputs(l).retentionInDays).toBe(days);
    // Azure: the platform's workspace and the quorum Function App's telemetry workspace.
    const workspaces = ofType(r, "azure-native:operationalinsights:Workspace");
    expect(workspaces).toHaveLength(2);
    for (const w of workspaces) expect(input(w, "retentionInDays")).toBe(days);
    // GCP: the project's own _Default bucket (global), with no second bucket or sink to bill ingestion twice.
    const bucket = oneOfType(r, "gcp:logging/projectBucketConfig:ProjectBucketConfig");
    expect(inputs(bucket)).toMatchObject({
      project: config.gcp.project,
      bucketId: "_Default",
      location: "global",
      retentionDays: days,
    });
    expect(ofType(r, "gcp:logging/projectSink:ProjectSink")).toEqual([]);
  });

  it("draws the same panels, in the same order, on the three dashboards", async () => {
    const r = await plan();
    const titles = dashboardTitles(r);
    expect(titles.aws).toEqual([...DASHBOARD_PANELS]);
    expect(titles.azure).toEqual([...DASHBOARD_PANELS]);
    expect(titles.gcp).toEqual([...DASHBOARD_PANELS]);
  });

  it("budgets: one per cloud, summing to the ceiling, alerting on forecast at 80 % and 100 %", async () => {
    const r = await plan();
    const cents = splitBudgetCents(t.costCeilingUsd, t.observability.budgetSplit ?? { aws: 1, azure: 1, gcp: 1 });
    const awsBudget = inputs(oneOfType(r, "aws:budgets/budget:Budget"));
    const azureBudget = inputs(oneOfType(r, "azure-native:consumption:Budget"));
    const gcpBudget = inputs(oneOfType(r, "gcp:billing/budget:Budget"));
    const amounts = {
      aws: Math.round(Number(awsBudget.limitAmount) * 100),
      azure: Math.round(azureBudget.amount * 100),
      gcp: Number(gcpBudget.amount.specifiedAmount.units) * 100 + (gcpBudget.amount.specifiedAmount.nanos ?? 0) / 1e7,
    };
    expect(amounts).toEqual(cents);
    expect(amounts.aws + amounts.azure + amounts.gcp).toBe(Math.round(t.costCeilingUsd * 100));
    if (stack === "prod") expect(amounts).toEqual({ aws: 240_000, azure: 180_000, gcp: 180_000 });

    expect(
      awsBudget.notifications.map((n: Json) => [
        n.notificationType,
        n.threshold,
        n.thresholdType,
        n.subscriberEmailAddresses,
      ]),
    ).toEqual(BUDGET_ALERT_PERCENTS.map((p) => ["FORECASTED", p, "PERCENTAGE", t.alertContacts.emails]));
    expect(awsBudget.costFilters).toEqual([{ name: "TagKeyValue", values: [`user:environment$${stack}`] }]);
    expect(
      Object.values(azureBudget.notifications)
        .map((n: any) => [n.thresholdType, n.threshold, n.contactEmails])
        .sort((x, y) => x[1] - y[1]),
    ).toEqual(BUDGET_ALERT_PERCENTS.map((p) => ["Forecasted", p, t.alertContacts.emails]));
    // The subscription, filtered to the environment's groups: the platform's and the AKS node group (where the nodes are billed).
    expect(azureBudget.scope).toMatch(/^\/subscriptions\/[^/]+$/);
    expect(azureBudget.filter.dimensions).toMatchObject({ name: "ResourceGroupName", operator: "In" });
    expect(azureBudget.filter.dimensions.values).toEqual([
      mockState(stack, oneOfType(r, "azure-native:resources:ResourceGroup")).name,
      `tricloud-${stack}-aks-nodes-eastus`,
    ]);
    expect(gcpBudget.thresholdRules).toEqual(
      BUDGET_ALERT_PERCENTS.map((p) => ({ thresholdPercent: p / 100, spendBasis: "FORECASTED_SPEND" })),
    );
    expect(gcpBudget.billingAccount).toBe(t.billing.gcpBillingAccount);
    expect(gcpBudget.allUpdatesRule.monitoringNotificationChannels).toEqual(
      ofType(r, T.channel).map((c) => mockState(stack, c).name),
    );
  });

  it("keeps every observability resource inside its component", async () => {
    const r = await plan();
    const expected: Record<string, RegExp> = {
      obs: /^tricloud:(aws|azure|gcp):Observability$/,
      budget: /^tricloud:(aws|azure|gcp):Budget$/,
      notify: /^tricloud:cloudflare:PoolHealthNotifications$/,
    };
    for (const [part, token] of Object.entries(expected)) {
      const mine = r.resources.filter(
        (x) => x.custom && x.name.startsWith(`${stack}-`) && x.name.split("-")[2] === part,
      );
      expect(mine.length, part).toBeGreaterThan(0);
      for (const x of mine) expect(owningComponents(r, x)[0], x.urn).toMatch(token);
    }
  });
});

describe("Flexible Server's max_connections", () => {
  it("is on record for the SKU of every database size (large is D4ds_v5: 1,718)", () => {
    for (const size of SIZES) expect(flexibleServerMaxConnections(size)).toBeGreaterThan(0);
    expect(flexibleServerMaxConnections("large")).toBe(1718);
  });
});

describe("a config error names its key", () => {
  it("rejects a bad split, SLO target, sub-cent ceiling, short prod retention or billing account", async () => {
    await expectConfigError(
      "dev",
      ['tricloud:observability={"budgetSplit":{"aws":50,"azure":30,"gcp":30}}'],
      "tricloud:observability.budgetSplit",
    );
    await expectConfigError("dev", ['tricloud:observability={"sloTarget":90}'], "tricloud:observability.sloTarget");
    await expectConfigError("dev", ["tricloud:costCeilingUsd=900.005"], "tricloud:costCeilingUsd");
    await expectConfigError("prod", ["tricloud:logRetentionDays=14"], "tricloud:logRetentionDays");
    await expectConfigError(
      "dev",
      ['tricloud:billing={"gcpBillingAccount":"nope"}'],
      "tricloud:billing.gcpBillingAccount",
    );
  });

  it("a custom SLO target moves every threshold", async () => {
    const r: PlanReport = await planStack("dev", ['tricloud:observability={"sloTarget":99.5}']);
    const fast = ofType(r, T.alarm).find((a) => a.name.endsWith("-slo-fast-long"))!;
    expect(inputs(fast).threshold).toBe(burnRateThreshold(99.5, 14.4));
    expect(burnRateThreshold(99.5, 14.4)).toBe(0.072);
  });
});
