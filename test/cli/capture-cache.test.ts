import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CAPTURE_CACHE_ENV, readCapture, writeCapture } from "../../cli/plan/capture-cache";
import { loadPlanInput, runProgramUnderMocks } from "../../cli/plan/run";

const projectDir = join(__dirname, "..", "..");
const suiteCache = process.env[CAPTURE_CACHE_ENV];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tricloud-capture-"));
});
afterAll(() => {
  if (suiteCache === undefined) delete process.env[CAPTURE_CACHE_ENV];
  else process.env[CAPTURE_CACHE_ENV] = suiteCache;
  rmSync(dir, { recursive: true, force: true });
});

const input = (overrides: Record<string, string> = {}) => ({
  project: "tricloud",
  stack: "dev",
  flatConfig: { "tricloud:environment": "dev", ...overrides },
  secretKeys: [],
});
const capture = (n: number) => ({
  resources: [{ urn: `u${n}` }],
  engine: { outputs: new Map([[`u${n}`, { id: n }]]), protect: new Set([`u${n}`]) },
});

describe("the capture cache (TRICLOUD_PLAN_CACHE)", () => {
  it("gives back exactly what the program captured: a second run of the same inputs reads it", async () => {
    process.env[CAPTURE_CACHE_ENV] = dir;
    const planInput = loadPlanInput({ stack: "dev", projectDir });
    const fresh = await runProgramUnderMocks(planInput);
    expect(readdirSync(dir)).toHaveLength(1);
    const again = await runProgramUnderMocks(planInput);
    expect(again).not.toBe(fresh);
    expect(again).toEqual(fresh);
  });

  it("keys a capture by every input: another config value or stack misses", () => {
    process.env[CAPTURE_CACHE_ENV] = dir;
    writeCapture(input(), capture(1));
    expect(readCapture(input())).toEqual(capture(1));
    expect(readCapture(input({ "tricloud:logRetentionDays": "60" }))).toBeUndefined();
    expect(readCapture({ ...input(), stack: "prod" })).toBeUndefined();
    expect(readCapture({ ...input(), secretKeys: ["tricloud:x"] })).toBeUndefined();
  });

  it("reads and writes nothing when unset", () => {
    delete process.env[CAPTURE_CACHE_ENV];
    const before = readdirSync(dir).length;
    writeCapture(input({ "tricloud:domain": "unset.example" }), capture(2));
    expect(readdirSync(dir)).toHaveLength(before);
    expect(readCapture(input())).toBeUndefined();
  });

  it("two plans of one config at once run the program once; the one that waited loads no Pulumi SDK", async () => {
    const cache = mkdtempSync(join(dir, "shared-"));
    const hook = join(dir, "list-modules.cjs");
    writeFileSync(
      hook,
      `process.on("exit", () => require("fs").writeFileSync(require("path").join(${JSON.stringify(cache)}, "modules-" + process.pid + ".list"), Object.keys(require.cache).join("\\n")));`,
    );
    const plan = () =>
      new Promise<number | null>((done) => {
        const child = spawn(
          process.execPath,
          [join(projectDir, "bin", "tricloud.cjs"), "plan", "--stack", "dev", "--format", "json"],
          {
            cwd: projectDir,
            stdio: "ignore",
            env: { ...process.env, [CAPTURE_CACHE_ENV]: cache, NODE_OPTIONS: `--require ${hook}` },
          },
        );
        child.on("exit", (code) => done(code));
      });
    expect(await Promise.all([plan(), plan()])).toEqual([0, 0]);
    const lists = readdirSync(cache)
      .filter((f) => f.startsWith("modules-"))
      .map((f) => readFileSync(join(cache, f), "utf8").split("\n"));
    expect(lists).toHaveLength(2);
    const pulumiModules = (list: string[]) => list.filter((m) => /\/node_modules\/@pulumi(verse)?\//.test(m));
    const ran = lists.filter((l) => pulumiModules(l).some((m) => m.includes("/node_modules/@pulumi/aws/")));
    expect(ran).toHaveLength(1);
    // The other read the capture: the policy packs' unknown-value proxy is the one Pulumi module it loaded.
    const waited = lists.find((l) => !ran.includes(l))!;
    expect(pulumiModules(waited)).toEqual([expect.stringMatching(/\/node_modules\/@pulumi\/policy\/proxy\.js$/)]);
    expect(readdirSync(cache).filter((f) => f.endsWith(".lock"))).toEqual([]);
  });
});
