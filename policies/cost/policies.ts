import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { DATABASE_SIZES, NODE_SIZES, SIZES, type Size } from "@tricloud/vocabulary/sizes";
import type { WhatIf } from "@tricloud/vocabulary/clouds";
import { formatUsd } from "@tricloud/vocabulary/money";
import { catalogWith, parseOverrides } from "@tricloud/pricing/catalog";
import { describeEstimate, estimateCost } from "@tricloud/pricing/estimate";
import { COST_MODEL, FREE, needsPricing } from "@tricloud/pricing/model";
import { loadUsageProfile } from "@tricloud/pricing/usage";
import { parseWhatIf } from "@tricloud/pricing/what-if";
import { get, validateTypes, type Props, type TypedCheck } from "@tricloud/policy-kit/kit";
import { environmentOf } from "@tricloud/policy-kit/tags";
import { workloadsCapacity } from "./capacity";

export const PACK_NAME = "tricloud-cost";

/** The stack output that carries tricloud:costCeilingUsd to the engine (stack policies see the Stack's outputs). */
export const CEILING_OUTPUT = "costCeilingUsd";

export interface CeilingConfig {
  maxMonthlyUsd?: number;
  usageProfile?: string;
  whatIf: string[];
  priceOverrides: Record<string, unknown>;
}

export const costCeiling: StackValidationPolicy = {
  name: "cost-stack-ceiling",
  description:
    "Requires the stack's estimated monthly list-price cost to stay at or under its ceiling (the lower of the pack's maxMonthlyUsd and the stack's tricloud:costCeilingUsd).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxMonthlyUsd: {
        type: "number",
        description: "An organisation-wide ceiling in USD a month; the stack's own ceiling applies too.",
      },
      usageProfile: {
        type: "string",
        description: "low, medium, high or a usage file: prices usage-based components (otherwise left out).",
      },
      whatIf: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: 'Re-price providers, e.g. ["aws=+30%"].',
      },
      priceOverrides: {
        type: "object",
        default: {},
        description: "Catalog entries to replace or add, as in a --prices file's prices.",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const cfg = args.getConfig<CeilingConfig>();
    const stack = args.resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const fromStack = Number(get(stack?.props, CEILING_OUTPUT));
    const ceilings: [number, string][] = [];
    if (Number.isFinite(fromStack) && fromStack > 0) ceilings.push([fromStack, "tricloud:costCeilingUsd"]);
    if (cfg.maxMonthlyUsd !== undefined) ceilings.push([cfg.maxMonthlyUsd, "the cost pack's maxMonthlyUsd"]);
    if (ceilings.length === 0)
      return args.notApplicable(
        `no ceiling: set tricloud:costCeilingUsd (exported as the stack output ${CEILING_OUTPUT}) or maxMonthlyUsd in the policy config`,
      );
    const [ceiling, from] = ceilings.reduce((a, b) => (b[0] < a[0] ? b : a));

    const whatIf: WhatIf[] = parseWhatIf(cfg.whatIf, "cost-stack-ceiling whatIf");
    const estimate = estimateCost(
      args.resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent?.urn ?? null,
        props: r.props,
      })),
      {
        catalog: catalogWith(
          parseOverrides(cfg.priceOverrides, "cost-stack-ceiling priceOverrides"),
          Object.keys(cfg.priceOverrides).length ? "policy config priceOverrides" : null,
        ),
        usage: cfg.usageProfile ? loadUsageProfile(cfg.usageProfile, "cost-stack-ceiling usageProfile") : null,
        whatIf,
      },
    );
    if (estimate.monthlyUsd > ceiling) {
      const scenario = whatIf.length
        ? ` with what-if ${whatIf.map((w) => `${w.provider} ${w.percent >= 0 ? "+" : ""}${w.percent}%`).join(", ")}`
        : "";
      reportViolation(
        `estimated ${describeEstimate(estimate)}${scenario} exceeds the ceiling of ${formatUsd(ceiling)} (from ${from}) by ${formatUsd(estimate.monthlyUsd - ceiling)}. Shrink sizes or node counts, or raise the ceiling.`,
      );
    }
  },
};

