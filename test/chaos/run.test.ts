import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { INVARIANT_NAMES, type InvariantName } from "../../chaos/checker";
import { runChaos, summary, type ChaosReport } from "../../chaos/run";

// A short seeded fault-injection run against three real node processes (chaos/README.md).
// Long runs: `npm run chaos -- --seed N --duration S`.

// Two 5-second runs whose schedules (drawn from the seed) hold a node kill (seed 9) and an isolation followed by
// the stolen-key limit partition (seed 4); seeds 1-12 at these settings all held every invariant.
const SEEDS = [9, 4];

/**
 * Invariants the runtime does not yet satisfy. They are checked and
 * reported (the summary and the examples print) but not asserted. Remove a name once the
 * runtime holds it; CHAOS_STRICT=1 asserts them all.
 */
const RUNTIME_GAPS: ReadonlySet<InvariantName> = new Set<InvariantName>([
  // None left. "liveness" and "equivocation-detected" were removed at 0ecddd5: seeds 1-10 (30 s each)
  // held every invariant, liveness p99 1.3-3.8 s after the last fault (seed 41, 45 s: 3.1 s, was 6.4 s).
]);
const STRICT = process.env.CHAOS_STRICT === "1";

describe.each(SEEDS)("chaos run, seed %i", (seed) => {
  let report: ChaosReport;

  beforeAll(async () => {
    ({ report } = await runChaos({
      seed,
      durationS: 5,
      clients: 3,
      malformed: 60,
      quiesceMs: 10_000,
      faultGapMs: [600, 1_500],
      faultLengthMs: [1_000, 2_500],
    }));
    const out = join(tmpdir(), `tricloud-chaos-report-${seed}.json`);
    await writeFile(out, JSON.stringify(report, null, 2));
    console.log(`${summary(report)}\n  report: ${out}`);
  }, 240_000);

  it("ran a workload with faults", () => {
    const events = report.counts.events as Record<string, number>;
    expect(events.acknowledged).toBeGreaterThan(5);
    expect(report.faults.length).toBeGreaterThan(0);
    expect(report.invariants.map((i) => i.name)).toEqual([...INVARIANT_NAMES]);
  });

  for (const name of INVARIANT_NAMES) {
    const gap = RUNTIME_GAPS.has(name) && !STRICT;
    const advisory = name === "no-error-logs";
    it(gap ? `${name} [runtime gap: reported, not asserted]` : advisory ? `${name} [advisory: reported]` : name, () => {
      const inv = report.invariants.find((i) => i.name === name)!;
      if (!inv.held)
        console.warn(
          `seed ${seed}: ${name} ${inv.severity === "advisory" ? "advisory" : "VIOLATED"} (${inv.violations} of ${inv.checked}): ${JSON.stringify(inv.examples.slice(0, 3))}`,
        );
      if (gap || advisory) return;
      expect({ name, held: inv.held, examples: inv.examples }).toEqual({ name, held: true, examples: [] });
    });
  }
});
