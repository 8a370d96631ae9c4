import type { Logger } from "pino";
import type { Clock } from "../core/clock";
import type { Cloud } from "../core/clouds";
import type { Store } from "../store/store";
import type { Peers } from "./peer-client";
import type { Replicator } from "./replicator";

export interface ReconcilerOptions {
  /** Pause between ticks: each tick lists every lane that is not already being listed. */
  intervalMs: number;
  /** Leave a PENDING event to its first replication this long before re-driving it. */
  graceMs: number;
  /** Keep offering FINAL events to a cloud that missed them for this long. */
  finalWindowMs: number;
  /** Events per listed page. */
  batch: number;
  /**
   * How many PENDING events are driven at once (64). With a cloud hung, a drive waits on it twice (the receiver's
   * cross-check, then this node's past the open breaker), about 2 s: 16 drove 8 events a second, and a backlog of 40
   * per node left PENDING by a cut took 6.8 s after the heal. The replicator's own limit still bounds the passes.
   */
  concurrency: number;
  /** How many certificate re-offers (FINAL events a cloud misses) run at once, beside the PENDING ones:
   * few, so a delivery hanging on a black-holed peer never holds up a PENDING event. */
  finalConcurrency: number;
  /** How often the stuck lane is listed: PENDING events the other two clouds each signed another hash for
   * (store: eventsToReconcile's STUCK). Seldom, since honest clouds cannot finalize them; not never, since a
   * stolen key may be behind one of those statements. */
  stuckIntervalMs?: number;
  /** Least time between two kicks that take effect (2 s); the kicks in between become one, at its end. */
  kickIntervalMs?: number;
}

/** Pages of the stuck lane listed at once after a peer comes back (25 of `batch`: 5,000 events by default). */
const STUCK_PAGES_AFTER_KICK = 25;

/** Most pages of the PENDING lane listed between two ticks (10 of `batch`: 2,000 events per interval by default). */
export const PENDING_PAGES_PER_TICK = 10;

export const DEFAULT_RECONCILER: ReconcilerOptions = {
  intervalMs: 500,
  graceMs: 1_000,
  finalWindowMs: 60 * 60_000,
  batch: 200,
  concurrency: 64,
  finalConcurrency: 4,
  stuckIntervalMs: 30_000,
  kickIntervalMs: 2_000,
};

type Lane = "pending" | "final" | "stuck";

interface LaneState {
  /** Where the next listing goes on from (the last eventId of a full page); undefined: from the lane's start. */
  cursor?: string;
  /** The sweep under way (the lane's start to its first short page) began at a kick: another kick does not restart it. */
  sweepFromKick: boolean;
  /** Counts restarts: a listing that a restart overtook does not write its cursor over it. */
  restarts: number;
  listing: boolean;
  /** A kick came during the listing: list again once it returns (what the kick reacted to may postdate the read). */
  again: boolean;
}

