/**
 * `tricloud plan --stack prod` next to the bare import of the provider
 * packages the program uses, measured in the same run, each in a fresh
 * process: wall time and peak RSS, median of several runs. "Cold" runs the plan with an empty
 * cache folder (TRICLOUD_CACHE_DIR: no compiled TypeScript, V8 code cache or function bundles),
 * as a fresh clone's first run does; "warm" reuses the caches the runs before it left.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, runNode, type Sample } from "./measure";

const root = join(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** Every provider module the program imports (`@pulumi/aws`, `@pulumi/azure-native/network`, ...), read from its sources. */
export function providerImports(): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".ts")) {
        for (const m of readFileSync(p, "utf8").matchAll(/from "(@pulumi(?:verse)?\/[^"]+)"/g)) {
          if (m[1] !== "@pulumi/pulumi" && m[1] !== "@pulumi/policy") found.add(m[1]!);
        }
      }
    }
  };
  for (const dir of ["stacks", "components"]) walk(join(root, dir));
  return [...found].sort();
}

function summarize(samples: Sample[]): Sample {
  return { wallMs: median(samples.map((s) => s.wallMs)), peakRssMiB: median(samples.map((s) => s.peakRssMiB)) };
}

export function benchPlan(): string {
  const modules = providerImports();
  const bare: Sample[] = [];
  const cold: Sample[] = [];
  const warm: Sample[] = [];
  const importScript = `${modules.map((m) => `require(${JSON.stringify(m)});`).join("")}require("@pulumi/pulumi");`;
  const planArgs = [join(root, "bin", "tricloud.cjs"), "plan", "--stack", "prod", "--format", "json"];
  const warmCache = mkdtempSync(join(tmpdir(), "tricloud-bench-warm-"));
  runNode(planArgs, root, { TRICLOUD_CACHE_DIR: warmCache }); // fills the warm caches
  // Interleaved, so a change in the machine's load touches every column alike.
  for (let i = 0; i < RUNS; i++) {
    bare.push(runNode(["-e", importScript], root));
    const empty = mkdtempSync(join(tmpdir(), "tricloud-bench-cold-"));
    cold.push(runNode(planArgs, root, { TRICLOUD_CACHE_DIR: empty }));
    rmSync(empty, { recursive: true, force: true });
    warm.push(runNode(planArgs, root, { TRICLOUD_CACHE_DIR: warmCache }));
  }
  rmSync(warmCache, { recursive: true, force: true });
  const b = summarize(bare);
  const row = (label: string, s: Sample) =>
    `| ${label} | ${s.wallMs.toFixed(0)} ms | ${s.peakRssMiB.toFixed(0)} MiB | ${(s.wallMs / b.wallMs).toFixed(2)}x | ${(s.peakRssMiB / b.peakRssMiB).toFixed(2)}x |`;
  return [
    `### tricloud plan --stack prod (median of ${RUNS} fresh processes, interleaved)`,
    "",
    "| run | wall time | peak RSS | time / import | RSS / import |",
    "|---|---:|---:|---:|---:|",
    row(`bare import of ${modules.length} provider modules`, b),
    row("tricloud plan --stack prod, cold (empty caches, as a fresh clone)", summarize(cold)),
    row("tricloud plan --stack prod, warm (compile and bundle caches filled)", summarize(warm)),
    "",
    `Modules: ${modules.join(", ")}.`,
  ].join("\n");
}

if (require.main === module) process.stdout.write(`${benchPlan()}\n`);
