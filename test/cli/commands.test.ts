import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../cli/main";
import { PREFLIGHT_RULES } from "../../policies/preflight/rules/index";
import { costConfigFor, portabilityConfigFor } from "../../policies/stack-config";
import { stackConfig } from "../helpers/platform";

const root = join(__dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "tricloud-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real bin, as a user runs it. */
function tricloud(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "bin", "tricloud.cjs"), ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const leaves = COMMANDS.flatMap((c) => (c.subcommands ? c.subcommands : [c]));

describe("tricloud: one parser and help layer for every command", () => {
  it("prints its version", () => {
    const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
    for (const flag of ["--version", "-v"]) {
      const r = tricloud(flag);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`tricloud ${version} (node ${process.version})\n`);
    }
  });

  it("bare tricloud lists the commands on stderr and exits 2; --help on stdout and exits 0", () => {
    const bare = tricloud();
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^tricloud: expected a command\n/);
    const help = tricloud("--help");
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${c.name} +\\S`, "m"));
    expect(help.stdout).toMatch(/^exit codes \(every command\):$/m);
  });

  it.each(leaves.map((c) => [c.name]))("tricloud %s --help documents every flag and the exit codes", (name) => {
    const spec = leaves.find((c) => c.name === name)!;
    const r = tricloud(...name.split(" "), "--help");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(new RegExp(`^usage: tricloud ${name} `));
    for (const flag of Object.keys(spec.flags ?? {})) expect(r.stdout).toContain(`--${flag}`);
    const codes = r.stdout.slice(r.stdout.indexOf("\nexit codes:\n"));
    expect(codes.length).toBeGreaterThan(14);
    for (const code of Object.keys(spec.exitCodes)) expect(codes).toMatch(new RegExp(`^  ${code}  \\S`, "m"));
  });

  it.each(["cost", "audit"])("bare tricloud %s names its subcommands, prints its usage and exits 2", (name) => {
    const r = tricloud(name);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(`^tricloud ${name}: expected a subcommand: \\w+\\n\\nusage: tricloud ${name} <subcommand>`),
    );
    expect(r.stderr).toMatch(/^exit codes:$/m);
  });

  // The one error form: `tricloud <command>: <flag>: <what was expected>`, then where the help is.
  it.each([
    ["plan", "--stack"],
    ["cost diff", "--base"],
    ["audit verify", "--node"],
    ["keygen", "--out"],
    ["node", "--cloud"],
    ["local", "--base-port"],
  ])("tricloud %s %s (no value) names the flag and its expected form", (command, flag) => {
    const r = tricloud(...command.split(" "), flag);
    expect(r.code).toBe(2);
    const form = leaves.find((c) => c.name === command)!.flags![flag.slice(2)]!.value!;
    expect(r.stderr).toBe(
      `tricloud ${command.split(" ")[0]}: ${flag}: expected a value, as in ${flag} ${form}\n(see \`tricloud ${command} --help\` for the flags and exit codes)\n`,
    );
  });

  it.each([
    [
      ["plan", "--stack", "dev", "--stack", "prod"],
      /^tricloud plan: --stack: given more than once; expected it once\n/,
    ],
    [["plan", "dev"], /^tricloud plan: unexpected argument "dev"; expected flags only \(--stack, /],
    [
      ["plan", "--stack", "--format", "json"],
      /^tricloud plan: --stack: expected a value, as in --stack <name>, got the flag "--format"/,
    ],
    [
      ["plan", "--stack", "dev", "--progress", "sometimes"],
      /^tricloud plan: --progress: expected one of auto, always, never, got "sometimes"\n/,
    ],
    [["keygen", "--out", dir, "--force=yes"], /^tricloud keygen: --force: takes no value, got "yes"\n/],
    [["keygen", "--nope"], /^tricloud keygen: --nope: unknown flag; expected one of --out, --force, --help\n/],
    [["cost", "forecast"], /^tricloud cost: unknown subcommand "forecast"; expected diff\n/],
    [["node", "--cloud", "aws"], /^tricloud node: --port: required \(an integer from 0 to 65535\), as in --port N\n/],
    [
      ["local", "--base-port", "70000"],
      /^tricloud local: --base-port: expected an integer from 1 to 65533, got "70000"\n/,
    ],
    [["frobnicate"], /^tricloud: unknown command "frobnicate"; expected one of: plan, /],
  ])("bad usage %j exits 2 in the one error form", (args, message) => {
    const r = tricloud(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/\n\(see `tricloud [\w ]*--help` for the flags and exit codes\)\n$/);
  });

  it("keygen into a directory that already holds keys names --out", () => {
    const out = join(dir, "keys");
    expect(tricloud("keygen", "--out", out).code).toBe(0);
    const again = tricloud("keygen", "--out", out);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^tricloud keygen: --out: .* already holds keys; pass --force to replace them\n/);
  });
});

