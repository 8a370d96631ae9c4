import {
  formatSource,
  isStackRule,
  type PreflightEntry,
  type PreflightResource,
  type PreflightRule,
  type PreflightSettings,
  type Prerequisite,
  type PrerequisiteRule,
} from "./rule";
import { PREFLIGHT_RULES, PREREQUISITE_RULES } from "./rules";

export interface PreflightResult {
  readonly findings: PreflightEntry[];
  readonly prerequisites: Prerequisite[];
}

/** Today's date in UTC, YYYY-MM-DD: the default `asOf`. */
export const todayUtc = (now = new Date()) => now.toISOString().slice(0, 10);

/** A YYYY-MM-DD that is a real calendar date, or null. */
export function parseIsoDate(text: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const d = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text ? null : text;
}

/**
 * Runs every rule over the captured resources (resource rules see inputs, as
 * CrossGuard resource policies do) and lists the prerequisites. Findings come
 * in rule order, then resource order, so two plans of one config diff cleanly.
 */
export function runPreflight(
  resources: readonly PreflightResource[],
  settings: PreflightSettings,
  rules: readonly PreflightRule[] = PREFLIGHT_RULES,
  prerequisiteRules: readonly PrerequisiteRule[] = PREREQUISITE_RULES,
): PreflightResult {
  const findings: PreflightEntry[] = [];
  for (const rule of rules) {
    const base = { rule: rule.name, source: formatSource(rule.source), level: rule.level };
    if (isStackRule(rule)) {
      for (const f of rule.checkStack(resources, settings))
        findings.push({ ...base, urn: f.urn, property: f.property, value: f.value, expected: f.expected });
      continue;
    }
    for (const r of resources) {
      if (!rule.types.includes(r.type)) continue;
      for (const f of rule.check(r.props, r, settings))
        findings.push({ ...base, urn: r.urn, property: f.property, value: f.value, expected: f.expected });
    }
  }
  const seen = new Set<string>();
  const prerequisites: Prerequisite[] = [];
  for (const rule of prerequisiteRules) {
    for (const p of rule.list(resources, settings)) {
      const key = `${p.cloud}|${p.what}`;
      if (!seen.has(key)) {
        seen.add(key);
        prerequisites.push(p);
      }
    }
  }
  return { findings, prerequisites };
}
