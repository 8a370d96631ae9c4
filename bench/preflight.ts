/**
 * What preflight adds to `tricloud plan --stack prod`: the rules and
 * prerequisite lists run over the captured resources (the program itself
 * runs once, under mocks), median of many in-process runs, next to the
 * plan's own median wall time from bench/plan.ts's method.
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { runPreflight } from "../policies/preflight/engine";
import { PREFLIGHT_RULES, PREREQUISITE_RULES } from "../policies/preflight/rules";
import { loadPlanInput, preflightResources, runProgramUnderMocks } from "../cli/plan/run";
import { preflightSettingsFor } from "../policies/stack-config";
import { median, runNode } from "./measure";

const root = join(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ITERATIONS = 50;

export async function benchPreflight(): Promise<string> {
  const input = loadPlanInput({ stack: "prod", projectDir: root });
  const captured = await runProgramUnderMocks(input);
  const resources = preflightResources(captured.resources, captured.engine);
  const settings = preflightSettingsFor(input.config, "2026-11-30");
  const times: number[] = [];
  let findings = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    findings = runPreflight(resources, settings).findings.length;
    times.push(performance.now() - t0);
  }
  const stage = median(times);
  const plan = median(
    Array.from(
      { length: RUNS },
      () => runNode([join(root, "bin", "tricloud.cjs"), "plan", "--stack", "prod", "--format", "json"], root).wallMs,
    ),
  );
  return [
    `### Preflight inside tricloud plan --stack prod (${resources.length} resources, ${PREFLIGHT_RULES.length} rules, ${PREREQUISITE_RULES.length} prerequisite lists)`,
    "",
    "| stage | median |",
    "|---|---:|",
    `| preflight over the captured resources (${ITERATIONS} in-process runs, ${findings} findings) | ${stage.toFixed(1)} ms |`,
    `| the whole plan (${RUNS} fresh processes) | ${plan.toFixed(0)} ms |`,
    `| preflight's share of the plan | ${((stage / plan) * 100).toFixed(1)} % |`,
  ].join("\n");
}

if (require.main === module) benchPreflight().then((t) => process.stdout.write(`${t}\n`));
