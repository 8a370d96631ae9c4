import { readFileSync } from "node:fs";
import { diffCost, planCostSchema, renderDiffMarkdown, renderDiffTable, type PlanCost } from "../../pricing/diff";
import { oneOf, required, UsageError, type FlagValues } from "../args";
import { COST } from "../specs";

const DIFF = COST.subcommands![0]!;

/** Reads a `tricloud plan --format json` file given to `flag`, or throws a UsageError naming the flag. */
export function readPlanJson(flag: string, path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UsageError(`--${flag}: cannot read ${path} as JSON: ${(err as Error).message}`);
  }
}

function readPlan(flag: string, path: string): PlanCost {
  const parsed = planCostSchema.safeParse(readPlanJson(flag, path));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new UsageError(
      `--${flag}: ${path} is not a tricloud plan report (at ${first?.path.join(".") || "(root)"}: ${first?.message}); write it with tricloud plan --format json`,
    );
  }
  return parsed.data;
}

/** `tricloud cost diff --base a.json --head b.json`. */
export async function main(flags: FlagValues): Promise<number> {
  const what = "a file written by tricloud plan --format json";
  const base = required(DIFF, flags, "base", what);
  const head = required(DIFF, flags, "head", what);
  const format = oneOf("format", flags.format, ["markdown", "table", "json"] as const);
  const diff = diffCost(readPlan("base", base), readPlan("head", head));
  process.stdout.write(
    format === "json"
      ? `${JSON.stringify(diff, null, 2)}\n`
      : format === "table"
        ? renderDiffTable(diff)
        : renderDiffMarkdown(diff),
  );
  return 0;
}
