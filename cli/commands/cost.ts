import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { diffCost, planCostSchema, renderDiffMarkdown, renderDiffTable, type PlanCost } from "../../pricing/diff";
import { UsageError } from "../plan/stackfile";

const FORMATS = ["markdown", "table", "json"] as const;

export const COST_USAGE = `usage: tricloud cost diff --base <plan.json> --head <plan.json> [--format markdown|table|json]

Compares the cost sections of two \`tricloud plan --format json\` reports (a pull
request's base and head): totals, per cloud, per component and per cost line.
Markdown (the default) is meant for a pull-request comment. Exit codes: 0 ok,
2 bad usage or an unreadable plan file.
`;

function readPlan(flag: string, path: string | undefined): PlanCost {
  if (!path) throw new UsageError(`--${flag}: required (a file written by tricloud plan --format json)\n\n${COST_USAGE}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UsageError(`--${flag}: cannot read ${path} as JSON: ${(err as Error).message}`);
  }
  const parsed = planCostSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new UsageError(`--${flag}: ${path} is not a tricloud plan report (at ${first?.path.join(".") || "(root)"}: ${first?.message}); write it with tricloud plan --format json`);
  }
  return parsed.data;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const [sub, ...rest] = argv;
    if (!sub || sub === "--help" || sub === "-h" || sub === "help") {
      process.stdout.write(COST_USAGE);
      return sub ? 0 : 2;
    }
    if (sub !== "diff") throw new UsageError(`unknown subcommand "${sub}"; expected diff\n\n${COST_USAGE}`);
    let flags;
    try {
      flags = parseArgs({
        args: rest,
        options: { base: { type: "string" }, head: { type: "string" }, format: { type: "string", default: "markdown" }, help: { type: "boolean", short: "h" } },
        allowPositionals: false,
        strict: true,
      }).values;
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\n\n${COST_USAGE}`);
    }
    if (flags.help) {
      process.stdout.write(COST_USAGE);
      return 0;
    }
    const format = flags.format as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new UsageError(`--format: expected one of ${FORMATS.join(", ")}, got "${flags.format}"`);
    const diff = diffCost(readPlan("base", flags.base), readPlan("head", flags.head));
    process.stdout.write(format === "json" ? `${JSON.stringify(diff, null, 2)}\n` : format === "table" ? renderDiffTable(diff) : renderDiffMarkdown(diff));
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`tricloud cost: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
