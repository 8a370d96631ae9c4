import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { diffCost, renderDiffMarkdown, renderDiffTable, type PlanCost } from "../../pricing/diff";
import { formatUsd, formatUsdChange } from "../../vocabulary/money";

const root = `${__dirname}/../..`;
const tricloud = (...args: string[]) =>
  spawnSync(process.execPath, [`${root}/bin/tricloud.cjs`, ...args], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });

describe("tricloud plan and the cost ceiling (the real CLI)", () => {
  it("exits 1 over the ceiling, naming the estimate and the ceiling", () => {
    // The same invocation as test/cli/plan-cli.test.ts: the run's capture cache runs the program once for both.
    const r = tricloud("plan", "--stack", "dev", "-c", "tricloud:costCeilingUsd=100");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /\[mandatory\] tricloud-cost\/cost-stack-ceiling: estimated \$\d{1,3}(,\d{3})*\.\d\d a month \(aws \$[\d,.]+, azure \$[\d,.]+, gcp \$[\d,.]+, cloudflare \$[\d,.]+\) exceeds the ceiling of \$100\.00 \(from tricloud:costCeilingUsd\)/,
    );
  }, 60_000);
  it("exits 2 naming --what-if on a malformed value", () => {
    const r = tricloud("plan", "--stack", "dev", "--what-if", "aws=lots");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--what-if: expected <provider>=<+/-pct> such as aws=+30%, got "aws=lots"');
  }, 60_000);
  it("a what-if that pushes the estimate over the ceiling fails the plan, and the Markdown shows it", () => {
    const r = tricloud("plan", "--stack", "dev", "--what-if", "azure=+200%", "--format", "markdown");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^dev: what-if \*\*azure \+200%\*\*: baseline \$[\d,.]+ becomes \$[\d,.]+\.$/m);
    expect(r.stdout).toContain("with what-if azure +200% exceeds the ceiling of $900.00");
  }, 60_000);
});

describe("tricloud cost diff", () => {
  it("compares two plan files as Markdown: totals, clouds, changed components and lines", () => {
    const dir = mkdtempSync(`${tmpdir()}/tricloud-diff-`);
    const base = tricloud("plan", "--stack", "dev", "--format", "json");
    const head = tricloud(
      "plan",
      "--stack",
      "dev",
      "-c",
      'tricloud:clusters={"aws":{"size":"small","minNodes":1,"desiredNodes":2,"maxNodes":3},"azure":{"size":"small","minNodes":1,"desiredNodes":1,"maxNodes":3},"gcp":{"size":"small","minNodes":1,"desiredNodes":1,"maxNodes":6},"publicAccessCidrs":[],"eksArgoCdIdcInstanceArn":"arn:aws:sso:::instance/ssoins-7223a1b6c2d4e5f6"}',
      "--format",
      "json",
    );
    expect(base.status).toBe(0);
    expect(head.status).toBe(0);
    writeFileSync(`${dir}/base.json`, base.stdout);
    writeFileSync(`${dir}/head.json`, head.stdout);
    const r = tricloud("cost", "diff", "--base", `${dir}/base.json`, "--head", `${dir}/head.json`);
    expect(r.status).toBe(0);
    // The head differs from Pulumi.dev.yaml only in EKS's desiredNodes, 1 -> 2. Dev's replica floor already needs a
    // second t3.medium (2574m over 1930m a node), which Auto Mode runs in the base and stops off hours; in the head it
    // is the node group's and stays up: +$19.52, the off-hours hours it no longer saves (469.29 x 0.0416).
    expect(r.stdout).toContain("## tricloud cost diff: `dev` → `dev`");
    expect(r.stdout).toMatch(/\*\*\+\$19\.52\*\*/);
    expect(r.stdout).toContain(
      "| removed | dev-aws-k8s | Off-hours scale-to-zero: t3.medium x 1 off 469.29 of 730 h |",
    );
    expect(r.stdout).toContain("| dev-aws-k8s |");
    expect(r.stdout).toContain("within the $900.00 ceiling");
  }, 120_000);
  it("names the flag when a file is missing or is not a plan", () => {
    const dir = mkdtempSync(`${tmpdir()}/tricloud-diff-`);
    writeFileSync(`${dir}/x.json`, JSON.stringify({ hello: 1 }));
    expect(tricloud("cost", "diff", "--head", `${dir}/x.json`).stderr).toContain("--base: required");
    const bad = tricloud("cost", "diff", "--base", `${dir}/x.json`, "--head", `${dir}/x.json`);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--base:");
    expect(bad.stderr).toContain("is not a tricloud plan report");
  }, 60_000);
});

describe("money as every layer writes it", () => {
  it("two decimals, thousands separated, signs on changes", () => {
    expect(formatUsd(1958.314)).toBe("$1,958.31");
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(-12)).toBe("-$12.00");
    expect(formatUsdChange(1200)).toBe("+$1,200.00");
    expect(formatUsdChange(-12.5)).toBe("-$12.50");
    expect(formatUsdChange(0)).toBe("+$0.00");
  });
});

describe("cost diff arithmetic", () => {
  const line = (urn: string, name: string, monthlyUsd: number | null, cloud: "aws" | "gcp" = "aws") => ({
    urn,
    cloud,
    component: urn,
    name,
    unit: "hours",
    quantity: 1,
    unitPriceUsd: monthlyUsd,
    monthlyUsd,
  });
  const plan = (lines: ReturnType<typeof line>[], ceilingUsd: number | null = 100): PlanCost => ({
    stack: "s",
    cost: { monthlyUsd: null, ceilingUsd, lines },
  });
  it("matches lines by resource and cost component: changed, added, removed", () => {
    const d = diffCost(
      plan([line("a", "x", 10), line("b", "y", 5)]),
      plan([line("a", "x", 12.5), line("c", "z", 1, "gcp")]),
    );
    expect(d.deltaUsd).toBe(-1.5);
    expect(d.deltaPct).toBe(-10);
    expect(d.lines.map((l) => [l.change, l.urn, l.deltaUsd])).toEqual([
      ["removed", "b", -5],
      ["changed", "a", 2.5],
      ["added", "c", 1],
    ]);
    expect(d.byCloud).toEqual([
      { key: "aws", baseUsd: 15, headUsd: 12.5, deltaUsd: -2.5 },
      { key: "gcp", baseUsd: 0, headUsd: 1, deltaUsd: 1 },
    ]);
  });
  it("says when the head is over its ceiling", () => {
    expect(renderDiffMarkdown(diffCost(plan([line("a", "x", 10)]), plan([line("a", "x", 120)])))).toContain(
      "**OVER** the $100.00 ceiling by $20.00",
    );
  });
  it("writes money with thousands separators in both renderings", () => {
    const d = diffCost(plan([line("a", "x", 1234.5)], 10_000), plan([line("a", "x", 13_579.125)], 10_000));
    const md = renderDiffMarkdown(d);
    expect(md).toContain("**$1,234.50 → $13,579.13**");
    expect(md).toContain("**+$12,344.63**");
    expect(md).toContain("**OVER** the $10,000.00 ceiling by $3,579.13");
    expect(renderDiffTable(d)).toContain("$1,234.50 -> $13,579.13 (+$12,344.63");
  });
});
