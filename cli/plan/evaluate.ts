import { createRequire } from "node:module";
import type {
  EnforcementLevel,
  Policies,
  Policy,
  PolicyPackConfig,
  PolicyProviderResource,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyViolation } from "./report";

// The package's proxy module alone: its index loads the analyzer server and with it all of
// @pulumi/pulumi (gRPC, the automation API), which a plan read from the capture cache never needs.
// The index re-exports both from ./proxy; proxy.d.ts declares neither, so the types come from the index.
const { unknownCheckingProxy, UnknownValueError } = createRequire(__filename)("@pulumi/policy/proxy") as Pick<
  typeof import("@pulumi/policy"),
  "unknownCheckingProxy" | "UnknownValueError"
>;

/**
 * Runs CrossGuard policies over a captured plan, offline, with the semantics
 * of the real engine (@pulumi/policy 1.21's server.js): resource policies
 * see inputs, stack policies see outputs; props are wrapped in the
 * unknown-value proxy; `notApplicable` is honoured; `stackTags` is always
 * present; `getConfig()` returns the policy's configSchema defaults merged
 * with the pack config; enforcement comes from the config, then the policy,
 * then the pack (advisory by default); remediate reports as mandatory.
 * Hand-written because Pulumi ships no way to run a pack without the CLI
 * (pulumi/pulumi-policy#445).
 */

export interface EvalResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  /** What resource policies see. */
  readonly inputs: Record<string, unknown>;
  /** What stack policies see (the engine's state after the step). */
  readonly outputs: Record<string, unknown>;
  readonly protect?: boolean;
  readonly provider?: PolicyProviderResource;
  /** URNs this resource waits for (stack policies see them as `dependencies`). */
  readonly dependencies?: readonly string[];
}

export interface EvalPack {
  readonly name: string;
  readonly enforcementLevel?: EnforcementLevel;
  readonly policies: Policies;
}

export interface EvalOptions {
  readonly stackTags?: ReadonlyMap<string, string>;
  /** As a `--policy-pack-config` file: per policy, an enforcement level or `{ enforcementLevel?, ...properties }`. */
  readonly config?: PolicyPackConfig;
}

export interface NotApplicable {
  readonly pack: string;
  readonly policy: string;
  readonly urn: string | null;
  readonly reason: string;
}

export interface EvalResult {
  readonly violations: PolicyViolation[];
  readonly notApplicable: NotApplicable[];
}

export class PolicyConfigError extends Error {
  override name = "PolicyConfigError";
}

class NotApplicableError extends Error {
  readonly reason: string | undefined;
  constructor(reason: string | undefined) {
    // Thrown for most (policy, resource) pairs and never printed: no stack trace is captured.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(reason ?? "Policy does not apply");
    Error.stackTraceLimit = limit;
    this.reason = reason;
  }
}
const throwNotApplicable = (reason?: string): never => {
  throw new NotApplicableError(reason);
};

function isResourcePolicy(p: Policy): p is ResourceValidationPolicy {
  return "validateResource" in p || "remediateResource" in p;
}
function isStackPolicy(p: Policy): p is StackValidationPolicy {
  return typeof (p as StackValidationPolicy).validateStack === "function";
}

const JSON_TYPES: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  number: (v) => typeof v === "number",
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === "boolean",
  array: (v) => Array.isArray(v),
  object: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  null: (v) => v === null,
};

/**
 * The policy's config as the engine hands it over: schema defaults, then the
 * given values, checked for required keys and top-level JSON types (the CLI
 * validates fully against the JSON schema; no schema validator is installed).
 */
export function resolvePolicyConfig(
  pack: string,
  p: Policy,
  given: PolicyPackConfig[string] | undefined,
): { level: EnforcementLevel | undefined; config: Record<string, unknown> } {
  const { enforcementLevel, ...values } = typeof given === "string" ? { enforcementLevel: given } : (given ?? {});
  const props = p.configSchema?.properties ?? {};
  const config: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(props)) if (s.default !== undefined) config[k] = structuredClone(s.default);
  for (const [k, v] of Object.entries(values)) {
    if (!(k in props))
      throw new PolicyConfigError(
        `policy config ${pack}/${p.name}: unknown key "${k}"; expected ${Object.keys(props).join(", ") || "no keys"}`,
      );
    config[k] = v;
  }
  for (const k of p.configSchema?.required ?? []) {
    if (config[k] === undefined) throw new PolicyConfigError(`policy config ${pack}/${p.name}: "${k}" is required`);
  }
  for (const [k, v] of Object.entries(config)) {
    const t = props[k]?.type;
    const types = t === undefined ? [] : Array.isArray(t) ? t : [t];
    if (types.length && !types.some((x) => JSON_TYPES[x]?.(v)))
      throw new PolicyConfigError(
        `policy config ${pack}/${p.name}: "${k}" expected ${types.join(" or ")}, got ${JSON.stringify(v)}`,
      );
  }
  return { level: enforcementLevel as EnforcementLevel | undefined, config };
}

/**
 * A fresh copy of a resource's properties for one policy, as the engine deserializes one per
 * call. Hand-written because structuredClone serializes every string into a buffer and back:
 * properties are plain JSON-like values whose strings are immutable and can be shared, and a
 * stack's policies take a copy of every resource each (about 10 ms against 160 ms for prod).
 * Anything else (an asset, a Date) still goes through structuredClone.
 */
function freshCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(freshCopy) as T;
  if (value === null || typeof value !== "object") return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = freshCopy(v);
  return out as T;
}

