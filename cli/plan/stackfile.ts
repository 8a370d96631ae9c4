import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import { parseStructured } from "../../stacks/config/coerce";

import { UsageError } from "../args";

export { UsageError };

/** Finds the Pulumi project (the folder holding Pulumi.yaml) from `start` upwards. */
export function findProjectDir(start: string = process.cwd()): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, "Pulumi.yaml"))) return dir;
    const up = dirname(dir);
    if (up === dir)
      throw new UsageError(`no Pulumi.yaml found in ${start} or any parent folder; run tricloud inside the project`);
    dir = up;
  }
}

export function readProjectName(projectDir: string): string {
  const doc = parse(readFileSync(join(projectDir, "Pulumi.yaml"), "utf8")) as { name?: unknown } | null;
  if (!doc || typeof doc.name !== "string")
    throw new UsageError(`${join(projectDir, "Pulumi.yaml")}: expected a "name" field`);
  return doc.name;
}

export interface StackConfigFile {
  readonly path: string;
  /** Flat `namespace:key -> string`, exactly as Pulumi hands config to a program. */
  readonly config: Record<string, string>;
  /** Keys whose values are encrypted in the file; the offline plan cannot decrypt them. */
  readonly secretKeys: string[];
}

function toConfigString(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function isSecure(value: unknown): boolean {
  return (
    !!value &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    "secure" in value
  );
}

/** Reads `Pulumi.<stack>.yaml` (or `file`) the way Pulumi does: keys without a namespace belong to the project. */
export function readStackFile(projectDir: string, project: string, stack: string, file?: string): StackConfigFile {
  const path = file ? resolve(file) : join(projectDir, `Pulumi.${stack}.yaml`);
  if (!existsSync(path)) {
    throw new UsageError(
      file
        ? `--config-file: ${path} does not exist`
        : `--stack: no stack file ${path} (expected Pulumi.${stack}.yaml next to Pulumi.yaml)`,
    );
  }
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UsageError(`${path}: not valid YAML: ${(err as Error).message}`);
  }
  const raw = (doc as { config?: unknown } | null)?.config ?? {};
  if (typeof raw !== "object" || Array.isArray(raw))
    throw new UsageError(`${path}: expected "config" to be a map of keys to values`);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const full = key.includes(":") ? key : `${project}:${key}`;
    if (isSecure(value)) {
      secretKeys.push(full);
      config[full] = "[secret]";
      continue;
    }
    config[full] = toConfigString(value);
  }
  return { path, config, secretKeys };
}

/**
 * Applies `-c key=value` overrides like `pulumi up -c` (a key without a
 * namespace belongs to the project). A dotted key (`tricloud:clusters.aws.maxNodes`)
 * sets one field inside a structured value, as `pulumi config set --path` does;
 * a value written as JSON (`{...}` or `[...]`) is set as a map or list.
 */
export function applyOverrides(
  config: Record<string, string>,
  project: string,
  overrides: readonly string[],
): Record<string, string> {
  const out = { ...config };
  for (const o of overrides) {
    const eq = o.indexOf("=");
    if (eq <= 0) throw new UsageError(`-c ${o}: expected key=value, e.g. -c tricloud:costCeilingUsd=500`);
    const rawKey = o.slice(0, eq);
    const value = o.slice(eq + 1);
    const full = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    const colon = full.indexOf(":");
    const [top, ...path] = full.slice(colon + 1).split(".");
    const topKey = `${full.slice(0, colon)}:${top}`;
    if (path.length === 0) {
      out[topKey] = value;
      continue;
    }
    let root: unknown = {};
    if (out[topKey] !== undefined) {
      try {
        root = JSON.parse(out[topKey]!);
      } catch {
        throw new UsageError(`-c ${o}: ${topKey} holds a plain value, not a map; set it as a whole`);
      }
    }
    if (!root || typeof root !== "object")
      throw new UsageError(`-c ${o}: ${topKey} holds a plain value, not a map; set it as a whole`);
    let node = root as Record<string, unknown>;
    path.slice(0, -1).forEach((seg) => {
      const next = node[seg];
      if (next === undefined) node[seg] = {};
      else if (!next || typeof next !== "object")
        throw new UsageError(`-c ${o}: ${topKey}.${seg} holds a plain value, not a map`);
      node = node[seg] as Record<string, unknown>;
    });
    node[path[path.length - 1]!] = parseStructured(value);
    out[topKey] = JSON.stringify(root);
  }
  return out;
}
