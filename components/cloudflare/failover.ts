import { CLOUDFLARE_PLANS, PLAN_LIMITS, type CloudflarePlan } from "./plans";

/**
 * Worst-case failover time of a Cloudflare load balancer: from the moment an
 * origin stops answering to the moment no new request is sent to it.
 *
 *   failover = consecutiveDown x interval + (retries + 1) x timeout + dnsCache
 *
 * - The origin dies just after a probe passed, so the first failing probe
 *   starts one full interval later; `consecutiveDown` failing probes are
 *   needed, each starting one interval after the previous one.
 * - The slowest failing probe is one that hangs: it waits `timeout`, and each
 *   retry (attempted immediately, only after a timeout) waits `timeout` again.
 *   A refused connection or a 503 fails faster; we take the slow case.
 * - Probing regions: each region probes from 3 data centres and takes the
 *   majority, and the origin is down once a majority of regions says so.
 *   Probes are not synchronised, but every data centre probes once per
 *   interval, so all of them (hence any majority) see the failure within the
 *   bound above; more regions make the verdict sturdier, not slower.
 * - dnsCache: a proxied load balancer answers with Cloudflare's own addresses,
 *   so a health change takes effect at the edge with no client-side cache to
 *   expire: 0. Unproxied, resolvers may keep the old answer for the record's TTL.
 *
 * Not counted (Cloudflare publishes no figure): the time Cloudflare takes to
 * spread a health change to every edge location, and requests already in
 * flight to the dead origin. The schema requires (retries + 1) x timeout to
 * be shorter than the interval, so probes never overlap and the bound holds.
 */
export interface FailoverSettings {
  readonly intervalSeconds: number;
  readonly retries: number;
  readonly timeoutSeconds: number;
  /** Consecutive failed probes before an origin is marked down (Cloudflare's `consecutive_down`). */
  readonly consecutiveDown?: number;
  /** Proxied (orange-cloud) load balancer: no DNS caching in the path. */
  readonly proxied: boolean;
  /** TTL of the load balancer's DNS answer; only counts when not proxied. */
  readonly ttlSeconds?: number;
}

export interface FailoverEstimate {
  readonly seconds: number;
  readonly detectionSeconds: number;
  readonly dnsCacheSeconds: number;
  /** One line a person can check by hand. */
  readonly explanation: string;
}

/** Cloudflare's TTL for an unproxied load balancer when none is set. */
export const DEFAULT_UNPROXIED_LB_TTL = 30;
/** We set `consecutive_down` to 1 explicitly so this arithmetic holds. */
export const CONSECUTIVE_DOWN = 1;

export function failoverSeconds(s: FailoverSettings): FailoverEstimate {
  const down = s.consecutiveDown ?? CONSECUTIVE_DOWN;
  const probing = down * s.intervalSeconds;
  const checking = (s.retries + 1) * s.timeoutSeconds;
  const detectionSeconds = probing + checking;
  const dnsCacheSeconds = s.proxied ? 0 : (s.ttlSeconds ?? DEFAULT_UNPROXIED_LB_TTL);
  const seconds = detectionSeconds + dnsCacheSeconds;
  const intervalPart = down === 1 ? `${s.intervalSeconds} s interval` : `${down} x ${s.intervalSeconds} s interval`;
  const cachePart = s.proxied ? "0 s DNS cache (proxied)" : `${dnsCacheSeconds} s DNS TTL (unproxied)`;
  return {
    seconds,
    detectionSeconds,
    dnsCacheSeconds,
    explanation: `${seconds} s = ${intervalPart} + (${s.retries} retries + 1) x ${s.timeoutSeconds} s timeout + ${cachePart}`,
  };
}

export interface PlanAdvice {
  readonly plan: CloudflarePlan;
  /** The longest monitor interval that keeps failover within the budget on that plan. */
  readonly maxIntervalSeconds: number;
}

/**
 * The cheapest plan whose minimum monitor interval can keep failover within
 * `budgetSeconds` with the other settings unchanged, and the interval to use.
 * Undefined when no plan can (retries x timeout or the TTL alone are too long).
 */
export function cheapestPlanWithin(
  budgetSeconds: number,
  s: Omit<FailoverSettings, "intervalSeconds">,
): PlanAdvice | undefined {
  const down = s.consecutiveDown ?? CONSECUTIVE_DOWN;
  const rest = failoverSeconds({ ...s, intervalSeconds: 0 }).seconds;
  const maxIntervalSeconds = Math.floor((budgetSeconds - rest) / down);
  for (const plan of CLOUDFLARE_PLANS) {
    if (PLAN_LIMITS[plan].minMonitorIntervalSeconds <= maxIntervalSeconds) return { plan, maxIntervalSeconds };
  }
  return undefined;
}
