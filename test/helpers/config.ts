import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { applyOverrides, readStackFile } from "../../cli/plan/stackfile";
import { ConfigError, parseStackConfig } from "../../stacks/config/load";

const root = join(__dirname, "..", "..");

// The stack files do not change during a run: each is read and parsed once (property tests ask hundreds of times).
const files = new Map<string, Record<string, string>>();

/** A real stack file as Pulumi hands it to the program, with `-c` overrides applied. */
export function stackConfig(stack: string, ...overrides: string[]): Record<string, string> {
  let file = files.get(stack);
  if (!file) files.set(stack, (file = readStackFile(root, "tricloud", stack).config));
  return applyOverrides(file, "tricloud", overrides);
}

/** The problems a flat config produces, as `key: message` lines; [] when valid. */
export function configProblems(flat: Record<string, string>, stack = "test"): string[] {
  try {
    parseStackConfig(flat, stack);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) => `${p.key}: ${p.message}`);
  }
}

/** `tricloud plan --stack <stack> -c <override> ...` through the real bin, as a user runs it: its exit code and stderr. */
export function planThroughBin(stack: string, ...overrides: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [join(root, "bin", "tricloud.cjs"), "plan", "--stack", stack, ...overrides.flatMap((o) => ["-c", o])],
    { cwd: root, encoding: "utf8", timeout: 120_000 },
  );
  return { code: r.status, stderr: r.stderr };
}
