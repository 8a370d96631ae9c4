import { parseArgs } from "node:util";

/**
 * The one flag parser and help layer every `tricloud` command goes through.
 * node's util.parseArgs does the tokenizing (no dependency, and it knows
 * `--flag=value`, `-c v` and `--`); this layer adds what it lacks: one error
 * form that names the flag and the expected value, and help generated from the
 * same table, so a flag cannot be parsed without being documented.
 */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface FlagSpec {
  readonly type: "string" | "boolean";
  readonly multiple?: boolean;
  readonly short?: string;
  readonly default?: string;
  /** The expected value, shown in help and errors: "<name>", "table|json|markdown". */
  readonly value?: string;
  readonly help: string;
}

export type FlagValues = Record<string, string | boolean | string[] | undefined>;
export type CommandMain = (flags: FlagValues) => Promise<number>;
/** What a command module exports: its main, and the error classes that mean bad input (exit 2). */
export interface CommandModule {
  readonly main: CommandMain;
  readonly userErrors?: ReadonlyArray<abstract new (...args: never[]) => Error>;
}

export interface CommandSpec {
  /** "plan", or "cost diff" for a subcommand. */
  readonly name: string;
  readonly summary: string;
  /** What follows `usage: tricloud <name>`; defaults to "[flags]". */
  readonly synopsis?: string;
  readonly description?: string;
  readonly flags?: Record<string, FlagSpec>;
  /** Extra help text after the flags (tuning notes, what to watch). */
  readonly notes?: string;
  readonly exitCodes: Readonly<Record<number, string>>;
  readonly load?: () => CommandModule;
  readonly subcommands?: readonly CommandSpec[];
}

const HELP_FLAG: FlagSpec = { type: "boolean", short: "h", help: "print this help and exit 0" };

function flagsOf(spec: CommandSpec): Record<string, FlagSpec> {
  return { ...spec.flags, help: HELP_FLAG };
}

function flagLabel(name: string, f: FlagSpec): string {
  return `${f.short ? `-${f.short}, ` : "    "}--${name}${f.type === "string" ? ` ${f.value ?? "<value>"}` : ""}`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** The help of one command: usage, description, flags, notes and exit codes, always in that order. */
export function helpText(spec: CommandSpec): string {
  const out = [
    `usage: tricloud ${spec.name} ${spec.synopsis ?? (spec.subcommands ? "<subcommand> [flags]" : "[flags]")}`,
    "",
  ];
  out.push(spec.description ?? spec.summary, "");
  if (spec.subcommands?.length) {
    out.push(
      "subcommands:",
      ...spec.subcommands.map((s) => `  ${s.name.split(" ").pop()!.padEnd(10)} ${s.summary}`),
      "",
    );
  }
  const flags = Object.entries(flagsOf(spec));
  const width = Math.min(34, Math.max(...flags.map(([n, f]) => flagLabel(n, f).length)) + 2);
  out.push("flags:");
  for (const [name, f] of flags) {
    const label = flagLabel(name, f);
    const extra = [f.multiple ? "repeatable" : "", f.default !== undefined ? `default ${f.default}` : ""]
      .filter(Boolean)
      .join("; ");
    const text = wrap(`${f.help}${extra ? ` (${extra})` : ""}`, 98 - width).join(`\n  ${" ".repeat(width)}`);
    out.push(
      label.length + 2 > width ? `  ${label}\n  ${" ".repeat(width)}${text}` : `  ${label.padEnd(width)}${text}`,
    );
  }
  if (spec.notes) out.push("", spec.notes.trimEnd());
  out.push("", "exit codes:", ...Object.entries(spec.exitCodes).map(([code, what]) => `  ${code}  ${what}`));
  return `${out.join("\n")}\n`;
}

/**
 * Parses argv against the command's flags. Returns "help" for --help/-h, else the values
 * (defaults filled in). Every mistake throws a UsageError whose message starts with the flag.
 */
export function parseFlags(spec: CommandSpec, argv: readonly string[]): FlagValues | "help" {
  const flags = flagsOf(spec);
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [
      name,
      {
        type: f.type,
        ...(f.multiple ? { multiple: true } : {}),
        ...(f.short ? { short: f.short } : {}),
        ...(f.default !== undefined ? { default: f.default } : {}),
      },
    ]),
  );
  const { values, tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const known = Object.keys(flags)
    .map((n) => `--${n}`)
    .join(", ");
  for (const t of tokens) {
    if (t.kind === "positional") {
      throw new UsageError(`unexpected argument "${t.value}"; expected flags only (${known})`);
    }
    if (t.kind !== "option") continue;
    const f = flags[t.name];
    const expected = f
      ? flagLabel(t.name, f)
          .trim()
          .replace(/^-\w, /, "")
      : "";
    if (!f) throw new UsageError(`${t.rawName}: unknown flag; expected one of ${known}`);
    if (f.type === "string" && t.value === undefined)
      throw new UsageError(`--${t.name}: expected a value, as in ${expected}`);
    if (f.type === "string" && !t.inlineValue && t.value!.startsWith("--")) {
      throw new UsageError(
        `--${t.name}: expected a value, as in ${expected}, got the flag "${t.value}" (write --${t.name}=${t.value} if that is the value)`,
      );
    }
    if (f.type === "boolean" && t.inlineValue) throw new UsageError(`--${t.name}: takes no value, got "${t.value}"`);
    if (!f.multiple && tokens.filter((o) => o.kind === "option" && o.name === t.name).length > 1) {
      throw new UsageError(`--${t.name}: given more than once; expected it once`);
    }
  }
  if (values.help) return "help";
  return values as FlagValues;
}

/** A required string flag's value, or a UsageError naming the flag and its form. */
export function required(spec: CommandSpec, flags: FlagValues, name: string, what: string): string {
  const v = flags[name];
  if (typeof v === "string" && v !== "") return v;
  const f = flagsOf(spec)[name]!;
  throw new UsageError(
    `--${name}: required (${what}), as in ${flagLabel(name, f)
      .trim()
      .replace(/^-\w, /, "")}`,
  );
}

/** One of a fixed set of values, or a UsageError naming the flag. */
/** pino's levels, as `--log-level` takes them on `tricloud node` and `tricloud local`. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name}: expected one of ${allowed.join(", ")}, got "${String(value)}"`);
}

/** A whole number within [min, max], or a UsageError naming the flag. */
export function integer(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (typeof value === "string" && /^\d+$/.test(value) && Number.isSafeInteger(n) && n >= min && n <= max) return n;
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  throw new UsageError(`--${name}: expected an integer ${range}, got "${String(value)}"`);
}
