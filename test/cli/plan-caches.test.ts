import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
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

/** The bin with its caches in an empty folder of this test's own (TRICLOUD_CACHE_DIR). */
function planJson(stack: string) {
  const r = spawnSync(
    process.execPath,
    [join(root, "bin", "tricloud.cjs"), "plan", "--stack", stack, "--format", "json", "--as-of", "2026-11-30"],
    {
      cwd: root,
      encoding: "utf8",
      timeout: 180_000,
      // The JSON report passes spawnSync's 1 MiB default with the rendered workloads and mesh.
      maxBuffer: 64 << 20,
      env: { ...process.env, TRICLOUD_CACHE_DIR: cacheDir, TRICLOUD_PLAN_CACHE: captureDir },
    },
  );
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

describe("tricloud plan: the caches change nothing in the output", () => {
  it("a cold run (bundles built in the background, nothing compiled yet, the program run) prints the same bytes as a warm one (everything read back, the capture included)", () => {
    const cold = planJson("dev");
    expect(readdirSync(captureDir).filter((f) => f.endsWith(".json"))).toHaveLength(1);
    // The cold run filled every cache in the given folder, none under node_modules.
    expect(readdirSync(cacheDir).sort()).toEqual(["tricloud-bundle-cache", "tricloud-ts", "tricloud-v8"]);
    expect(readdirSync(join(cacheDir, "tricloud-bundle-cache"))).toHaveLength(3);
    const warm = planJson("dev");
    expect(warm.length).toBeGreaterThan(100_000);
    expect(warm).toBe(cold);
  });
});
