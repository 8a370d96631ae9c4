import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import type { Peers } from "../../functions/replication/peer-client";
import { DEFAULT_RECONCILER, Reconciler } from "../../functions/replication/reconciler";
import type { Replicator } from "../../functions/replication/replicator";
import type { Store } from "../../functions/store/store";
import { waitFor } from "../helpers/wait";

/**
 * Chaos seed 41 (issue #16): events taken by a node while it was isolated finalized 6.8-8.2 s
 * after the heal. Each reconciler pass awaited every event it listed (certificate re-offers
 * to a black-holed peer included, 2 s each) and its pings before the next listing, so an event
 * that became due waited for the whole previous pass. These pin the scheduling that fixed it.
 */
/** A listing of at most DEFAULT_RECONCILER.batch ids past the cursor, as the store pages it. */
const page = (ids: string[], after: string | undefined) =>
  ids.slice(after === undefined ? 0 : ids.indexOf(after) + 1).slice(0, DEFAULT_RECONCILER.batch);

function harness(opts: {
  pending: () => string[] | Promise<string[]>;
  final: () => string[] | Promise<string[]>;
  stuck?: () => string[];
  stuckIntervalMs?: number;
  drive: (id: string) => Promise<void>;
  ping?: () => Promise<boolean>;
}) {
  const driven: string[] = [];
  const store = {
    eventsToReconcile: async (o: { only?: "PENDING" | "FINAL" | "STUCK"; pendingAfter?: string }) =>
      o.only === "FINAL"
        ? opts.final()
        : o.only === "PENDING"
          ? page(await opts.pending(), o.pendingAfter)
          : o.only === "STUCK"
            ? page((await opts.stuck?.()) ?? [], o.pendingAfter)
            : [...(await opts.pending()), ...(await opts.final())],
  } as unknown as Store;
  const replicator = {
    drive: async (id: string) => {
      driven.push(id);
      await opts.drive(id);
    },
  } as unknown as Replicator;
  const peers = { clouds: ["azure", "gcp"], ping: opts.ping ?? (async () => true) } as unknown as Peers;
  const reconciler = new Reconciler(
    { store, replicator, peers, clock: { now: () => Date.now() }, log: pino({ level: "silent" }) },
    {
      ...DEFAULT_RECONCILER,
      intervalMs: 20,
      ...(opts.stuckIntervalMs ? { stuckIntervalMs: opts.stuckIntervalMs } : {}),
    },
  );
  return { reconciler, driven };
}

const never = () => new Promise<void>(() => undefined);

