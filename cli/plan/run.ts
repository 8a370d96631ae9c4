import { parseStackConfig, type StackConfig } from "../../stacks/config/load";
import { edgeSummary } from "../../stacks/edge-summary";
import { readFileSync } from "node:fs";
import type { PolicyPackConfig } from "@pulumi/policy";
import { costPolicies, PACK_NAME as COST_PACK } from "../../policies/cost/policies";
import { lockInRows } from "../../policies/portability/lock-in";
import { PACK_NAME as PORTABILITY_PACK, portabilityPolicies } from "../../policies/portability/policies";
import {
  costConfigFor,
  mergePolicyConfig,
  portabilityConfigFor,
  preflightSettingsFor,
} from "../../policies/stack-config";
import { catalogWith, readOverrideFile } from "../../pricing/catalog";
import { estimateCost } from "../../pricing/estimate";
import { loadUsageProfile } from "../../pricing/usage";
import { parseWhatIf } from "../../pricing/what-if";
import {
  Capture,
  lazyOutputsForMocks,
  noVersionAliasesForMocks,
  plainStructsForMocks,
  pulumiSdk,
  redact,
} from "./capture";
import { captureOnce } from "./capture-cache";
import { evaluatePack, PolicyConfigError, type EvalResource } from "./evaluate";
import { offlineMocks, type MockContext } from "./mock-state";
import { cloudOf, emptyByCloud, type PlanReport, type PlannedResource } from "./report";
import { applyOverrides, findProjectDir, readProjectName, readStackFile, UsageError } from "./stackfile";
import { parseIsoDate, runPreflight, todayUtc } from "../../policies/preflight/engine";
import type { PreflightResource } from "../../policies/preflight/rule";
import { prebuildFunctionBundles } from "../../components/shared/bundle";

export interface PlanOptions {
  readonly stack: string;
  readonly configFile?: string;
  /** `key=value` overrides, as `pulumi up -c`. */
  readonly overrides?: readonly string[];
  readonly projectDir?: string;
  /** `--what-if <provider>=<+/-pct>` values: re-price exactly those providers. */
  readonly whatIf?: readonly string[];
  /** `--prices <file>`: the user's price overrides. */
  readonly pricesFile?: string;
  /** `--usage <low|medium|high|file>`: quantities for usage-priced components. */
  readonly usage?: string;
  /** `--policy-config <file>`: a policy config (policy name -> level or properties) over the stack-derived one. */
  readonly policyConfigFile?: string;
  /** `--as-of YYYY-MM-DD`: the date support windows are judged at (default today, UTC). */
  readonly asOf?: string;
  /** Told each phase as it starts (the CLI's progress line). */
  readonly onPhase?: (what: string) => void;
}

export interface PlanInput {
  readonly project: string;
  readonly stack: string;
  readonly flatConfig: Record<string, string>;
  readonly secretKeys: string[];
  /** Validated config; a bad stack file throws ConfigError before anything runs. */
  readonly config: StackConfig;
}

/** Reads and validates the stack file plus overrides, exactly as the program will see them. */
export function loadPlanInput(opts: PlanOptions): PlanInput {
  const projectDir = opts.projectDir ?? findProjectDir();
  const project = readProjectName(projectDir);
  const file = readStackFile(projectDir, project, opts.stack, opts.configFile);
  const flatConfig = applyOverrides(file.config, project, opts.overrides ?? []);
  const config = parseStackConfig(flatConfig, opts.stack);
  return { project, stack: opts.stack, flatConfig, secretKeys: file.secretKeys, config };
}

/**
 * Runs the real program under Pulumi's mocks and captures every resource.
 * Runs are serialised: Pulumi's runtime state is process-global.
 */
let queue: Promise<unknown> = Promise.resolve();
/** What the engine would hold after the step, per URN: outputs (secrets redacted) and the protect option. */
export interface EngineState {
  readonly outputs: ReadonlyMap<string, Record<string, unknown>>;
  readonly protect: ReadonlySet<string>;
}
export type CapturedPlan = Omit<PlanReport, "cost" | "policies" | "preflight" | "prerequisites"> & {
  readonly engine: EngineState;
};

