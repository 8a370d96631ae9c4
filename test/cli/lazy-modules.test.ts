import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");

/** Runs `script` in a fresh Node process (the hook is process-wide) and returns what it printed as JSON. */
function inFreshProcess(script: string): Record<string, unknown> {
  // --no-warnings: the Automation API's dependencies warn of deprecated and experimental Node APIs as they load.
  const r = spawnSync(process.execPath, ["--no-warnings", "-e", script], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const withHook = (body: string) => `
  const lazy = require("./bin/lazy-modules.cjs");
  lazy.install();
  const loaded = () => [...lazy.lazyFiles].filter(([, real]) => real).map(([file]) => file.split("/node_modules/@pulumi/pulumi/")[1]).sort();
  const pulumi = require("@pulumi/pulumi");
  const out = { loadedAtFirst: loaded() };
  (async () => { ${body} })().then(() => process.stdout.write(JSON.stringify(out)));
`;

describe("the SDK's deferred modules (bin/lazy-modules.cjs)", () => {
  it("loads none of them with the SDK, and each for real the first time it is touched, as if never deferred", () => {
    const out = inFreshProcess(
      withHook(`
        out.automationLoadedByRequire = Object.keys(require.cache).some((f) => f.endsWith("/@pulumi/pulumi/automation/index.js"));
        out.localWorkspace = typeof pulumi.automation.LocalWorkspace;
        out.afterAutomation = loaded();
        out.sameKeys = JSON.stringify(Object.keys(pulumi.automation)) === JSON.stringify(Object.keys(require("@pulumi/pulumi/automation")));
        out.hasStack = "Stack" in pulumi.automation;
        out.provider = typeof pulumi.provider.main;
        const fn = await pulumi.runtime.serializeFunction(() => 6 * 7);
        out.serialized = fn.text.includes("6 * 7");
        out.codePaths = typeof pulumi.runtime.computeCodePaths;
        out.atEnd = loaded();
      `),
    );
    expect(out).toEqual({
      loadedAtFirst: [],
      automationLoadedByRequire: false,
      localWorkspace: "function",
      afterAutomation: ["automation/index.js"],
      sameKeys: true,
      hasStack: true,
      provider: "function",
      serialized: true,
      // Read but not called: still deferred.
      codePaths: "function",
      atEnd: ["automation/index.js", "provider/index.js", "runtime/closure/serializeClosure.js"],
    });
  });

  it("gives the SDK the same exports as without the hook, and defers only compiled TypeScript (__esModule)", () => {
    const exports = `
      const pulumi = require("@pulumi/pulumi");
      const shape = (o) => Object.keys(o).sort().map((k) => k + ":" + typeof o[k]);
      out.top = shape(pulumi);
      out.runtime = shape(pulumi.runtime);
      out.automation = shape(pulumi.automation);
    `;
    const plain = inFreshProcess(`
      const out = {};
      ${exports}
      // Each deferred module as the SDK has it: compiled TypeScript, exporting the functions handed out before loading.
      out.deferred = {};
      for (const [file, spec] of Object.entries(require("./bin/lazy-modules.cjs").LAZY)) {
        const real = require("@pulumi/pulumi/" + file);
        out.deferred[file] = [real.__esModule, ...spec.functions.map((f) => typeof real[f])];
      }
      process.stdout.write(JSON.stringify(out));
    `);
    const { deferred: modules, ...plainExports } = plain;
    expect(modules).toEqual({
      "automation/index.js": [true],
      "runtime/closure/serializeClosure.js": [true, "function", "function"],
      "runtime/closure/codePaths.js": [true, "function"],
      "provider/index.js": [true],
    });
    const { loadedAtFirst, ...hookedExports } = inFreshProcess(withHook(exports));
    expect(loadedAtFirst).toEqual([]);
    expect(hookedExports).toEqual(plainExports);
    expect((plain.runtime as string[]).length).toBeGreaterThan(50);
  });
});
