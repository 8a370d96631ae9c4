import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");

/** Runs the real `tricloud` bin the way a user does after `npm ci`. */
function tricloud(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "bin", "tricloud.cjs"), ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
    // The JSON report passes spawnSync's 1 MiB default with the rendered workloads and mesh.
    maxBuffer: 64 << 20,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Several tests read the same report: an invocation with the same arguments runs once (the bin is deterministic).
const runs = new Map<string, ReturnType<typeof tricloud>>();
function tricloudOnce(...args: string[]) {
  const key = JSON.stringify(args);
  if (!runs.has(key)) runs.set(key, tricloud(...args));
  return runs.get(key)!;
}

describe("tricloud plan (the CLI contract)", () => {
  it("prints the dev plan as JSON with the contract's shape and exits 0", () => {
    const r = tricloudOnce("plan", "--stack", "dev", "--format", "json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(["project", "stack", "resources", "summary", "cost", "policies"]),
    );
    expect(report.project).toBe("tricloud");
    expect(report.stack).toBe("dev");
    for (const res of report.resources) {
      expect(Object.keys(res)).toEqual(expect.arrayContaining(["urn", "type", "name", "parent", "cloud", "inputs"]));
      expect(["aws", "azure", "gcp", "cloudflare", "vercel", "none"]).toContain(res.cloud);
    }
    expect(report.summary.total).toBe(report.resources.filter((x: { custom: boolean }) => x.custom).length);
    expect(Object.keys(report.summary.byCloud).sort()).toEqual(["aws", "azure", "cloudflare", "gcp", "none", "vercel"]);
    expect(Object.keys(report.cost)).toEqual(expect.arrayContaining(["monthlyUsd", "ceilingUsd", "byCloud", "lines"]));
    expect(Array.isArray(report.policies.violations)).toBe(true);
  });

  it("prints Pulumi's tree: every resource marked + (create), counts that add up, a closing summary line", () => {
    const r = tricloudOnce("plan", "--stack", "prod");
    expect(r.code).toBe(0);
    const json = JSON.parse(tricloud("plan", "--stack", "prod", "--format", "json").stdout);
    const lines = r.stdout.split("\n");
    // Nothing is marked as a delete; every resource and component line is a create.
    expect(lines.filter((l) => /^\s*- \w+:/.test(l))).toEqual([]);
    const creates = lines.filter((l) => l.startsWith(" +  "));
    expect(creates.length).toBe(json.resources.length - 1); // all but the stack itself
    expect(r.stdout).toMatch(/^ \+ {2}[├└]─ tricloud:aws:Platform {2}prod-aws {2}\(\d+ resources\)$/m);
    // Each cloud's header counts exactly the resources listed under it, and the headers add up to the total.
    const headers = [
      ...r.stdout.matchAll(
        /^(AWS|Azure|GCP|Cloudflare|Vercel|Other \(keys, random values\)): (\d+) resources? in (\d+) components?$/gm,
      ),
    ];
    expect(headers.map((h) => h[1])).toEqual([
      "AWS",
      "Azure",
      "GCP",
      "Cloudflare",
      "Vercel",
      "Other (keys, random values)",
    ]);
    for (const h of headers) {
      const block = r.stdout.slice(h.index!).split("\n\n")[0]!.split("\n").slice(1);
      expect(block.filter((l) => !/\(\d+ resources?\)$/.test(l)).length, h[1]).toBe(Number(h[2]));
      expect(block.filter((l) => /\(\d+ resources?\)$/.test(l)).length, h[1]).toBe(Number(h[3]));
    }
    expect(headers.reduce((n, h) => n + Number(h[2]), 0)).toBe(json.summary.total);
    expect(r.stdout).not.toMatch(/\(1 resources\)|\b1 components\b/);
    expect(r.stdout).toMatch(/\(1 resource\)/);
    // Pulumi's closing summary, then the cost with thousands separators.
    expect(r.stdout).toContain(
      `\nResources:\n    + ${json.summary.total} to create (cloud resources, in ${json.summary.components} components)\n`,
    );
    expect(r.stdout).toMatch(/\nCost: \$\d{1,3}(,\d{3})*\.\d\d a month at list prices \(ceiling \$6,000\.00\)\n$/);
  });

  it("lists each lock-in (component, service) once, telling resources apart by type and count", () => {
    const r = tricloudOnce("plan", "--stack", "prod");
    const block = r.stdout
      .slice(r.stdout.indexOf("\nLock-in:\n"))
      .split("\n\n")[0]!
      .split("\n")
      .filter((l) => l.startsWith("  ["));
    expect(block.length).toBeGreaterThan(5);
    expect(new Set(block).size).toBe(block.length);
    expect(block).toContain(
      "  [low] prod-edge-dns: Cloudflare DNS (DnsRecord x5); exit by export the zone as a BIND file and import it at another DNS host",
    );
    expect(r.stdout).toMatch(
      /^ {2}0 high, \d+ medium, \d+ low lock-in \(component, service\) pairs over \d+ resources$/m,
    );
  });

  it("shows what blocks the plan last, after the long lists", () => {
    const r = tricloud("plan", "--stack", "dev", "-c", "tricloud:costCeilingUsd=100");
    expect(r.code).toBe(1);
    const tail = r.stdout.trimEnd().split("\n").slice(-2);
    expect(tail[0]).toBe("error: the plan is blocked by 1 mandatory policy violation (exit 1):");
    expect(tail[1]).toMatch(
      /^ {2}✖ tricloud-cost\/cost-stack-ceiling: estimated \$\d+\.\d\d a month .* exceeds the ceiling of \$100\.00/,
    );
    expect(r.stdout.indexOf("error: the plan is blocked")).toBeGreaterThan(r.stdout.indexOf("\nLock-in:\n"));
    expect(r.stdout.indexOf("error: the plan is blocked")).toBeGreaterThan(r.stdout.indexOf("\nPrerequisites ("));
  });

  it("shows a progress line on stderr only when asked or on a terminal, and erases it", () => {
    const quiet = tricloudOnce("plan", "--stack", "dev", "--format", "json");
    expect(quiet.stderr).toBe("");
    const shown = tricloud("plan", "--stack", "dev", "--format", "json", "--progress", "always");
    expect(shown.code).toBe(0);
    expect(shown.stderr).toMatch(/^\rplanning dev: starting \(\d+\.\d s\)/);
    expect(shown.stderr).toContain("planning dev: running the program under mocks (");
    expect(shown.stderr).toContain("planning dev: evaluating the policy packs (");
    expect(shown.stderr).toMatch(/\r +\r$/);
    expect(JSON.parse(shown.stdout).stack).toBe("dev");
  });

  it.runIf(existsSync("/usr/bin/script"))("shows the progress line by itself when stderr is a terminal", () => {
    // script(1) gives the plan a terminal; the report still goes to the file, untouched.
    const out = join(mkdtempSync(join(tmpdir(), "tricloud-")), "plan.json");
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(root, "bin", "tricloud.cjs"))} plan --stack dev --format json > ${JSON.stringify(out)}`;
    const r = spawnSync("script", ["-qec", cmd, "/dev/null"], { cwd: root, encoding: "utf8", timeout: 120_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("planning dev: running the program under mocks (");
    expect(JSON.parse(readFileSync(out, "utf8")).stack).toBe("dev");
  });

  it("prints Markdown: the cost per cloud first, the detail folded", () => {
    const r = tricloud("plan", "--stack", "prod", "--format", "markdown");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^## tricloud plan: `prod`\n\n💰 Monthly cost \*\*\$\d{1,3}(,\d{3})*\.\d\d\*\*/m);
    expect(r.stdout).toMatch(/^\| Stack \| Cloud \| Monthly \|$/m);
    expect(r.stdout).toMatch(/^<details><summary><b>prod<\/b>: \+ \d+ to create in \d+ components<\/summary>$/m);
  });

  it("exits 2 naming the key when a -c override is invalid, and leaves the stack file untouched", () => {
    const before = readFileSync(join(root, "Pulumi.dev.yaml"), "utf8");
    const r = tricloud(
      "plan",
      "--stack",
      "dev",
      "-c",
      "tricloud:clusters.aws.maxNodes=0",
      "-c",
      "tricloud:postgresVersion=9",
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tricloud:clusters\.aws\.maxNodes: expected a whole number from 1 to 100/);
    expect(r.stderr).toMatch(/tricloud:postgresVersion: expected a PostgreSQL major version/);
    expect(r.stdout).toBe("");
    expect(readFileSync(join(root, "Pulumi.dev.yaml"), "utf8")).toBe(before);
  });

  it("reads --config-file instead of Pulumi.<stack>.yaml", () => {
    const dir = mkdtempSync(join(tmpdir(), "tricloud-"));
    const file = join(dir, "custom.yaml");
    // The stack file with another ceiling (the config of "shows what blocks the plan last", so the run's
    // capture cache serves both): the report's ceiling shows which file was read.
    const custom = readFileSync(join(root, "Pulumi.dev.yaml"), "utf8").replace(
      "tricloud:costCeilingUsd: 900",
      "tricloud:costCeilingUsd: 100",
    );
    expect(custom).toContain("tricloud:costCeilingUsd: 100");
    writeFileSync(file, custom);
    const r = tricloud("plan", "--stack", "dev", "--config-file", file, "--format", "json");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.stack).toBe("dev");
    expect(report.cost.ceilingUsd).toBe(100);
    const bad = tricloud("plan", "--stack", "dev", "--config-file", join(dir, "missing.yaml"));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--config-file: .*missing\.yaml does not exist/);
  });

  it.each([
    [["plan"], /^tricloud plan: --stack: required \(the stack to plan\), as in --stack <name>\n/],
    [["plan", "--stack", "dev", "--format", "xml"], /--format: expected one of table, json, markdown, got "xml"/],
    [["plan", "--stack", "dev", "--bogus"], /^tricloud plan: --bogus: unknown flag; expected one of --stack, /],
    [["plan", "--stack", "dev", "-c", "novalue"], /-c novalue: expected key=value/],
    [["plan", "--stack", "qa"], /--stack: no stack file .*Pulumi\.qa\.yaml/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ])("bad usage %j exits 2 with a message naming the flag", (args, message) => {
    const r = tricloud(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
