import { z } from "zod";
import { CLOUD_NAMES, type CloudName } from "@tricloud/vocabulary/clouds";
import { formatUsd, formatUsdChange } from "@tricloud/vocabulary/money";

/**
 * The cost difference between two `tricloud plan --format json` reports
 * (a pull request's base and head), for `tricloud cost diff`. Lines are
 * matched by resource URN and cost-component name, so a resized database
 * shows as one changed line, not a removal and an addition.
 */

const line = z.object({
  urn: z.string(),
  cloud: z.enum(CLOUD_NAMES),
  component: z.string(),
  name: z.string(),
  unit: z.string(),
  quantity: z.number().nullable(),
  unitPriceUsd: z.number().nullable(),
  monthlyUsd: z.number().nullable(),
  resourceType: z.string().optional(),
});

/** The part of a plan report the diff reads; anything else in the file is ignored. */
export const planCostSchema = z.object({
  stack: z.string(),
  cost: z.object({
    monthlyUsd: z.number().nullable(),
    ceilingUsd: z.number().nullable(),
    lines: z.array(line),
    whatIf: z.array(z.object({ provider: z.string(), percent: z.number() })).optional(),
    usageProfile: z.string().nullable().optional(),
  }),
});
export type PlanCost = z.infer<typeof planCostSchema>;
type Line = z.infer<typeof line>;

export interface LineChange {
  readonly change: "added" | "removed" | "changed";
  readonly urn: string;
  readonly cloud: CloudName;
  readonly component: string;
  readonly name: string;
  readonly baseUsd: number | null;
  readonly headUsd: number | null;
  readonly deltaUsd: number;
}

export interface Delta {
  readonly key: string;
  readonly baseUsd: number;
  readonly headUsd: number;
  readonly deltaUsd: number;
}

export interface CostDiff {
  readonly base: { readonly stack: string; readonly monthlyUsd: number; readonly whatIf: string };
  readonly head: {
    readonly stack: string;
    readonly monthlyUsd: number;
    readonly ceilingUsd: number | null;
    readonly whatIf: string;
  };
  readonly deltaUsd: number;
  /** Percent change against the base; null when the base is 0. */
  readonly deltaPct: number | null;
  readonly byCloud: Delta[];
  readonly byComponent: Delta[];
  readonly lines: LineChange[];
  /** Lines whose price depends on usage the plan did not know, in base and head. */
  readonly usageDependent: { readonly base: number; readonly head: number };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const key = (l: Line) => `${l.urn}|${l.name}`;

function sumBy(lines: readonly Line[], pick: (l: Line) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of lines) if (l.monthlyUsd !== null) out.set(pick(l), (out.get(pick(l)) ?? 0) + l.monthlyUsd);
  return out;
}

function deltas(base: Map<string, number>, head: Map<string, number>, order?: readonly string[]): Delta[] {
  const keys = [...new Set([...base.keys(), ...head.keys()])];
  if (order) keys.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  else keys.sort();
  return keys.map((k) => {
    const b = round2(base.get(k) ?? 0);
    const h = round2(head.get(k) ?? 0);
    return { key: k, baseUsd: b, headUsd: h, deltaUsd: round2(h - b) };
  });
}

function whatIfText(c: PlanCost["cost"]): string {
  return (c.whatIf ?? []).map((w) => `${w.provider}${w.percent >= 0 ? "+" : ""}${w.percent}%`).join(", ");
}

/** Sum of the priced lines: the same figure `plan` reports as monthlyUsd, recomputed so old reports diff too. */
function total(c: PlanCost["cost"]): number {
  return round2(c.lines.reduce((n, l) => n + (l.monthlyUsd ?? 0), 0));
}

export function diffCost(base: PlanCost, head: PlanCost): CostDiff {
  const baseLines = new Map(base.cost.lines.map((l) => [key(l), l]));
  const headLines = new Map(head.cost.lines.map((l) => [key(l), l]));
  const lines: LineChange[] = [];
  for (const [k, h] of headLines) {
    const b = baseLines.get(k);
    if (!b)
      lines.push({
        change: "added",
        urn: h.urn,
        cloud: h.cloud,
        component: h.component,
        name: h.name,
        baseUsd: null,
        headUsd: h.monthlyUsd,
        deltaUsd: round2(h.monthlyUsd ?? 0),
      });
    else if (
      round2(b.monthlyUsd ?? 0) !== round2(h.monthlyUsd ?? 0) ||
      (b.monthlyUsd === null) !== (h.monthlyUsd === null)
    ) {
      lines.push({
        change: "changed",
        urn: h.urn,
        cloud: h.cloud,
        component: h.component,
        name: h.name,
        baseUsd: b.monthlyUsd,
        headUsd: h.monthlyUsd,
        deltaUsd: round2((h.monthlyUsd ?? 0) - (b.monthlyUsd ?? 0)),
      });
    }
  }
  for (const [k, b] of baseLines) {
    if (!headLines.has(k))
      lines.push({
        change: "removed",
        urn: b.urn,
        cloud: b.cloud,
        component: b.component,
        name: b.name,
        baseUsd: b.monthlyUsd,
        headUsd: null,
        deltaUsd: round2(-(b.monthlyUsd ?? 0)),
      });
  }
  lines.sort((a, b) => Math.abs(b.deltaUsd) - Math.abs(a.deltaUsd) || a.urn.localeCompare(b.urn));
  const b = total(base.cost);
  const h = total(head.cost);
  return {
    base: { stack: base.stack, monthlyUsd: b, whatIf: whatIfText(base.cost) },
    head: { stack: head.stack, monthlyUsd: h, ceilingUsd: head.cost.ceilingUsd, whatIf: whatIfText(head.cost) },
    deltaUsd: round2(h - b),
    deltaPct: b === 0 ? null : round2(((h - b) / b) * 100),
    byCloud: deltas(
      sumBy(base.cost.lines, (l) => l.cloud),
      sumBy(head.cost.lines, (l) => l.cloud),
      CLOUD_NAMES,
    ),
    byComponent: deltas(
      sumBy(base.cost.lines, (l) => l.component),
      sumBy(head.cost.lines, (l) => l.component),
    ),
    lines,
    usageDependent: {
      base: base.cost.lines.filter((l) => l.monthlyUsd === null).length,
      head: head.cost.lines.filter((l) => l.monthlyUsd === null).length,
    },
  };
}

