import { runPreflight } from "../../policies/preflight/engine";
import type { PreflightResource, PreflightRule, PreflightSettings } from "../../policies/preflight/rule";

export const AS_OF: PreflightSettings = { asOf: "2026-11-30" };

let n = 0;
/** A resource as preflight sees it, with no dependencies unless given. */
export const r = (
  type: string,
  props: Record<string, unknown>,
  more: Partial<PreflightResource> = {},
): PreflightResource => {
  const name = more.name ?? `r${n++}`;
  return { urn: `urn:pulumi:t::p::${type}::${name}`, type, name, parent: null, props, dependencies: [], ...more };
};

/** Runs one named rule of a rule set, as the plan would: its findings, and the properties they name. */
export function ruleHarness(rules: readonly PreflightRule[]) {
  const rule = (name: string): PreflightRule => {
    const found = rules.find((x) => x.name === name);
    if (!found) throw new Error(`no rule ${name}`);
    return found;
  };
  const findings = (name: string, resources: PreflightResource[], settings: PreflightSettings = AS_OF) =>
    runPreflight(resources, settings, [rule(name)], []).findings;
  const props = (name: string, resources: PreflightResource[], settings?: PreflightSettings) =>
    findings(name, resources, settings).map((f) => f.property);
  return { rule, findings, props };
}
