import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");

/** Runs the real `tricloud` bin the way a user does after `npm ci`. */
function tricloud(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "bin", "tricloud.cjs"), ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("tricloud plan (the CLI contract)", () => {
  it("prints the dev plan as JSON with the contract's shape and exits 0", () => {
    const r = tricloud("plan", "--stack", "dev", "--format", "json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(expect.arrayContaining(["project", "stack", "resources", "summary", "cost", "policies"]));
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

  it("prints a readable tree grouped by cloud and component by default", () => {
    const r = tricloud("plan", "--stack", "dev");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^AWS: \d+ resources$/m);
    expect(r.stdout).toMatch(/^Azure: \d+ resources$/m);
    expect(r.stdout).toMatch(/^GCP: \d+ resources$/m);
    expect(r.stdout).toMatch(/\+ \[tricloud:aws:Network\]\s+dev-aws-net/);
  });

  it("prints Markdown for pull-request comments", () => {
    const r = tricloud("plan", "--stack", "prod", "--format", "markdown");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^## tricloud plan: `prod`/m);
    expect(r.stdout).toMatch(/^\| Cloud \| Resources \| Monthly \|$/m);
  });

  it("exits 2 naming the key when a -c override is invalid, and leaves the stack file untouched", () => {
    const before = readFileSync(join(root, "Pulumi.dev.yaml"), "utf8");
    const r = tricloud("plan", "--stack", "dev", "-c", "tricloud:clusters.aws.maxNodes=0", "-c", "tricloud:postgresVersion=9");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tricloud:clusters\.aws\.maxNodes: expected a whole number from 1 to 100/);
    expect(r.stderr).toMatch(/tricloud:postgresVersion: expected a PostgreSQL major version/);
    expect(r.stdout).toBe("");
    expect(readFileSync(join(root, "Pulumi.dev.yaml"), "utf8")).toBe(before);
  });

  it("reads --config-file instead of Pulumi.<stack>.yaml", () => {
    const dir = mkdtempSync(join(tmpdir(), "tricloud-"));
    const file = join(dir, "custom.yaml");
    writeFileSync(file, readFileSync(join(root, "Pulumi.dev.yaml"), "utf8").replace("tricloud:domain: tricloud-dev.example", "tricloud:domain: other.example"));
    const r = tricloud("plan", "--stack", "dev", "--config-file", file, "--format", "json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stack).toBe("dev");
    const bad = tricloud("plan", "--stack", "dev", "--config-file", join(dir, "missing.yaml"));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--config-file: .*missing\.yaml does not exist/);
  });

  it.each([
    [["plan"], /--stack: required/],
    [["plan", "--stack", "dev", "--format", "xml"], /--format: expected one of table, json, markdown, got "xml"/],
    [["plan", "--stack", "dev", "--bogus"], /^tricloud plan: --bogus: unknown flag; expected one of --stack, /],
    [["plan", "--stack", "dev", "-c", "novalue"], /-c novalue: expected key=value/],
    [["plan", "--stack", "staging"], /--stack: no stack file .*Pulumi\.staging\.yaml/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ])("bad usage %j exits 2 with a message naming the flag", (args, message) => {
    const r = tricloud(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