const usd = (n: number | null) => (n === null ? "depends on usage" : formatUsd(n));
const signed = formatUsdChange;
const pct = (p: number | null) => (p === null ? "new" : `${p >= 0 ? "+" : ""}${p.toFixed(1)}%`);

function ceilingVerdict(d: CostDiff): string {
  const c = d.head.ceilingUsd;
  if (c === null) return "no ceiling";
  return d.head.monthlyUsd <= c
    ? `within the ${formatUsd(c)} ceiling`
    : `**OVER** the ${formatUsd(c)} ceiling by ${formatUsd(d.head.monthlyUsd - c)}`;
}

/** Markdown for a pull-request comment. */
export function renderDiffMarkdown(d: CostDiff): string {
  const out: string[] = [];
  out.push(`## tricloud cost diff: \`${d.base.stack}\` → \`${d.head.stack}\``, "");
  out.push(
    `Monthly estimate **${usd(d.base.monthlyUsd)} → ${usd(d.head.monthlyUsd)}** (**${signed(d.deltaUsd)}**, ${pct(d.deltaPct)}); head is ${ceilingVerdict(d)}.`,
  );
  if (d.base.whatIf || d.head.whatIf)
    out.push("", `What-if: base ${d.base.whatIf || "none"}, head ${d.head.whatIf || "none"}.`);
  out.push("", "| Cloud | Base | Head | Change |", "|---|---:|---:|---:|");
  for (const c of d.byCloud) out.push(`| ${c.key} | ${usd(c.baseUsd)} | ${usd(c.headUsd)} | ${signed(c.deltaUsd)} |`);
  const changedComponents = d.byComponent.filter((c) => c.deltaUsd !== 0);
  out.push("", "### Components that changed", "");
  if (changedComponents.length === 0) out.push("None.");
  else {
    out.push("| Component | Base | Head | Change |", "|---|---:|---:|---:|");
    for (const c of changedComponents)
      out.push(`| ${c.key} | ${usd(c.baseUsd)} | ${usd(c.headUsd)} | ${signed(c.deltaUsd)} |`);
  }
  if (d.lines.length) {
    out.push(
      "",
      `<details><summary>${d.lines.length} cost line${d.lines.length === 1 ? "" : "s"} changed</summary>`,
      "",
    );
    out.push("| Change | Component | Cost component | Base | Head | Delta |", "|---|---|---|---:|---:|---:|");
    for (const l of d.lines)
      out.push(
        `| ${l.change} | ${l.component} | ${l.name.replace(/\|/g, "\\|")} | ${l.baseUsd === null && l.change === "added" ? "-" : usd(l.baseUsd)} | ${l.headUsd === null && l.change === "removed" ? "-" : usd(l.headUsd)} | ${signed(l.deltaUsd)} |`,
      );
    out.push("", "</details>");
  }
  if (d.usageDependent.head)
    out.push(
      "",
      `${d.usageDependent.head} line${d.usageDependent.head === 1 ? "" : "s"} in head depend on usage and are not in the totals (give a usage profile with \`tricloud plan --usage\`).`,
    );
  return out.join("\n") + "\n";
}

export function renderDiffTable(d: CostDiff): string {
  const out = [
    `cost diff ${d.base.stack} -> ${d.head.stack}: ${usd(d.base.monthlyUsd)} -> ${usd(d.head.monthlyUsd)} (${signed(d.deltaUsd)}, ${pct(d.deltaPct)}); ${ceilingVerdict(d).replace(/\*/g, "")}`,
  ];
  for (const c of d.byCloud)
    out.push(
      `  ${c.key.padEnd(11)} ${usd(c.baseUsd).padStart(11)} -> ${usd(c.headUsd).padStart(11)}  ${signed(c.deltaUsd)}`,
    );
  if (d.lines.length) out.push("lines:");
  for (const l of d.lines) out.push(`  ${l.change.padEnd(8)} ${l.component}: ${l.name}  ${signed(l.deltaUsd)}`);
  return out.join("\n") + "\n";
}