const OPTS = (r: EvalResource): PolicyResourceOptions => ({
  protect: r.protect ?? false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
  ...(r.parent ? { parent: r.parent } : {}),
});

/** isType/asType as the engine's: a generated resource class carries its type token as `__pulumiType`. */
function typeMatcher(type: string, props: () => Record<string, any>) {
  const isType = (cls: unknown) => (cls as { __pulumiType?: string }).__pulumiType === type;
  return {
    isType,
    asType: ((cls: unknown) => (isType(cls) ? props() : undefined)) as ResourceValidationArgs["asType"] &
      PolicyResource["asType"],
  };
}

/**
 * Gives `target` the engine's `props`: a fresh copy of `source` for this one call, behind the unknown-checking
 * proxy, made when a policy first reads it. Most policies look at a resource's type and never at its properties,
 * so copying only what is read keeps the engine's semantics at a fraction of the cost.
 */
function withLazyProps<T extends object>(
  target: T,
  source: Record<string, unknown>,
): T & { props: Record<string, any> } & ReturnType<typeof typeMatcher> {
  let props: Record<string, any> | undefined;
  const read = () => (props ??= unknownCheckingProxy(freshCopy(source)));
  Object.defineProperty(target, "props", {
    enumerable: true,
    configurable: true,
    get: read,
    set: (v: Record<string, any>) => void (props = v),
  });
  return Object.assign(target, typeMatcher((target as { type: string }).type, read)) as T & {
    props: Record<string, any>;
  } & ReturnType<typeof typeMatcher>;
}

export async function evaluatePack(
  pack: EvalPack,
  resources: readonly EvalResource[],
  opts: EvalOptions = {},
): Promise<EvalResult> {
  const stackTags = opts.stackTags ?? new Map<string, string>();
  const config = opts.config ?? {};
  const names = new Set(pack.policies.map((p) => p.name));
  for (const k of Object.keys(config)) {
    if (k !== "all" && !names.has(k))
      throw new PolicyConfigError(
        `policy config for pack ${pack.name}: no policy named "${k}"; expected one of ${[...names].join(", ")}`,
      );
  }
  const violations: PolicyViolation[] = [];
  const notApplicable: NotApplicable[] = [];

  for (const p of pack.policies) {
    const resolved = resolvePolicyConfig(
      pack.name,
      p,
      config[p.name] ?? (typeof config.all === "string" ? config.all : undefined),
    );
    let level = resolved.level ?? p.enforcementLevel ?? pack.enforcementLevel ?? "advisory";
    if (level === "disabled") continue;
    if (level === "remediate") level = "mandatory";
    const getConfig = <T extends object>() => structuredClone(resolved.config) as T;
    const report = (urn: string | null) => (message: string, at?: string) =>
      violations.push({
        pack: pack.name,
        policy: p.name,
        enforcementLevel: level,
        urn: at ?? urn,
        message: message || p.description,
      });
    const run = async (urn: string | null, fn: () => unknown) => {
      try {
        // Most validations are synchronous: only a returned promise (or thenable) is awaited.
        const result = fn() as { then?: unknown } | undefined;
        if (typeof result?.then === "function") await result;
      } catch (err) {
        if (err instanceof NotApplicableError)
          notApplicable.push({ pack: pack.name, policy: p.name, urn, reason: err.reason ?? "Policy does not apply" });
        // The engine downgrades a policy that touched an unknown value to an advisory note for this preview.
        else if (err instanceof UnknownValueError)
          violations.push({
            pack: pack.name,
            policy: p.name,
            enforcementLevel: "advisory",
            urn,
            message: `can't run policy '${p.name}' from policy pack '${pack.name}' during preview: ${(err as Error).message}`,
          });
        else
          throw new Error(`policy ${pack.name}/${p.name} failed${urn ? ` on ${urn}` : ""}: ${(err as Error).message}`, {
            cause: err,
          });
      }
    };

    if (isResourcePolicy(p)) {
      if (!p.validateResource) continue;
      const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
      for (const r of resources) {
        for (const validate of validations) {
          const args: ResourceValidationArgs = withLazyProps(
            {
              type: r.type,
              urn: r.urn,
              name: r.name,
              opts: OPTS(r),
              stackTags,
              getConfig,
              notApplicable: throwNotApplicable,
              ...(r.provider ? { provider: r.provider } : {}),
            },
            r.inputs,
          );
          await run(r.urn, () => validate(args, report(r.urn)));
        }
      }
    } else if (isStackPolicy(p)) {
      const byUrn = new Map<string, PolicyResource>();
      const policyResources = resources.map((r) => {
        const pr: PolicyResource = withLazyProps(
          {
            type: r.type,
            urn: r.urn,
            name: r.name,
            opts: OPTS(r),
            dependencies: [] as PolicyResource[],
            propertyDependencies: {},
            ...(r.provider ? { provider: r.provider } : {}),
          },
          r.outputs,
        );
        byUrn.set(r.urn, pr);
        return pr;
      });
      resources.forEach((r, i) => {
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        if (parent) policyResources[i]!.parent = parent;
        policyResources[i]!.dependencies = (r.dependencies ?? []).flatMap((u) => byUrn.get(u) ?? []);
      });
      const args: StackValidationArgs = {
        resources: policyResources,
        stackTags,
        getConfig,
        notApplicable: throwNotApplicable,
      };
      await run(null, () => p.validateStack(args, report(null)));
    }
  }
  return { violations, notApplicable };
}