/** Machine names by portable size class, for node pools and for databases. */
const nodeSize = (machine: unknown) => SIZES.find((s) => Object.values(NODE_SIZES[s]).includes(String(machine)));
const databaseSize = (machine: unknown) =>
  SIZES.find((s) => {
    const m = DATABASE_SIZES[s];
    return [m.aws, m.azure.name, m.gcp].includes(String(machine));
  });

type SizeConfig = { allowedSizes: Record<string, Size[]>; environment?: string };

function sizeCheck(kind: "node" | "database", machines: (p: Props) => unknown[]): TypedCheck {
  return (p, args, report) => {
    const cfg = args.getConfig<SizeConfig>();
    const env = environmentOf(args.type, p, cfg.environment);
    const allowed = cfg.allowedSizes[env] ?? cfg.allowedSizes.prod ?? [];
    for (const m of machines(p)) {
      const size = kind === "node" ? nodeSize(m) : databaseSize(m);
      if (!size)
        report(
          `${m} is not one of tricloud's portable ${kind} sizes (${SIZES.join(", ")}; vocabulary/sizes.ts): pick a size class, not a machine.`,
        );
      else if (!allowed.includes(size))
        report(
          `${m} is size "${size}", which ${env} does not allow (allowed: ${allowed.join(", ") || "none"}): use a smaller size or change allowedSizes.${env} in the cost pack config.`,
        );
    }
  };
}

export const sizeAllowList: ResourceValidationPolicy = {
  name: "cost-resource-enforce-size-allow-list",
  description: "Requires node pools and databases to use a portable size class that the resource's environment allows.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedSizes: {
        type: "object",
        default: { dev: ["small"], staging: ["small", "medium"], prod: ["small", "medium", "large"] },
        description: "Size classes (small, medium, large) allowed per environment.",
      },
      environment: {
        type: "string",
        description: "The environment when a resource carries no environment tag (tricloud:environment).",
      },
    },
  },
  validateResource: validateTypes({
    "aws:eks/nodeGroup:NodeGroup": sizeCheck("node", (p) => p.instanceTypes ?? []),
    "azure-native:containerservice:ManagedCluster": sizeCheck("node", (p) =>
      ((p.agentPoolProfiles ?? []) as Props[]).map((x) => x.vmSize),
    ),
    "azure-native:containerservice:AgentPool": sizeCheck("node", (p) => [p.vmSize]),
    "gcp:container/nodePool:NodePool": sizeCheck("node", (p) => [get(p, "nodeConfig.machineType")]),
    "aws:rds/instance:Instance": sizeCheck("database", (p) => [p.instanceClass]),
    "azure-native:dbforpostgresql:Server": sizeCheck("database", (p) => [get(p, "sku.name")]),
    "gcp:sql/databaseInstance:DatabaseInstance": sizeCheck("database", (p) => [get(p, "settings.tier")]),
  }),
};

export const missingPrice: ResourceValidationPolicy = {
  name: "cost-resource-missing-price",
  description:
    "Flags cloud resources the cost model cannot price: a type with no cost model, or a price missing from the catalog.",
  enforcementLevel: "advisory",
  validateResource: (args, reportViolation) => {
    if (!needsPricing(args.type)) return args.notApplicable("components, providers and the stack have no bill");
    if (FREE[args.type] !== undefined) return args.notApplicable(`no charge: ${FREE[args.type]}`);
    if (!COST_MODEL[args.type]) {
      reportViolation(
        `no cost model for ${args.type}: the estimate leaves it out. Add an estimator to COST_MODEL or a reason to FREE in pricing/model.ts.`,
      );
      return;
    }
    const e = estimateCost([{ urn: args.urn, type: args.type, name: args.name, parent: null, props: args.props }]);
    for (const l of e.unpriced)
      reportViolation(
        `"${l.name}" has no price "${l.priceId}" in the catalog, so the estimate leaves it out: add it to pricing/price-catalog.json or a --prices file.`,
      );
  },
};

export const costPolicies: Policies = [costCeiling, sizeAllowList, missingPrice, workloadsCapacity];
