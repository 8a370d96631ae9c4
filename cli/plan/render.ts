import { CLOUD_NAMES, type CloudName, type PlanReport, type PlannedResource } from "./report";

const CLOUD_TITLES: Record<CloudName, string> = {
  aws: "AWS",
  azure: "Azure",
  gcp: "GCP",
  cloudflare: "Cloudflare",
  vercel: "Vercel",
  none: "Other (keys, random values)",
};

/** Extra sections other parts of tricloud add to the report (edge failover, lock-in, ...). */
export interface ReportSection {
  readonly title: string;
  readonly lines: readonly string[];
}

/** The edge's failover figure as a section; absent for reports without an edge. */
export function edgeSection(report: PlanReport): ReportSection[] {
  const e = report.edge;
  if (!e) return [];
  const verdict =
    e.failoverBudgetSeconds === null ? "no budget outside prod" : e.failoverSeconds <= e.failoverBudgetSeconds ? `within the ${e.failoverBudgetSeconds} s budget` : `OVER the ${e.failoverBudgetSeconds} s budget`;
  return [{ title: "Edge", lines: [`API failover, worst case: ${e.failoverSeconds} s (${verdict})`, `Arithmetic: ${e.explanation}`] }];
}

/** The lock-in report (the portability matrix over the real resources) as a section. */
export function lockInSection(report: PlanReport): ReportSection[] {
  const rows = report.lockIn;
  if (!rows?.length) return [];
  const count = (level: string) => rows.filter((r) => r.lockInLevel === level).length;
  const order = { high: 0, medium: 1, low: 2 } as const;
  const sorted = [...rows].sort((a, b) => order[a.lockInLevel] - order[b.lockInLevel] || a.component.localeCompare(b.component));
  return [
    {
      title: "Lock-in",
      lines: [
        `${count("high")} high, ${count("medium")} medium, ${count("low")} low lock-in services`,
        ...sorted.map((r) => `[${r.lockInLevel}${r.allowed ? ", allowed" : ""}] ${r.component} (${r.provider} ${r.service}): exit by ${r.exitPath}`),
      ],
    },
  ];
}

function whatIfText(report: PlanReport): string {
  const w = report.cost.whatIf ?? [];
  return w.map((x) => `${x.provider} ${x.percent >= 0 ? "+" : ""}${x.percent}%`).join(", ");
}

function children(report: PlanReport): Map<string | null, PlannedResource[]> {
  const byParent = new Map<string | null, PlannedResource[]>();
  for (const r of report.resources) {
    const list = byParent.get(r.parent) ?? [];
    list.push(r);
    byParent.set(r.parent, list);
  }
  return byParent;
}

function usd(n: number | null | undefined): string {
  return n === null || n === undefined ? "n/a" : `$${n.toFixed(2)}`;
}

/** Top-level resources (children of the stack) grouped by cloud. */
function topLevelByCloud(report: PlanReport): Map<CloudName, PlannedResource[]> {
  const stack = report.resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const roots = report.resources.filter((r) => r.parent === (stack?.urn ?? null) && r !== stack);
  const groups = new Map<CloudName, PlannedResource[]>();
  for (const cloud of CLOUD_NAMES) {
    const list = roots.filter((r) => r.cloud === cloud);
    if (list.length) groups.set(cloud, list);
  }
  return groups;
}

function countCustom(r: PlannedResource, byParent: Map<string | null, PlannedResource[]>): number {
  return (r.custom ? 1 : 0) + (byParent.get(r.urn) ?? []).reduce((n, c) => n + countCustom(c, byParent), 0);
}

