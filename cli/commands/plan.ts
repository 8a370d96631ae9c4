import { oneOf, required, type FlagValues } from "../args";
import { PriceCatalogError } from "../../pricing/catalog";
import { UsageProfileError } from "../../pricing/usage";
import { WhatIfError } from "../../pricing/what-if";
import { ConfigError } from "../../stacks/config/load";
import { PolicyConfigError } from "../plan/evaluate";
import { progressLine } from "../plan/progress";
import { renderMarkdown } from "../plan/comment";
import { edgeSection, lockInSection, renderTable } from "../plan/render";
import { PLAN } from "../specs";

/** Errors that mean bad input (exit 2), each naming its key or flag. */
export const userErrors = [ConfigError, WhatIfError, PriceCatalogError, UsageProfileError, PolicyConfigError];

export async function main(flags: FlagValues): Promise<number> {
  const stack = required(PLAN, flags, "stack", "the stack to plan");
  const format = oneOf("format", flags.format, ["table", "json", "markdown"] as const);
  const progress = progressLine(
    oneOf("progress", flags.progress, ["auto", "always", "never"] as const),
    `planning ${stack}`,
  );
  let report;
  try {
    // Required here, not imported: the provider SDKs take most of the plan's time to load,
    // and the progress line should already be on screen while they do.
    progress.phase("loading the provider SDKs");
    const { plan } = require("../plan/run") as typeof import("../plan/run");
    report = await plan({
      stack,
      configFile: flags["config-file"] as string | undefined,
      overrides: (flags.config as string[] | undefined) ?? [],
      whatIf: (flags["what-if"] as string[] | undefined) ?? [],
      pricesFile: flags.prices as string | undefined,
      usage: flags.usage as string | undefined,
      policyConfigFile: flags["policy-config"] as string | undefined,
      asOf: flags["as-of"] as string | undefined,
      onPhase: progress.phase,
    });
  } finally {
    progress.done();
  }
  const text =
    format === "json"
      ? `${JSON.stringify(report, null, 2)}\n`
      : format === "markdown"
        ? renderMarkdown(report)
        : renderTable(report, [...edgeSection(report), ...lockInSection(report)]);
  process.stdout.write(text);
  const failed =
    report.policies.violations.some((v) => v.enforcementLevel === "mandatory") ||
    report.preflight.some((f) => f.level === "error");
  return failed ? 1 : 0;
}
