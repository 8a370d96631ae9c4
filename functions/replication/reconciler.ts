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
  intervalMs: 1_000,
  graceMs: 3_000,
  finalWindowMs: 60 * 60_000,
  batch: 200,
  concurrency: 8,
};

/**
 * Re-drives what replication left unfinished: PENDING events (a peer was down, the origin
 * crashed mid-flight, a partition) and FINAL events a cloud has not confirmed yet. Also
 * pings peers so /health knows their state when there is no traffic. On a serverless host
 * a scheduled function calls `runOnce()` instead of `start()`.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<number> | undefined;
  private stopped = true;

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
        if (!this.stopped) this.timer = setTimeout(loop, this.opts.intervalMs).unref();
      });
    };
    loop();
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
