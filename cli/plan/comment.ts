import { diffCost } from "../../pricing/diff";
import {
  blocking,
  CLOUD_TITLES,
  childrenOf,
  edgeSection,
  lockInGroups,
  offHoursSavingText,
  plural,
  shortUrn,
  topLevelByCloud,
  usd,
  valueText,
  meshLines,
  workloadLines,
} from "./render";
import { CLOUD_NAMES, type CloudName, type PlanReport, type PlannedResource } from "./report";

/** One stack in the comment: the change's plan, and the base branch's when it could be planned. */
export interface StackPlans {
  readonly head: PlanReport;
  readonly base?: PlanReport;
}

/** The hidden marker the workflow's sticky comment is found by. */
export const COMMENT_MARKER = "<!-- tricloud-plan -->";

const md = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const signed = (n: number) => `${n < 0 ? "−" : "+"}${usd(Math.abs(n))}`;
const pct = (base: number, head: number) =>
  base === 0
    ? head === 0
      ? ""
      : " (new)"
    : ` (${head >= base ? "+" : "−"}${((Math.abs(head - base) / base) * 100).toFixed(1)}%)`;

/** The cost table: one row per stack and cloud, base → head, like Infracost's opening. */
function costTable(stacks: readonly StackPlans[]): string[] {
  const withBase = stacks.some((s) => s.base);
  const out = withBase
    ? ["| Stack | Cloud | Monthly now | Monthly after | Change |", "|---|---|---:|---:|---:|"]
    : ["| Stack | Cloud | Monthly |", "|---|---|---:|"];
  for (const { head, base } of stacks) {
    const diff = base ? diffCost(base, head) : null;
    const clouds = CLOUD_NAMES.filter(
      (c) => head.cost.byCloud[c] !== undefined || diff?.byCloud.some((x) => x.key === c),
    );
    for (const c of clouds) {
      const d = diff?.byCloud.find((x) => x.key === c);
      const h = head.cost.byCloud[c] ?? 0;
      if (!withBase) out.push(`| ${head.stack} | ${CLOUD_TITLES[c as CloudName]} | ${usd(h)} |`);
      else if (d)
        out.push(
          `| ${head.stack} | ${CLOUD_TITLES[c as CloudName]} | ${usd(d.baseUsd)} | ${usd(d.headUsd)} | ${d.deltaUsd === 0 ? "no change" : signed(d.deltaUsd)} |`,
        );
      else out.push(`| ${head.stack} | ${CLOUD_TITLES[c as CloudName]} | n/a | ${usd(h)} | n/a |`);
    }
    const ceiling =
      head.cost.ceilingUsd === null
        ? ""
        : `, ceiling ${usd(head.cost.ceilingUsd)}${(head.cost.monthlyUsd ?? 0) > head.cost.ceilingUsd ? " **exceeded**" : ""}`;
    if (!withBase) out.push(`| **${head.stack}** | **total**${ceiling} | **${usd(head.cost.monthlyUsd)}** |`);
    else if (diff)
      out.push(
        `| **${head.stack}** | **total**${ceiling} | **${usd(diff.base.monthlyUsd)}** | **${usd(diff.head.monthlyUsd)}** | **${diff.deltaUsd === 0 ? "no change" : `${signed(diff.deltaUsd)}${pct(diff.base.monthlyUsd, diff.head.monthlyUsd)}`}** |`,
      );
    else
      out.push(
        `| **${head.stack}** | **total**${ceiling} | n/a | **${usd(head.cost.monthlyUsd)}** | n/a (base not planned) |`,
      );
  }
  const savings = stacks.map((s) => [s.head.stack, offHoursSavingText(s.head)]).filter(([, t]) => t);
  if (savings.length) out.push("", ...savings.map(([stack, t]) => `${stack}: ${t}.`));
  return out;
}

/** A what-if re-prices the head: say so next to the figures it changed. */
function whatIfs(stacks: readonly StackPlans[]): string[] {
  const out: string[] = [];
  for (const { head } of stacks) {
    const w = (head.cost.whatIf ?? []).map((x) => `${x.provider} ${x.percent >= 0 ? "+" : ""}${x.percent}%`).join(", ");
    if (w)
      out.push(
        "",
        `${head.stack}: what-if **${w}**: baseline ${usd(head.cost.baselineMonthlyUsd)} becomes ${usd(head.cost.monthlyUsd)}.`,
      );
  }
  return out;
}

