import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

// One capture of each planned stack per run (cli/plan/capture-cache.ts): the suite plans the same
// stacks many times, in process and through the bin; a fresh folder per run, removed at the end.
const planCache = process.env.TRICLOUD_PLAN_CACHE ?? mkdtempSync(join(tmpdir(), "tricloud-plan-cache-"));
if (!process.env.TRICLOUD_PLAN_CACHE) process.env.TRICLOUD_PLAN_CACHE_OWNED = planCache;
process.env.TRICLOUD_PLAN_CACHE = planCache;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
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
  },
});
