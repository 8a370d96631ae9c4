import type { PolicyPackConfig } from "@pulumi/policy";
import type { PreflightSettings } from "./preflight/rule";

/**
 * How a stack's config reaches the packs' policy config: what `tricloud plan`
 * passes to the offline evaluator, and what a `--policy-pack-config` file
 * holds for the real CLI (`tricloud plan --format json` prints nothing
 * secret from here). The ceiling is not here: it travels as the stack output
 * costCeilingUsd, which the real engine shows stack policies too.
 */
/**
 * The part of a stack's config the packs read. stacks/config's StackConfig has
 * this shape; the packs describe it here rather than import stacks/ (imports run
 * one way: the program depends on the packs, never the reverse).
 */
export interface StackConfig {
  readonly tricloud: {
    readonly environment: string;
    readonly allowedLockIn: readonly string[];
    readonly requiredTags: readonly string[];
    readonly traffic: { readonly cloudflarePlan: string };
    readonly functions: { readonly awsAccountConcurrency: number };
    readonly mesh: { readonly istioVersion: string };
    /** The service matrix: each service's traffic share per cloud (a cloud with no weight, or 0, runs none of it). */
    readonly services: Readonly<
      Record<string, { readonly clouds: Readonly<Partial<Record<"aws" | "azure" | "gcp", number>>> }>
    >;
  };
}

/**
 * The clouds each service runs on by its configuration: those `tricloud:services.<name>.clouds` gives a weight above
 * 0, the same rule the program renders by (components/workloads/render.ts, servicesOn).
 */
export function servicePlacement(services: StackConfig["tricloud"]["services"]): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(services)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, s]) => [name, (["aws", "azure", "gcp"] as const).filter((c) => (s.clouds[c] ?? 0) > 0)]),
  );
}

export interface CostScenario {
  readonly whatIf?: readonly string[];
  readonly usageProfile?: string;
  readonly priceOverrides?: Record<string, unknown>;
}

export function portabilityConfigFor(config: StackConfig): PolicyPackConfig {
  const t = config.tricloud;
  return {
    "portability-resource-disallow-lock-in-services": { allowed: [...t.allowedLockIn] },
    "portability-resource-missing-required-tags": { requiredTags: [...new Set([...t.requiredTags, "environment"])] },
    "portability-workloads-services-on-every-cluster": { clouds: servicePlacement(t.services) },
    "security-database-enable-backups-prod": { environment: t.environment },
    "security-database-enable-deletion-protection-prod": { environment: t.environment },
    "security-azure-postgres-enable-deletion-lock-prod": { environment: t.environment },
  };
}

export function costConfigFor(config: StackConfig, scenario: CostScenario = {}): PolicyPackConfig {
  return {
    "cost-stack-ceiling": {
      whatIf: [...(scenario.whatIf ?? [])],
      ...(scenario.usageProfile ? { usageProfile: scenario.usageProfile } : {}),
      priceOverrides: scenario.priceOverrides ?? {},
    },
    "cost-resource-enforce-size-allow-list": { environment: config.tricloud.environment },
  };
}

/** What preflight knows of the stack beyond its resources (the preflight pack's config for the real CLI). */
export function preflightSettingsFor(config: StackConfig, asOf: string): PreflightSettings {
  return {
    asOf,
    cloudflarePlan: config.tricloud.traffic.cloudflarePlan,
    environment: config.tricloud.environment,
    awsLambdaConcurrency: config.tricloud.functions.awsAccountConcurrency,
    istioVersion: config.tricloud.mesh.istioVersion,
  };
}

/** Merges a user's policy config file (policy name -> level or properties) over the stack-derived one, per pack. */
export function mergePolicyConfig(
  base: PolicyPackConfig,
  user: PolicyPackConfig,
  policyNames: readonly string[],
): PolicyPackConfig {
  const out: PolicyPackConfig = { ...base };
  for (const [name, value] of Object.entries(user)) {
    if (!policyNames.includes(name) && name !== "all") continue;
    const prev = out[name];
    out[name] =
      typeof value === "string"
        ? typeof prev === "object"
          ? { ...prev, enforcementLevel: value }
          : value
        : { ...(typeof prev === "object" ? prev : prev ? { enforcementLevel: prev } : {}), ...value };
  }
  return out;
}
