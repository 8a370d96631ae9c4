/**
 * The `tricloud` command line: one table of commands (flags, help, exit codes),
 * one parser (cli/args.ts) and one dispatcher for commands and subcommands.
 * Implementations live one module per command under `cli/commands/` and are
 * loaded only once the flags parsed, so `--help` and `tricloud node` never
 * pay for the Pulumi SDKs and `tricloud plan` never pays for the runtime.
 * Loaded with `require`, not `import()`: the bin registers a CommonJS hook only.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { helpText, parseFlags, UsageError, type CommandModule, type CommandSpec } from "./args";
import { AUDIT, COMMENT, COST, KEYGEN, LOCAL, NODE, PLAN, POLICY_CONFIG } from "./specs";

export const COMMANDS: readonly CommandSpec[] = [PLAN, COST, COMMENT, POLICY_CONFIG, AUDIT, KEYGEN, NODE, LOCAL];

export function version(): string {
  return (JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version: string }).version;
}

export function usage(): string {
  const width = Math.max(10, ...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`);
  return [
    "usage: tricloud <command> [flags]",
    "",
    "commands:",
    ...lines,
    "",
    "flags:",
    "  -h, --help     help (also `tricloud <command> --help`)",
    "  -v, --version  print the version",
    "",
    "exit codes (every command):",
    "  0  ok",
    "  1  a finding: a mandatory policy violation or preflight error (plan), a failed check (audit)",
    "  2  bad usage or bad input: the message names the flag or key and what was expected",
    "  3  an internal failure (a bug: please report it)",
    "",
  ].join("\n");
}

/** Reports a usage error in the one form every command shares, and returns exit code 2. */
function usageFailure(prefix: string, spec: CommandSpec | null, message: string): number {
  const hint = spec ? `tricloud ${spec.name} --help` : "tricloud --help";
  process.stderr.write(`${prefix}: ${message}\n(see \`${hint}\` for the flags and exit codes)\n`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-v" || name === "version") {
    process.stdout.write(`tricloud ${version()} (node ${process.version})\n`);
    return 0;
  }
  if (!name || name === "help" || name === "--help" || name === "-h") {
    if (name) process.stdout.write(usage());
    else process.stderr.write(`tricloud: expected a command\n\n${usage()}`);
    return name ? 0 : 2;
  }
  let spec = COMMANDS.find((c) => c.name === name);
  if (!spec)
    return usageFailure(
      "tricloud",
      null,
      `unknown command "${name}"; expected one of: ${COMMANDS.map((c) => c.name).join(", ")}`,
    );
  const prefix = `tricloud ${name}`;
  let args = rest;
  if (spec.subcommands) {
    const [sub, ...subArgs] = rest;
    if (sub === "--help" || sub === "-h" || sub === "help") {
      process.stdout.write(helpText(spec));
      return 0;
    }
    const subNames = spec.subcommands.map((s) => s.name.split(" ").pop()!);
    if (!sub) {
      process.stderr.write(`${prefix}: expected a subcommand: ${subNames.join(", ")}\n\n${helpText(spec)}`);
      return 2;
    }
    const found = spec.subcommands.find((s) => s.name === `${name} ${sub}`);
    if (!found) return usageFailure(prefix, spec, `unknown subcommand "${sub}"; expected ${subNames.join(", ")}`);
    spec = found;
    args = subArgs;
  }
  let module: CommandModule | undefined;
  try {
    const flags = parseFlags(spec, args);
    if (flags === "help") {
      process.stdout.write(helpText(spec));
      return 0;
    }
    module = spec.load!();
    return await module.main(flags);
  } catch (err) {
    const userError = err instanceof UsageError || (module?.userErrors ?? []).some((c) => err instanceof c);
    if (userError) return usageFailure(prefix, spec, (err as Error).message);
    throw err;
  }
}
