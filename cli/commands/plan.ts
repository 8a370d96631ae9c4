import { parseArgs } from "node:util";
import { PriceCatalogError } from "../../pricing/catalog";
import { UsageProfileError } from "../../pricing/usage";
import { WhatIfError } from "../../pricing/what-if";
import { ConfigError } from "../../stacks/config/load";
import { PolicyConfigError } from "../plan/evaluate";
import { plan } from "../plan/run";
import { edgeSection, lockInSection, renderMarkdown, renderTable } from "../plan/render";
import { UsageError } from "../plan/stackfile";

const FORMATS = ["table", "json", "markdown"] as const;

export const PLAN_USAGE = `usage: tricloud plan --stack <name> [--config-file <path>] [-c key=value ...]
                     [--format table|json|markdown] [--what-if <provider>=<+/-pct> ...]
                     [--prices <file>] [--usage low|medium|high|<file>] [--policy-config <file>]
                     [--as-of YYYY-MM-DD]

Runs the Pulumi program offline under mocks and prints every resource, the
policy findings (policies/portability, policies/cost), the cost estimate and
the lock-in report. --what-if aws=+30% re-prices one provider (repeatable);
--prices overrides catalog prices; --usage prices usage-based components;
--policy-config takes a --policy-pack-config style file. Preflight
(policies/preflight) checks what each cloud would refuse; --as-of judges
Kubernetes and PostgreSQL support windows at that date (default today).
Exit codes: 0 clean, 1 a mandatory policy violation or a preflight error,
2 bad configuration or usage.
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
        prices: { type: "string" },
        usage: { type: "string" },
        "policy-config": { type: "string" },
        "as-of": { type: "string" },
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

    const report = await plan({
      stack: flags.stack,
      configFile: flags["config-file"],
      overrides: flags.config ?? [],
      whatIf: flags["what-if"] ?? [],
      pricesFile: flags.prices,
      usage: flags.usage,
      policyConfigFile: flags["policy-config"],
      asOf: flags["as-of"],
    });
    const sections = [...edgeSection(report), ...lockInSection(report)];
    const text = format === "json" ? `${JSON.stringify(report, null, 2)}\n` : format === "markdown" ? renderMarkdown(report, sections) : renderTable(report, sections);
    process.stdout.write(text);
    const failed = report.policies.violations.some((v) => v.enforcementLevel === "mandatory") || report.preflight.some((f) => f.level === "error");
    return failed ? 1 : 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError || err instanceof WhatIfError || err instanceof PriceCatalogError || err instanceof UsageProfileError || err instanceof PolicyConfigError) {
      process.stderr.write(`tricloud plan: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
