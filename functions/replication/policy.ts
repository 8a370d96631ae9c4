import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleType, type CircuitBreakerPolicy, type IPolicy } from "cockatiel";

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
  /** First wait before the breaker lets one trial call through, and before the first
   * recovery probe (250 ms); each failed trial or probe doubles it, up to `probeCapMs`. */
  halfOpenAfterMs: number;
  /** Cap of the growing half-open / probe delay (1 s): recovery is seen within about this long. */
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

/** cockatiel backoff for the breaker's half-open wait, on the same schedule as the prober. */
class ProbeBackoff {
  /** Drawn once: cockatiel reads it on every call while open. */
  readonly duration: number;
  constructor(
    private readonly opts: PeerPolicyOptions,
    private readonly attempt = 0,
  ) {
    this.duration = probeDelay(attempt, opts.halfOpenAfterMs, opts.probeCapMs, opts.random);
  }
  next(): ProbeBackoff {
    return new ProbeBackoff(this.opts, this.attempt + 1);
  }
}

export interface PeerPolicies {
  /** Breaker only. (Retries around it live in HttpPeers: their sleep must be wakeable.) */
  readonly once: IPolicy;
  readonly breaker: CircuitBreakerPolicy;
}

export function peerPolicies(opts: PeerPolicyOptions): PeerPolicies {
  const breaker = circuitBreaker(handleType(TransportError), {
    halfOpenAfter: { next: () => new ProbeBackoff(opts) },
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
