import { CLOUD_NAMES, cloudOf, type CloudName, type CostLine, type WhatIf } from "@tricloud/vocabulary/clouds";
import { formatUsd } from "@tricloud/vocabulary/money";
import { PriceCatalogError, SHIPPED_CATALOG, type Catalog, type PriceUnit } from "./catalog";
import { COST_MODEL, FREE, needsPricing, OFF_HOURS_LINE, type PricedResource } from "./model";
import { usageOf, type UsageProfile } from "./usage";

/**
 * Prices a set of resources: each resource's cost components (pricing/model.ts)
 * times the catalog's unit prices, with what-ifs applied per provider. The
 * offline plan and the cost pack's stack policy both call this, so the plan's
 * figure and the policy's verdict always agree.
 */

export interface EstimateOptions {
  readonly catalog?: Catalog;
  readonly usage?: UsageProfile | null;
  readonly whatIf?: readonly WhatIf[];
}

export interface Estimate {
  /** Sum of the priced lines (cents-rounded, as shown), after what-ifs. */
  readonly monthlyUsd: number;
  /** The same without what-ifs. */
  readonly baselineMonthlyUsd: number;
  readonly byCloud: Partial<Record<CloudName, number>>;
  readonly byComponent: Record<string, number>;
  readonly lines: CostLine[];
  /** Cloud resources whose type is neither in COST_MODEL nor FREE. */
  readonly unmodelled: { readonly urn: string; readonly type: string }[];
  /** Fixed lines whose price id is not in the catalog. */
  readonly unpriced: CostLine[];
}

const UNIT_LABEL: Record<PriceUnit, string> = {
  hour: "hours",
  day: "days",
  month: "months",
  "GB-month": "GB-months",
  GB: "GB",
  "1M requests": "1M requests",
  "10K requests": "10K requests",
  "GB-second": "GB-seconds",
  "GHz-second": "GHz-seconds",
  "vCPU-second": "vCPU-seconds",
  "vCPU-hour": "vCPU-hours",
  "GB-hour": "GB-hours",
  execution: "executions",
};

const cents = (n: number) => Math.round(n * 100) / 100;

/** The nearest tricloud component above a resource, or the resource itself when it has none. */
function componentNames(resources: readonly PricedResource[]): (r: PricedResource) => string {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return (r) => {
    for (
      let cur = r.parent ? byUrn.get(r.parent) : undefined;
      cur;
      cur = cur.parent ? byUrn.get(cur.parent) : undefined
    ) {
      if (cur.type.startsWith("tricloud:")) return cur.name;
    }
    return r.name;
  };
}

export function estimateCost(resources: readonly PricedResource[], opts: EstimateOptions = {}): Estimate {
  const catalog = opts.catalog ?? SHIPPED_CATALOG;
  const whatIf = new Map((opts.whatIf ?? []).map((w) => [w.provider, w.percent]));
  const componentOf = componentNames(resources);
  const byParent = new Map<string | null, PricedResource[]>();
  for (const r of resources) byParent.set(r.parent, [...(byParent.get(r.parent) ?? []), r]);

  const lines: CostLine[] = [];
  const unmodelled: Estimate["unmodelled"] = [];
  let baseline = 0;
  for (const r of resources) {
    if (!needsPricing(r.type) || FREE[r.type] !== undefined) continue;
    const estimator = COST_MODEL[r.type];
    if (!estimator) {
      unmodelled.push({ urn: r.urn, type: r.type });
      continue;
    }
    const cloud = cloudOf(r.type);
    const pct = whatIf.get(cloud);
    const ctx = {
      siblings: (type: string) => (byParent.get(r.parent) ?? []).filter((s) => s.type === type),
      ofType: (type: string) => resources.filter((s) => s.type === type),
      usage: (key: string) => usageOf(opts.usage, r.type, r.name, key),
    };
    for (const c of estimator(r, ctx)) {
      const price = catalog.prices[c.priceId];
      if (price && price.per !== c.per) {
        throw new PriceCatalogError(
          `price "${c.priceId}" is per ${price.per}, but ${r.type} counts it per ${c.per}${catalog.overrides ? ` (check ${catalog.overrides})` : ""}`,
        );
      }
      const unit = price ? price.usd * (pct === undefined ? 1 : 1 + pct / 100) : null;
      const monthly = unit === null || c.quantity === null ? null : cents(c.quantity * unit);
      if (price && c.quantity !== null) baseline += cents(c.quantity * price.usd);
      const note = !price
        ? `no price "${c.priceId}" in the catalog; add it to pricing/price-catalog.json or a --prices file`
        : c.note;
      lines.push({
        urn: r.urn,
        cloud,
        component: componentOf(r),
        name: c.name,
        unit: UNIT_LABEL[c.per],
        quantity: c.quantity === null ? null : Math.round(c.quantity * 10000) / 10000,
        unitPriceUsd: unit,
        monthlyUsd: monthly,
        ...(note ? { note } : {}),
        resourceType: r.type,
        priceId: c.priceId,
        ...(price ? { priceStatus: price.status } : {}),
        basis: c.basis,
        ...(pct !== undefined ? { whatIfPct: pct } : {}),
      });
    }
  }

  const byCloud: Partial<Record<CloudName, number>> = {};
  const byComponent: Record<string, number> = {};
  let total = 0;
  for (const l of lines) {
    if (l.monthlyUsd === null) continue;
    total += l.monthlyUsd;
    byCloud[l.cloud] = cents((byCloud[l.cloud] ?? 0) + l.monthlyUsd);
    byComponent[l.component] = cents((byComponent[l.component] ?? 0) + l.monthlyUsd);
  }
  return {
    monthlyUsd: cents(total),
    baselineMonthlyUsd: cents(baseline),
    byCloud,
    byComponent,
    lines,
    unmodelled,
    unpriced: lines.filter((l) => l.basis === "fixed" && l.unitPriceUsd === null),
  };
}

/** "$1,234.56 (aws $1.00, azure $2.00, ...)": how policies and messages name an estimate. */
export function describeEstimate(e: Pick<Estimate, "monthlyUsd" | "byCloud">): string {
  const parts = CLOUD_NAMES.filter((c) => e.byCloud[c] !== undefined).map((c) => `${c} ${formatUsd(e.byCloud[c]!)}`);
  return `${formatUsd(e.monthlyUsd)} a month${parts.length ? ` (${parts.join(", ")})` : ""}`;
}

/**
 * What an off-hours schedule saves a month (a positive amount), in all and per cloud: the sum of the negative
 * "Off-hours scale-to-zero" lines, already included in the estimate's totals. Null without such a line.
 */
export function offHoursSaving(
  lines: readonly Pick<CostLine, "name" | "cloud" | "monthlyUsd">[],
): { monthlyUsd: number; byCloud: Partial<Record<CloudName, number>> } | null {
  const saving = lines.filter((l) => l.name.startsWith(OFF_HOURS_LINE) && l.monthlyUsd !== null);
  if (saving.length === 0) return null;
  const byCloud: Partial<Record<CloudName, number>> = {};
  for (const l of saving) byCloud[l.cloud] = cents((byCloud[l.cloud] ?? 0) - l.monthlyUsd!);
  return { monthlyUsd: cents(saving.reduce((n, l) => n - l.monthlyUsd!, 0)), byCloud };
}