/** The captured resources as preflight sees them: their inputs, and the Stack's outputs (it has no inputs; the
 * engine shows stack policies its outputs). */
export function preflightResources(
  resources: readonly PlannedResource[],
  engine: Pick<EngineState, "outputs">,
): PreflightResource[] {
  return resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent,
    props: r.type === "pulumi:pulumi:Stack" ? (engine.outputs.get(r.urn) ?? r.inputs) : r.inputs,
    dependencies: r.dependencies ?? [],
  }));
}

export function runProgramUnderMocks(input: PlanInput): Promise<CapturedPlan> {
  // In the queue, so a second plan of the same inputs in this process reads the first one's capture.
  const run = queue.then(() => captureOnce(input, () => runOnce(input)));
  queue = run.catch(() => undefined);
  return run;
}

async function runOnce(input: PlanInput): Promise<CapturedPlan> {
  const pulumi = pulumiSdk();
  const { config } = input;
  const ctx: MockContext = {
    project: input.project,
    stack: input.stack,
    awsRegion: config.aws.region,
    azureLocation: config["azure-native"].location,
    gcpProject: config.gcp.project,
    gcpRegion: config.gcp.region,
  };
  // The three function bundles build in esbuild's process while this one loads the SDKs below.
  const bundles = prebuildFunctionBundles();
  // Loaded here, not at the top: a plan read from the capture cache never loads the provider SDKs.
  // The bin compiles TypeScript in a require() hook; under vitest the import() is resolved instead.
  const { program } = require.extensions[".ts"]
    ? (require("../../stacks") as typeof import("../../stacks/index.js"))
    : await import("../../stacks/index.js");
  await bundles;
  const inputs = new Map<string, Record<string, unknown>>();
  const states = new Map<string, Record<string, unknown>>();
  const failures: Error[] = [];

  await pulumi.runtime.setMocks(
    offlineMocks(ctx, failures, (type, name, resourceInputs, state) => {
      inputs.set(`${type}::${name}`, resourceInputs);
      states.set(`${type}::${name}`, state);
    }),
    input.project,
    input.stack,
    true,
  );
  pulumi.runtime.setAllConfig(input.flatConfig, input.secretKeys);
  const capture = new Capture();
  capture.install();

  let outputs: Record<string, unknown> | undefined;
  // The SDK records a stack trace on every promise it makes (runtime/debuggable.ts), for
  // leak reports the mocks never print: one frame instead of ten cut the plan by ~0.4 s, and
  // passing the promises through untouched for the run (the SDK's function is put back after)
  // saves about 6 % more CPU time; no trace is read under mocks.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 1;
  const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
    debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
  };
  const debuggablePromise = debuggable.debuggablePromise;
  debuggable.debuggablePromise = (p) => p;
  // Likewise every resource's source position (the SDK's Resource.callsites: a whole stack trace,
  // mapped to the .ts sources, parsed and sent to the engine), which neither the mocks nor the
  // report read: about 2 % of a warm plan in its CPU profile.
  const resourceClass = pulumi.Resource as unknown as { callsites: () => unknown[] };
  const callsites = resourceClass.callsites;
  resourceClass.callsites = () => [];
  const restoreStructs = plainStructsForMocks();
  // A resource's properties become Outputs when first read, and provider packages' API-version
  // aliases are left out (see capture.ts): the same plan in 0.69x the time (prod, whole process).
  const restoreOutputs = lazyOutputsForMocks();
  const restoreAliases = noVersionAliasesForMocks();
  try {
    outputs = (await pulumi.runtime.runInPulumiStack(async () => program())) as Record<string, unknown> | undefined;
  } finally {
    resourceClass.callsites = callsites;
    debuggable.debuggablePromise = debuggablePromise;
    Error.stackTraceLimit = stackTraceLimit;
    // After the registrations still under way (components' outputs, the stack's) are done.
    await pulumi.runtime.disconnect().finally(() => {
      restoreStructs();
      restoreOutputs();
      restoreAliases();
    });
  }
  if (failures.length > 0) throw failures[0];

  const resources: PlannedResource[] = capture.registrations.map((r) => {
    const { value, secrets } = redact(inputs.get(`${r.type}::${r.name}`) ?? {});
    return {
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent,
      cloud: cloudOf(r.type),
      inputs: value as Record<string, unknown>,
      custom: r.custom,
      secretInputs: secrets,
      dependencies: r.dependencies,
      ...(r.custom ? {} : { registeredOutputs: capture.withOutputs.has(r.urn) || r.type === "pulumi:pulumi:Stack" }),
    };
  });
  // Deterministic order (the stack, then by URN) so two plans of one config diff cleanly.
  resources.sort((a, b) => (a.parent === null ? -1 : b.parent === null ? 1 : a.urn.localeCompare(b.urn)));
  const byCloud = emptyByCloud();
  for (const r of resources) if (r.custom) byCloud[r.cloud]++;
  const stackOutputs = redact(capture.stackOutputs ?? outputs ?? {}).value as Record<string, unknown>;
  const engineOutputs = new Map<string, Record<string, unknown>>();
  for (const r of capture.registrations) {
    const state =
      r.type === "pulumi:pulumi:Stack"
        ? stackOutputs
        : (redact(states.get(`${r.type}::${r.name}`) ?? {}).value as Record<string, unknown>);
    engineOutputs.set(r.urn, state);
  }
  return {
    engine: {
      outputs: engineOutputs,
      protect: new Set(capture.registrations.filter((r) => r.protect).map((r) => r.urn)),
    },
    project: input.project,
    stack: input.stack,
    resources,
    summary: {
      total: resources.filter((r) => r.custom).length,
      byCloud,
      components: resources.filter((r) => !r.custom && r.type !== "pulumi:pulumi:Stack").length,
    },
    outputs: stackOutputs,
  };
}

