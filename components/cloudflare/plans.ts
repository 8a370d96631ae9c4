/**
 * What each Cloudflare zone plan allows, where it shapes our configuration.
 * One table so the config schema, the failover arithmetic and the docs agree.
 *
 * Sources (checked 2026): Cloudflare Load Balancing monitor docs (minimum
 * interval per plan; the default monitor is 60 s / 2 retries / 5 s timeout)
 * and the WAF "rate limiting rules: availability" table (counting periods up to
 * 1 min on Pro, 10 min on Business, 65,535 s on Enterprise; mitigation timeouts
 * up to 1 h on Pro, 1 day on Business and Enterprise).
 */
export const CLOUDFLARE_PLANS = ["pro", "business", "enterprise"] as const;
export type CloudflarePlan = (typeof CLOUDFLARE_PLANS)[number];

export interface PlanLimits {
  /** Shortest health-monitor interval the plan accepts, in seconds. */
  readonly minMonitorIntervalSeconds: number;
  /** Longest rate-limit counting period, in seconds. */
  readonly maxRateLimitPeriodSeconds: number;
  /** Longest rate-limit mitigation timeout, in seconds. */
  readonly maxMitigationSeconds: number;
}

export const PLAN_LIMITS: Readonly<Record<CloudflarePlan, PlanLimits>> = {
  pro: { minMonitorIntervalSeconds: 60, maxRateLimitPeriodSeconds: 60, maxMitigationSeconds: 3600 },
  business: { minMonitorIntervalSeconds: 15, maxRateLimitPeriodSeconds: 600, maxMitigationSeconds: 86400 },
  enterprise: { minMonitorIntervalSeconds: 10, maxRateLimitPeriodSeconds: 65535, maxMitigationSeconds: 86400 },
};

/** The only period values the rate-limiting API accepts (for counting and mitigation alike). */
export const RATE_LIMIT_PERIODS = [
  10, 15, 20, 30, 40, 45, 60, 90, 120, 180, 240, 300, 480, 600, 900, 1200, 1800, 2400, 3600, 65535, 86400,
] as const;

/** Plans from cheapest to dearest, for "which plan would allow it" answers. */
export function plansFrom(plan: CloudflarePlan): CloudflarePlan[] {
  return CLOUDFLARE_PLANS.slice(CLOUDFLARE_PLANS.indexOf(plan));
}
