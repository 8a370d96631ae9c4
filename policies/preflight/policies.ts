import type { Policies, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { formatSource, isStackRule, type PreflightResource, type PreflightRule, type PreflightSettings } from "./rule";
import { PREFLIGHT_RULES } from "./rules";
import { todayUtc } from "./engine";

export const PACK_NAME = "tricloud-preflight";

/** Pack config every preflight policy takes (`--policy-pack-config`): the plan's date and account facts. */
const configSchema = {
  properties: {
    asOf: {
      type: "string" as const,
      description: "judge support windows at this date (YYYY-MM-DD); empty means today",
    },
    cloudflarePlan: {
      type: "string" as const,
      description: "the Cloudflare zone's plan: free, pro, business or enterprise",
    },
    awsLambdaConcurrency: {
      type: "number" as const,
      description: "the AWS account's Lambda concurrent-executions quota",
    },
    environment: { type: "string" as const, description: "dev, staging or prod" },
    istioVersion: {
      type: "string" as const,
      description: "the Istio release the mesh pins (tricloud:mesh.istioVersion)",
    },
  },
};

function settingsFrom(config: Record<string, unknown>): PreflightSettings {
  return {
    asOf: typeof config.asOf === "string" && config.asOf ? config.asOf : todayUtc(),
    ...(typeof config.cloudflarePlan === "string" ? { cloudflarePlan: config.cloudflarePlan } : {}),
    ...(typeof config.awsLambdaConcurrency === "number" ? { awsLambdaConcurrency: config.awsLambdaConcurrency } : {}),
    ...(typeof config.environment === "string" ? { environment: config.environment } : {}),
    ...(typeof config.istioVersion === "string" ? { istioVersion: config.istioVersion } : {}),
  };
}

const message = (f: { property: string; value: unknown; expected: string }, rule: PreflightRule) =>
  `${f.property}: ${JSON.stringify(f.value)} is refused; expected ${f.expected} (${formatSource(rule.source)})`;

/** One CrossGuard policy per rule: errors are mandatory, warnings advisory. */
export function toPolicy(rule: PreflightRule): ResourceValidationPolicy | StackValidationPolicy {
  const base = {
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.level === "error" ? ("mandatory" as const) : ("advisory" as const),
    configSchema,
  };
  if (isStackRule(rule)) {
    return {
      ...base,
      validateStack: (args, report) => {
        const settings = settingsFrom(args.getConfig<Record<string, unknown>>());
        // Stack policies see outputs; the engine gives each resource its dependencies.
        const resources: PreflightResource[] = args.resources.map((r: PolicyResource) => ({
          urn: r.urn,
          type: r.type,
          name: r.name,
          parent: r.parent?.urn ?? null,
          props: r.props,
          dependencies: r.dependencies.map((d) => d.urn),
        }));
        for (const f of rule.checkStack(resources, settings)) report(message(f, rule), f.urn ?? undefined);
      },
    };
  }
  return {
    ...base,
    validateResource: (args, report) => {
      if (!rule.types.includes(args.type)) return args.notApplicable(`only ${rule.types.join(", ")}`);
      const settings = settingsFrom(args.getConfig<Record<string, unknown>>());
      const resource: PreflightResource = {
        urn: args.urn,
        type: args.type,
        name: args.name,
        parent: args.opts.parent ?? null,
        props: args.props,
      };
      for (const f of rule.check(args.props, resource, settings)) report(message(f, rule));
    },
  };
}

/** The preflight pack's policies, shared by the pack's entry (index.ts), the offline plan's tests and the docs. */
export const preflightPolicies: Policies = PREFLIGHT_RULES.map(toPolicy);
