import {
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleType,
  type CircuitBreakerPolicy,
  type IPolicy,
} from "cockatiel";

/** A call to a peer that failed in transport: refused, timed out, reset, 5xx or 503 safe mode.
 * Only these count against the breaker and are retried; a 4xx/409 answer is a real answer. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = "TransportError";
  }
}

export interface PeerPolicyOptions {
  /** Consecutive failures that open the breaker (5). */
  breakerThreshold: number;
  /** First wait before the first recovery probe past an open breaker (250 ms); each failed
   * probe doubles it, up to `probeCapMs`. (Traffic never trials an open breaker: probes close it.) */
  halfOpenAfterMs: number;
  /** Cap of the growing probe delay (1 s): recovery is seen within about this long. */
  probeCapMs: number;
  /** Retries after the first attempt (1-2-4-8 s = 4). */
  retries: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Randomness for jitter, injectable so tests are deterministic. */
  random: () => number;
}

export const DEFAULT_PEER_POLICY: PeerPolicyOptions = {
  breakerThreshold: 5,
  halfOpenAfterMs: 250,
  probeCapMs: 1_000,
  retries: 4,
  backoffBaseMs: 1_000,
  backoffCapMs: 8_000,
  random: Math.random,
};

/** Full jitter: the n-th retry waits random(0, min(cap, base * 2^n)). */
export function fullJitterDelay(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * The n-th half-open / probe delay: min(cap, base * 2^n), "equal jitter" (half fixed, half
 * random), so probes of many nodes do not align and the delay never collapses to zero.
 */
export function probeDelay(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * cockatiel backoff for the breaker's half-open wait: never. Traffic does not trial an open
 * breaker: in cockatiel every call made while a trial is in flight waits for that trial, so a
 * trial into a black-holed peer held every caller for a whole timeout. Recovery is seen by the
 * prober instead (HttpPeers: pings past the breaker, 250 ms doubling to 1 s), which closes it.
 */
class NeverHalfOpen {
  readonly duration = Number.POSITIVE_INFINITY;
  next(): NeverHalfOpen {
    return this;
  }
}

export interface PeerPolicies {
  /** Breaker only. (Retries around it live in HttpPeers: their sleep must be wakeable.) */
  readonly once: IPolicy;
  readonly breaker: CircuitBreakerPolicy;
}

export function peerPolicies(opts: PeerPolicyOptions): PeerPolicies {
  const breaker = circuitBreaker(handleType(TransportError), {
    halfOpenAfter: { next: () => new NeverHalfOpen() },
    breaker: new ConsecutiveBreaker(opts.breakerThreshold),
  });
  return { once: breaker, breaker };
}

export function breakerStateName(state: CircuitState): "closed" | "open" | "half-open" | "isolated" {
  switch (state) {
    case CircuitState.Closed:
      return "closed";
    case CircuitState.Open:
      return "open";
    case CircuitState.HalfOpen:
      return "half-open";
    default:
      return "isolated";
  }
}
