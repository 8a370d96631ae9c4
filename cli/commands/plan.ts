import { parseArgs } from "node:util";
import { ConfigError } from "../../stacks/config/load";
import { plan } from "../plan/run";
import { edgeSection, renderMarkdown, renderTable } from "../plan/render";
import { UsageError } from "../plan/stackfile";

const FORMATS = ["table", "json", "markdown"] as const;

export const PLAN_USAGE = `usage: tricloud plan --stack <name> [--config-file <path>] [-c key=value ...]
                     [--format table|json|markdown] [--what-if <provider>=<+/-pct> ...]

Runs the Pulumi program offline under mocks and prints every resource, the
policy findings and the cost estimate. Exit codes: 0 clean, 1 a mandatory
policy violation, 2 bad configuration or usage.
`;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        stack: { type: "string", short: "s" },
        "config-file": { type: "string" },
        config: { type: "string", short: "c", multiple: true },
        format: { type: "string", default: "table" },
        "what-if": { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${PLAN_USAGE}`);
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    const flags = parse(argv);
    if (flags.help) {
      process.stdout.write(PLAN_USAGE);
      return 0;
    }
    if (!flags.stack) throw new UsageError(`--stack: required (e.g. --stack dev)\n\n${PLAN_USAGE}`);
    const format = flags.format as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new UsageError(`--format: expected one of ${FORMATS.join(", ")}, got "${flags.format}"`);
    if (flags["what-if"]?.length) throw new UsageError("--what-if: needs the cost model, which this build does not have yet");

    const report = await plan({ stack: flags.stack, configFile: flags["config-file"], overrides: flags.config ?? [] });
    const text = format === "json" ? `${JSON.stringify(report, null, 2)}\n` : format === "markdown" ? renderMarkdown(report, edgeSection(report)) : renderTable(report, edgeSection(report));
    process.stdout.write(text);
    return report.policies.violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`tricloud plan: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
