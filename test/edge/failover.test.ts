import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cheapestPlanWithin, failoverSeconds, type FailoverSettings } from "../../components/cloudflare/failover";
import { CLOUDFLARE_PLANS, PLAN_LIMITS } from "../../components/cloudflare/plans";

describe("worst-case failover arithmetic (hand-computed)", () => {
  // [what, settings, seconds]: interval x consecutiveDown + (retries + 1) x timeout + TTL if unproxied.
  const cases: [string, FailoverSettings, number][] = [
    [
      "Cloudflare's defaults, proxied (the dev stack)",
      { intervalSeconds: 60, retries: 2, timeoutSeconds: 5, proxied: true },
      60 + 3 * 5,
    ],
    ["the prod stack on Business", { intervalSeconds: 15, retries: 1, timeoutSeconds: 5, proxied: true }, 15 + 2 * 5],
    [
      "Enterprise at its floor, no retries",
      { intervalSeconds: 10, retries: 0, timeoutSeconds: 3, proxied: true },
      10 + 3,
    ],
    [
      "unproxied with a 60 s TTL",
      { intervalSeconds: 60, retries: 2, timeoutSeconds: 5, proxied: false, ttlSeconds: 60 },
      60 + 15 + 60,
    ],
    [
      "unproxied with Cloudflare's default LB TTL (30 s)",
      { intervalSeconds: 15, retries: 1, timeoutSeconds: 5, proxied: false },
      15 + 10 + 30,
    ],
    [
      "three consecutive failures needed",
      { intervalSeconds: 15, retries: 1, timeoutSeconds: 5, consecutiveDown: 3, proxied: true },
      3 * 15 + 10,
    ],
    [
      "a TTL is ignored when proxied",
      { intervalSeconds: 20, retries: 2, timeoutSeconds: 4, proxied: true, ttlSeconds: 300 },
      20 + 12,
    ],
  ];
  it.each(cases)("%s", (_what, settings, seconds) => {
    const est = failoverSeconds(settings);
    expect(est.seconds).toBe(seconds);
    expect(est.detectionSeconds + est.dnsCacheSeconds).toBe(seconds);
  });

  it("explains itself in a line a person can check", () => {
    expect(failoverSeconds({ intervalSeconds: 15, retries: 1, timeoutSeconds: 5, proxied: true }).explanation).toBe(
      "25 s = 15 s interval + (1 retries + 1) x 5 s timeout + 0 s DNS cache (proxied)",
    );
    expect(
      failoverSeconds({ intervalSeconds: 60, retries: 2, timeoutSeconds: 5, proxied: false, ttlSeconds: 60 })
        .explanation,
    ).toMatch(/\+ 60 s DNS TTL \(unproxied\)$/);
  });
});

describe("which plan can meet a budget", () => {
  it("Pro can never meet 60 s (its 60 s interval alone uses the budget); Business can", () => {
    expect(cheapestPlanWithin(60, { retries: 2, timeoutSeconds: 5, proxied: true })).toEqual({
      plan: "business",
      maxIntervalSeconds: 45,
    });
    expect(cheapestPlanWithin(60, { retries: 0, timeoutSeconds: 1, proxied: true })).toEqual({
      plan: "business",
      maxIntervalSeconds: 59,
    });
  });

  it("needs Enterprise when retries and timeouts leave less than 15 s", () => {
    expect(cheapestPlanWithin(60, { retries: 4, timeoutSeconds: 10, proxied: true })).toEqual({
      plan: "enterprise",
      maxIntervalSeconds: 10,
    });
  });

  it("gives no plan when probing alone exceeds the budget", () => {
    expect(cheapestPlanWithin(60, { retries: 5, timeoutSeconds: 10, proxied: true })).toBeUndefined();
    expect(cheapestPlanWithin(60, { retries: 0, timeoutSeconds: 5, proxied: false, ttlSeconds: 60 })).toBeUndefined();
  });
});

const settings = fc.record({
  intervalSeconds: fc.integer({ min: 10, max: 3600 }),
  retries: fc.integer({ min: 0, max: 5 }),
  timeoutSeconds: fc.integer({ min: 1, max: 10 }),
  consecutiveDown: fc.integer({ min: 1, max: 5 }),
  proxied: fc.boolean(),
  ttlSeconds: fc.integer({ min: 30, max: 86400 }),
});

describe("failover properties", () => {
  it("grows with the interval", () => {
    fc.assert(
      fc.property(settings, fc.integer({ min: 1, max: 600 }), (s, more) => {
        expect(failoverSeconds({ ...s, intervalSeconds: s.intervalSeconds + more }).seconds).toBeGreaterThan(
          failoverSeconds(s).seconds,
        );
      }),
    );
  });

  it("grows with the retries", () => {
    fc.assert(
      fc.property(settings, fc.integer({ min: 1, max: 5 }), (s, more) => {
        expect(failoverSeconds({ ...s, retries: s.retries + more }).seconds).toBeGreaterThan(
          failoverSeconds(s).seconds,
        );
      }),
    );
  });

  it("is never shorter unproxied than proxied, and the difference is the TTL", () => {
    fc.assert(
      fc.property(settings, (s) => {
        const diff =
          failoverSeconds({ ...s, proxied: false }).seconds - failoverSeconds({ ...s, proxied: true }).seconds;
        expect(diff).toBe(s.ttlSeconds);
      }),
    );
  });

  it("plan advice is right: the advised plan meets the budget at the advised interval, no cheaper plan can", () => {
    fc.assert(
      fc.property(settings, fc.integer({ min: 20, max: 300 }), (s, budget) => {
        const { intervalSeconds: _unused, ...rest } = s;
        const advice = cheapestPlanWithin(budget, rest);
        if (!advice) {
          // Even the shortest interval any plan allows is over budget.
          expect(
            failoverSeconds({ ...rest, intervalSeconds: PLAN_LIMITS.enterprise.minMonitorIntervalSeconds }).seconds,
          ).toBeGreaterThan(budget);
          return;
        }
        expect(failoverSeconds({ ...rest, intervalSeconds: advice.maxIntervalSeconds }).seconds).toBeLessThanOrEqual(
          budget,
        );
        expect(failoverSeconds({ ...rest, intervalSeconds: advice.maxIntervalSeconds + 1 }).seconds).toBeGreaterThan(
          budget,
        );
        expect(PLAN_LIMITS[advice.plan].minMonitorIntervalSeconds).toBeLessThanOrEqual(advice.maxIntervalSeconds);
        for (const cheaper of CLOUDFLARE_PLANS.slice(0, CLOUDFLARE_PLANS.indexOf(advice.plan))) {
          expect(PLAN_LIMITS[cheaper].minMonitorIntervalSeconds).toBeGreaterThan(advice.maxIntervalSeconds);
        }
      }),
    );
  });
});
