import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = join(__dirname, "..", "..");
type Step = { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, string>; "working-directory"?: string };
type Job = { if?: string; needs?: string | string[]; environment?: string; concurrency?: { group: string; "cancel-in-progress": boolean }; permissions?: Record<string, string>; steps: Step[] };
type Workflow = { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, Job> };

const load = (file: string) => parse(readFileSync(join(root, ".github", "workflows", file), "utf8")) as Workflow;
const FILES = ["pull-request.yml", "deploy.yml"];
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const scripts = (w: Workflow) => steps(w).map((s) => s.run ?? "").join("\n");
const FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository";
/** pulumi/actions@v7 inputs (docs/research: command, stack-name, work-dir, comment-on-pr, ...). */
const PULUMI_ACTION_INPUTS = ["command", "stack-name", "work-dir", "comment-on-pr", "edit-pr-comment", "github-token", "policyPacks", "policyPackConfigs", "cloud-url", "refresh", "diff", "expect-no-changes"];

describe.each(FILES)("%s", (file) => {
  const w = load(file);

  it("parses as a workflow with jobs and steps", () => {
    expect(Object.keys(w.jobs).length).toBeGreaterThan(0);
    for (const job of Object.values(w.jobs)) expect(job.steps.length).toBeGreaterThan(0);
  });

  it("calls only npm scripts that package.json defines", () => {
    const defined = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts as object);
    const called = [...scripts(w).matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    for (const s of called) expect(defined, `npm run ${s}`).toContain(s);
  });

  it("references only paths that exist in the repository", () => {
    // Both checkouts of the pull-request workflow are this repository: head/ and base/ are prefixes.
    const local = (p: string) => p.replace(/^(head|base)\//, "");
    const paths = [
      ...[...scripts(w).matchAll(/\bnode ([\w./-]+)/g)].map((m) => m[1]!),
      ...steps(w).flatMap((s) => (s.with?.policyPacks ?? "").split(/[\n,]/).map((x) => x.trim()).filter(Boolean)),
      ...steps(w).flatMap((s) => (s.with?.["cache-dependency-path"] ?? "").split("\n").map((x) => x.trim()).filter(Boolean).map(local)),
    ];
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) expect(existsSync(join(root, p)), p).toBe(true);
    for (const pack of steps(w).flatMap((s) => (s.with?.policyPacks ?? "").split("\n").map((x) => x.trim()).filter(Boolean))) {
      expect(existsSync(join(root, pack, "PulumiPolicy.yaml")), `${pack}/PulumiPolicy.yaml`).toBe(true);
    }
  });

  it("pins every action to a major version and uses pulumi/actions@v7 with its documented inputs", () => {
    for (const s of steps(w).filter((s) => s.uses)) expect(s.uses).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
    for (const s of steps(w).filter((s) => s.uses?.startsWith("pulumi/actions"))) {
      expect(s.uses).toBe("pulumi/actions@v7");
      for (const k of Object.keys(s.with ?? {})) expect(PULUMI_ACTION_INPUTS).toContain(k);
      expect(s.with!.policyPacks!.split("\n").filter(Boolean)).toEqual(["policies/portability", "policies/cost", "policies/preflight"]);
      // It does not install dependencies: an npm ci must come first in the same job.
      const job = Object.values(w.jobs).find((j) => j.steps.includes(s))!;
      expect(job.steps.slice(0, job.steps.indexOf(s)).some((p) => p.run?.includes("npm ci"))).toBe(true);
    }
  });

  it("grants the token read-only access by default", () => {
    expect(w.permissions).toEqual({ contents: "read" });
    for (const job of Object.values(w.jobs)) for (const level of Object.values(job.permissions ?? {})) expect(["read", "write", "none"]).toContain(level);
  });
});