describe("tricloud policy-config: the packs' config for the real CLI", () => {
  it("writes the config tricloud plan derives, one preflight entry per rule, and names a bad flag or key", () => {
    const out = join(dir, "policy-prod");
    const r = tricloud("policy-config", "--stack", "prod", "--out", out);
    expect(r.code).toBe(0);
    const read = (f: string) => JSON.parse(readFileSync(join(out, f), "utf8")) as Record<string, any>;
    const config = stackConfig("prod");
    expect(read("portability.json")).toEqual(JSON.parse(JSON.stringify(portabilityConfigFor(config))));
    expect(read("cost.json")).toEqual(JSON.parse(JSON.stringify(costConfigFor(config))));
    const preflight = read("preflight.json");
    expect(Object.keys(preflight).sort()).toEqual(PREFLIGHT_RULES.map((x) => x.name).sort());
    // No date unless asked: the pack judges support windows on the day it runs.
    expect(preflight["preflight-cloudflare-lb-monitor-interval-plan"]).toEqual({
      cloudflarePlan: config.tricloud.traffic.cloudflarePlan,
      environment: "prod",
      awsLambdaConcurrency: config.tricloud.functions.awsAccountConcurrency,
      istioVersion: config.tricloud.mesh.istioVersion,
    });
    const dated = tricloud("policy-config", "--stack", "prod", "--out", out, "--as-of", "2027-06-01");
    expect(dated.code).toBe(0);
    expect(read("preflight.json")["preflight-versions-kubernetes-not-offered"].asOf).toBe("2027-06-01");
    const badDate = tricloud("policy-config", "--stack", "prod", "--out", out, "--as-of", "2027-13-01");
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/^tricloud policy-config: --as-of: expected a date YYYY-MM-DD/);
    const badKey = tricloud("policy-config", "--stack", "prod", "--out", out, "-c", "tricloud:environment=qa");
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/tricloud:environment/);
  });
});

describe("tricloud node and local: errors that name the flag", () => {
  const keys = join(dir, "node-keys");
  let holder: Server;
  let heldPort = 0;
  beforeAll(async () => {
    expect(tricloud("keygen", "--out", keys).code).toBe(0);
    holder = createServer();
    await new Promise<void>((done) => holder.listen(0, "127.0.0.1", done));
    heldPort = (holder.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((done) => holder.close(() => done())));

  it("--database-url to a dead server: exit 2 naming the flag, the password hidden", () => {
    const r = tricloud(
      "node",
      "--cloud",
      "aws",
      "--port",
      "0",
      "--keys",
      keys,
      "--log-level",
      "silent",
      "--database-url",
      "postgres://app:s3cret@127.0.0.1:1/test",
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^tricloud node: --database-url: cannot use postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/test: .*ECONNREFUSED.*; expected a reachable PostgreSQL server\n/,
    );
    expect(r.stderr).not.toContain("s3cret");
  });

  it("--database-url that is not a PostgreSQL URL", () => {
    const r = tricloud("node", "--cloud", "aws", "--port", "0", "--keys", keys, "--database-url", "mysql://x");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^tricloud node: --database-url: expected postgres:\/\/user@host:port\/db, got "mysql:\/\/x"\n/,
    );
  });

  it("--port in use: exit 2 naming the flag", () => {
    const r = tricloud("node", "--cloud", "aws", "--port", String(heldPort), "--keys", keys, "--log-level", "silent");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^tricloud node: --port: 127\\.0\\.0\\.1:${heldPort} is already in use; expected a free port`),
    );
  });

  it("local: a port in use is reported before anything starts, with another --base-port to try", () => {
    const r = tricloud("local", "--base-port", String(heldPort));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(
        `^tricloud local: --base-port: 127\\.0\\.0\\.1:${heldPort} \\(another program\\) is in use; pick a free range, e.g. --base-port ${heldPort + 100}\\n`,
      ),
    );
  });
});

describe("tricloud plan --usage with a bad file", () => {
  it("names the flag and the file", () => {
    const bad = join(dir, "usage.json");
    writeFileSync(bad, "{not json");
    const r = tricloud("plan", "--stack", "dev", "--usage", bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^tricloud plan: --usage: expected low, medium, high or a usage file, but cannot read ".*usage\.json"/,
    );
  });
});

describe("the bin's TypeScript hook", () => {
  it("keeps source maps: a stack trace names the .ts file and its line", () => {
    const r = spawnSync(
      process.execPath,
      [
        "-r",
        join(root, "bin", "register.cjs"),
        "-e",
        `try { require(${JSON.stringify(join(__dirname, "fixtures", "throws.ts"))}).fail(); } catch (e) { console.log(e.stack); }`,
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(r.stdout).toMatch(/^Error: thrown on purpose\n {4}at fail \(.*test\/cli\/fixtures\/throws\.ts:4:9\)\n/);
  });
});

describe("tricloud local: another instance on the ports", () => {
  it("is named as a tricloud node, not taken for three nodes up", async () => {
    const keys = join(dir, "other-keys");
    expect(tricloud("keygen", "--out", keys).code).toBe(0);
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((done) => probe.close(() => done()));
    const node = spawn(
      process.execPath,
      [
        join(root, "bin", "tricloud.cjs"),
        "node",
        "--cloud",
        "aws",
        "--port",
        String(port),
        "--keys",
        keys,
        "--log-level",
        "silent",
      ],
      { cwd: root, stdio: "ignore" },
    );
    try {
      let up = false;
      for (let i = 0; i < 120 && !up; i++) {
        up = await fetch(`http://127.0.0.1:${port}/health`).then(
          () => true,
          () => false,
        );
        if (!up) await new Promise((r) => setTimeout(r, 250));
      }
      expect(up).toBe(true);
      const r = tricloud("local", "--base-port", String(port));
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      // The port was drawn from the ephemeral range, so on a busy machine the next two may be
      // another program's connection at this moment: the message then lists them too.
      expect(r.stderr).toMatch(
        new RegExp(
          `^tricloud local: --base-port: 127\\.0\\.0\\.1:${port} \\(a tricloud aws node answers there\\)(, 127\\.0\\.0\\.1:\\d+ \\(another program\\))* (is|are) in use; is another \`tricloud local\` running\\? Stop it \\(Ctrl-C\\) or pick a free range, e\\.g\\. --base-port ${port + 100}\\n`,
        ),
      );
    } finally {
      node.kill("SIGTERM");
    }
  }, 60_000);
});
