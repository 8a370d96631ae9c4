import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { rulesMarkdown, withRules } from "../../policies/preflight/docs";
import { parseIsoDate, runPreflight, todayUtc } from "../../policies/preflight/engine";
import { preflightPolicies, toPolicy } from "../../policies/preflight/policies";
import {
  checkOneOf,
  checkString,
  each,
  waitsFor,
  type PreflightResource,
  type PreflightRule,
  type PrerequisiteRule,
} from "../../policies/preflight/rule";
import { PREFLIGHT_RULES } from "../../policies/preflight/rules";
import { res, runPolicy } from "../helpers/policies";
import { planStack } from "../helpers/plan";

const SOURCE = { url: "https://example.test/limits", read: "2026-11-30" };
const resource = (
  type: string,
  props: Record<string, unknown>,
  more: Partial<PreflightResource> = {},
): PreflightResource => ({
  urn: `urn:pulumi:t::p::${type}::${more.name ?? "r"}`,
  type,
  name: "r",
  parent: null,
  props,
  ...more,
});

const nameRule: PreflightRule = {
  name: "preflight-test-thing-name",
  description: "Things take lowercase names of at most 8 characters.",
  level: "error",
  source: SOURCE,
  types: ["test:index:Thing"],
  check: (props) => checkString(props, "name", { pattern: /^[a-z]+$/, max: 8, expected: "1-8 lowercase letters" }),
};
const orderRule: PreflightRule = {
  name: "preflight-test-thing-waits-for-api",
  description: "A thing waits for the API it needs.",
  level: "warning",
  source: { ...SOURCE, derivedFrom: "test-models@1.0.0" },
  checkStack: (resources) => {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const apis = new Set(resources.filter((r) => r.type === "test:index:Api").map((r) => r.urn));
    return resources
      .filter((r) => r.type === "test:index:Thing" && ![...waitsFor(r, byUrn)].some((u) => apis.has(u)))
      .map((r) => ({ urn: r.urn, property: "dependsOn", value: null, expected: "to wait for a test:index:Api" }));
  },
};

describe("the preflight engine", () => {
  it("reports each refused value with its rule, resource, property, value, expectation, source and level", () => {
    const bad = resource("test:index:Thing", { name: "Not-OK" }, { name: "bad" });
    const good = resource("test:index:Thing", { name: "fine" }, { name: "good" });
    const { findings } = runPreflight(
      [bad, good, resource("test:index:Other", { name: "IGNORED" })],
      { asOf: "2026-11-30" },
      [nameRule],
      [],
    );
    expect(findings).toEqual([
      {
        rule: "preflight-test-thing-name",
        urn: bad.urn,
        property: "name",
        value: "Not-OK",
        expected: "1-8 lowercase letters",
        source: "https://example.test/limits (read 2026-11-30)",
        level: "error",
      },
    ]);
  });

  it("follows dependencies transitively for ordering rules, and names the model a derived rule came from", () => {
    const api = resource("test:index:Api", {}, { name: "api" });
    const mid = resource("test:index:Other", {}, { name: "mid", dependencies: [api.urn] });
    const waits = resource("test:index:Thing", {}, { name: "waits", dependencies: [mid.urn] });
    const races = resource("test:index:Thing", {}, { name: "races", dependencies: [] });
    const { findings } = runPreflight([api, mid, waits, races], { asOf: "2026-11-30" }, [orderRule], []);
    expect(findings.map((f) => f.urn)).toEqual([races.urn]);
    expect(findings[0]!.source).toBe("https://example.test/limits (read 2026-11-30, from test-models@1.0.0)");
    expect(findings[0]!.level).toBe("warning");
  });

  it("lists each prerequisite once even when several rules or resources ask for it", () => {
    const twice: PrerequisiteRule = {
      name: "p",
      list: (rs) =>
        rs.map(() => ({
          cloud: "azure" as const,
          what: "register Microsoft.App",
          why: "Flex VNet integration",
          source: SOURCE,
        })),
    };
    const { prerequisites } = runPreflight(
      [resource("a:b:C", {}), resource("a:b:C", {}, { name: "x" })],
      { asOf: "2026-11-30" },
      [],
      [twice, twice],
    );
    expect(prerequisites).toHaveLength(1);
  });

  it("helpers: wildcard paths, lengths, allowed values; values unknown at preview are skipped", () => {
    expect(each({ a: [{ d: "x" }, { d: "y" }] }, "a[].d")).toEqual([
      { path: "a[0].d", value: "x" },
      { path: "a[1].d", value: "y" },
    ]);
    expect(
      checkString({ a: [{ d: "ok" }, { d: "n'o" }] }, "a[].d", { pattern: /^[a-z]*$/, expected: "letters" }),
    ).toEqual([{ property: "a[1].d", value: "n'o", expected: "letters" }]);
    expect(checkString({ d: "abcdef" }, "d", { max: 5, expected: "at most 5" })).toHaveLength(1);
    expect(checkString({ d: 42 }, "d", { max: 1, expected: "x" })).toEqual([]);
    expect(checkOneOf({ days: 45 }, "days", [30, 60])).toEqual([
      { property: "days", value: 45, expected: "one of 30, 60" },
    ]);
    expect(checkOneOf({ days: 30 }, "days", [30, 60])).toEqual([]);
  });

  it("takes only real calendar dates for --as-of", () => {
    expect(parseIsoDate("2026-11-30")).toBe("2026-11-30");
    for (const bad of ["2026-02-30", "2026-13-01", "30-11-2026", "2026-11-30T00:00:00Z", "tomorrow"])
      expect(parseIsoDate(bad)).toBeNull();
    expect(todayUtc(new Date("2026-11-30T23:59:59Z"))).toBe("2026-11-30");
  });
});