export function renderTable(report: PlanReport, sections: readonly ReportSection[] = []): string {
  const out: string[] = [];
  const byParent = children(report);
  out.push(`tricloud plan: project ${report.project}, stack ${report.stack}`);
  out.push(`${report.summary.total} cloud resources in ${report.summary.components} components\n`);
  const walk = (r: PlannedResource, depth: number) => {
    const kids = byParent.get(r.urn) ?? [];
    const label = r.custom ? `${r.type}  ${r.name}` : `[${r.type}]  ${r.name}  (${countCustom(r, byParent)} resources)`;
    out.push(`${"  ".repeat(depth)}${r.custom ? "- " : "+ "}${label}`);
    for (const k of kids) walk(k, depth + 1);
  };
  for (const [cloud, roots] of topLevelByCloud(report)) {
    out.push(`${CLOUD_TITLES[cloud]}: ${report.summary.byCloud[cloud]} resources`);
    for (const r of roots) walk(r, 1);
    out.push("");
  }
  out.push(...renderCostText(report), "");
  out.push(...renderPolicyText(report), "");
  out.push(...renderPreflightText(report));
  for (const s of sections) out.push("", `${s.title}:`, ...s.lines.map((l) => `  ${l}`));
  return out.join("\n") + "\n";
}

function renderCostText(report: PlanReport): string[] {
  const c = report.cost;
  const w = whatIfText(report);
  const lines = [`Cost: ${usd(c.monthlyUsd)} a month at list prices (ceiling ${usd(c.ceilingUsd)})${w ? `, what-if ${w} (baseline ${usd(c.baselineMonthlyUsd)})` : ""}`];
  for (const cloud of CLOUD_NAMES) if (c.byCloud[cloud] !== undefined) lines.push(`  ${CLOUD_TITLES[cloud].padEnd(12)} ${usd(c.byCloud[cloud])}`);
  if (c.byComponent) {
    lines.push("  by component:");
    for (const [name, v] of Object.entries(c.byComponent).sort((a, b) => b[1] - a[1])) lines.push(`    ${name.padEnd(22)} ${usd(v)}`);
  }
  const usage = c.lines.filter((l) => l.monthlyUsd === null);
  if (usage.length) lines.push(`  ${usage.length} line(s) depend on usage or have no price and are not in the total (${c.usageProfile ? `usage profile ${c.usageProfile}` : "give --usage low|medium|high|<file>"})`);
  if (c.catalog) lines.push(`  prices: ${c.catalog.file}${c.catalog.overrides ? ` + ${c.catalog.overrides}` : ""}; ${c.catalog.notFirm} of ${c.lines.length} lines rest on a price that is not firm`);
  if (c.lines.length === 0) lines.push("  (no priced resources)");
  return lines;
}

function renderPolicyText(report: PlanReport): string[] {
  const v = report.policies.violations;
  if (v.length === 0) return ["Policies: no violations"];
  return [`Policies: ${v.length} finding${v.length === 1 ? "" : "s"}`, ...v.map((x) => `  [${x.enforcementLevel}] ${x.pack}/${x.policy}: ${x.message}${x.urn ? `\n      at ${x.urn}` : ""}`)];
}

const shortUrn = (urn: string | null) => (urn ? urn.split("::").pop()! : "stack");
const valueText = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? "(absent)");

function renderPreflightText(report: PlanReport): string[] {
  const f = report.preflight ?? [];
  const errors = f.filter((x) => x.level === "error").length;
  const lines = [
    f.length === 0 ? `Preflight: nothing the clouds would refuse (support windows as of ${report.asOf})` : `Preflight: ${errors} error(s), ${f.length - errors} warning(s) (support windows as of ${report.asOf})`,
    ...f.map((x) => `  [${x.level}] ${x.rule}: ${shortUrn(x.urn)} ${x.property} = ${valueText(x.value)}\n      expected ${x.expected}\n      source ${x.source}`),
  ];
  const pre = report.prerequisites ?? [];
  if (pre.length) lines.push("", `Prerequisites (${pre.length}): what the plan cannot create; arrange before \`pulumi up\``, ...pre.map((p) => `  [${p.cloud}] ${p.what}\n      why: ${p.why}\n      source ${p.source.url}`));
  return lines;
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, "\\|");
}