/**
 * Re-drives what replication left unfinished: PENDING events (a peer was down, the origin
 * crashed mid-flight, a partition) and FINAL events a cloud has not confirmed yet. Also
 * pings peers (directly, never through a breaker) so /health knows their state when there is
 * no traffic. `kick()` lists at once (the node kicks when a peer's breaker closes).
 * On a serverless host a scheduled function calls `runOnce()` instead of `start()`.
 *
 * Started, it is not a sequence of barriers. Every tick lists each lane on its own (PENDING
 * events, FINAL events a cloud misses, stuck events) and hands the ids to standing workers
 * without waiting for the events of earlier listings, nor for another lane's listing: a slow
 * FINAL listing never holds up the PENDING one. Each lane is paged past a cursor, oldest first.
 * A full PENDING page is followed at once by the next one while the workers keep up (at most
 * PENDING_PAGES_PER_TICK between ticks, and only while a peer answers pings), so a backlog is not
 * held to one page per interval. Stuck events wait in their own queue, which the PENDING workers
 * take from only when no PENDING event waits, and never all of them: a PENDING event that becomes
 * due always finds a worker. A FINAL event a cloud keeps missing (it holds another hash, or
 * quarantined it) is re-offered with a growing pause (up to 16 s), reset when a peer recovers.
 *
 * Kicks take effect at most once per `kickIntervalMs` (those in between become one, at its end):
 * a breaker that flaps (a peer that answers pings while its writes fail) kicked several times a
 * second. A kick restarts each lane from its start, except a lane whose sweep a kick already
 * restarted and that has not reached its end: that one pages on, so kicks however frequent never
 * hold a lane on its first pages.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private kickTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  /** Ids waiting for a worker: PENDING events, stuck ones (taken only when no PENDING one waits), re-offers. */
  private readonly queue = { pending: [] as string[], stuck: [] as string[], final: [] as string[] };
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  /** Workers of the two pools: "pending" drives PENDING and stuck events, "final" certificate re-offers. */
  private readonly workers = { pending: 0, final: 0 };
  /** PENDING workers driving a stuck event right now (at most stuckCap). */
  private drivingStuck = 0;
  private readonly idle: Array<() => void> = [];
  /** Listings running (stop() waits for them). */
  private readonly listings = new Set<Promise<void>>();
  /** FINAL re-offers: when each may be offered again, and how many times it was. */
  private readonly offers = new Map<string, { nextAtMs: number; count: number }>();
  private pinging = false;
  /** Each peer's answer to the last ping (none yet: unknown). */
  private readonly answered = new Map<Cloud, boolean>();
  private readonly lanes: Record<Lane, LaneState> = {
    pending: { sweepFromKick: false, restarts: 0, listing: false, again: false },
    final: { sweepFromKick: false, restarts: 0, listing: false, again: false },
    stuck: { sweepFromKick: false, restarts: 0, listing: false, again: false },
  };
  /** PENDING pages listed since the last tick or kick. */
  private pendingPages = 0;
  /** When the stuck lane was last listed, and whether a peer came back since (then it is due sooner). */
  private stuckListedAtMs = 0;
  private stuckKicked = false;
  private lastKickAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly d: { store: Store; replicator: Replicator; peers: Peers; clock: Clock; log: Logger },
    private readonly opts: ReconcilerOptions,
  ) {}

  /** PENDING workers that may drive stuck events at once: a quarter of them (at least one) stays for PENDING ones. */
  // With `concurrency` 1 (an option, not the default) the one worker may be driving a stuck event when a PENDING one
  // becomes due: the cap keeps at least one stuck drive possible, or stuck events would never be driven.
  private get stuckCap(): number {
    const c = this.opts.concurrency;
    return Math.max(1, c - Math.max(1, Math.floor(c / 4)));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = (): void => {
      if (this.stopped) return;
      this.pendingPages = 0;
      this.pingPeers();
      this.list("pending");
      this.list("final");
      this.listStuck();
      this.timer = setTimeout(tick, this.opts.intervalMs);
      this.timer.unref?.();
    };
    tick();
  }

  /**
   * A peer is back: list every lane now, from its start, and re-offer what a cloud kept missing at once. At most
   * once per `kickIntervalMs`; a kick within that time takes effect at its end, with any other made meanwhile.
   * Not started (runOnce hosts), it only prepares the next run.
   */
  kick(): void {
    if (this.stopped) {
      this.restart();
      return;
    }
    const wait =
      this.lastKickAtMs + (this.opts.kickIntervalMs ?? DEFAULT_RECONCILER.kickIntervalMs!) - this.d.clock.now();
    if (wait <= 0) this.kickNow();
    else if (!this.kickTimer) {
      this.kickTimer = setTimeout(() => {
        this.kickTimer = undefined;
        if (!this.stopped) this.kickNow();
      }, wait);
      this.kickTimer.unref?.();
    }
  }

  private kickNow(): void {
    if (this.kickTimer) clearTimeout(this.kickTimer);
    this.kickTimer = undefined;
    this.lastKickAtMs = this.d.clock.now();
    this.restart();
    this.pendingPages = 0;
    // A breaker closed: a peer answers, whatever the last pings said.
    this.answered.clear();
    for (const lane of ["pending", "final"] as const) {
      if (this.lanes[lane].listing) this.lanes[lane].again = true;
      else this.list(lane);
    }
    this.listStuck();
  }

  /** What a kick changes: re-offers due at once, the stuck lane due soon, each lane from its start unless a kick's sweep is under way. */
  private restart(): void {
    this.offers.clear();
    this.stuckKicked = true;
    for (const [lane, l] of Object.entries(this.lanes)) {
      // The stuck lane always starts over: its listings come at most every 5 s, so kicks cannot hold it on its first
      // pages, and a peer coming back must see the whole lane from its start (where a stolen key's event may sit).
      if (l.sweepFromKick && lane !== "stuck") continue;
      l.cursor = undefined;
      l.sweepFromKick = true;
      l.restarts++;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.kickTimer) clearTimeout(this.kickTimer);
    this.kickTimer = undefined;
    for (const q of Object.values(this.queue)) q.length = 0;
    this.queued.clear();
    await Promise.all(this.listings);
    while (this.workers.pending + this.workers.final > 0) await new Promise<void>((r) => this.idle.push(r));
  }

  /**
   * One page of a lane past its cursor. Each lane is paged: a full page moves the cursor on, a short page ends the
   * sweep (the next listing starts over), so events that stay PENDING for good (three payloads under one eventId,
   * one per cloud) never hide the ones behind them. A kick that restarted the lane during the listing wins.
   */
  private async page(lane: Lane): Promise<string[]> {
    const l = this.lanes[lane];
    const restarts = l.restarts;
    const now = this.d.clock.now();
    const since = now - this.opts.finalWindowMs;
    const ids = await this.d.store.eventsToReconcile({
      pendingBeforeMs: now - this.opts.graceMs,
      finalSinceMs: since,
      limit: this.opts.batch,
      only: lane === "pending" ? "PENDING" : lane === "final" ? "FINAL" : "STUCK",
      // The re-offer window only moves on: what it has left is never offered again.
      ...(lane === "final" ? { finalAfter: l.cursor, forgetBeforeMs: since } : { pendingAfter: l.cursor }),
    });
    if (restarts !== l.restarts) l.again = true;
    else {
      const full = ids.length >= this.opts.batch;
      l.cursor = full ? ids[ids.length - 1] : undefined;
      if (!full) l.sweepFromKick = false;
    }
    return ids;
  }

  /** Runs `fn` as one of the listings stop() waits for. */
  private track(l: LaneState, fn: () => Promise<void>): void {
    l.listing = true;
    const run: Promise<void> = fn()
      .catch((err: unknown) => this.d.log.warn({ err: String(err) }, "reconcile listing failed"))
      .finally(() => {
        l.listing = false;
        this.listings.delete(run);
      });
    this.listings.add(run);
  }

  /** Lists a lane (unless it is being listed) and hands its ids to the workers; PENDING pages on while it may. */
  private list(lane: "pending" | "final"): void {
    const l = this.lanes[lane];
    if (l.listing || this.stopped) return;
    this.track(l, async () => {
      for (;;) {
        l.again = false;
        const ids = await this.page(lane);
        if (this.stopped) return;
        if (lane === "pending") this.pendingPages++;
        this.enqueue(lane, lane === "final" ? this.dueFinal(ids) : ids);
        if (!l.again && !(lane === "pending" && this.mayPageOn())) return;
      }
    });
  }

  /**
   * Whether the PENDING lane's next page may be listed now rather than at the next tick: the last page was full, the
   * workers hold less than a page, fewer than PENDING_PAGES_PER_TICK pages went since the last tick, and a peer
   * answered its last ping (with none, nothing listed can finalize: the lane keeps the pace of the ticks).
   */
  private mayPageOn(): boolean {
    return (
      this.lanes.pending.cursor !== undefined &&
      this.queue.pending.length < this.opts.batch &&
      this.pendingPages < PENDING_PAGES_PER_TICK &&
      this.d.peers.clouds.some((c) => this.answered.get(c) !== false)
    );
  }

  /** The stuck lane's ids when it is due: seldom; within 5 s of a peer coming back, but no more often than that. */
  private async stuckDue(): Promise<string[]> {
    const now = this.d.clock.now();
    const every = this.opts.stuckIntervalMs ?? DEFAULT_RECONCILER.stuckIntervalMs!;
    if (now - this.stuckListedAtMs < (this.stuckKicked ? Math.min(every, 5_000) : every)) return [];
    // After a peer came back, the whole lane from its start (up to STUCK_PAGES_AFTER_KICK pages): the event that
    // would expose a stolen key may sit behind many that cannot finalize; otherwise one page.
    const pages = this.stuckKicked ? STUCK_PAGES_AFTER_KICK : 1;
    this.stuckListedAtMs = now;
    this.stuckKicked = false;
    const out: string[] = [];
    for (let n = 0; n < pages; n++) {
      out.push(...(await this.page("stuck")));
      if (this.lanes.stuck.cursor === undefined || this.lanes.stuck.again) break;
    }
    this.lanes.stuck.again = false;
    return out;
  }

  private listStuck(): void {
    const l = this.lanes.stuck;
    if (l.listing || this.stopped) return;
    this.track(l, async () => {
      const ids = await this.stuckDue();
      if (!this.stopped) this.enqueue("stuck", ids);
    });
  }

  /** FINAL ids past their pause; each offer doubles the next pause (0.5, 1, 2, 4, 8, 16 s). */
  private dueFinal(final: string[]): string[] {
    const now = this.d.clock.now();
    const due = final.filter((id) => {
      const o = this.offers.get(id);
      if (o && o.nextAtMs > now) return false;
      const count = (o?.count ?? 0) + 1;
      this.offers.set(id, { count, nextAtMs: now + Math.min(16_000, this.opts.intervalMs * 2 ** (count - 1)) });
      return true;
    });
    if (this.offers.size > 10 * this.opts.batch)
      for (const [id, o] of this.offers) if (o.nextAtMs <= now) this.offers.delete(id);
    return due;
  }

  private pingPeers(): void {
    if (this.pinging) return;
    this.pinging = true;
    void Promise.all(this.d.peers.clouds.map((c) => this.ping(c))).finally(() => (this.pinging = false));
  }

  private async ping(cloud: Cloud): Promise<boolean> {
    const ok = await this.d.peers.ping(cloud).catch(() => false);
    this.answered.set(cloud, ok);
    return ok;
  }

  private enqueue(lane: Lane, ids: string[]): void {
    // A listing that returns after stop() must start nothing: a worker of a stopped reconciler returns
    // before taking an id, so the loops below would never see the queue shrink.
    if (this.stopped) return;
    const list = this.queue[lane];
    for (const id of ids) {
      if (this.queued.has(id) || this.active.has(id)) continue;
      this.queued.add(id);
      list.push(id);
    }
    // A worker takes its first id before it yields, so each loop sees the queue shrink.
    const { pending, stuck, final } = this.queue;
    while (
      this.workers.pending < this.opts.concurrency &&
      (pending.length > 0 || (stuck.length > 0 && this.drivingStuck < this.stuckCap))
    )
      void this.work("pending");
    while (this.workers.final < this.opts.finalConcurrency && final.length > 0) void this.work("final");
  }

  /** The next id for a worker of `pool`: a PENDING event first; a stuck one only when none waits and below the cap. */
  private take(pool: "pending" | "final"): { id: string; stuck: boolean } | undefined {
    if (pool === "final") {
      const id = this.queue.final.shift();
      return id === undefined ? undefined : { id, stuck: false };
    }
    const id = this.queue.pending.shift();
    if (id !== undefined) return { id, stuck: false };
    if (this.drivingStuck >= this.stuckCap) return undefined;
    const s = this.queue.stuck.shift();
    return s === undefined ? undefined : { id: s, stuck: true };
  }

  /** A worker of one pool: PENDING (and stuck) events, or certificate re-offers. */
  private async work(pool: "pending" | "final"): Promise<void> {
    this.workers[pool]++;
    try {
      for (;;) {
        if (this.stopped) return;
        const next = this.take(pool);
        if (next === undefined) return;
        const { id, stuck } = next;
        this.queued.delete(id);
        this.active.add(id);
        if (stuck) this.drivingStuck++;
        // The queue fell below a page and the lane has more: the next page now, not at the next tick.
        if (pool === "pending" && !stuck && !this.lanes.pending.listing && this.mayPageOn()) this.list("pending");
        try {
          await this.d.replicator.drive(id, "once");
        } finally {
          this.active.delete(id);
          if (stuck) this.drivingStuck--;
        }
      }
    } finally {
      this.workers[pool]--;
      if (this.workers.pending + this.workers.final === 0) for (const r of this.idle.splice(0)) r();
    }
  }

  /** One pass, awaited end to end (serverless hosts, tests); returns how many events it drove. */
  async runOnce(): Promise<number> {
    const { replicator, peers } = this.d;
    const listed = async () => {
      const [pending, final] = await Promise.all([this.page("pending"), this.page("final")]);
      return [...pending, ...this.dueFinal(final), ...(await this.stuckDue())];
    };
    const [queue] = await Promise.all([listed(), Promise.all(peers.clouds.map((c) => this.ping(c)))]);
    const total = queue.length;
    const workers = Array.from({ length: Math.min(this.opts.concurrency, queue.length) }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) await replicator.drive(id, "once");
    });
    await Promise.all(workers);
    return total;
  }
}