/** The components whose monthly cost changed, largest change first (at most 10 a stack). */
function changedComponents(stacks: readonly StackPlans[]): string[] {
  const rows: string[] = [];
  for (const { head, base } of stacks) {
    if (!base) continue;
    const changed = diffCost(base, head)
      .byComponent.filter((c) => c.deltaUsd !== 0)
      .sort((a, b) => Math.abs(b.deltaUsd) - Math.abs(a.deltaUsd));
    for (const c of changed.slice(0, 10))
      rows.push(`| ${head.stack} | ${c.key} | ${usd(c.baseUsd)} | ${usd(c.headUsd)} | ${signed(c.deltaUsd)} |`);
    if (changed.length > 10) rows.push(`| ${head.stack} | … ${changed.length - 10} more | | | |`);
  }
  if (rows.length === 0) return [];
  return [
    "",
    "| Stack | Component whose cost changed | Monthly now | Monthly after | Change |",
    "|---|---|---:|---:|---:|",
    ...rows,
  ];
}

/** The opening sentence: the total monthly change across the stacks, or the total when there is no base. */
function headline(stacks: readonly StackPlans[]): string {
  const diffs = stacks.filter((s) => s.base).map((s) => diffCost(s.base!, s.head));
  if (diffs.length === stacks.length && diffs.length > 0) {
    const delta = diffs.reduce((n, d) => n + d.deltaUsd, 0);
    const base = diffs.reduce((n, d) => n + d.base.monthlyUsd, 0);
    const head = diffs.reduce((n, d) => n + d.head.monthlyUsd, 0);
    const rounded = Math.round(delta * 100) / 100;
    const verb =
      rounded === 0
        ? "stays at"
        : rounded > 0
          ? `will increase by **${usd(rounded)}**${pct(base, head)}, to`
          : `will decrease by **${usd(-rounded)}**${pct(base, head)}, to`;
    return `💰 Monthly cost ${verb} **${usd(head)}** (${stacks.map((s) => s.head.stack).join(" + ")}, list prices).`;
  }
  const total = stacks.reduce((n, s) => n + (s.head.cost.monthlyUsd ?? 0), 0);
  return `💰 Monthly cost **${usd(total)}** (${stacks.map((s) => s.head.stack).join(" + ")}, list prices); the base branch could not be planned, so there is no change to show.`;
}

/** Mandatory violations and preflight errors of every stack, in one table; advisory findings counted. */
function findings(stacks: readonly StackPlans[]): string[] {
  const rows: string[] = [];
  let advisory = 0;
  let warnings = 0;
  for (const { head } of stacks) {
    const { mandatory, errors } = blocking(head);
    advisory += head.policies.violations.length - mandatory.length;
    warnings += (head.preflight ?? []).length - errors.length;
    for (const v of mandatory)
      rows.push(`| ${head.stack} | ❌ mandatory | ${v.pack}/${v.policy} | \`${shortUrn(v.urn)}\` | ${md(v.message)} |`);
    for (const f of errors)
      rows.push(
        `| ${head.stack} | ❌ preflight error | ${f.rule} | \`${shortUrn(f.urn)}\` | ${md(`${f.property} = ${valueText(f.value)}; expected ${f.expected}`)} |`,
      );
  }
  const others = [
    advisory ? plural(advisory, "advisory finding") : "",
    warnings ? plural(warnings, "preflight warning") : "",
  ]
    .filter(Boolean)
    .join(" and ");
  const more = others ? ` (${others} in the details below)` : "";
  if (rows.length === 0) return [`✅ No mandatory policy violation and no preflight error${more}.`];
  return [
    `### ❌ ${plural(rows.length, "finding")} block${rows.length === 1 ? "s" : ""} the merge${more}`,
    "",
    "| Stack | Level | Rule | Resource | What |",
    "|---|---|---|---|---|",
    ...rows,
  ];
}

