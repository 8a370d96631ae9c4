import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const cacheDir = mkdtempSync(join(tmpdir(), "tricloud-plan-caches-"));
// The capture cache too, in a folder of this test's own: the cold run writes the capture, the warm one reads it.
const captureDir = mkdtempSync(join(tmpdir(), "tricloud-plan-captures-"));
afterAll(() => {
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(captureDir, { recursive: true, force: true });
});

// The modules a run loaded (require.cache at exit), written by a hook the cold run is started with.
const moduleList = join(captureDir, "modules.list");
const listModules = join(captureDir, "list-modules.cjs");
writeFileSync(
  listModules,
  `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(moduleList)}, Object.keys(require.cache).join("\\n")));`,
);
const { LAZY } = createRequire(__filename)("../../bin/lazy-modules.cjs") as { LAZY: Record<string, unknown> };

/** The bin with its caches in an empty folder of this test's own (TRICLOUD_CACHE_DIR). */
function planJson(stack: string, { listingModules = false } = {}) {
  const r = spawnSync(
    process.execPath,
    [join(root, "bin", "tricloud.cjs"), "plan", "--stack", stack, "--format", "json", "--as-of", "2026-11-30"],
    {
      cwd: root,
      encoding: "utf8",
      timeout: 180_000,
      // The JSON report passes spawnSync's 1 MiB default with the rendered workloads and mesh.
      maxBuffer: 64 << 20,
      env: {
        ...process.env,
        TRICLOUD_CACHE_DIR: cacheDir,
        TRICLOUD_PLAN_CACHE: captureDir,
        ...(listingModules ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${listModules}` } : {}),
      },
    },
  );
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

// The first run (empty caches), shared by the tests below; it lists the modules it loaded.
let coldRun: string | undefined;
const cold = () => (coldRun ??= planJson("dev", { listingModules: true }));

describe("tricloud plan: the caches change nothing in the output", () => {
  it("a cold run (bundles built in the background, nothing compiled yet, the program run) prints the same bytes as a warm one (everything read back, the capture included)", () => {
    const first = cold();
    expect(readdirSync(captureDir).filter((f) => f.endsWith(".json"))).toHaveLength(1);
    // The cold run filled every cache in the given folder, none under node_modules.
    expect(readdirSync(cacheDir).sort()).toEqual(["tricloud-bundle-cache", "tricloud-ts", "tricloud-v8"]);
    expect(readdirSync(join(cacheDir, "tricloud-bundle-cache"))).toHaveLength(3);
    const warm = planJson("dev");
    expect(warm.length).toBeGreaterThan(100_000);
    expect(warm).toBe(first);
  });

  it("a run of the program loads none of the SDK's parts a plan never calls (bin/lazy-modules.cjs)", () => {
    cold();
    const loaded = readFileSync(moduleList, "utf8").split("\n");
    // It ran the program (no capture to read yet): the providers and the SDK's runtime loaded.
    expect(loaded).toContainEqual(expect.stringMatching(/\/node_modules\/@pulumi\/aws\/ec2\/vpc\.js$/));
    expect(loaded).toContainEqual(expect.stringMatching(/\/node_modules\/@pulumi\/pulumi\/runtime\/index\.js$/));
    const deferred = Object.keys(LAZY).map((file) => `/node_modules/@pulumi/pulumi/${file}`);
    expect(deferred.length).toBeGreaterThan(0);
    expect(loaded.filter((m) => deferred.some((d) => m.endsWith(d)))).toEqual([]);
    // Nor what only they pull in.
    expect(loaded.filter((m) => /\/node_modules\/(@npmcli|pacote|sigstore|typescript|js-yaml)\//.test(m))).toEqual([]);
  });
});