describe("every shipped rule", () => {
  it("is named preflight-<cloud>-..., describes itself in a sentence and cites a page with the date it was read", () => {
    const names = PREFLIGHT_RULES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const r of PREFLIGHT_RULES) {
      expect(r.name, r.name).toMatch(
        /^preflight-(aws|azure|gcp|cloudflare|vercel|kubernetes|postgres|versions)-[a-z0-9-]+$/,
      );
      expect(r.description.length, r.name).toBeGreaterThan(20);
      expect(r.source.url, r.name).toMatch(/^https:\/\//);
      expect(parseIsoDate(r.source.read), r.name).not.toBeNull();
      expect(["error", "warning"]).toContain(r.level);
    }
  });
});

describe("the preflight CrossGuard pack (policies/preflight)", () => {
  it("has one policy per rule, errors mandatory and warnings advisory", () => {
    expect(preflightPolicies.map((p) => p.name)).toEqual(PREFLIGHT_RULES.map((r) => r.name));
    for (const [i, r] of PREFLIGHT_RULES.entries())
      expect(preflightPolicies[i]!.enforcementLevel).toBe(r.level === "error" ? "mandatory" : "advisory");
  });

  it("reports through the engine's validateResource what the plan reports, with the source in the message", async () => {
    const result = await runPolicy(toPolicy(nameRule), [
      res("test:index:Thing", { name: "Not-OK" }),
      res("test:index:Thing", { name: "fine" }),
      res("test:index:Other", { name: "X" }),
    ]);
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]!.enforcementLevel).toBe("mandatory");
    expect(result.violations[0]!.message).toBe(
      'name: "Not-OK" is refused; expected 1-8 lowercase letters (https://example.test/limits (read 2026-11-30))',
    );
    expect(result.notApplicable.map((n) => n.urn)).toHaveLength(1);
  });

  it("runs stack rules over the resources' dependencies as the engine passes them", async () => {
    const policy = toPolicy(orderRule);
    const api = res("test:index:Api", {}, { name: "api" });
    const result = await runPolicy(policy, [
      api,
      res("test:index:Thing", {}, { name: "t" }),
      res("test:index:Thing", {}, { name: "w", dependencies: [api.urn] }),
    ]);
    expect(result.violations.map((v) => v.enforcementLevel)).toEqual(["advisory"]);
    expect(result.violations[0]!.urn).toBe("urn:pulumi:test::tricloud::test:index:Thing::t");
  });
});

describe("preflight in the plans of this repository", () => {
  it.each(["dev", "prod"])(
    "the %s plan records what each resource waits for and reports preflight in the contract's shape",
    async (stack) => {
      const report = await planStack(stack);
      expect(report.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(report.resources.filter((r) => (r.dependencies ?? []).length > 0).length).toBeGreaterThan(50);
      for (const f of report.preflight)
        expect(Object.keys(f).sort()).toEqual(["expected", "level", "property", "rule", "source", "urn", "value"]);
    },
  );
});

describe("policies/README.md", () => {
  it("lists every preflight rule as the rules describe themselves (run `npm run docs:preflight` after changing a rule)", async () => {
    const readme = readFileSync(`${__dirname}/../../policies/README.md`, "utf8");
    expect(withRules(readme)).toBe(readme);
    for (const r of PREFLIGHT_RULES) expect(readme).toContain(`\`${r.name}\``);
    expect(() => withRules("no markers", rulesMarkdown())).toThrow(/markers/);
  });
});
