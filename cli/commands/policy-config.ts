import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../stacks/config/load";
import { required, UsageError, type FlagValues } from "../args";
import { POLICY_CONFIG } from "../specs";

/** Errors that mean bad input (exit 2), each naming its key or flag. */
export const userErrors = [ConfigError];

/**
 * `tricloud policy-config --stack <name> --out <dir>`: the three packs' `--policy-pack-config` files, from the stack
 * file exactly as `tricloud plan` derives them, for `pulumi preview/up --policy-pack ... --policy-pack-config ...`.
 * Without them the real CLI runs each pack on its defaults: the preflight rules that need the stack (the Cloudflare
 * plan, Lambda's account concurrency, the Istio version, the environment) find nothing, and the portability rules
 * check an empty service matrix.
 */
export async function main(flags: FlagValues): Promise<number> {
  const stack = required(POLICY_CONFIG, flags, "stack", "the stack whose packs' config to write");
  const out = required(POLICY_CONFIG, flags, "out", "the directory to write the three config files to");
  const { loadPlanInput } = require("../plan/run") as typeof import("../plan/run");
  const { todayUtc, parseIsoDate } =
    require("../../policies/preflight/engine") as typeof import("../../policies/preflight/engine");
  const packs = require("../../policies/stack-config") as typeof import("../../policies/stack-config");
  const { PREFLIGHT_RULES } =
    require("../../policies/preflight/rules/index") as typeof import("../../policies/preflight/rules/index");
  const input = loadPlanInput({
    stack,
    configFile: flags["config-file"] as string | undefined,
    overrides: (flags.config as string[] | undefined) ?? [],
  });
  const asOf = flags["as-of"] === undefined ? undefined : parseIsoDate(String(flags["as-of"]));
  if (asOf === null) throw new UsageError(`--as-of: expected a date YYYY-MM-DD, got "${String(flags["as-of"])}"`);
  // The preflight pack reads its settings from each rule's own config (policies/preflight/policies.ts, settingsFrom).
  // Without --as-of the pack judges support windows on the day it runs, not on the day this file was written.
  const { asOf: _today, ...settings } = packs.preflightSettingsFor(input.config, todayUtc());
  const preflight = Object.fromEntries(
    PREFLIGHT_RULES.map((rule) => [rule.name, asOf === undefined ? settings : { ...settings, asOf }]),
  );
  const files = {
    "portability.json": packs.portabilityConfigFor(input.config),
    "cost.json": packs.costConfigFor(input.config),
    "preflight.json": preflight,
  };
  mkdirSync(out, { recursive: true });
  for (const [name, config] of Object.entries(files))
    writeFileSync(join(out, name), `${JSON.stringify(config, null, 2)}\n`);
  process.stdout.write(
    `wrote the packs' config for ${stack}:\n${Object.keys(files)
      .map((f) => `  ${join(out, f)}`)
      .join("\n")}\n`,
  );
  return 0;
}
