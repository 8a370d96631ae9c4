import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// A project with one installed package whose main module requires "./dep" (a folder, dep/index.js).
const root = mkdtempSync(join(tmpdir(), "tricloud-resolve-cache-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const pkg = join(root, "node_modules", "pkg");
mkdirSync(join(pkg, "dep"), { recursive: true });
writeFileSync(join(root, "node_modules", ".package-lock.json"), '{"lockfileVersion":3}\n');
writeFileSync(join(pkg, "package.json"), '{"name":"pkg","main":"main.js"}\n');
writeFileSync(join(pkg, "main.js"), "module.exports = require('./dep');\n");
writeFileSync(join(pkg, "dep", "index.js"), "module.exports = 'dep/index.js';\n");
writeFileSync(join(root, "app.js"), "console.log(require('pkg'), require('./local'));\n");
writeFileSync(join(root, "local.js"), "module.exports = 'local.js';\n");
const cacheDir = join(root, "cache");
const installer = join(__dirname, "..", "..", "bin", "resolve-cache.cjs");

function run() {
  const script = `require(${JSON.stringify(installer)}).install(${JSON.stringify(cacheDir)}, ${JSON.stringify(root)}); require(${JSON.stringify(join(root, "app.js"))});`;
  return spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 30_000 });
}
const saved = () =>
  JSON.parse(readFileSync(join(cacheDir, "resolved.json"), "utf8")) as { paths: Record<string, string> };

describe("bin/resolve-cache.cjs: where node_modules' requires led, kept between runs", () => {
  it("keeps only requests made inside node_modules, and answers them from the file while the installed tree is unchanged", () => {
    expect(run()).toMatchObject({ stdout: "dep/index.js local.js\n", status: 0 });
    const kept = Object.values(saved().paths);
    expect(kept).toEqual([join(pkg, "dep", "index.js")]);
    // A file that would now win the resolution ("./dep" -> dep.js) is not looked for: the kept answer stands.
    writeFileSync(join(pkg, "dep.js"), "module.exports = 'dep.js';\n");
    expect(run()).toMatchObject({ stdout: "dep/index.js local.js\n", status: 0 });
  });

  it("resolves afresh once npm has rewritten its record of the tree", () => {
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, "node_modules", ".package-lock.json"), later, later);
    expect(run()).toMatchObject({ stdout: "dep.js local.js\n", status: 0 });
    expect(Object.values(saved().paths)).toEqual([join(pkg, "dep.js")]);
  });

  it("runs without a file it cannot read, and writes a good one in its place", () => {
    writeFileSync(join(cacheDir, "resolved.json"), "{ damaged");
    expect(run()).toMatchObject({ stdout: "dep.js local.js\n", status: 0 });
    expect(Object.values(saved().paths)).toEqual([join(pkg, "dep.js")]);
  });
});
