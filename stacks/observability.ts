import { AwsBudget } from "../components/aws/budget";
import { AwsObservability, type AwsFunctionTarget } from "../components/aws/observability";
import { AzureBudget } from "../components/azure/budget";
import { AzureObservability, type AzureFunctionTarget } from "../components/azure/observability";
import { PoolHealthNotifications } from "../components/cloudflare/notifications";
import { CLOUDS } from "../components/cloudflare/load-balancer";
import { GcpBudget } from "../components/gcp/budget";
import { GcpObservability, type GcpFunctionTarget } from "../components/gcp/observability";
import { DEFAULT_SLO_TARGET, EQUAL_SPLIT, splitBudgetCents } from "../components/shared/slo";
import type { Tags } from "../components/shared/tags";
import type { AwsPlatform } from "./aws";
import type { AzurePlatform } from "./azure";
import type { StackConfig } from "./config/load";
import { placeholderOrigin, type edge, type EdgeOrigins } from "./edge";
import type { GcpPlatform } from "./gcp";

/** The functions each cloud runs; the function hosts pass theirs so every function gets its alarms. */
export interface ObservedFunctions {
  readonly aws?: readonly AwsFunctionTarget[];
  readonly azure?: readonly AzureFunctionTarget[];
  readonly gcp?: readonly GcpFunctionTarget[];
}

export interface ObservedPlatform {
  readonly aws: AwsPlatform;
  readonly azure: AzurePlatform;
  readonly gcp: GcpPlatform;
  readonly edge: ReturnType<typeof edge>;
  /** The same origins the edge was given (function hosts' endpoints win over config). */
  readonly origins?: EdgeOrigins;
  readonly functions?: ObservedFunctions;
}

/** The SLO target in force: configured, or 99.9 % (99.95 % in prod). */
export function sloTarget(config: StackConfig): number {
  const t = config.tricloud;
  return t.observability.sloTarget ?? DEFAULT_SLO_TARGET[t.environment];
}

/**
 * Observability and budgets for one environment: per cloud the alerts,
 * uptime checks, burn-rate alerts, log retention and dashboard; Cloudflare
 * emails on pool health changes; and one budget per cloud splitting the
 * stack's cost ceiling. Every alert goes to tricloud:alertContacts.emails.
 */
export function observability(config: StackConfig, p: ObservedPlatform, tags: Tags) {
  const t = config.tricloud;
  const env = t.environment;
  const emails = t.alertContacts.emails;
  const common = {
    environment: env,
    emails,
    logRetentionDays: t.logRetentionDays,
    sloTarget: sloTarget(config),
    p99LatencyMs: t.observability.p99LatencyMs,
  };
  // Mirrors edge(): the origin each cloud's uptime checks probe is the one its load-balancer pool uses.
  const origin = (c: (typeof CLOUDS)[number]) =>
    p.origins?.[c] ?? t.traffic.origins[c] ?? placeholderOrigin(c, t.domain);
  const apiHostname = p.edge.cloudflare.apiHostname;

  const aws = new AwsObservability(`${env}-aws-obs`, {
    ...common,
    region: config.aws.region,
    uptime: { apiHostname, originHostname: origin("aws") },
    cluster: {
      name: p.aws.cluster.clusterName,
      nodeRoleName: p.aws.cluster.nodeRoleName,
      autoNodeRoleName: p.aws.cluster.autoNodeRoleName,
      minNodes: t.clusters.aws.minNodes,
      nodes: p.aws.cluster.nodeGroup,
    },
    database: {
      instanceIdentifier: p.aws.database.instanceIdentifier,
      size: t.database.size,
      storageGb: t.database.storageGb,
    },
    functions: p.functions?.aws,
    tags,
  });
  const azure = new AzureObservability(`${env}-azure-obs`, {
    ...common,
    location: config["azure-native"].location,
    resourceGroupName: p.azure.network.resourceGroupName,
    uptime: { apiHostname, originHostname: origin("azure") },
    cluster: { name: p.azure.cluster.clusterName },
    database: { serverName: p.azure.database.serverName, size: t.database.size, settled: p.azure.database.settled },
    functions: p.functions?.azure,
    tags,
  });
  const gcp = new GcpObservability(`${env}-gcp-obs`, {
    ...common,
    project: config.gcp.project,
    uptime: { apiHostname, originHostname: origin("gcp") },
    cluster: { name: p.gcp.cluster.clusterName, minNodes: t.clusters.gcp.minNodes },
    database: { connectionName: p.gcp.database.connectionName, size: t.database.size },
    functions: p.functions?.gcp,
    labels: tags,
    apis: p.gcp.apis,
  });
  new PoolHealthNotifications(`${env}-edge-notify`, {
    accountId: t.cloudflare.accountId,
    environment: env,
    poolIds: CLOUDS.map((c) => p.edge.cloudflare.loadBalancer.poolIds[c]),
    emails,
  });

  const cents = splitBudgetCents(t.costCeilingUsd, t.observability.budgetSplit ?? EQUAL_SPLIT);
  const budgets = {
    aws: new AwsBudget(`${env}-aws-budget`, { environment: env, amountCents: cents.aws, emails, tags }),
    azure: new AzureBudget(`${env}-azure-budget`, {
      environment: env,
      subscriptionScope: azure.subscriptionScope,
      resourceGroupNames: [p.azure.network.resourceGroupName, p.azure.cluster.nodeResourceGroup],
      amountCents: cents.azure,
      emails,
    }),
    gcp: new GcpBudget(`${env}-gcp-budget`, {
      environment: env,
      billingAccount: t.billing.gcpBillingAccount,
      project: config.gcp.project,
      amountCents: cents.gcp,
      notificationChannelIds: gcp.notificationChannelIds,
      apis: p.gcp.apis,
    }),
  };

  return {
    aws,
    azure,
    gcp,
    budgets,
    outputs: {
      sloTargetPercent: common.sloTarget,
      p99LatencyMs: common.p99LatencyMs,
      alerts: { aws: aws.alertCount, azure: azure.alertCount, gcp: gcp.alertCount },
      budgetsUsd: { aws: cents.aws / 100, azure: cents.azure / 100, gcp: cents.gcp / 100 },
      dashboards: { aws: aws.dashboardName, azure: azure.dashboardId, gcp: gcp.dashboardId },
    },
  };
}
