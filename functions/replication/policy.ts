import {
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleType,
  retry,
  wrap,
  type CircuitBreakerPolicy,
  type GeneratorFn,
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
  /** How long the breaker stays open before one trial call (60 s). */
  halfOpenAfterMs: number;
  /** Retries after the first attempt (1-2-4-8 s = 4). */
  retries: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Randomness for jitter, injectable so tests are deterministic. */
  random: () => number;
}

export const DEFAULT_PEER_POLICY: PeerPolicyOptions = {
  breakerThreshold: 5,
  halfOpenAfterMs: 60_000,
  retries: 4,
  backoffBaseMs: 1_000,
  backoffCapMs: 8_000,
  random: Math.random,
};

/** Full jitter: the n-th retry waits random(0, min(cap, base * 2^n)). */
export function fullJitterDelay(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

function fullJitter(random: () => number): GeneratorFn<number> {
  return (attempt = 0, options) => [fullJitterDelay(attempt, options.initialDelay, options.maxDelay, random), attempt + 1];
}

export interface PeerPolicies {
  /** Breaker only: reconciler passes and cross-checks, which are re-driven anyway. */
  readonly once: IPolicy;
  /** Retry with backoff around the breaker: the origin's first replication. An open
   * breaker fails fast (BrokenCircuitError is not a TransportError, so it is not retried). */
  readonly withRetry: IPolicy;
  readonly breaker: CircuitBreakerPolicy;
}

export function peerPolicies(opts: PeerPolicyOptions): PeerPolicies {
  const breaker = circuitBreaker(handleType(TransportError), {
    halfOpenAfter: opts.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(opts.breakerThreshold),
  });
  const retrying = retry(handleType(TransportError), {
    maxAttempts: opts.retries,
    backoff: new ExponentialBackoff({ initialDelay: opts.backoffBaseMs, maxDelay: opts.backoffCapMs, generator: fullJitter(opts.random) }),
  });
  return { once: breaker, withRetry: wrap(retrying, breaker), breaker };
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