describe("pull-request workflow", () => {
  const w = load("pull-request.yml");
  const run = scripts(w);

  it("runs on pull requests: install, type-check, test, then plans dev and prod as JSON and Markdown", () => {
    expect(Object.keys(w.on)).toEqual(["pull_request"]);
    expect(run).toMatch(/npm ci/);
    expect(run).toMatch(/npm run typecheck/);
    expect(run).toMatch(/vitest run/);
    expect(run).toMatch(/for stack in dev prod/);
    expect(run).toMatch(/tricloud\.cjs plan --stack "\$stack" --format json/);
    expect(run).toMatch(/tricloud\.cjs plan --stack "\$stack" --format markdown/);
  });

  it("diffs cost against the base branch checked out into a subfolder", () => {
    const checkouts = w.jobs.check!.steps.filter((s) => s.uses?.startsWith("actions/checkout"));
    expect(checkouts.map((s) => s.with?.path)).toEqual(["head", "base"]);
    expect(checkouts[1]!.with!.ref).toBe("${{ github.event.pull_request.base.sha }}");
    expect(w.jobs.check!.steps.find((s) => s["working-directory"] === "base" && s.run?.includes("plan"))).toBeDefined();
    expect(run).toMatch(/cost diff --base "\.\.\/reports\/base-\$stack\.json" --head "\.\.\/reports\/head-\$stack\.json" --format markdown/);
  });

  it("posts one comment, updated in place, from the file the report step writes", () => {
    const post = w.jobs.check!.steps.filter((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment"));
    expect(post).toHaveLength(1);
    expect(post[0]!.with).toMatchObject({ header: "tricloud-plan", path: "reports/comment.md" });
    expect(post[0]!.if).toBe(FORK_GUARD);
    expect(run).toContain('out=../reports/comment.md');
    expect(w.jobs.check!.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  });

  it("fails on a mandatory violation (plan exit 1) after reporting it, and stops on bad config (exit 2)", () => {
    const fail = w.jobs.check!.steps.at(-1)!;
    expect(fail.if).toBe("steps.plan.outputs.dev != '0' || steps.plan.outputs.prod != '0'");
    expect(fail.run).toMatch(/exit 1/);
    expect(run).toMatch(/if \[ "\$code" -ge 2 \]; then .* exit "\$code"; fi/);
  });

  it("runs the real preview only with credentials and never on forks", () => {
    const preview = w.jobs.preview!;
    expect(preview.if).toBe(FORK_GUARD);
    const action = preview.steps.find((s) => s.uses === "pulumi/actions@v7")!;
    expect(action.with).toMatchObject({ command: "preview", "stack-name": "${{ matrix.stack }}", "comment-on-pr": false });
    expect(action.if).toBe("steps.creds.outputs.present == 'true'");
    expect(preview.steps.find((s) => s.name === "Credentials present?")!.run).toContain('[ -n "$PULUMI_ACCESS_TOKEN" ]');
  });

  it("the tricloud commands it calls exist", () => {
    const help = (args: string[]) => execFileSync(process.execPath, [join(root, "bin", "tricloud.cjs"), ...args], { cwd: root, encoding: "utf8" });
    expect(help(["plan", "--help"])).toMatch(/usage: tricloud plan/);
    expect(help(["cost", "diff", "--help"])).toMatch(/usage: tricloud cost diff/);
  });
});

describe("deploy workflow", () => {
  const w = load("deploy.yml");

  it("deploys on pushes to main: dev first, then prod behind the production environment", () => {
    expect(w.on.push).toEqual({ branches: ["main"] });
    expect(w.jobs.prod!.needs).toBe("dev");
    expect(w.jobs.prod!.environment).toBe("production");
    for (const stack of ["dev", "prod"]) {
      const up = w.jobs[stack]!.steps.find((s) => s.uses === "pulumi/actions@v7")!;
      expect(up.with).toMatchObject({ command: "up", "stack-name": stack });
      // The offline plan gates the deploy.
      expect(w.jobs[stack]!.steps.some((s) => s.run === `npm run plan -- --stack ${stack}`)).toBe(true);
    }
  });

  it("never runs two deploys of one stack at once, and never cancels one halfway", () => {
    for (const stack of ["dev", "prod"]) expect(w.jobs[stack]!.concurrency).toEqual({ group: `deploy-${stack}`, "cancel-in-progress": false });
  });
});
