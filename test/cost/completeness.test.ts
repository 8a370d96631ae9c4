import { describe, expect, it } from "vitest";
import { SHIPPED_CATALOG } from "../../pricing/catalog";
import { COST_MODEL, FREE, needsPricing } from "../../pricing/model";
import { planStack } from "../helpers/plan";

describe.each(["dev", "prod"])("the %s plan's cost coverage", (stack) => {
  it("prices or explicitly frees every cloud resource type (nothing slips through)", async () => {
    const report = await planStack(stack);
    const types = [...new Set(report.resources.filter((r) => needsPricing(r.type)).map((r) => r.type))];
    const uncovered = types.filter((t) => !COST_MODEL[t] && FREE[t] === undefined);
    expect(uncovered, "add an estimator to COST_MODEL or a reason to FREE in pricing/model.ts").toEqual([]);
  });
  it("finds a catalog price for every fixed cost line", async () => {
    const report = await planStack(stack);
    expect(
      report.cost.lines.filter((l) => l.basis === "fixed" && l.unitPriceUsd === null).map((l) => l.priceId),
    ).toEqual([]);
  });
  it("says 'depends on usage' for every usage line without a profile", async () => {
    const report = await planStack(stack);
    const usage = report.cost.lines.filter((l) => l.basis === "usage");
    expect(usage.length).toBeGreaterThan(0);
    for (const l of usage) {
      expect(l.monthlyUsd).toBeNull();
      expect(l.note).toContain("depends on usage");
    }
  });
});

describe("the catalog", () => {
  it("gives every price a source, a seen date and a status", () => {
    for (const [id, p] of Object.entries(SHIPPED_CATALOG.prices)) {
      expect(p.source.length, id).toBeGreaterThan(5);
      expect(p.seenAt, id).toMatch(/^\d{4}(-\d{2}(-\d{2})?)?$/);
      expect(p.status, id).toBeTruthy();
    }
  });
  it("no model or free entry is dead weight: FREE and COST_MODEL never overlap", () => {
    expect(Object.keys(FREE).filter((t) => t in COST_MODEL)).toEqual([]);
  });
});
