import type { Logger } from "pino";
import type { Clock } from "../core/clock";
import type { Store } from "../store/store";
import type { Peers } from "./peer-client";
import type { Replicator } from "./replicator";

export interface ReconcilerOptions {
  /** Pause between passes. */
  intervalMs: number;
  /** Leave a PENDING event to its first replication this long before re-driving it. */
  graceMs: number;
  /** Keep offering FINAL events to a cloud that missed them for this long. */
  finalWindowMs: number;
  /** Events per pass, and how many are driven at once. */
  batch: number;
  concurrency: number;
}

export const DEFAULT_RECONCILER: ReconcilerOptions = {
  intervalMs: 500,
  graceMs: 1_000,
  finalWindowMs: 60 * 60_000,
  batch: 200,
  concurrency: 8,
};

/**
 * Re-drives what replication left unfinished: PENDING events (a peer was down, the origin
 * crashed mid-flight, a partition) and FINAL events a cloud has not confirmed yet. Also
 * pings peers (directly, never through a breaker) so /health knows their state when there is
 * no traffic. `kick()` runs a pass at once (the node kicks when a peer's breaker closes).
 * On a serverless host a scheduled function calls `runOnce()` instead of `start()`.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<number> | undefined;
  private stopped = true;
  private kicked = false;

  constructor(
    private readonly d: { store: Store; replicator: Replicator; peers: Peers; clock: Clock; log: Logger },
    private readonly opts: ReconcilerOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = (): void => {
      if (this.stopped) return;
      this.current = this.runOnce().catch((err: unknown) => {
        this.d.log.warn({ err: String(err) }, "reconcile pass failed");
        return 0;
      });
      void this.current.then(() => {
        this.current = undefined;
        if (this.stopped) return;
        // A kick during the pass: run again at once (what it reacted to may postdate the pass's read).
        const wait = this.kicked ? 0 : this.opts.intervalMs;
        this.kicked = false;
        this.timer = setTimeout(loop, wait).unref();
      });
    };
    this.loop = loop;
    loop();
  }

  private loop: (() => void) | undefined;

  /** Run a pass now (or right after the one running). A no-op when not started. */
  kick(): void {
    if (this.stopped || !this.loop) return;
    if (this.current) {
      this.kicked = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current;
  }

  /** One pass; returns how many events it drove. */
  async runOnce(): Promise<number> {
    const { store, replicator, peers, clock } = this.d;
    const now = clock.now();
    const [ids] = await Promise.all([
      store.eventsToReconcile({ pendingBeforeMs: now - this.opts.graceMs, finalSinceMs: now - this.opts.finalWindowMs, limit: this.opts.batch }),
      Promise.all(peers.clouds.map((c) => peers.ping(c))),
    ]);
    const queue = [...ids];
    const workers = Array.from({ length: Math.min(this.opts.concurrency, queue.length) }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) await replicator.drive(id, "once");
    });
    await Promise.all(workers);
    return ids.length;
  }
}
