import { describe, expect, it } from "vitest";
import { costPolicies } from "../../policies/cost/policies";
import { portabilityPolicies } from "../../policies/portability/policies";
import { TAG_PATHS, UNTAGGABLE, UNTAGGABLE_PACKAGES } from "../../policies/shared/tags";
import { planStack } from "../helpers/plan";

const STACKS = ["dev", "staging", "prod"] as const;

describe.each(STACKS)("the real %s stack", (stack) => {
  it("passes every mandatory policy of both packs", async () => {
    const report = await planStack(stack);
    expect(report.policies.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
  });
  it("reports no findings at all, advisory included (policies/README.md lists no open finding)", async () => {
    const report = await planStack(stack);
    expect(report.policies.violations.map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
  });
  it("has a lock-in row for every cluster, database and registry, all low lock-in", async () => {
    const report = await planStack(stack);
    const rows = report.lockIn ?? [];
    for (const provider of ["aws", "azure", "gcp"] as const) {
      const services = rows.filter((r) => r.provider === provider && r.lockInLevel === "low").map((r) => r.component);
      expect(services).toEqual(
        expect.arrayContaining([
          `${stack}-${provider}-k8s`,
          `${stack}-${provider}-db`,
          `${stack}-${provider}-registry`,
        ]),
      );
    }
    expect(rows.filter((r) => r.lockInLevel === "high")).toEqual([]);
  });
  it("knows for every cloud resource type whether and where it carries tags", async () => {
    const report = await planStack(stack);
    const unknown = [
      ...new Set(
        report.resources
          .filter((r) => r.custom && !UNTAGGABLE_PACKAGES.includes(r.type.split(":")[0]!))
          .map((r) => r.type),
      ),
    ].filter((t) => !(t in TAG_PATHS) && !(t in UNTAGGABLE));
    expect(unknown, "add each type to TAG_PATHS or UNTAGGABLE in policies/shared/tags.ts").toEqual([]);
  });
});

describe("the packs", () => {
  it("have unique, kebab-case names with a description and an explicit enforcement level", () => {
    const all = [...portabilityPolicies, ...costPolicies];
    expect(new Set(all.map((p) => p.name)).size).toBe(all.length);
    for (const p of all) {
      expect(p.name).toMatch(/^(portability|security|cost)(-[a-z0-9]+)+$/);
      expect(p.description.length).toBeGreaterThan(20);
      expect(["advisory", "mandatory"]).toContain(p.enforcementLevel);
    }
  });
});

describe("policies/README.md", () => {
  it("documents every policy of both packs with its enforcement level", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(`${__dirname}/../../policies/README.md`, "utf8");
    for (const p of [...portabilityPolicies, ...costPolicies]) {
      const row = readme.split("\n").find((l) => l.startsWith(`| \`${p.name}\` |`));
      expect(row, p.name).toBeDefined();
      const level = row!.split("|")[2]!.replace(/\*/g, "").trim();
      expect(level, p.name).toBe(p.enforcementLevel);
    }
  });
});
