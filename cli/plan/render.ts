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
  out.push(...renderPolicyText(report));
  for (const s of sections) out.push("", `${s.title}:`, ...s.lines.map((l) => `  ${l}`));
  return out.join("\n") + "\n";
}

function renderCostText(report: PlanReport): string[] {
  const c = report.cost;
  const lines = [`Cost: ${usd(c.monthlyUsd)} a month (ceiling ${usd(c.ceilingUsd)})`];
  for (const cloud of CLOUD_NAMES) if (c.byCloud[cloud] !== undefined) lines.push(`  ${CLOUD_TITLES[cloud].padEnd(12)} ${usd(c.byCloud[cloud])}`);
  if (c.lines.length === 0) lines.push("  (no priced resources)");
  return lines;
}

function renderPolicyText(report: PlanReport): string[] {
  const v = report.policies.violations;
  if (v.length === 0) return ["Policies: no violations"];
  return [`Policies: ${v.length} finding${v.length === 1 ? "" : "s"}`, ...v.map((x) => `  [${x.enforcementLevel}] ${x.pack}/${x.policy}: ${x.message}${x.urn ? `\n      at ${x.urn}` : ""}`)];
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, "\\|");
}

export function renderMarkdown(report: PlanReport, sections: readonly ReportSection[] = []): string {
  const out: string[] = [];
  const byParent = children(report);
  out.push(`## tricloud plan: \`${report.stack}\``, "");
  out.push(`**${report.summary.total}** cloud resources in **${report.summary.components}** components. Monthly estimate **${usd(report.cost.monthlyUsd)}**, ceiling **${usd(report.cost.ceilingUsd)}**.`, "");
  out.push("| Cloud | Resources | Monthly |", "|---|---:|---:|");
  for (const cloud of CLOUD_NAMES) {
    if (report.summary.byCloud[cloud] || report.cost.byCloud[cloud] !== undefined) {
      out.push(`| ${CLOUD_TITLES[cloud]} | ${report.summary.byCloud[cloud]} | ${usd(report.cost.byCloud[cloud])} |`);
    }
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
