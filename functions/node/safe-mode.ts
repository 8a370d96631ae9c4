import type { Clock } from "../core/clock";
import type { Store } from "../store/store";

/**
 * Emergency control EXECUTION_SAFE_MODE, kept in the store so an operator can
 * flip it with one UPDATE on any node's schema. Cached briefly so a hot write path does
 * not pay a query per request; a change made elsewhere shows within `ttlMs`.
 */
export class SafeMode {
  private cached: { reason: string | null; atMs: number } | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMs = 1_000,
  ) {}

  /** The reason writes are refused, or null when they are accepted. */
  async reason(): Promise<string | null> {
    const now = this.clock.now();
    if (this.cached && now - this.cached.atMs < this.ttlMs) return this.cached.reason;
    const reason = await this.store.getSafeMode();
    this.cached = { reason, atMs: now };
    return reason;
  }

  async set(reason: string | null): Promise<void> {
    await this.store.setSafeMode(reason, this.clock.now());
    this.cached = { reason, atMs: this.clock.now() };
  }
}