describe("reconciler scheduling", () => {
  it("a PENDING event is driven although certificate re-offers hang, pings hang, and an earlier PENDING drive hangs", async () => {
    let due = ["p-stuck"];
    const { reconciler, driven } = harness({
      pending: () => due,
      final: () => Array.from({ length: 50 }, (_, i) => `f-${i}`),
      drive: (id) => (id === "p-new" ? Promise.resolve() : never()),
      ping: () => new Promise<boolean>(() => undefined),
    });
    reconciler.start();
    await waitFor("the first PENDING event driven", async () => driven.includes("p-stuck") || undefined, 2_000);
    // A new event becomes due while every earlier drive (and every ping) is still hanging.
    due = ["p-stuck", "p-new"];
    await waitFor("the new PENDING event driven", async () => driven.includes("p-new") || undefined, 2_000);
    // Re-offers ran on their own few workers; the stuck event was not driven twice at once.
    expect(driven.filter((id) => id.startsWith("f-")).length).toBe(DEFAULT_RECONCILER.finalConcurrency);
    expect(driven.filter((id) => id === "p-stuck")).toHaveLength(1);
    void reconciler.stop();
  });

  it("PENDING events behind more stuck ones than a listing holds are driven: the lane is paged, not re-read from the oldest", async () => {
    // 250 events that never finalize (three payloads under one eventId, one per cloud), oldest first, then the victim.
    const stuck = Array.from({ length: 250 }, (_, i) => `stuck-${String(i).padStart(3, "0")}`);
    const { reconciler, driven } = harness({
      pending: () => [...stuck, "victim"],
      final: () => [],
      drive: async () => undefined,
    });
    reconciler.start();
    await waitFor("the victim driven", async () => driven.includes("victim") || undefined, 3_000);
    void reconciler.stop();
  });

  it("events no two honest clouds can finalize (stuck) are driven seldom, not every pass, and not never", async () => {
    const { reconciler, driven } = harness({
      pending: () => ["p-1"],
      final: () => [],
      stuck: () => ["stuck-1"],
      stuckIntervalMs: 400,
      drive: async () => undefined,
    });
    reconciler.start();
    await new Promise((r) => setTimeout(r, 1_000));
    void reconciler.stop();
    const pendingDrives = driven.filter((id) => id === "p-1").length;
    const stuckDrives = driven.filter((id) => id === "stuck-1").length;
    // Passes every 20 ms: the PENDING event is driven on many; the stuck one at start and every 400 ms.
    expect(pendingDrives).toBeGreaterThan(10);
    expect(stuckDrives).toBeGreaterThanOrEqual(2);
    expect(stuckDrives).toBeLessThanOrEqual(4);
  });

  it("after a peer comes back, the stuck lane is gone through from its start, not one page on from where it was", async () => {
    const stuck = Array.from({ length: 450 }, (_, i) => `stuck-${String(i).padStart(3, "0")}`);
    const { reconciler, driven } = harness({
      pending: () => [],
      final: () => [],
      stuck: () => stuck,
      stuckIntervalMs: 60_000,
      drive: async () => undefined,
    });
    reconciler.start();
    // The first listing takes one page of the lane.
    await waitFor("the first page driven", async () => driven.length >= DEFAULT_RECONCILER.batch || undefined, 2_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(new Set(driven).size).toBe(DEFAULT_RECONCILER.batch);
    // A peer is back: within one listing, every stuck event, the oldest first.
    reconciler.kick();
    await waitFor("every stuck event driven", async () => new Set(driven).size === stuck.length || undefined, 10_000);
    void reconciler.stop();
  });

  it("a listing that returns after stop() starts no worker (it once spun the event loop forever at shutdown)", async () => {
    let release!: () => void;
    const listed = new Promise<void>((r) => (release = r));
    const { reconciler, driven } = harness({
      pending: () => listed.then(() => ["p-1", "p-2"]),
      final: () => listed.then(() => ["f-1"]),
      drive: async () => undefined,
    });
    // Bound the old failure (a synchronous loop starting workers that return at once) so it fails, not hangs.
    const proto = Reconciler.prototype as unknown as { work: (lane: string) => Promise<void> };
    const work = proto.work;
    let started = 0;
    const spy = vi.spyOn(proto, "work").mockImplementation(function (this: unknown, lane: string) {
      if (++started > 1_000) throw new Error("runaway: workers started in a loop after stop()");
      return work.call(this, lane);
    });
    try {
      reconciler.start();
      const stopped = reconciler.stop();
      release();
      await stopped;
      expect(started).toBe(0);
      expect(driven).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it("a certificate a cloud keeps missing is re-offered with a growing pause, reset by a kick (a peer recovered)", async () => {
    const { reconciler, driven } = harness({ pending: () => [], final: () => ["f-1"], drive: async () => undefined });
    reconciler.start();
    await new Promise((r) => setTimeout(r, 400));
    // 20 ms listings for 400 ms: offered at 0, 20, 60, 140, 300 ms (pause 20 ms doubling), not 20 times.
    const offers = driven.length;
    expect(offers).toBeGreaterThanOrEqual(2);
    expect(offers).toBeLessThanOrEqual(7);
    reconciler.kick();
    await waitFor("re-offered at once after a kick", async () => driven.length > offers || undefined, 200);
    await reconciler.stop();
  });
});