export function renderMarkdown(report: PlanReport, sections: readonly ReportSection[] = []): string {
  const out: string[] = [];
  const byParent = children(report);
  out.push(`## tricloud plan: \`${report.stack}\``, "");
  const w = whatIfText(report);
  out.push(`**${report.summary.total}** cloud resources in **${report.summary.components}** components. Monthly estimate **${usd(report.cost.monthlyUsd)}** at list prices, ceiling **${usd(report.cost.ceilingUsd)}**.`, "");
  if (w) out.push(`What-if **${w}**: baseline ${usd(report.cost.baselineMonthlyUsd)} becomes ${usd(report.cost.monthlyUsd)}.`, "");
  out.push("| Cloud | Resources | Monthly |", "|---|---:|---:|");
  for (const cloud of CLOUD_NAMES) {
    if (report.summary.byCloud[cloud] || report.cost.byCloud[cloud] !== undefined) {
      out.push(`| ${CLOUD_TITLES[cloud]} | ${report.summary.byCloud[cloud]} | ${usd(report.cost.byCloud[cloud])} |`);
    }
  }
  if (report.cost.byComponent && Object.keys(report.cost.byComponent).length) {
    out.push("", "<details><summary>Monthly cost by component</summary>", "", "| Component | Monthly |", "|---|---:|");
    for (const [name, v] of Object.entries(report.cost.byComponent).sort((a, b) => b[1] - a[1])) out.push(`| ${name} | ${usd(v)} |`);
    const usage = report.cost.lines.filter((l) => l.monthlyUsd === null).length;
    out.push("", `${usage} cost line(s) depend on usage or lack a price and are not in the total${report.cost.usageProfile ? ` (usage profile ${report.cost.usageProfile})` : ""}.`, "", "</details>");
  }
  out.push("", "### Preflight", "");
  const f = report.preflight ?? [];
  if (f.length === 0) out.push(`Nothing the clouds would refuse (support windows as of ${report.asOf}).`);
  else {
    out.push("| Level | Rule | Resource | Property | Value | Expected |", "|---|---|---|---|---|---|");
    for (const x of f) out.push(`| ${x.level} | ${x.rule} | \`${shortUrn(x.urn)}\` | ${mdEscape(x.property)} | ${mdEscape(valueText(x.value))} | ${mdEscape(x.expected)} |`);
  }
  const pre = report.prerequisites ?? [];
  if (pre.length) {
    out.push("", "<details><summary>Prerequisites the plan cannot create (" + pre.length + ")</summary>", "", "| Cloud | What | Why |", "|---|---|---|");
    for (const p of pre) out.push(`| ${p.cloud} | ${mdEscape(p.what)} | ${mdEscape(p.why)} |`);
    out.push("", "</details>");
  }
  out.push("", "### Policy findings", "");
  const v = report.policies.violations;
  if (v.length === 0) out.push("None.");
  else {
    out.push("| Level | Policy | Resource | Message |", "|---|---|---|---|");
    for (const x of v) out.push(`| ${x.enforcementLevel} | ${x.pack}/${x.policy} | ${x.urn ? `\`${x.urn.split("::").pop()}\`` : "stack"} | ${mdEscape(x.message)} |`);
  }
  for (const s of sections) out.push("", `### ${s.title}`, "", ...s.lines.map((l) => `- ${mdEscape(l)}`));
  out.push("", "<details><summary>Resources</summary>", "");
  for (const [cloud, roots] of topLevelByCloud(report)) {
    out.push(`#### ${CLOUD_TITLES[cloud]}`, "", "| Component | Type | Name |", "|---|---|---|");
    const walk = (r: PlannedResource, component: string) => {
      const kids = byParent.get(r.urn) ?? [];
      if (r.custom) out.push(`| ${component} | \`${r.type}\` | ${r.name} |`);
      for (const k of kids) walk(k, r.custom ? component : r.name);
    };
    for (const r of roots) walk(r, r.name);
    out.push("");
  }
  out.push("</details>");
  return out.join("\n") + "\n";
}
