#!/usr/bin/env node
// Packs the workspace packages as npm would publish them: `node scripts/pack.mjs --out <dir>`
// (default .tricloud/packs). The policy packs ship TypeScript, which the Pulumi CLI compiles
// with ts-node when it runs a pack; the shared packages (vocabulary, pricing, policy kit) are
// loaded from node_modules, where ts-node compiles nothing, so they ship JavaScript beside
// their sources: each is copied to a staging folder, every .ts transpiled there with esbuild
// (the transform bin/tricloud.cjs uses) and packed from there, so no .js lands in the tree.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import esbuild from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Shared packages first: the packs depend on them. */
export const SHARED = ["vocabulary", "pricing", "policies/shared"];
export const PACKS = ["policies/portability", "policies/cost", "policies/preflight"];

function transpileTree(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") transpileTree(path);
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      const { code } = esbuild.transformSync(readFileSync(path, "utf8"), {
        loader: "ts",
        format: "cjs",
        target: "node20",
        sourcefile: entry.name,
      });
      writeFileSync(path.replace(/\.ts$/, ".js"), code);
    }
  }
}

/** Packs every shared package and pack into `out` with one `npm pack`; returns package name -> tarball path. */
export function packAll(out) {
  mkdirSync(out, { recursive: true });
  const stage = mkdtempSync(join(tmpdir(), "tricloud-stage-"));
  try {
    const dirs = [...SHARED, ...PACKS].map((ws) => {
      if (!SHARED.includes(ws)) return join(ROOT, ws);
      const dir = join(stage, ws);
      cpSync(join(ROOT, ws), dir, { recursive: true, filter: (p) => !p.includes("node_modules") });
      transpileTree(dir);
      return dir;
    });
    const json = execFileSync("npm", ["pack", "--json", "--pack-destination", out, ...dirs], {
      cwd: stage,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    return Object.fromEntries(JSON.parse(json).map((p) => [p.name, join(out, p.filename)]));
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: "string", default: join(ROOT, ".tricloud", "packs") } } });
  for (const [name, file] of Object.entries(packAll(resolve(values.out)))) console.log(`${name}\t${file}`);
}
