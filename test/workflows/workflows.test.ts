import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { planStack } from "../helpers/plan";

const root = join(__dirname, "..", "..");
type Step = {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
  "working-directory"?: string;
};
type Job = {
  env?: Record<string, string>;
  if?: string;
  needs?: string | string[];
  environment?: string;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  permissions?: Record<string, string>;
  steps: Step[];
};
type Workflow = { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, Job> };

const load = (file: string) => parse(readFileSync(join(root, ".github", "workflows", file), "utf8")) as Workflow;
const FILES = ["pull-request.yml", "deploy.yml"];
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const scripts = (w: Workflow) =>
  steps(w)
    .map((s) => s.run ?? "")
    .join("\n");
const FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository";
/**
 * Every third-party action, pinned by the commit its release tag points at (read from the
 * action's repository with `git show-ref --tags`), and the inputs its action.yml at that
 * commit declares: a `with:` key outside them would be ignored with only a warning.
 */
const PINS: Record<string, { sha: string; tag: string; inputs: readonly string[] }> = {
  "actions/checkout": {
    sha: "3d3c42e5aac5ba805825da76410c181273ba90b1",
    tag: "v7.0.1",
    inputs: ["repository", "ref", "token", "path", "fetch-depth", "persist-credentials"],
  },
  "actions/setup-node": {
    sha: "820762786026740c76f36085b0efc47a31fe5020",
    tag: "v7.0.0",
    inputs: ["node-version", "node-version-file", "cache", "cache-dependency-path", "registry-url"],
  },
  "pulumi/actions": {
    sha: "8e5e406f4007fca908480587cb9893c07090f58d",
    tag: "v7.0.0",
    inputs: [
      "command",
      "stack-name",
      "work-dir",
      "comment-on-pr",
      "edit-pr-comment",
      "github-token",
      "policyPacks",
      "policyPackConfigs",
      "cloud-url",
      "refresh",
      "diff",
      "expect-no-changes",
    ],
  },
  "marocchino/sticky-pull-request-comment": {
    sha: "5770ad5eb8f42dd2c4f34da00c94c5381e49af88",
    tag: "v3.0.5",
    inputs: ["header", "path", "message", "recreate", "number"],
  },
  "aws-actions/configure-aws-credentials": {
    sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
    tag: "v6.2.3",
    inputs: ["aws-region", "role-to-assume", "role-session-name", "role-duration-seconds", "audience"],
  },
  "azure/login": {
    sha: "f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca",
    tag: "v3.0.1",
    inputs: ["client-id", "tenant-id", "subscription-id", "environment", "audience", "allow-no-subscriptions"],
  },
  "oras-project/setup-oras": {
    sha: "38de303aac69abb66f3e6255b7198bff35f323e3",
    tag: "v2.0.0",
    inputs: ["version", "url", "checksum"],
  },
  "google-github-actions/auth": {
    sha: "7c6bc770dae815cd3e89ee6cdf493a5fab2cc093",
    tag: "v3.0.0",
    inputs: ["workload_identity_provider", "service_account", "project_id", "audience"],
  },
};
const raw = (file: string) => readFileSync(join(root, ".github", "workflows", file), "utf8");
const actionOf = (uses: string) => uses.split("@")[0]!;

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
      ...steps(w).flatMap((s) =>
        (s.with?.policyPacks ?? "")
          .split(/[\n,]/)
          .map((x) => x.trim())
          .filter(Boolean),
      ),
      ...steps(w).flatMap((s) =>
        (s.with?.["cache-dependency-path"] ?? "")
          .split("\n")
          .map((x) => x.trim())
          .filter(Boolean)
          .map(local),
      ),
    ];
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) expect(existsSync(join(root, p)), p).toBe(true);
    for (const pack of steps(w).flatMap((s) =>
      (s.with?.policyPacks ?? "")
        .split("\n")
        .map((x) => x.trim())
        .filter(Boolean),
    )) {
      expect(existsSync(join(root, pack, "PulumiPolicy.yaml")), `${pack}/PulumiPolicy.yaml`).toBe(true);
    }
  });

  it("pins every action by full commit SHA with its release tag in a comment, and passes only inputs its action.yml declares", () => {
    const used = steps(w).filter((s) => s.uses);
    expect(used.length).toBeGreaterThan(0);
    for (const s of used) {
      const pin = PINS[actionOf(s.uses!)];
      expect(pin, s.uses).toBeDefined();
      expect(s.uses).toBe(`${actionOf(s.uses!)}@${pin!.sha}`);
      for (const k of Object.keys(s.with ?? {})) expect(pin!.inputs, `${s.uses} with.${k}`).toContain(k);
    }
    for (const line of raw(file)
      .split("\n")
      .filter((l) => /\buses: /.test(l))) {
      const uses = line.replace(/^.*uses: /, "").split(" ")[0]!;
      expect(line, "tag comment").toMatch(
        new RegExp(`@${PINS[actionOf(uses)]!.sha} # ${PINS[actionOf(uses)]!.tag.replace(/\./g, "\\.")}$`),
      );
    }
    for (const s of steps(w).filter((s) => s.uses?.startsWith("pulumi/actions"))) {
      expect(s.with!.policyPacks!.split("\n").filter(Boolean)).toEqual([
        "policies/portability",
        "policies/cost",
        "policies/preflight",
      ]);
      // It does not install dependencies: an npm ci must come first in the same job.
      const job = Object.values(w.jobs).find((j) => j.steps.includes(s))!;
      const before = job.steps.slice(0, job.steps.indexOf(s));
      expect(before.some((p) => p.run?.includes("npm ci"))).toBe(true);
      // Each pack gets its config file (pulumi/actions: policyPackConfigs, one path per policyPacks line, in order),
      // written from the same stack by a step before it: without it the packs run on their defaults.
      const configs = (s.with!.policyPackConfigs ?? "").split("\n").filter(Boolean);
      expect(configs.map((c) => c.split("/").pop())).toEqual(["portability.json", "cost.json", "preflight.json"]);
      const dir = configs[0]!.replace(/\/portability\.json$/, "").replace("${{ runner.temp }}", "$RUNNER_TEMP");
      const writer = before.find((p) => p.run?.includes("tricloud policy-config"));
      expect(writer?.run).toContain(`--out "${dir}"`);
      expect(writer?.run).toContain(
        `--stack ${s.with!["stack-name"]!.startsWith("$") ? '"${{ matrix.stack }}"' : s.with!["stack-name"]}`,
      );
      for (const c of configs) expect(c.startsWith(configs[0]!.replace(/portability\.json$/, ""))).toBe(true);
    }
  });

  it("signs in to the clouds by OIDC federation only: no long-lived cloud keys, id-token where a cloud is reached", () => {
    const text = raw(file);
    for (const key of [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "ARM_CLIENT_SECRET",
      "GOOGLE_CREDENTIALS",
      "credentials_json",
      "creds:",
    ])
      expect(text).not.toContain(key);
    for (const job of Object.values(w.jobs).filter((j) => j.steps.some((s) => s.uses?.startsWith("pulumi/actions")))) {
      expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
      expect(job.environment).toBeTruthy();
      const names = job.steps.map((s) => (s.uses ? actionOf(s.uses) : ""));
      const pulumiAt = names.indexOf("pulumi/actions");
      for (const signIn of ["aws-actions/configure-aws-credentials", "azure/login", "google-github-actions/auth"]) {
        expect(names.indexOf(signIn), signIn).toBeGreaterThan(-1);
        expect(names.indexOf(signIn), signIn).toBeLessThan(pulumiAt);
      }
      const step = (a: string) => job.steps.find((s) => s.uses?.startsWith(a))!;
      expect(step("aws-actions/configure-aws-credentials").with!["role-to-assume"]).toBe("${{ vars.AWS_ROLE_ARN }}");
      expect(step("azure/login").with).toMatchObject({
        "client-id": "${{ vars.AZURE_CLIENT_ID }}",
        "tenant-id": "${{ vars.AZURE_TENANT_ID }}",
        "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}",
      });
      expect(step("google-github-actions/auth").with!.workload_identity_provider).toBe(
        "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}",
      );
      // The azure-native provider takes the GitHub token itself (ARM_USE_OIDC); the az CLI login does not reach it.
      expect(job.env).toMatchObject({ ARM_USE_OIDC: "true", ARM_CLIENT_ID: "${{ vars.AZURE_CLIENT_ID }}" });
    }
  });

  it("runs Node 22, a supported LTS (Node 20 reached its end of life in April 2026; kubernetes-models needs 22)", () => {
    for (const file of FILES) {
      const steps = Object.values(load(file).jobs).flatMap((j) => j.steps);
      const setups = steps.filter((s) => s.uses?.startsWith("actions/setup-node@"));
      expect(setups.length).toBeGreaterThan(0);
      for (const s of setups) expect(s.with!["node-version"]).toBe(22);
    }
  });

  it("grants the token read-only access by default", () => {
    expect(w.permissions).toEqual({ contents: "read" });
    for (const job of Object.values(w.jobs))
      for (const level of Object.values(job.permissions ?? {})) expect(["read", "write", "none"]).toContain(level);
  });
});