/** The default provider the engine would give each package, with its config (what `args.provider` shows policies). */
function defaultProviders(input: PlanInput): (type: string) => EvalResource["provider"] {
  const cache = new Map<string, EvalResource["provider"]>();
  return (type) => {
    const pkg = type.split(":")[0]!;
    if (pkg === "pulumi" || pkg === "tricloud") return undefined;
    if (!cache.has(pkg)) {
      const props = Object.fromEntries(
        Object.entries(input.flatConfig)
          .filter(([k]) => k.startsWith(`${pkg}:`))
          .map(([k, v]) => [k.slice(pkg.length + 1), v]),
      );
      // The engine names it default_<version>; the version does not matter to any policy here.
      cache.set(pkg, {
        type: `pulumi:providers:${pkg}`,
        name: "default",
        urn: `urn:pulumi:${input.stack}::${input.project}::pulumi:providers:${pkg}::default`,
        props,
      });
    }
    return cache.get(pkg);
  };
}

function readPolicyConfigFile(path: string): PolicyPackConfig {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as PolicyPackConfig;
  } catch (err) {
    throw new PolicyConfigError(`--policy-config: cannot read ${path} as JSON: ${(err as Error).message}`);
  }
}

/** The whole offline plan: program resources, then the cost model and both policy packs over them. */
export async function plan(opts: PlanOptions): Promise<PlanReport> {
  const input = loadPlanInput(opts);
  // Check every cost and policy flag before the program runs, so a typo fails fast and names its flag.
  const whatIf = parseWhatIf(opts.whatIf ?? []);
  const catalog = catalogWith(opts.pricesFile ? readOverrideFile(opts.pricesFile) : undefined, opts.pricesFile ?? null);
  const usage = opts.usage ? loadUsageProfile(opts.usage) : null;
  const userPolicyConfig = opts.policyConfigFile ? readPolicyConfigFile(opts.policyConfigFile) : {};
  const asOf = opts.asOf === undefined ? todayUtc() : parseIsoDate(opts.asOf);
  if (asOf === null)
    throw new UsageError(`--as-of: expected a date as YYYY-MM-DD (e.g. 2026-11-30), got "${opts.asOf}"`);

  const phase = opts.onPhase ?? (() => undefined);
  phase("running the program under mocks");
  const { engine, ...captured } = await runProgramUnderMocks(input);
  phase("pricing");
  const providerOf = defaultProviders(input);
  const evalResources: EvalResource[] = captured.resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent,
    inputs: r.inputs,
    outputs: engine.outputs.get(r.urn) ?? r.inputs,
    protect: engine.protect.has(r.urn),
    provider: providerOf(r.type),
    dependencies: r.dependencies ?? [],
  }));
  const priced = evalResources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent,
    props: r.outputs,
  }));
  const estimate = estimateCost(priced, { catalog, usage, whatIf });

  const known = [...portabilityPolicies, ...costPolicies].map((p) => p.name);
  for (const k of Object.keys(userPolicyConfig)) {
    if (k !== "all" && !known.includes(k))
      throw new PolicyConfigError(`--policy-config: no policy named "${k}"; expected one of ${known.join(", ")}`);
  }
  const scenario = {
    whatIf: opts.whatIf ?? [],
    ...(opts.usage ? { usageProfile: opts.usage } : {}),
    ...(opts.pricesFile ? { priceOverrides: readOverrideFile(opts.pricesFile) } : {}),
  };
  const stackTags = new Map([
    ["pulumi:project", input.project],
    ["pulumi:runtime", "nodejs"],
  ]);
  const packs = [
    { name: PORTABILITY_PACK, policies: portabilityPolicies, config: portabilityConfigFor(input.config) },
    { name: COST_PACK, policies: costPolicies, config: costConfigFor(input.config, scenario) },
  ];
  const violations = [];
  phase("evaluating the policy packs");
  for (const p of packs) {
    const config = mergePolicyConfig(
      p.config,
      userPolicyConfig,
      p.policies.map((x) => x.name),
    );
    violations.push(...(await evaluatePack(p, evalResources, { stackTags, config })).violations);
  }

  phase("preflight");
  const preflight = runPreflight(
    preflightResources(captured.resources, engine),
    preflightSettingsFor(input.config, asOf),
  );

  const byUrn = new Map(captured.resources.map((r) => [r.urn, r]));
  const componentOf = (r: { urn: string }) => {
    for (let cur = byUrn.get(byUrn.get(r.urn)?.parent ?? ""); cur; cur = cur.parent ? byUrn.get(cur.parent) : undefined)
      if (cur.type.startsWith("tricloud:")) return cur.name;
    return byUrn.get(r.urn)?.name ?? r.urn;
  };
  return {
    ...captured,
    cost: {
      monthlyUsd: estimate.monthlyUsd,
      ceilingUsd: input.config.tricloud.costCeilingUsd,
      byCloud: estimate.byCloud,
      lines: estimate.lines,
      byComponent: estimate.byComponent,
      baselineMonthlyUsd: estimate.baselineMonthlyUsd,
      whatIf,
      usageProfile: usage?.name ?? null,
      catalog: {
        file: "pricing/price-catalog.json",
        overrides: catalog.overrides,
        prices: Object.keys(catalog.prices).length,
        notFirm: estimate.lines.filter((l) => l.priceStatus && l.priceStatus !== "firm").length,
      },
    },
    policies: { violations },
    preflight: preflight.findings,
    prerequisites: preflight.prerequisites,
    asOf,
    edge: edgeSummary(input.config),
    lockIn: lockInRows(priced, input.config.tricloud.allowedLockIn, componentOf).map((row) => ({
      ...row,
      provider: cloudOf(row.resourceType),
    })),
  };
}
