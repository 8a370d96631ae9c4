import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "tricloud-comment-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tricloud(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "bin", "tricloud.cjs"), ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
    maxBuffer: 64 << 20,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const file = (name: string) => join(dir, name);

describe("tricloud comment: the pull-request comment over the real dev, staging and prod plans", () => {
  beforeAll(() => {
    for (const stack of ["dev", "staging", "prod"]) {
      const r = tricloud("plan", "--stack", stack, "--format", "json");
      expect(r.code, r.stderr).toBe(0);
      writeFileSync(file(`head-${stack}.json`), r.stdout);
      // The base branch: the same plan with prod's database $100.00 a month cheaper.
      const base = JSON.parse(r.stdout);
      if (stack === "prod") {
        const line = base.cost.lines.find(
          (l: { component: string; monthlyUsd: number | null }) =>
            l.component === "prod-aws-db" && (l.monthlyUsd ?? 0) > 100,
        );
        line.monthlyUsd -= 100;
        base.cost.monthlyUsd -= 100;
        base.cost.byCloud.aws -= 100;
      }
      writeFileSync(file(`base-${stack}.json`), JSON.stringify(base));
    }
    const blocked = tricloud("plan", "--stack", "dev", "--format", "json", "-c", "tricloud:costCeilingUsd=100");
    expect(blocked.code).toBe(1);
    writeFileSync(file("blocked-dev.json"), blocked.stdout);
  }, 300_000);

  it("opens with the monthly change per stack and cloud, fits in 10,000 characters, folds the detail", () => {
    // The three stacks the pull-request workflow plans.
    const r = tricloud(
      "comment",
      "--head",
      file("head-dev.json"),
      "--head",
      file("head-staging.json"),
      "--head",
      file("head-prod.json"),
      "--base",
      file("base-dev.json"),
      "--base",
      file("base-staging.json"),
      "--base",
      file("base-prod.json"),
    );
    expect(r.code, r.stderr).toBe(0);
    const text = r.stdout;
    expect(text.length).toBeLessThan(10_000);
    const prod = JSON.parse(readFileSync(file("head-prod.json"), "utf8"));
    const dev = JSON.parse(readFileSync(file("head-dev.json"), "utf8"));
    const staging = JSON.parse(readFileSync(file("head-staging.json"), "utf8"));
    const total = (prod.cost.monthlyUsd + staging.cost.monthlyUsd + dev.cost.monthlyUsd).toLocaleString("en-US", {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
    const lines = text.split("\n");
    expect(lines[0]).toBe("<!-- tricloud-plan -->");
    expect(lines[1]).toBe("## tricloud plan: `dev`, `staging`, `prod`");
    expect(lines[3]).toMatch(
      new RegExp(
        `^💰 Monthly cost will increase by \\*\\*\\$100\\.00\\*\\* \\(\\+\\d\\.\\d%\\), to \\*\\*\\$${total.replace(/[.$]/g, "\\$&")}\\*\\* \\(dev \\+ staging \\+ prod, list prices\\)\\.$`,
      ),
    );
    expect(text).toMatch(/^\| prod \| AWS \| \$\d{3}\.\d\d \| \$\d{3}\.\d\d \| \+\$100\.00 \|$/m);
    expect(text).toMatch(/^\| dev \| AWS \| (\$[\d,.]+) \| \1 \| no change \|$/m);
    expect(text).toMatch(
      /^\| \*\*prod\*\* \| \*\*total\*\*, ceiling \$6,000\.00 \| \*\*\$\d,\d{3}\.\d\d\*\* \| \*\*\$\d,\d{3}\.\d\d\*\* \| \*\*\+\$100\.00 \(\+\d\.\d%\)\*\* \|$/m,
    );
    expect(text).toMatch(/^\| prod \| prod-aws-db \| \$[\d,.]+ \| \$[\d,.]+ \| \+\$100\.00 \|$/m);
    // Cost first, then the verdict on findings, then the folded detail of each stack.
    const at = (s: string) => text.indexOf(s);
    expect(at("| Stack | Cloud |")).toBeLessThan(at("✅ No mandatory policy violation"));
    expect(at("✅ No mandatory policy violation")).toBeLessThan(at("<details><summary><b>dev</b>"));
    expect(at("<details><summary><b>dev</b>")).toBeLessThan(at("<details><summary><b>staging</b>"));
    expect(at("<details><summary><b>staging</b>")).toBeLessThan(at("<details><summary><b>prod</b>"));
    expect(text.match(/<details>/g)!.length).toBe(text.match(/<\/details>/g)!.length);
    // The component rows of a stack add up to its total.
    const prodDetail = text.slice(at("<details><summary><b>prod</b>"));
    const rows = [...prodDetail.matchAll(/^\| [^|]+ \| prod-[\w-]+ \| `[^`]+` \| (\d+) \|$/gm)].map((m) =>
      Number(m[1]),
    );
    expect(rows.reduce((a, b) => a + b, 0)).toBe(prod.summary.total);
  });

  it("lists mandatory violations and preflight errors right after the cost", () => {
    const r = tricloud("comment", "--head", file("blocked-dev.json"), "--head", file("head-prod.json"));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/the base branch could not be planned, so there is no change to show/);
    expect(r.stdout).toMatch(/^### ❌ 1 finding blocks the merge/m);
    expect(r.stdout).toMatch(
      /^\| dev \| ❌ mandatory \| tricloud-cost\/cost-stack-ceiling \| `[^`]+` \| estimated \$[\d,.]+ a month .* exceeds the ceiling of \$100\.00/m,
    );
    expect(r.stdout.indexOf("### ❌")).toBeLessThan(r.stdout.indexOf("<details>"));
  });

  it("drops detail, never the cost or the findings, to stay under --max-chars", () => {
    const r = tricloud(
      "comment",
      "--head",
      file("blocked-dev.json"),
      "--head",
      file("head-prod.json"),
      "--max-chars",
      "2500",
    );
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeLessThanOrEqual(2500);
    expect(r.stdout).toContain("| **prod** | **total**");
    expect(r.stdout).toContain("### ❌ 1 finding blocks the merge");
    expect(r.stdout).not.toContain("<details>");
    expect(r.stdout).toContain("_Resource detail left out to keep this comment short");
  });

  it.each([
    [["comment"], /^tricloud comment: --head: required/],
    [
      ["comment", "--head", "/nonexistent/plan.json"],
      /^tricloud comment: --head: cannot read \/nonexistent\/plan\.json as JSON/,
    ],
    [
      ["comment", "--head", join(root, "package.json")],
      /^tricloud comment: --head: .*package\.json is not a tricloud plan report \(at stack: /,
    ],
    [["comment", "--head", "HEAD", "--max-chars", "ten"], /^tricloud comment: --head: cannot read HEAD/],
  ])("bad usage %j exits 2 naming the flag", (args, message) => {
    const r = tricloud(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("names --base when a base report has no head of the same stack, and --max-chars out of range", () => {
    const r = tricloud("comment", "--head", file("head-dev.json"), "--base", file("base-prod.json"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tricloud comment: --base: a report of stack "prod" but no --head of that stack/);
    const m = tricloud("comment", "--head", file("head-dev.json"), "--max-chars", "70000");
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/^tricloud comment: --max-chars: expected an integer from 1000 to 65536, got "70000"/);
  });
});