describe("pull-request workflow", () => {
  const w = load("pull-request.yml");
  const run = scripts(w);

  it("runs on pull requests: install, type-check, test, then plans dev, staging and prod as JSON", () => {
    expect(Object.keys(w.on)).toEqual(["pull_request"]);
    expect(run).toMatch(/npm ci/);
    expect(run).toMatch(/npm run typecheck/);
    expect(run).toMatch(/vitest run/);
    expect(run).toMatch(/for stack in dev staging prod/);
    expect(run).not.toMatch(/for stack in dev prod/);
    expect(run).toMatch(/tricloud\.cjs plan --stack "\$stack" --format json/);
  });

  it("diffs cost against the base branch checked out into a subfolder", () => {
    const checkouts = w.jobs.check!.steps.filter((s) => s.uses?.startsWith("actions/checkout"));
    expect(checkouts.map((s) => s.with?.path)).toEqual(["head", "base"]);
    expect(checkouts[1]!.with!.ref).toBe("${{ github.event.pull_request.base.sha }}");
    expect(w.jobs.check!.steps.find((s) => s["working-directory"] === "base" && s.run?.includes("plan"))).toBeDefined();
    expect(run).toMatch(
      /cost diff --base "\.\.\/reports\/base-\$stack\.json" --head "\.\.\/reports\/head-\$stack\.json" --format markdown/,
    );
  });

  it("posts one comment, updated in place, from the file the report step writes", () => {
    const post = w.jobs.check!.steps.filter((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment"));
    expect(post).toHaveLength(1);
    expect(post[0]!.with).toMatchObject({ header: "tricloud-plan", path: "reports/comment.md" });
    expect(post[0]!.if).toBe(FORK_GUARD);
    expect(run).toContain(
      'node bin/tricloud.cjs comment --head ../reports/head-dev.json --head ../reports/head-staging.json --head ../reports/head-prod.json "${bases[@]}" > ../reports/comment.md',
    );
    expect(run).toContain(
      "bases=(--base ../reports/base-dev.json --base ../reports/base-staging.json --base ../reports/base-prod.json)",
    );
    expect(w.jobs.check!.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  });

  it("fails on a mandatory violation (plan exit 1) after reporting it, and stops on bad config (exit 2)", () => {
    const fail = w.jobs.check!.steps.at(-1)!;
    expect(fail.if).toBe(
      "steps.plan.outputs.dev != '0' || steps.plan.outputs.staging != '0' || steps.plan.outputs.prod != '0'",
    );
    expect(fail.run).toMatch(/exit 1/);
    expect(run).toMatch(/if \[ "\$code" -ge 2 \]; then .* exit "\$code"; fi/);
  });

  it("runs the real preview only with credentials and never on forks", () => {
    const preview = w.jobs.preview!;
    expect(preview.if).toBe(FORK_GUARD);
    expect(preview.environment).toBe("preview");
    const action = preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(action.with).toMatchObject({
      command: "preview",
      "stack-name": "${{ matrix.stack }}",
      "comment-on-pr": false,
    });
    expect(action.if).toBe("steps.creds.outputs.present == 'true'");
    expect((preview as Job & { strategy: { matrix: { stack: string[] } } }).strategy.matrix.stack).toEqual([
      "dev",
      "staging",
      "prod",
    ]);
    expect(preview.steps.find((s) => s.name === "Credentials present?")!.run).toContain(
      '[ -n "$PULUMI_ACCESS_TOKEN" ]',
    );
  });

  it("the tricloud commands it calls exist", () => {
    const help = (args: string[]) =>
      execFileSync(process.execPath, [join(root, "bin", "tricloud.cjs"), ...args], { cwd: root, encoding: "utf8" });
    expect(help(["plan", "--help"])).toMatch(/usage: tricloud plan/);
    expect(help(["cost", "diff", "--help"])).toMatch(/usage: tricloud cost diff/);
    expect(help(["comment", "--help"])).toMatch(/usage: tricloud comment/);
  });
});

describe("deploy workflow", () => {
  const w = load("deploy.yml");
  const STACKS = ["dev", "staging", "prod"] as const;

  it("deploys on pushes to main: dev, then staging, then prod behind the production environment", () => {
    expect(w.on.push).toEqual({ branches: ["main"] });
    expect(Object.keys(w.jobs)).toEqual([...STACKS]);
    expect(w.jobs.staging!.needs).toBe("dev");
    expect(w.jobs.prod!.needs).toBe("staging");
    expect(STACKS.map((s) => w.jobs[s]!.environment)).toEqual(["development", "staging", "production"]);
    for (const stack of STACKS) {
      const up = w.jobs[stack]!.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
      expect(up.with).toMatchObject({ command: "up", "stack-name": stack });
      // The offline plan gates the deploy.
      expect(w.jobs[stack]!.steps.some((s) => s.run === `npm run plan -- --stack ${stack}`)).toBe(true);
      // AWS keys are never refreshed within a job: they must outlast a long first deploy (docs/ci-oidc.md).
      const aws = w.jobs[stack]!.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
      expect(aws.with!["role-duration-seconds"]).toBe(10800);
      // The job ends before those keys do: a stuck step fails the job instead of running on with expired keys.
      const minutes = (w.jobs[stack] as unknown as { "timeout-minutes"?: number })["timeout-minutes"];
      expect(minutes).toBeLessThan(10800 / 60);
    }
    // A manual run deploys main only: the environments' OIDC subjects do not name the branch.
    expect((w.jobs.dev as unknown as { if?: string }).if).toBe("github.ref == 'refs/heads/main'");
  });

  it("never runs two deploys of one stack at once, and never cancels one halfway", () => {
    for (const stack of STACKS)
      expect(w.jobs[stack]!.concurrency).toEqual({ group: `deploy-${stack}`, "cancel-in-progress": false });
  });

  it("publishes each stack's manifests after its pulumi up, from that stack's outputs", () => {
    for (const stack of STACKS) {
      const steps = w.jobs[stack]!.steps;
      const up = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
      const oras = steps.findIndex((s) => s.uses?.startsWith("oras-project/setup-oras@"));
      const publish = steps.findIndex((s) => s.name === "Publish manifests");
      expect(up).toBeGreaterThan(-1);
      expect(oras).toBeGreaterThan(up);
      expect(publish).toBeGreaterThan(oras);
      const run = steps[publish]!.run!;
      const file = `"$RUNNER_TEMP/outputs-${stack}.json"`;
      expect(run).toContain(`pulumi stack output --json --stack ${stack} > ${file}`);
      expect(run).toContain(`node scripts/publish-manifests.mjs --outputs ${file}`);
    }
  });

  it("copies the mesh's reader tokens after the publish, from the same outputs file, waiting for a first deploy's pushes", () => {
    for (const stack of STACKS) {
      const steps = w.jobs[stack]!.steps;
      const publish = steps.findIndex((s) => s.name === "Publish manifests");
      const copy = steps.findIndex((s) => s.name === "Copy the mesh's reader tokens");
      expect(copy).toBe(publish + 1);
      expect(steps[copy]!.run).toBe(
        `node scripts/copy-reader-tokens.mjs --outputs "$RUNNER_TEMP/outputs-${stack}.json" --wait-seconds 900`,
      );
    }
  });

  it.each(STACKS)("the outputs the copy step reads are ones the %s stack really exports", async (stack) => {
    const { storesOf, copyPlan } = await import("../../scripts/copy-reader-tokens.mjs");
    const outputs = (await planStack(stack)).outputs as any;
    const copies = copyPlan(storesOf(outputs));
    // dev: the VPN is off, nothing to copy; staging and prod: each of the three clusters' tokens to both peers.
    expect(copies.map((c) => `${c.from.cloud}->${c.to.cloud}`)).toEqual(
      stack === "dev" ? [] : ["aws->azure", "aws->gcp", "azure->aws", "azure->gcp", "gcp->aws", "gcp->azure"],
    );
  });

  it.each(STACKS)("the outputs the publish step reads are ones the %s stack really exports", async (stack) => {
    const { publishPlan } = await import("../../scripts/publish-manifests.mjs");
    const outputs = (await planStack(stack)).outputs;
    const steps = publishPlan(outputs, "/w");
    // One upload for AKS, one push each for GKE and EKS: nothing left unresolved.
    const cmds = steps.filter((s) => s.argv).map((s) => s.argv!.join(" "));
    expect(cmds.filter((c) => c.startsWith("az storage blob upload-batch"))).toHaveLength(1);
    expect(cmds.filter((c) => c.startsWith("oras push"))).toHaveLength(2);
    expect(cmds.join("\n")).not.toMatch(/undefined|null|\[object/);
  });
});

/**
 * docs/ci-oidc.md sets up the identities the workflows sign in as; what the program and the scripts call must be in
 * what it grants them (a preview that reads a cluster's kubeconfig, quota billed to the project, the reader-token copy).
 */
describe("docs/ci-oidc.md grants what the program and scripts call", () => {
  const doc = readFileSync(join(root, "docs", "ci-oidc.md"), "utf8");
  const source = (path: string) => readFileSync(join(root, path), "utf8");

  it("the Azure preview identity may list the AKS user credentials the program reads", () => {
    expect(source("components/azure/cluster.ts")).toContain("listManagedClusterUserCredentialsOutput");
    expect(doc).toMatch(
      /az role assignment create --assignee "\$app" --role "Azure Kubernetes Service Cluster User Role"/,
    );
  });

  it("the GCP preview identity may bill quota to the project, which every stack file asks for", () => {
    for (const stack of ["dev", "staging", "prod"])
      expect(source(`Pulumi.${stack}.yaml`)).toMatch(/gcp:userProjectOverride: "true"/);
    expect(doc).toMatch(
      /--role=roles\/serviceusage\.serviceUsageConsumer \\\n\s+--member=serviceAccount:tricloud-ci-preview@/,
    );
  });

  it("the GCP deploy identities may read and add the reader tokens' versions the copy step reads and writes", () => {
    const script = source("scripts/copy-reader-tokens.mjs");
    expect(script).toContain("versions");
    const deploy = doc.slice(doc.indexOf("The deploy service accounts"), doc.indexOf("## Publishing the manifests"));
    expect(deploy).toContain("`roles/secretmanager.secretAccessor`");
    expect(deploy).toContain("`roles/secretmanager.secretVersionAdder`");
  });
});
