import type { z } from "zod";
import { parseStructured } from "./coerce";
import { stackConfigSchema, type ParsedStackConfig } from "./schema";

export const PROJECT = "tricloud";
/** Namespaces the program reads; all other namespaces belong to providers and tools. */
const NAMESPACES = ["tricloud", "aws", "azure-native", "gcp"] as const;

export interface ConfigProblem {
  /** Full key path as a user would type it: `tricloud:clusters.aws.maxNodes`. */
  readonly key: string;
  readonly message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = "ConfigError";
  }
}

export function formatProblems(problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => `  ${p.key}: ${p.message}`);
  return `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

/** The validated configuration of one stack, with its identity. */
export type StackConfig = ParsedStackConfig & { readonly stack: string };

/** Turns Pulumi's flat `namespace:key -> string` map into one object per namespace. */
export function nestConfig(flat: Readonly<Record<string, string>>): Record<string, Record<string, unknown>> {
  const nested: Record<string, Record<string, unknown>> = {};
  for (const ns of NAMESPACES) nested[ns] = {};
  for (const [fullKey, value] of Object.entries(flat)) {
    const colon = fullKey.indexOf(":");
    if (colon < 0) continue;
    const ns = fullKey.slice(0, colon);
    const key = fullKey.slice(colon + 1);
    if (!(ns in nested)) continue;
    nested[ns]![key] = parseStructured(value);
  }
  return nested;
}

function keyPath(path: readonly PropertyKey[]): string {
  const [ns, ...rest] = path.map(String);
  let out = `${ns}:`;
  rest.forEach((seg, i) => {
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else out += i === 0 ? seg : `.${seg}`;
  });
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (v, k) => (v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined),
    root,
  );
}

function toProblems(error: z.ZodError, raw: unknown): ConfigProblem[] {
  return error.issues.map((issue) => {
    let key = keyPath(issue.path);
    let message = issue.message;
    if (issue.code === "unrecognized_keys") {
      return {
        key,
        message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} (check the spelling)`,
      };
    }
    if (issue.code === "invalid_key") message = issue.issues[0]?.message ?? message;
    if (issue.code === "invalid_type" && valueAt(raw, issue.path) === undefined) {
      message = `required, but not set (${message.replace(/^Invalid input: /, "")})`;
    }
    if (key.endsWith(":")) key = key.slice(0, -1);
    return { key, message };
  });
}

/** Validates a flat Pulumi config map. Throws ConfigError listing every problem by key. */
export function parseStackConfig(flat: Readonly<Record<string, string>>, stack: string): StackConfig {
  const raw = nestConfig(flat);
  const result = stackConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(toProblems(result.error, raw));
  return { ...result.data, stack };
}
