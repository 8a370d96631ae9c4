import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "tricloud-compile-cache-"));
const cacheDir = join(dir, "cache");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const installer = join(__dirname, "..", "..", "bin", "compile-cache.cjs");
writeFileSync(join(dir, "dep.js"), "exports.twice = (n) => 2 * n;\n");
writeFileSync(join(dir, "cli.js"), "#!/usr/bin/env node\nmodule.exports = require.resolve('./dep.js');\n");
const setMain = (body: string) => writeFileSync(join(dir, "main.js"), body);

/** A fresh process with the cache installed, loading main.js; what it printed. */
function run(): { stdout: string; stderr: string; status: number | null } {
  const script = `require(${JSON.stringify(installer)}).install(${JSON.stringify(cacheDir)}); require(${JSON.stringify(join(dir, "main.js"))});`;
  return spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 30_000 });
}
const cacheFile = () => join(cacheDir, readdirSync(cacheDir)[0]!);

describe("bin/compile-cache.cjs: V8's code of each module, kept between runs", () => {
  it("writes the cache once, reads it back unchanged, and runs what the source says after an edit", () => {
    setMain("const { twice } = require('./dep.js'); console.log(twice(21), require('./cli.js').endsWith('dep.js'));\n");
    expect(run()).toMatchObject({ stdout: "42 true\n", status: 0 });
    const first = readFileSync(cacheFile());
    const written = statSync(cacheFile()).mtimeMs;
    // Warm: the same answers, and the file is not written again (nothing new to keep).
    expect(run()).toMatchObject({ stdout: "42 true\n", status: 0 });
    expect(statSync(cacheFile()).mtimeMs).toBe(written);
    expect(readFileSync(cacheFile()).equals(first)).toBe(true);
    // An edit of the same length: the index's source hash, not the data's length check, keeps the old code out.
    writeFileSync(join(dir, "dep.js"), "exports.twice = (n) => 3 * n;\n");
    expect(run()).toMatchObject({ stdout: "63 true\n", status: 0 });
    expect(readFileSync(cacheFile()).equals(first)).toBe(false);
    const index = JSON.parse(
      readFileSync(cacheFile())
        .subarray(4, 4 + readFileSync(cacheFile()).readUInt32LE(0))
        .toString("utf8"),
    );
    expect(Object.keys(index).sort()).toEqual([join(dir, "cli.js"), join(dir, "dep.js"), join(dir, "main.js")]);
  });

  it("leaves a syntax error to Node, which names the file", () => {
    setMain("const = 1;\n");
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(join(dir, "main.js"));
    expect(r.stderr).toContain("SyntaxError");
  });

  it("runs without a cache it cannot read, and writes a good one in its place", () => {
    setMain("console.log(require('./dep.js').twice(1));\n");
    writeFileSync(cacheFile(), "not a cache");
    expect(run()).toMatchObject({ stdout: "3\n", status: 0 });
    expect(readFileSync(cacheFile()).readUInt32LE(0)).toBeGreaterThan(0);
  });
});
