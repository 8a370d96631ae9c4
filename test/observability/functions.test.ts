import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { INVOKES, mockResource, type MockContext } from "../../cli/plan/mock-state";
import { AwsObservability } from "../../components/aws/observability";
import { AzureObservability } from "../../components/azure/observability";
import { GcpObservability } from "../../components/gcp/observability";
import { GcpProjectServices } from "../../components/gcp/services";
import { DASHBOARD_PANELS } from "../../components/shared/slo";

/**
 * The function hosts are not in the stack yet, so this file builds the three
 * observability components directly under Pulumi's mocks with stand-in
 * functions (the shape the hosts will pass) and checks each function's alarms.
 */
const ctx: MockContext = {
  project: "tricloud",
  stack: "unit",
  awsRegion: "us-west-2",
  azureLocation: "eastus",
  gcpProject: "tricloud-unit",
  gcpRegion: "us-central1",
};
const recorded: { type: string; name: string; inputs: Record<string, any> }[] = [];
const of = (type: string) => recorded.filter((r) => r.type === type);
const named = (type: string, suffix: string) => {
  const found = of(type).filter((r) => r.name.endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one ${type} *${suffix}, found ${found.length}`);
  return found[0]!.inputs;
};

const common = {
  environment: "unit",
  emails: ["oncall@example.com"],
  logRetentionDays: 30,
  sloTarget: 99.9,
  p99LatencyMs: 200,
  uptime: { apiHostname: "api.example.com", originHostname: "origin.example.com" },
};

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
        return mockResource(args.type, args.name, args.inputs, ctx);
      },
      call(args) {
        const answer = INVOKES[args.token];
        if (!answer) throw new Error(`no mock for invoke ${args.token}`);
        return answer(args.inputs, ctx);
      },
    },
    ctx.project,
    ctx.stack,
    true,
  );
  await pulumi.runtime.runInPulumiStack(async () => {
    new AwsObservability("unit-aws", {
      ...common,
      region: "us-west-2",
      cluster: { name: "unit-eks", nodeRoleName: "unit-nodes", minNodes: 1 },
      database: { instanceIdentifier: "unit-rds", size: "small", storageGb: 20 },
      functions: [
        { name: "api", functionName: pulumi.output("tricloud-unit-api") },
        { name: "quorum", functionName: "tricloud-unit-quorum" },
      ],
      tags: { environment: "unit" },
    });
    new AzureObservability("unit-azure", {
      ...common,
      location: "eastus",
      resourceGroupName: "unit-rg",
      cluster: { name: "unit-aks" },
      database: { serverName: "unit-pg", size: "medium" },
      functions: [
        {
          name: "api",
          resourceId: "/subscriptions/s/resourceGroups/unit-rg/providers/Microsoft.Web/sites/tricloud-unit-api",
        },
      ],
      tags: { environment: "unit" },
    });
    new GcpObservability("unit-gcp", {
      ...common,
      project: "tricloud-unit",
      cluster: { name: "unit-gke", minNodes: 1 },
      database: { connectionName: "tricloud-unit:us-central1:unit-sql", size: "large" },
      functions: [{ name: "api", serviceName: pulumi.output("tricloud-unit-api") }],
      labels: { environment: "unit" },
      apis: new GcpProjectServices("unit-gcp-apis", { project: "tricloud-unit" }),
    });
  });
  // Registrations finish asynchronously; disconnecting waits for the outstanding ones.
  await pulumi.runtime.disconnect();
});

describe("function alarms from the function hosts' input", () => {
  it("AWS: every Lambda gets a 5xx-rate alarm (> 1 % of Function URL requests) and a p99 URL latency alarm (> 200 ms), reconciler runs excluded", () => {
    for (const fn of ["api", "quorum"]) {
      const errors = named("aws:cloudwatch/metricAlarm:MetricAlarm", `-fn-${fn}-errors`);
      const queries = errors.metricQueries as {
        id: string;
        expression?: string;
        metric?: { metricName: string; dimensions: Record<string, string> };
      }[];
      expect(
        queries.filter((q) => q.metric).map((q) => [q.metric!.metricName, q.metric!.dimensions.FunctionName]),
      ).toEqual([
        ["Url5xxCount", `tricloud-unit-${fn}`],
        ["UrlRequestCount", `tricloud-unit-${fn}`],
      ]);
      expect(queries.find((q) => q.expression)!.expression).toBe("IF(requests > 0, 100 * errors / requests, 0)");
      expect(errors).toMatchObject({ threshold: 1, comparisonOperator: "GreaterThanThreshold" });
      const p99 = named("aws:cloudwatch/metricAlarm:MetricAlarm", `-fn-${fn}-p99`);
      expect(p99).toMatchObject({
        namespace: "AWS/Lambda",
        metricName: "UrlRequestLatency",
        extendedStatistic: "p99",
        threshold: 200,
        dimensions: { FunctionName: `tricloud-unit-${fn}` },
      });
      for (const a of [errors, p99])
        expect(a.alarmActions).toEqual(["arn:aws:sns:us-west-2:123456789012:tricloud-unit-alerts"]);
    }
  });

  it("Azure: every Function App gets log alerts on its requests' error rate and p99", () => {
    const errors = named("azure-native:monitor:ScheduledQueryRule", "-fn-api-errors");
    const p99 = named("azure-native:monitor:ScheduledQueryRule", "-fn-api-p99");
    for (const rule of [errors, p99]) {
      expect(rule.criteria.allOf[0].query).toContain('where cloud_RoleName =~ "tricloud-unit-api"');
      expect(rule.actions.actionGroups).toHaveLength(1);
    }
    expect(errors.criteria.allOf[0].query).toContain("where errorPercent > 1");
    expect(p99.criteria.allOf[0].query).toContain("percentile(duration, 99)");
    expect(p99.criteria.allOf[0].query).toContain("where p99 > 200");
  });

  it("GCP: every function's Cloud Run service gets a 5xx-ratio policy and a p99 policy", () => {
    const errors = named("gcp:monitoring/alertPolicy:AlertPolicy", "-fn-api-errors").conditions[0].conditionThreshold;
    expect(errors.filter).toContain('resource.label.service_name="tricloud-unit-api"');
    expect(errors.filter).toContain('metric.label.response_code_class="5xx"');
    expect(errors.denominatorFilter).not.toContain("5xx");
    expect(errors).toMatchObject({ comparison: "COMPARISON_GT", thresholdValue: 0.01 });
    const p99 = named("gcp:monitoring/alertPolicy:AlertPolicy", "-fn-api-p99").conditions[0].conditionThreshold;
    expect(p99.filter).toContain('metric.type="run.googleapis.com/request_latencies"');
    expect(p99).toMatchObject({ comparison: "COMPARISON_GT", thresholdValue: 200 });
    expect(p99.aggregations[0].perSeriesAligner).toBe("ALIGN_PERCENTILE_99");
  });

  it("the dashboards chart the functions instead of the placeholder text, under the same titles", () => {
    const aws = JSON.parse(named("aws:cloudwatch/dashboard:Dashboard", "-dashboard").dashboardBody).widgets;
    expect(aws.map((w: any) => w.properties.title)).toEqual([...DASHBOARD_PANELS]);
    expect(aws[3].properties.metrics).toEqual([
      ["AWS/Lambda", "UrlRequestLatency", "FunctionName", "tricloud-unit-api"],
      ["AWS/Lambda", "UrlRequestLatency", "FunctionName", "tricloud-unit-quorum"],
    ]);
    const gcp = JSON.parse(named("gcp:monitoring/dashboard:Dashboard", "-dashboard").dashboardJson).mosaicLayout.tiles;
    expect(gcp.map((t: any) => t.widget.title)).toEqual([...DASHBOARD_PANELS]);
    expect(gcp[2].widget.xyChart).toBeDefined();
    const azure = named("azure-native:portal:Dashboard", "-dashboard").properties.lenses[0].parts;
    expect(azure[2].metadata.settings.content.PartTitle).toBe("Function errors");
  });

  it("counts the function alarms among each cloud's alerts: 8 + 2 per function", () => {
    const notifying =
      of("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.alarmActions).length +
      of("aws:cloudwatch/compositeAlarm:CompositeAlarm").length;
    expect(notifying).toBe(8 + 2 * 2);
    expect(of("azure-native:monitor:MetricAlert").length + of("azure-native:monitor:ScheduledQueryRule").length).toBe(
      8 + 2,
    );
    expect(of("gcp:monitoring/alertPolicy:AlertPolicy")).toHaveLength(8 + 2);
  });

  it("sizes connection alarms from each engine's max_connections", () => {
    expect(named("aws:cloudwatch/metricAlarm:MetricAlarm", "-db-connections").threshold).toBe(
      Math.floor(Math.floor((4 * 2 ** 30) / 9531392) * 0.8),
    );
    expect(named("azure-native:monitor:MetricAlert", "-db-connections").criteria.allOf[0].threshold).toBe(
      Math.floor(859 * 0.8),
    );
    expect(
      named("gcp:monitoring/alertPolicy:AlertPolicy", "-db-connections").conditions[0].conditionThreshold
        .thresholdValue,
    ).toBe(400);
  });
});