/** One stack's detail, folded: resources per cloud and component, cost by component, advisories, prerequisites. */
function details(s: StackPlans, level: "full" | "short"): string[] {
  const r = s.head;
  const byParent = childrenOf(r);
  const out = [
    `<details><summary><b>${r.stack}</b>: + ${r.summary.total.toLocaleString("en-US")} to create in ${plural(r.summary.components, "component")}</summary>`,
    "",
  ];
  // Every component with the cloud resources directly in it (those of nested components are on
  // their own rows), so the column adds up to the total above.
  out.push("| Cloud | Component | Type | Resources |", "|---|---|---|---:|");
  for (const [cloud, roots] of topLevelByCloud(r)) {
    const walk = (c: PlannedResource) => {
      const kids = byParent.get(c.urn) ?? [];
      const own = kids.filter((k) => k.custom).length;
      if (own > 0 || c.custom)
        out.push(
          `| ${CLOUD_TITLES[cloud]} | ${c.name} | \`${c.custom ? c.type : c.type.replace(/^tricloud:/, "")}\` | ${c.custom ? 1 : own} |`,
        );
      for (const k of kids) if (!k.custom) walk(k);
    };
    roots.forEach(walk);
  }
  if (level === "full") {
    const byComponent = Object.entries(r.cost.byComponent ?? {}).sort((a, b) => b[1] - a[1]);
    if (byComponent.length)
      out.push("", `Cost by component: ${byComponent.map(([n, v]) => `${n} ${usd(v)}`).join(", ")}.`);
    const advisories = r.policies.violations.filter((v) => v.enforcementLevel !== "mandatory");
    if (advisories.length)
      out.push(
        "",
        "Advisory findings:",
        ...advisories.map((v) => `- ${v.pack}/${v.policy} (\`${shortUrn(v.urn)}\`): ${md(v.message)}`),
      );
    const warnings = (r.preflight ?? []).filter((f) => f.level !== "error");
    if (warnings.length)
      out.push(
        "",
        "Preflight warnings:",
        ...warnings.map((f) => `- ${f.rule}: \`${shortUrn(f.urn)}\` ${md(f.property)}; expected ${md(f.expected)}`),
      );
    const pre = r.prerequisites ?? [];
    if (pre.length)
      out.push(
        "",
        `${plural(pre.length, "prerequisite")} to arrange before \`pulumi up\` (\`tricloud plan --stack ${r.stack}\` lists them).`,
      );
    const lock = lockInGroups(r.lockIn ?? []);
    const high = lock.filter((g) => g.row.lockInLevel === "high");
    if (lock.length)
      out.push(
        "",
        `Lock-in: ${high.length} high (${high.map((g) => `${g.row.component} ${g.row.service}${g.row.allowed ? ", allowed" : ""}`).join("; ") || "none"}), ${lock.filter((g) => g.row.lockInLevel === "medium").length} medium, ${lock.filter((g) => g.row.lockInLevel === "low").length} low.`,
      );
    for (const e of edgeSection(r)) out.push("", `${e.title}: ${e.lines[0]}.`);
    const workloads = workloadLines(r);
    if (workloads.length) out.push("", "Workloads per cluster:", ...workloads.map((l) => `- ${md(l)}`));
    const mesh = meshLines(r);
    if (mesh.length) out.push("", "Mesh per cluster:", ...mesh.map((l) => `- ${md(l)}`));
  }
  out.push("", "</details>");
  return out;
}

/**
 * The pull-request comment for one or more stacks: the cost change per stack and cloud first,
 * then what blocks the merge, then each stack's detail folded. When it would pass maxChars
 * (GitHub refuses comments over 65,536), the detail shrinks, then goes.
 */
export function renderComment(stacks: readonly StackPlans[], maxChars = 10_000): string {
  const head = [
    COMMENT_MARKER,
    `## tricloud plan: ${stacks.map((s) => `\`${s.head.stack}\``).join(", ")}`,
    "",
    headline(stacks),
    "",
    ...costTable(stacks),
    ...whatIfs(stacks),
    ...changedComponents(stacks),
    "",
    ...findings(stacks),
    "",
  ];
  const tail = [
    "",
    "<sub>Offline plan under mocks at list prices; `tricloud plan --stack <name>` shows every resource.</sub>",
    "",
  ];
  for (const level of ["full", "short"] as const) {
    const text = [...head, ...stacks.flatMap((s) => [...details(s, level), ""]), ...tail].join("\n");
    if (text.length <= maxChars) return text;
  }
  const text = [
    ...head,
    "_Resource detail left out to keep this comment short; run `tricloud plan` to see it._",
    ...tail,
  ].join("\n");
  return text.length <= maxChars
    ? text
    : `${text.slice(0, Math.max(0, maxChars - 80))}\n\n_(cut at ${maxChars.toLocaleString("en-US")} characters)_\n`;
}

/** `tricloud plan --format markdown`: the comment for this one stack, without a base. */
export function renderMarkdown(report: PlanReport, maxChars = 60_000): string {
  return renderComment([{ head: report }], maxChars);
}
