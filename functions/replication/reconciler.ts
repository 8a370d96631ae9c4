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
  /** Events per pass, and how many PENDING events are driven at once. */
  batch: number;
  concurrency: number;
  /** How many certificate re-offers (FINAL events a cloud misses) run at once, beside the PENDING ones:
   * few, so a delivery hanging on a black-holed peer never holds up a PENDING event. */
  finalConcurrency: number;
  /** How often the stuck lane is listed: PENDING events the other two clouds each signed another hash for
   * (store: eventsToReconcile's STUCK). Seldom, since honest clouds cannot finalize them; not never, since a
   * stolen key may be behind one of those statements. */
  stuckIntervalMs?: number;
}

/** Pages of the stuck lane listed at once after a peer comes back (25 of `batch`: 5,000 events by default). */
const STUCK_PAGES_AFTER_KICK = 25;

export const DEFAULT_RECONCILER: ReconcilerOptions = {
  intervalMs: 500,
  graceMs: 1_000,
  finalWindowMs: 60 * 60_000,
  batch: 200,
  concurrency: 16,
  finalConcurrency: 4,
  stuckIntervalMs: 30_000,
};

/**
 * Re-drives what replication left unfinished: PENDING events (a peer was down, the origin
 * crashed mid-flight, a partition) and FINAL events a cloud has not confirmed yet. Also
 * pings peers (directly, never through a breaker) so /health knows their state when there is
 * no traffic. `kick()` runs a pass at once (the node kicks when a peer's breaker closes).
 * On a serverless host a scheduled function calls `runOnce()` instead of `start()`.
 *
 * Started, it is not a sequence of barriers: every tick (and every kick) lists what is due
 * and hands it to a standing pool of workers, PENDING events first, without waiting for the
 * events of the previous tick. So an event that becomes due (or a peer that comes back) is
 * not stuck behind a slow delivery to a black-holed peer or a long backlog of certificate
 * re-offers. Pings run beside the passes, never in front of them. A FINAL event a cloud keeps
 * missing (it holds another hash, or quarantined it) is re-offered with a growing pause
 * (up to 16 s), reset when a peer recovers.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<number> | undefined;
  private stopped = true;
  private kicked = false;
  /** Due ids not yet taken by a worker, PENDING ones first. */
  private readonly queue = { pending: [] as string[], final: [] as string[] };
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly workers = { pending: 0, final: 0 };
  private readonly idle: Array<() => void> = [];
  /** FINAL re-offers: when each may be offered again, and how many times it was. */
  private readonly offers = new Map<string, { nextAtMs: number; count: number }>();
  private pinging = false;
  /** Where each lane's next listing goes on from (the last eventId of a full page), or from the start. */
  private readonly cursor: { pending?: string; final?: string; stuck?: string } = {};
  /** When the stuck lane was last listed, and whether a peer came back since (then it is due sooner). */
  private stuckListedAtMs = 0;
  private stuckKicked = false;
  /** Counts kicks: a listing that a kick overtook does not write its cursors over the kick's reset. */
  private kicks = 0;

  constructor(
    private readonly d: { store: Store; replicator: Replicator; peers: Peers; clock: Clock; log: Logger },
    private readonly opts: ReconcilerOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = (): void => {
      if (this.stopped) return;
      this.timer = undefined;
      this.current = this.tick().catch((err: unknown) => {
        this.d.log.warn({ err: String(err) }, "reconcile pass failed");
        return 0;
      });
      void this.current.then(() => {
        this.current = undefined;
        if (this.stopped) return;
        // A kick during the listing: list again at once (what it reacted to may postdate the read).
        const wait = this.kicked ? 0 : this.opts.intervalMs;
        this.kicked = false;
        this.timer = setTimeout(loop, wait);
        this.timer.unref?.();
      });
    };
    this.loop = loop;
    loop();
  }

  private loop: (() => void) | undefined;

  /** Run a pass now (or right after the listing running). A no-op when not started. */
  kick(): void {
    // A peer is back: what it kept missing is worth offering again at once, oldest first.
    this.offers.clear();
    this.cursor.pending = this.cursor.final = this.cursor.stuck = undefined;
    this.stuckKicked = true;
    this.kicks++;
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
    this.queue.pending.length = 0;
    this.queue.final.length = 0;
    this.queued.clear();
    await this.current;
    while (this.workers.pending + this.workers.final > 0) await new Promise<void>((r) => this.idle.push(r));
  }

  /** What is due now: PENDING past the grace, and FINAL events a cloud is missing from (past their pause). */
  private async due(): Promise<{ pending: string[]; final: string[] }> {
    const { store, clock } = this.d;
    const now = clock.now();
    const window = {
      pendingBeforeMs: now - this.opts.graceMs,
      finalSinceMs: now - this.opts.finalWindowMs,
      limit: this.opts.batch,
    };
    const kicks = this.kicks;
    const [pending, final] = await Promise.all([
      store.eventsToReconcile({ ...window, only: "PENDING", pendingAfter: this.cursor.pending }),
      store.eventsToReconcile({ ...window, only: "FINAL", finalAfter: this.cursor.final }),
    ]);
    // Each lane is paged: a full page is followed by the next one, a short page starts the lane over. Events that
    // stay PENDING for good (three payloads under one eventId, one per cloud) never hide the ones behind them.
    // A kick during the listing reset the cursors: the next listing starts over, as the kick asked.
    if (kicks === this.kicks) {
      this.cursor.pending = pending.length < this.opts.batch ? undefined : pending[pending.length - 1];
      this.cursor.final = final.length < this.opts.batch ? undefined : final[final.length - 1];
    }
    // The stuck lane, seldom, behind the PENDING events of this listing; within 5 s of a peer coming back (a stolen
    // key's statement is exposed once that cloud's real node is asked), but no more often than that.
    const every = this.opts.stuckIntervalMs ?? DEFAULT_RECONCILER.stuckIntervalMs!;
    if (now - this.stuckListedAtMs >= (this.stuckKicked ? Math.min(every, 5_000) : every)) {
      // After a peer came back, the whole lane from its start (up to STUCK_PAGES_AFTER_KICK pages): the event that
      // would expose a stolen key may sit behind many that cannot finalize; otherwise one page.
      const pages = this.stuckKicked ? STUCK_PAGES_AFTER_KICK : 1;
      this.stuckListedAtMs = now;
      this.stuckKicked = false;
      let after = this.cursor.stuck;
      for (let page = 0; page < pages; page++) {
        const stuck = await store.eventsToReconcile({ ...window, only: "STUCK", pendingAfter: after });
        after = stuck.length < this.opts.batch ? undefined : stuck[stuck.length - 1];
        pending.push(...stuck);
        if (after === undefined) break;
      }
      if (kicks === this.kicks) this.cursor.stuck = after;
    }
    const dueFinal = final.filter((id) => {
      const o = this.offers.get(id);
      if (o && o.nextAtMs > now) return false;
      const count = (o?.count ?? 0) + 1;
      // 0.5, 1, 2, 4, 8, 16 s between offers of one certificate to a cloud that keeps missing it.
      this.offers.set(id, { count, nextAtMs: now + Math.min(16_000, this.opts.intervalMs * 2 ** (count - 1)) });
      return true;
    });
    if (this.offers.size > 10 * this.opts.batch)
      for (const [id, o] of this.offers) if (o.nextAtMs <= now) this.offers.delete(id);
    return { pending, final: dueFinal };
  }

  /** One listing, its ids handed to the standing workers (not awaited), pings beside it. */
  private async tick(): Promise<number> {
    this.pingPeers();
    const { pending, final } = await this.due();
    this.enqueue(pending, final);
    return pending.length + final.length;
  }

  private pingPeers(): void {
    if (this.pinging) return;
    this.pinging = true;
    const { peers } = this.d;
    void Promise.all(peers.clouds.map((c) => peers.ping(c).catch(() => false))).finally(() => (this.pinging = false));
  }

  private enqueue(pending: string[], final: string[]): void {
    // A listing that returns after stop() must start nothing: a worker of a stopped reconciler returns
    // before taking an id, so the loops below would never see the queue shrink.
    if (this.stopped) return;
    for (const [list, ids] of [
      [this.queue.pending, pending],
      [this.queue.final, final],
    ] as const) {
      for (const id of ids) {
        if (this.queued.has(id) || this.active.has(id)) continue;
        this.queued.add(id);
        list.push(id);
      }
    }
    while (this.workers.pending < this.opts.concurrency && this.queue.pending.length > 0) void this.work("pending");
    while (this.workers.final < this.opts.finalConcurrency && this.queue.final.length > 0) void this.work("final");
  }

  /** A worker of one lane: PENDING events, or certificate re-offers. */
  private async work(lane: "pending" | "final"): Promise<void> {
    this.workers[lane]++;
    try {
      for (;;) {
        if (this.stopped) return;
        const id = this.queue[lane].shift();
        if (id === undefined) return;
        this.queued.delete(id);
        this.active.add(id);
        try {
          await this.d.replicator.drive(id, "once");
        } finally {
          this.active.delete(id);
        }
      }
    } finally {
      this.workers[lane]--;
      if (this.workers.pending + this.workers.final === 0) for (const r of this.idle.splice(0)) r();
    }
  }

  /** One pass, awaited end to end (serverless hosts, tests); returns how many events it drove. */
  async runOnce(): Promise<number> {
    const { replicator, peers } = this.d;
    const [{ pending, final }] = await Promise.all([this.due(), Promise.all(peers.clouds.map((c) => peers.ping(c)))]);
    const queue = [...pending, ...final];
    const total = queue.length;
    const workers = Array.from({ length: Math.min(this.opts.concurrency, queue.length) }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) await replicator.drive(id, "once");
    });
    await Promise.all(workers);
    return total;
  }
}
