import type { Policy, PolicyPackConfig } from "@pulumi/policy";
import { evaluatePack, type EvalResource, type EvalResult } from "../../cli/plan/evaluate";

let n = 0;
/** A resource as the evaluator takes it; outputs default to the inputs (as the mocks return them). */
export function res(type: string, inputs: Record<string, unknown>, more: Partial<EvalResource> = {}): EvalResource {
  const name = more.name ?? `r${++n}`;
  return {
    urn: `urn:pulumi:test::tricloud::${type}::${name}`,
    type,
    name,
    parent: null,
    inputs,
    outputs: inputs,
    ...more,
  };
}

/** Runs one policy the way the engine would, in a pack of its own (never constructing a PolicyPack). */
export function runPolicy(
  policy: Policy,
  resources: readonly EvalResource[],
  config?: PolicyPackConfig[string],
): Promise<EvalResult> {
  return evaluatePack({ name: "test-pack", policies: [policy as never] }, resources, {
    stackTags: new Map([["pulumi:project", "tricloud"]]),
    config: config === undefined ? {} : { [policy.name]: config },
  });
}

/** Messages of the violations a policy reported. */
export async function messages(
  policy: Policy,
  resources: readonly EvalResource[],
  config?: PolicyPackConfig[string],
): Promise<string[]> {
  return (await runPolicy(policy, resources, config)).violations.map((v) => v.message);
}

export const TAGS = { owner: "platform", "cost-center": "cc-1", environment: "prod", "managed-by": "tricloud" };
export const DEV_TAGS = { ...TAGS, environment: "dev" };
