import { CLOUD_NAMES, type CloudName, type LockInRow, type PlanReport, type PlannedResource } from "./report";
import { formatUsd } from "@tricloud/vocabulary/money";
import { offHoursSaving } from "../../pricing/estimate";

export const CLOUD_TITLES: Record<CloudName, string> = {
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

/** "1 resource", "2 resources". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

/** "$1,958.31"; "n/a" for an unknown amount. */
export function usd(n: number | null | undefined): string {
  return n === null || n === undefined ? "n/a" : formatUsd(n);
}

/** The edge's failover figure as a section; absent for reports without an edge. */
export function edgeSection(report: PlanReport): ReportSection[] {
  const e = report.edge;
  if (!e) return [];
  const verdict =
    e.failoverBudgetSeconds === null
      ? "no budget outside prod"
      : e.failoverSeconds <= e.failoverBudgetSeconds
        ? `within the ${e.failoverBudgetSeconds} s budget`
        : `OVER the ${e.failoverBudgetSeconds} s budget`;
  return [
    {
      title: "Edge",
      lines: [`API failover, worst case: ${e.failoverSeconds} s (${verdict})`, `Arithmetic: ${e.explanation}`],
    },
  ];
}

/**
 * What each cluster runs, one line per cluster: services, rendered objects by kind, sha256 prefix and the CPU
 * requested at the replica floor against the pool's ceiling (read from the stack output `workloads`).
 */
export function workloadLines(report: PlanReport): string[] {
  const w = report.outputs["workloads"];
  if (!w || typeof w !== "object") return [];
  return Object.entries(w as Record<string, any>).map(([cloud, c]) => {
    const kinds = new Map<string, number>();
    for (const o of Array.isArray(c?.objects) ? c.objects : []) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
    const byKind = [...kinds].map(([k, n]) => `${k} x${n}`).join(", ");
    const cpu = c?.requested?.atMinReplicas?.cpuMillis;
    const cap = c?.capacity?.cpuMillis;
    const sha = typeof c?.sha256 === "string" ? `, sha256 ${c.sha256.slice(0, 12)}` : "";
    const load =
      typeof cpu === "number" && typeof cap === "number"
        ? `; ${cpu} of ${cap} mCPU requested at the replica floor`
        : "";
    return `${CLOUD_TITLES[cloud as CloudName] ?? cloud}: ${plural((c?.services ?? []).length, "service")} (${byKind || "no objects"}${sha})${load}`;
  });
}

const ENGINE_TITLES: Record<string, string> = {
  argocd: "Argo CD Applications",
  flux: "Flux HelmReleases",
  configsync: "Config Sync RootSyncs",
};

/**
 * Each cluster's place in the one Istio mesh, one line per cluster: its name and network, the Istio release and the
 * agent objects that install it, where its CA comes from, and its canaries (read from `workloads.<cloud>.mesh`).
 */
export function meshLines(report: PlanReport): string[] {
  const w = report.outputs["workloads"];
  if (!w || typeof w !== "object") return [];
  return Object.entries(w as Record<string, any>).flatMap(([cloud, c]) => {
    const m = c?.mesh;
    if (!m || typeof m !== "object") return [];
    const ca = m.cacertsFrom
      ? `CA from ${m.cacertsFrom}`
      : "no CA secret-store entry (the cloud's GitOps is not built)";
    const canaries =
      Array.isArray(m.canaries) && m.canaries.length ? `; ${plural(m.canaries.length, "canary", "canaries")}` : "";
    const releases = Array.isArray(m.charts) ? m.charts.length : 0;
    return [
      `${CLOUD_TITLES[cloud as CloudName] ?? cloud}: ${m.clusterName} on network ${m.network} in ${m.meshId}, Istio ${m.istioVersion} (${releases} Helm releases as ${ENGINE_TITLES[m.engine] ?? m.engine}); ${ca}${canaries}`,
    ];
  });
}

export interface LockInGroup {
  readonly row: LockInRow;
  /** Resource types behind the row with how many of each, e.g. "DnsRecord x4, Zone". */
  readonly types: string;
  readonly resources: number;
}

/** One row per component and service: the resources behind a service are told apart by type and count, not repeated. */
export function lockInGroups(rows: readonly LockInRow[]): LockInGroup[] {
  const groups = new Map<string, { row: LockInRow; types: Map<string, number> }>();
  for (const r of rows) {
    const key = [r.component, r.provider, r.service, r.lockInLevel, r.allowed ?? false].join("\0");
    const g = groups.get(key) ?? { row: r, types: new Map() };
    const short = r.resourceType.split(":").pop()!;
    g.types.set(short, (g.types.get(short) ?? 0) + 1);
    groups.set(key, g);
  }
  const order = { high: 0, medium: 1, low: 2 } as const;
  return [...groups.values()]
    .map((g) => ({
      row: g.row,
      resources: [...g.types.values()].reduce((a, b) => a + b, 0),
      types: [...g.types].map(([t, n]) => (n > 1 ? `${t} x${n}` : t)).join(", "),
    }))
    .sort(
      (a, b) =>
        order[a.row.lockInLevel] - order[b.row.lockInLevel] ||
        a.row.component.localeCompare(b.row.component) ||
        a.row.service.localeCompare(b.row.service),
    );
}

/** "AWS Lambda", "Cloudflare DNS" (not "Cloudflare Cloudflare DNS"). */
export function serviceTitle(r: LockInRow): string {
  const title = CLOUD_TITLES[r.provider];
  return r.service.startsWith(title) ? r.service : `${title} ${r.service}`;
}

/** The lock-in report (the portability matrix over the real resources) as a section. */
export function lockInSection(report: PlanReport): ReportSection[] {
  const rows = report.lockIn;
  if (!rows?.length) return [];
  const groups = lockInGroups(rows);
  const count = (level: string) => groups.filter((g) => g.row.lockInLevel === level).length;
  return [
    {
      title: "Lock-in",
      lines: [
        `${count("high")} high, ${count("medium")} medium, ${count("low")} low lock-in (component, service) pairs over ${plural(rows.length, "resource")}`,
        ...groups.map(
          ({ row: r, types }) =>
            `[${r.lockInLevel}${r.allowed ? ", allowed" : ""}] ${r.component}: ${serviceTitle(r)} (${types}); exit by ${r.exitPath}`,
        ),
      ],
    },
  ];
}

function whatIfText(report: PlanReport): string {
  const w = report.cost.whatIf ?? [];
  return w.map((x) => `${x.provider} ${x.percent >= 0 ? "+" : ""}${x.percent}%`).join(", ");
}

export function childrenOf(report: PlanReport): Map<string | null, PlannedResource[]> {
  const byParent = new Map<string | null, PlannedResource[]>();
  for (const r of report.resources) {
    const list = byParent.get(r.parent) ?? [];
    list.push(r);
    byParent.set(r.parent, list);
  }
  return byParent;
}

/** Top-level resources (children of the stack) grouped by cloud. */
export function topLevelByCloud(report: PlanReport): Map<CloudName, PlannedResource[]> {
  const stack = report.resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const roots = report.resources.filter((r) => r.parent === (stack?.urn ?? null) && r !== stack);
  const groups = new Map<CloudName, PlannedResource[]>();
  for (const cloud of CLOUD_NAMES) {
    const list = roots.filter((r) => r.cloud === cloud);
    if (list.length) groups.set(cloud, list);
  }
  return groups;
}

/** Cloud resources at or below r (components count what they hold, not themselves). */
export function countCustom(r: PlannedResource, byParent: Map<string | null, PlannedResource[]>): number {
  return (r.custom ? 1 : 0) + (byParent.get(r.urn) ?? []).reduce((n, c) => n + countCustom(c, byParent), 0);
}

/** Components at or below r. */
function countComponents(r: PlannedResource, byParent: Map<string | null, PlannedResource[]>): number {
  return (r.custom ? 0 : 1) + (byParent.get(r.urn) ?? []).reduce((n, c) => n + countComponents(c, byParent), 0);
}

/** What blocks the plan (exit 1): mandatory violations and preflight errors. */
export function blocking(report: PlanReport) {
  return {
    mandatory: report.policies.violations.filter((v) => v.enforcementLevel === "mandatory"),
    errors: (report.preflight ?? []).filter((f) => f.level === "error"),
  };
}

/**
 * The plan as `pulumi preview` shows one: every resource to create marked "+", nested under its
 * component, grouped by the cloud of its top-level component; then cost, edge, lock-in and
 * prerequisites; then the findings; the "Resources: + N to create" summary; and, last, what
 * blocks the plan, so it is the last thing on screen.
 */
export function renderTable(report: PlanReport, sections: readonly ReportSection[] = []): string {
  const out: string[] = [];
  const byParent = childrenOf(report);
  out.push(`Previewing tricloud plan: project ${report.project}, stack ${report.stack} (offline, under mocks)`, "");
  const walk = (r: PlannedResource, prefix: string, last: boolean) => {
    const label = r.custom
      ? `${r.type}  ${r.name}`
      : `${r.type}  ${r.name}  (${plural(countCustom(r, byParent), "resource")})`;
    out.push(` +  ${prefix}${last ? "└─ " : "├─ "}${label}`);
    const kids = byParent.get(r.urn) ?? [];
    kids.forEach((k, i) => walk(k, `${prefix}${last ? "   " : "│  "}`, i === kids.length - 1));
  };
  for (const [cloud, roots] of topLevelByCloud(report)) {
    const resources = roots.reduce((n, r) => n + countCustom(r, byParent), 0);
    const components = roots.reduce((n, r) => n + countComponents(r, byParent), 0);
    out.push(`${CLOUD_TITLES[cloud]}: ${plural(resources, "resource")} in ${plural(components, "component")}`);
    roots.forEach((r, i) => walk(r, "", i === roots.length - 1));
    out.push("");
  }
  out.push(...renderCostText(report));
  const workloads = workloadLines(report);
  if (workloads.length)
    out.push(
      "",
      "Workloads per cluster (rendered, applied by each cloud's GitOps agent):",
      ...workloads.map((l) => `  ${l}`),
    );
  const mesh = meshLines(report);
  if (mesh.length)
    out.push("", "Mesh per cluster (Istio multi-primary, one network per cloud):", ...mesh.map((l) => `  ${l}`));
  for (const s of sections) out.push("", `${s.title}:`, ...s.lines.map((l) => `  ${l}`));
  out.push(...renderPrerequisitesText(report), "");
  out.push(...renderPolicyText(report), "");
  out.push(...renderPreflightText(report), "");
  out.push(
    "Resources:",
    `    + ${report.summary.total.toLocaleString("en-US")} to create (cloud resources, in ${plural(report.summary.components, "component")})`,
    "",
  );
  const w = whatIfText(report);
  out.push(
    `Cost: ${usd(report.cost.monthlyUsd)} a month at list prices (ceiling ${usd(report.cost.ceilingUsd)})${w ? `, what-if ${w}` : ""}`,
  );
  const { mandatory, errors } = blocking(report);
  if (mandatory.length + errors.length > 0) {
    out.push(
      "",
      `error: the plan is blocked by ${[mandatory.length ? plural(mandatory.length, "mandatory policy violation") : "", errors.length ? plural(errors.length, "preflight error") : ""].filter(Boolean).join(" and ")} (exit 1):`,
    );
    for (const v of mandatory)
      out.push(`  ✖ ${v.pack}/${v.policy}: ${v.message}${v.urn ? ` (${shortUrn(v.urn)})` : ""}`);
    for (const f of errors)
      out.push(
        `  ✖ preflight ${f.rule}: ${shortUrn(f.urn)} ${f.property} = ${valueText(f.value)}; expected ${f.expected}`,
      );
  }
  return out.join("\n") + "\n";
}

/** The off-hours schedule's saving, one sentence, or "" when the stack has none (pricing/estimate.ts offHoursSaving). */
export function offHoursSavingText(report: PlanReport): string {
  const s = offHoursSaving(report.cost.lines);
  if (!s) return "";
  const clouds = CLOUD_NAMES.filter((c) => s.byCloud[c] !== undefined)
    .map((c) => `${c} ${usd(s.byCloud[c])}`)
    .join(", ");
  return `off-hours scale-to-zero (tricloud:schedule) saves ${usd(s.monthlyUsd)} a month (${clouds}), included above`;
}

function renderCostText(report: PlanReport): string[] {
  const c = report.cost;
  const w = whatIfText(report);
  const lines = [
    `Cost: ${usd(c.monthlyUsd)} a month at list prices (ceiling ${usd(c.ceilingUsd)})${w ? `, what-if ${w} (baseline ${usd(c.baselineMonthlyUsd)})` : ""}`,
  ];
  const width = Math.max(
    0,
    ...CLOUD_NAMES.map((cl) => usd(c.byCloud[cl]).length),
    ...Object.values(c.byComponent ?? {}).map((v) => usd(v).length),
  );
  for (const cloud of CLOUD_NAMES)
    if (c.byCloud[cloud] !== undefined)
      lines.push(`  ${CLOUD_TITLES[cloud].padEnd(24)} ${usd(c.byCloud[cloud]).padStart(width)}`);
  if (c.byComponent) {
    lines.push("  by component:");
    for (const [name, v] of Object.entries(c.byComponent).sort((a, b) => b[1] - a[1]))
      lines.push(`    ${name.padEnd(22)} ${usd(v).padStart(width)}`);
  }
  const saving = offHoursSavingText(report);
  if (saving) lines.push(`  ${saving}`);
  const usage = c.lines.filter((l) => l.monthlyUsd === null);
  if (usage.length)
    lines.push(
      `  ${plural(usage.length, "line")} depend${usage.length === 1 ? "s" : ""} on usage or have no price and are not in the total (${c.usageProfile ? `usage profile ${c.usageProfile}` : "give --usage low|medium|high|<file>"})`,
    );
  if (c.catalog)
    lines.push(
      `  prices: ${c.catalog.file}${c.catalog.overrides ? ` + ${c.catalog.overrides}` : ""}; ${c.catalog.notFirm} of ${plural(c.lines.length, "line")} rest on a price that is not firm`,
    );
  if (c.lines.length === 0) lines.push("  (no priced resources)");
  return lines;
}

function renderPolicyText(report: PlanReport): string[] {
  const v = [...report.policies.violations].sort(
    (a, b) => Number(a.enforcementLevel === "mandatory") - Number(b.enforcementLevel === "mandatory"),
  );
  if (v.length === 0) return ["Policies: no violations"];
  return [
    `Policies: ${plural(v.length, "finding")}`,
    ...v.map(
      (x) => `  [${x.enforcementLevel}] ${x.pack}/${x.policy}: ${x.message}${x.urn ? `\n      at ${x.urn}` : ""}`,
    ),
  ];
}

export const shortUrn = (urn: string | null) => (urn ? urn.split("::").pop()! : "stack");
export const valueText = (v: unknown) =>
  typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? "(absent)");

function renderPreflightText(report: PlanReport): string[] {
  const f = [...(report.preflight ?? [])].sort((a, b) => Number(a.level === "error") - Number(b.level === "error"));
  const errors = f.filter((x) => x.level === "error").length;
  return [
    f.length === 0
      ? `Preflight: nothing the clouds would refuse (support windows as of ${report.asOf})`
      : `Preflight: ${plural(errors, "error")}, ${plural(f.length - errors, "warning")} (support windows as of ${report.asOf})`,
    ...f.map(
      (x) =>
        `  [${x.level}] ${x.rule}: ${shortUrn(x.urn)} ${x.property} = ${valueText(x.value)}\n      expected ${x.expected}\n      source ${x.source}`,
    ),
  ];
}

function renderPrerequisitesText(report: PlanReport): string[] {
  const pre = report.prerequisites ?? [];
  if (!pre.length) return [];
  return [
    "",
    `Prerequisites (${pre.length}): what the plan cannot create; arrange before \`pulumi up\``,
    ...pre.map((p) => `  [${p.cloud}] ${p.what}\n      why: ${p.why}\n      source ${p.source.url}`),
  ];
}
