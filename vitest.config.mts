import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configDefaults, defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// One capture of each planned stack per run (cli/plan/capture-cache.ts): the suite plans the same
// stacks many times, in process and through the bin; a fresh folder per run, removed at the end.
const planCache = process.env.TRICLOUD_PLAN_CACHE ?? mkdtempSync(join(tmpdir(), "tricloud-plan-cache-"));
if (!process.env.TRICLOUD_PLAN_CACHE) process.env.TRICLOUD_PLAN_CACHE_OWNED = planCache;
process.env.TRICLOUD_PLAN_CACHE = planCache;

/**
 * The files that take longest in wall time (they wait on child processes, timers and faults more than they
 * compute), longest first, as measured on the 2-core machine. They start first so the two cores still have work
 * at the end of the run. Vitest does this by itself from its results cache, which a fresh clone does not have:
 * there the order was arbitrary and a run took 100 s instead of 88 s.
 */
const SLOW_FIRST = [
  "test/cli/readme-walkthrough.test.ts",
  "test/cli/plan-cli.test.ts",
  "test/workloads/remote-secrets.test.ts",
  "test/cli/commands.test.ts",
  "test/cli/plan-caches.test.ts",
  "test/ledger/cli.test.ts",
  "test/cost/cli.test.ts",
  "test/packs/publish.test.ts",
  "test/cli/comment.test.ts",
  "test/ledger/cluster.test.ts",
  "test/functions/quorum.test.ts",
];

/** Timing-bound (the quorum's 5 s liveness bound): run in a group of their own, after everything else (see `projects`). */
const TIMED = ["test/functions/liveness.test.ts", "test/chaos/run.test.ts"];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((s) => f.moduleId.endsWith(s));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    // Stable: the rest keep vitest's own order (its cached durations when it has them).
    return [...(await super.sort(files))].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    // Program tests load the three provider SDKs; give them room on small machines.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Three workers on two cores (vitest's default leaves one core idle): many suites wait on
    // child processes, sockets and timers rather than compute, and a third worker fills those waits
    // (measured: 106 s with 2 workers, 93 s with 3, same CPU time).
    maxWorkers: 3,
    // Test files share their worker's modules: the provider SDKs load once per worker, not once per
    // file. Pulumi's runtime state is process-global, so every mocks run is serialized by its helper.
    isolate: false,
    // A young generation of up to 64 MiB: the workers run the program under mocks dozens of times,
    // and with V8's default (16 MiB) a third of their time went to scavenges.
    execArgv: ["--max-semi-space-size=64"],
    env: { TRICLOUD_PLAN_CACHE: planCache },
    globalSetup: ["test/helpers/global-setup.ts"],
    sequence: { sequencer: SlowFirst },
    projects: [
      {
        extends: true,
        test: {
          name: "suite",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...TIMED],
          sequence: { groupOrder: 0 },
        },
      },
      // The files that assert the quorum's 5 s liveness bound with production timings (the liveness
      // suite and the chaos smoke run) run after the rest, on a machine no longer busy with the
      // workers' plans and child processes: under that load one CI run measured 5.4 s, and on a
      // slower day the smoke run 5.5 s, where a quiet run takes 0.3-0.6 s.
      { extends: true, test: { name: "timed", include: TIMED, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
