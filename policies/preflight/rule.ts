/**
 * Preflight: what each cloud refuses, checked offline before `pulumi up`.
 *
 * A rule reads the inputs the program sends (the same inputs CrossGuard's
 * resource policies see) and returns findings: which property, the value sent
 * and what the cloud expects. Every rule names its source (the cloud's page or
 * the machine-readable model it was derived from) and the date it was read.
 * The same rules run in `tricloud plan` (policies/preflight/engine.ts) and as
 * the CrossGuard pack `policies/preflight` (policies.ts) for `pulumi preview`.
 * This module imports nothing of the project: packs and the CLI share it.
 */

/** error: the cloud refuses it or it cannot work (exit 1); warning: it deploys but needs attention. */
export type PreflightLevel = "error" | "warning";

export interface RuleSource {
  /** The page (or package) the constraint was read from. */
  readonly url: string;
  /** When it was read, YYYY-MM-DD. */
  readonly read: string;
  /** For derived rules: the package and version whose model the values come from. */
  readonly derivedFrom?: string;
}

/** One resource as preflight sees it: its inputs, and what it waits for (explicit dependsOn and input references). */
export interface PreflightResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly props: Record<string, any>;
  /** URNs of the resources this one waits for; undefined when the engine did not say. */
  readonly dependencies?: readonly string[];
}

/** What rules may know beyond the resources: the plan's date and a few account facts (pack config). */
export interface PreflightSettings {
  /** The date the plan judges support windows at, YYYY-MM-DD (`--as-of`; default today, UTC). */
  readonly asOf: string;
  /** The Cloudflare plan of the zone (free, pro, business, enterprise): monitor intervals and add-ons depend on it. */
  readonly cloudflarePlan?: string;
  /** The AWS account's Lambda concurrent-executions quota (default 1,000; new accounts often have less). */
  readonly awsLambdaConcurrency?: number;
  /** The environment (dev, staging, prod). */
  readonly environment?: string;
  /** The Istio release the mesh pins (`tricloud:mesh.istioVersion`); mesh rules are skipped without it. */
  readonly istioVersion?: string;
}

export interface Finding {
  /** Dotted input path, e.g. "description" or "ingress[0].description". */
  readonly property: string;
  readonly value: unknown;
  readonly expected: string;
}

export interface StackFinding extends Finding {
  /** The resource the finding is about; null for the stack as a whole. */
  readonly urn: string | null;
}

interface RuleMeta {
  /** kebab-case `preflight-<cloud>-<service>-<what>`. */
  readonly name: string;
  /** One sentence: what the cloud refuses or needs. */
  readonly description: string;
  readonly level: PreflightLevel;
  readonly source: RuleSource;
}

/** Checks one resource's inputs; types are Pulumi type tokens. */
export interface ResourceRule extends RuleMeta {
  readonly types: readonly string[];
  check(props: Record<string, any>, resource: PreflightResource, settings: PreflightSettings): readonly Finding[];
}

/** Checks the program as a whole (what must exist first, what must wait for what). */
export interface StackRule extends RuleMeta {
  checkStack(resources: readonly PreflightResource[], settings: PreflightSettings): readonly StackFinding[];
}

export type PreflightRule = ResourceRule | StackRule;

export const isStackRule = (r: PreflightRule): r is StackRule => "checkStack" in r;

/**
 * Something the plan cannot create and a team must arrange before `pulumi up`:
 * an account add-on, a registered resource provider, a quota, an org policy.
 */
export interface Prerequisite {
  readonly cloud: "aws" | "azure" | "gcp" | "cloudflare" | "vercel";
  /** What must be in place, e.g. "Load Balancing add-on covering 3 origins and 4 probe regions". */
  readonly what: string;
  /** Why the plan needs it (which resources). */
  readonly why: string;
  readonly source: RuleSource;
}

export interface PrerequisiteRule {
  readonly name: string;
  list(resources: readonly PreflightResource[], settings: PreflightSettings): readonly Prerequisite[];
}

/** The entry the plan reports (JSON `preflight[]`); a contract: extend, never rename. */
export interface PreflightEntry {
  readonly rule: string;
  readonly urn: string | null;
  readonly property: string;
  readonly value: unknown;
  readonly expected: string;
  /** "<url> (read YYYY-MM-DD[, from <package@version>])". */
  readonly source: string;
  readonly level: PreflightLevel;
}

// ---- helpers for rule authors -------------------------------------------------------------

/** Reads a dotted/indexed path ("siteConfig.ftpsState", "ingress[0].description"); undefined when any step is missing. */
export function at(obj: unknown, path: string): any {
  let cur: any = obj;
  for (const k of path.replace(/\[(\d+)\]/g, ".$1").split(".")) {
    if (cur === null || cur === undefined || typeof cur !== "object") return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Every (path, value) for a path with `[]` wildcards: "ingress[].description" -> ingress[0].description, ... */
export function each(obj: unknown, path: string): { path: string; value: any }[] {
  const star = path.indexOf("[]");
  if (star < 0) {
    const value = at(obj, path);
    return value === undefined ? [] : [{ path, value }];
  }
  const head = path.slice(0, star);
  const rest = path.slice(star + 2).replace(/^\./, "");
  const list = at(obj, head);
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, i) =>
    rest
      ? each(item, rest).map((e) => ({ path: `${head}[${i}].${e.path}`, value: e.value }))
      : [{ path: `${head}[${i}]`, value: item }],
  );
}

/**
 * A string field checked against a pattern and length; values that are not
 * strings (unknown at preview, or absent) are skipped.
 */
export function checkString(
  obj: unknown,
  path: string,
  spec: { pattern?: RegExp; min?: number; max?: number; expected: string },
): Finding[] {
  return each(obj, path).flatMap(({ path: p, value }) => {
    if (typeof value !== "string") return [];
    const bad =
      (spec.pattern && !spec.pattern.test(value)) ||
      (spec.min !== undefined && value.length < spec.min) ||
      (spec.max !== undefined && value.length > spec.max);
    return bad ? [{ property: p, value, expected: spec.expected }] : [];
  });
}

/** A value checked against a list of allowed values (numbers or strings). */
export function checkOneOf(
  obj: unknown,
  path: string,
  allowed: readonly (string | number)[],
  what = "one of",
): Finding[] {
  return each(obj, path).flatMap(({ path: p, value }) =>
    value === undefined || value === null || allowed.includes(value)
      ? []
      : [{ property: p, value, expected: `${what} ${allowed.join(", ")}` }],
  );
}

/** The resources by URN, as waitsFor() and ordering rules look them up. */
export const byUrnOf = (resources: readonly PreflightResource[]): Map<string, PreflightResource> =>
  new Map(resources.map((r) => [r.urn, r]));

/** The URNs a resource waits for, transitively (dependencies of dependencies). */
export function waitsFor(resource: PreflightResource, byUrn: ReadonlyMap<string, PreflightResource>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(resource.dependencies ?? [])];
  while (stack.length) {
    const u = stack.pop()!;
    if (seen.has(u)) continue;
    seen.add(u);
    stack.push(...(byUrn.get(u)?.dependencies ?? []));
  }
  return seen;
}

export const formatSource = (s: RuleSource) =>
  `${s.url} (read ${s.read}${s.derivedFrom ? `, from ${s.derivedFrom}` : ""})`;
