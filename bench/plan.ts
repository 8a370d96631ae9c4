/**
 * `tricloud plan --stack prod` next to the bare import of the provider
 * packages the program uses, measured in the same run, each in a fresh
 * process: wall time and peak RSS, median of several runs.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
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
  const planRuns: Sample[] = [];
  const importScript = `${modules.map((m) => `require(${JSON.stringify(m)});`).join("")}require("@pulumi/pulumi");`;
  for (let i = 0; i < RUNS; i++) {
    bare.push(runNode(["-e", importScript], root));
    planRuns.push(runNode([join(root, "bin", "tricloud.cjs"), "plan", "--stack", "prod", "--format", "json"], root));
  }
  const b = summarize(bare);
  const p = summarize(planRuns);
  return [
    `### tricloud plan --stack prod (median of ${RUNS} fresh processes)`,
    "",
    "| run | wall time | peak RSS |",
    "|---|---:|---:|",
    `| bare import of ${modules.length} provider modules | ${b.wallMs.toFixed(0)} ms | ${b.peakRssMiB.toFixed(0)} MiB |`,
    `| tricloud plan --stack prod | ${p.wallMs.toFixed(0)} ms | ${p.peakRssMiB.toFixed(0)} MiB |`,
    `| ratio plan / import | ${(p.wallMs / b.wallMs).toFixed(2)}x | ${(p.peakRssMiB / b.peakRssMiB).toFixed(2)}x |`,
    "",
    `Modules: ${modules.join(", ")}.`,
  ].join("\n");
}

if (require.main === module) process.stdout.write(`${benchPlan()}\n`);
