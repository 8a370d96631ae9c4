import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BURN_RATE_WINDOWS,
  budgetConsumed,
  burnRateFor,
  burnRateThreshold,
  centsToDecimal,
  errorBudget,
  splitBudgetCents,
} from "../../components/shared/slo";

describe("burn-rate alert math (SRE workbook, 30-day period)", () => {
  it("pages at 14.4x over 1 h (5 min short window) and 6x over 6 h (30 min short window)", () => {
    expect(BURN_RATE_WINDOWS.map((w) => [w.burnRate, w.longWindowMinutes, w.shortWindowMinutes])).toEqual([
      [14.4, 60, 5],
      [6, 360, 30],
    ]);
    for (const w of BURN_RATE_WINDOWS) expect(w.shortWindowMinutes * 12).toBe(w.longWindowMinutes);
  });

  it("the fast window spends 2 % of the budget, the slow one 5 %", () => {
    expect(budgetConsumed(14.4, 60)).toBe(0.02);
    expect(budgetConsumed(6, 360)).toBe(0.05);
    expect(burnRateFor(0.02, 60)).toBe(14.4);
    expect(burnRateFor(0.05, 360)).toBe(6);
  });

  it("turns an SLO into error-ratio thresholds: 99.9 % -> 1.44 % and 0.6 %, 99.95 % -> 0.72 % and 0.3 %", () => {
    expect(errorBudget(99.9)).toBe(0.001);
    expect(errorBudget(99.95)).toBe(0.0005);
    expect(burnRateThreshold(99.9, 14.4)).toBe(0.0144);
    expect(burnRateThreshold(99.9, 6)).toBe(0.006);
    expect(burnRateThreshold(99.95, 14.4)).toBe(0.0072);
    expect(burnRateThreshold(99.95, 6)).toBe(0.003);
  });

  it("rejects targets that are not percentages below 100", () => {
    for (const bad of [0, 100, 101, -1, Number.NaN]) expect(() => errorBudget(bad)).toThrow(/between 0 and 100/);
  });

  it("property: burning at rate b for window w spends b*w/period of the budget, and the inverse recovers b", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 100, noNaN: true }), fc.integer({ min: 1, max: 43_200 }), (b, w) => {
        const share = budgetConsumed(b, w);
        expect(share).toBeCloseTo((b * w) / 43_200, 9);
        expect(burnRateFor(share, w)).toBeCloseTo(b, 6);
      }),
    );
  });

  it("property: a burn exactly at the threshold for the whole period spends burnRate budgets", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 95, max: 99.999, noNaN: true }),
        fc.constantFrom(...BURN_RATE_WINDOWS),
        (target, w) => {
          const ratio = burnRateThreshold(target, w.burnRate);
          expect(ratio / errorBudget(target)).toBeCloseTo(w.burnRate, 6);
          expect(ratio).toBeLessThan(1); // the alert can fire: the threshold is below "everything fails"
        },
      ),
    );
  });
});

describe("budget split", () => {
  it("splits the real ceilings: dev 900 in thirds, prod 6000 as 40/30/30", () => {
    expect(splitBudgetCents(900)).toEqual({ aws: 30_000, azure: 30_000, gcp: 30_000 });
    expect(splitBudgetCents(6000, { aws: 40, azure: 30, gcp: 30 })).toEqual({
      aws: 240_000,
      azure: 180_000,
      gcp: 180_000,
    });
  });

  it("gives the left-over cent to the largest remainder, ties in cloud order", () => {
    expect(splitBudgetCents(100)).toEqual({ aws: 3334, azure: 3333, gcp: 3333 });
    expect(splitBudgetCents(0.02)).toEqual({ aws: 1, azure: 1, gcp: 0 });
    expect(splitBudgetCents(10, { aws: 1, azure: 1, gcp: 2 })).toEqual({ aws: 250, azure: 250, gcp: 500 });
  });

  it("property: for any ceiling in cents and any split, the budgets sum to the ceiling exactly, each within a cent of its share", () => {
    const split = fc
      .record({
        aws: fc.integer({ min: 0, max: 100 }),
        azure: fc.integer({ min: 0, max: 100 }),
        gcp: fc.integer({ min: 0, max: 100 }),
      })
      .filter((s) => s.aws + s.azure + s.gcp > 0);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000_000 }), split, (cents, s) => {
        const parts = splitBudgetCents(cents / 100, s);
        expect(parts.aws + parts.azure + parts.gcp).toBe(cents);
        const sum = s.aws + s.azure + s.gcp;
        for (const c of ["aws", "azure", "gcp"] as const) {
          expect(Number.isInteger(parts[c])).toBe(true);
          expect(Math.abs(parts[c] - (cents * s[c]) / sum)).toBeLessThan(1);
        }
        // The decimal strings AWS takes add up too.
        const total = ["aws", "azure", "gcp"]
          .map((c) => Math.round(Number(centsToDecimal(parts[c as "aws"])) * 100))
          .reduce((a, b) => a + b, 0);
        expect(total).toBe(cents);
      }),
    );
  });

  it("refuses ceilings it cannot split in whole cents", () => {
    expect(() => splitBudgetCents(10.005)).toThrow(/whole cents/);
    expect(() => splitBudgetCents(0)).toThrow(/positive/);
    expect(() => splitBudgetCents(10, { aws: 0, azure: 0, gcp: 0 })).toThrow(/positive sum/);
  });

  it("writes cents as the decimal AWS Budgets takes", () => {
    expect(centsToDecimal(30_000)).toBe("300.00");
    expect(centsToDecimal(3334)).toBe("33.34");
    expect(centsToDecimal(5)).toBe("0.05");
  });
});
