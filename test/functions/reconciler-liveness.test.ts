import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../functions/core/clock";
import type { Cloud } from "../../functions/core/clouds";
import { signConfirmation } from "../../functions/core/confirmation";
import { makeEnvelope, type Envelope } from "../../functions/core/envelope";
import { HttpPeers, type Peers } from "../../functions/replication/peer-client";
import { DEFAULT_PEER_POLICY } from "../../functions/replication/policy";
import {
  DEFAULT_RECONCILER,
  PENDING_PAGES_PER_TICK,
  Reconciler,
  type ReconcilerOptions,
} from "../../functions/replication/reconciler";
import type { Replicator } from "../../functions/replication/replicator";
import { pgSql } from "../../functions/store/pg";
import type { Sql } from "../../functions/store/sql";
import { FINAL_SCAN_PAGES, SqlStore } from "../../functions/store/sql-store";
import type { Store } from "../../functions/store/store";
import { keyRings } from "../helpers/cluster";
import { DATABASE_URL, disposeStore, freshStore } from "../helpers/store";
import { waitFor } from "../helpers/wait";

/**
 * The reconciler's liveness under load it does not control: a big incomplete_finals table, a long stuck lane, a
 * breaker that flaps and kicks it over and over, a backlog longer than a page, and an adoption racing a node's own
 * confirmation. Each case pins behaviour (what is listed, driven, kept), not durations.
 */

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const never = () => new Promise<void>(() => undefined);
const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};
const ids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, "0")}`);

type Only = "PENDING" | "FINAL" | "STUCK";

/** A reconciler over a stub store: each lane lists from `lanes[only]()` (sorted ids, paged past the cursor by id). */
function harness(opts: {
  lanes: Partial<Record<Only, () => string[] | Promise<string[]>>>;
  drive?: (id: string) => Promise<void>;
  options?: Partial<ReconcilerOptions>;
  onList?: (only: Only) => void;
}) {
  const driven: string[] = [];
  /** The lane of each listing, in order, and what each PENDING listing returned. */
  const listings: Only[] = [];
  const pages: string[][] = [];
  const store = {
    eventsToReconcile: async (o: { only: Only; pendingAfter?: string; finalAfter?: string; limit: number }) => {
      listings.push(o.only);
      opts.onList?.(o.only);
      const all = (await opts.lanes[o.only]?.()) ?? [];
      const after = o.only === "FINAL" ? o.finalAfter : o.pendingAfter;
      const page = all.filter((id) => after === undefined || id > after).slice(0, o.limit);
      if (o.only === "PENDING") pages.push(page);
      return page;
    },
  } as unknown as Store;
  const replicator = {
    drive: async (id: string) => {
      driven.push(id);
      await (opts.drive ?? (async () => undefined))(id);
    },
  } as unknown as Replicator;
  const peers = { clouds: ["azure", "gcp"], ping: async () => true } as unknown as Peers;
  const reconciler = new Reconciler(
    { store, replicator, peers, clock: systemClock, log: pino({ level: "silent" }) },
    { ...DEFAULT_RECONCILER, ...opts.options },
  );
  // Not awaited: some tests leave listings or drives hanging for good (stop() waits for them).
  closers.push(async () => void reconciler.stop());
  const count = (only: Only) => listings.filter((l) => l === only).length;
  return { reconciler, driven, pages, count };
}

describe("the FINAL lane's listing (store, both drivers)", () => {
  const kinds = DATABASE_URL ? (["pglite", "pg"] as const) : (["pglite"] as const);
  it.each(kinds)(
    "on %s: bounded upkeep per listing, rows the window has left dropped, complete rows dropped a slice at a time",
    async (kind) => {
      const store = (await freshStore(kind, "incfin")) as SqlStore;
      closers.push(() => disposeStore(store));
      const t = (table: string) => `${store.schema}.${table}`;
      // FINAL events noted as missing a cloud: 1,200 that turned FINAL before the window (at 1..1,200 ms), 700
      // in it that have all three confirmations by now, and 3 in it that still miss one.
      const seed = async (prefix: string, n: number, at: number, clouds: Cloud[]) => {
        await store.sql.query(
          `INSERT INTO ${t("events")} (event_id, tenant_id, origin_cloud, hash, envelope, status, received_at_ms, status_at_ms, logical_clock)
           SELECT $1 || lpad(g::text, 5, '0'), 't', 'aws', 'h' || g, '{}', 'FINAL', 0, $2 + g, 1 FROM generate_series(1, $3::int) g`,
          [prefix, at, n],
        );
        await store.sql.query(
          `INSERT INTO ${t("confirmations")} (event_id, cloud, hash, signature, confirmed_at, origin, logical_clock)
           SELECT $1 || lpad(g::text, 5, '0'), c, 'h' || g, 's', 'x', 'aws', 1 FROM generate_series(1, $3::int) g, unnest($2::text[]) c`,
          [prefix, clouds, n],
        );
        await store.sql.query(
          `INSERT INTO ${t("incomplete_finals")} (event_id, final_at_ms) SELECT $1 || lpad(g::text, 5, '0'), $2 + g FROM generate_series(1, $3::int) g`,
          [prefix, at, n],
        );
      };
      await seed("old-", 1_200, 0, ["aws", "gcp"]);
      await seed("done-", 700, 20_000, ["aws", "azure", "gcp"]);
      await seed("miss-", 3, 30_000, ["aws", "gcp"]);
      const left = async (prefix: string) =>
        (
          await store.sql.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM ${t("incomplete_finals")} WHERE event_id LIKE $1 || '%'`,
            [prefix],
          )
        )[0]!.n;
      const limit = 100;
      const bound = FINAL_SCAN_PAGES * limit;
      const listing = () =>
        store.eventsToReconcile({
          pendingBeforeMs: 0,
          finalSinceMs: 10_000,
          forgetBeforeMs: 10_000,
          limit,
          only: "FINAL",
        });
      const missing = ["miss-00001", "miss-00002", "miss-00003"];
      // The first listing reads `bound` rows of the window, all complete: it drops them and lists nothing (a short
      // page: the next one starts over), and drops `bound` of the rows the window has left.
      expect(await listing()).toEqual([]);
      expect([await left("old-"), await left("done-"), await left("miss-")]).toEqual([1_200 - bound, 700 - bound, 3]);
      // The next one reads past what the first dropped: the rest of the complete rows, then the events still missing a cloud.
      expect(await listing()).toEqual(missing);
      expect([await left("old-"), await left("done-"), await left("miss-")]).toEqual([1_200 - 2 * bound, 0, 3]);
      expect(await listing()).toEqual(missing);
      expect([await left("old-"), await left("done-"), await left("miss-")]).toEqual([0, 0, 3]);
      // A listing that does not say what to forget keeps the rows before its window.
      await seed("kept-", 5, 100, ["aws", "gcp"]);
      expect(await store.eventsToReconcile({ pendingBeforeMs: 0, finalSinceMs: 10_000, limit, only: "FINAL" })).toEqual(
        missing,
      );
      expect(await left("kept-")).toBe(5);
      // A cursor whose row was dropped still places the next page (its position is read from its event).
      await store.sql.query(`DELETE FROM ${t("incomplete_finals")} WHERE event_id = 'miss-00001'`);
      expect(
        await store.eventsToReconcile({
          pendingBeforeMs: 0,
          finalSinceMs: 10_000,
          limit: 1,
          only: "FINAL",
          finalAfter: "miss-00001",
        }),
      ).toEqual(["miss-00002"]);
    },
  );
});

describe("reconciler lanes", () => {
  it("a PENDING listing is not held up by a FINAL listing that has not returned", async () => {
    let pending = ["p-1"];
    const { reconciler, driven, count } = harness({
      lanes: { PENDING: () => pending, FINAL: () => never().then(() => []) },
      options: { intervalMs: 20 },
    });
    reconciler.start();
    await waitFor("the PENDING event driven", async () => driven.includes("p-1") || undefined, 2_000);
    // Listed again and again meanwhile, while the first FINAL listing still hangs (no second one is started).
    pending = ["p-1", "p-2"];
    await waitFor("a PENDING event due later driven", async () => driven.includes("p-2") || undefined, 2_000);
    expect(count("FINAL")).toBe(1);
    expect(count("PENDING")).toBeGreaterThan(1);
  });

  it("stuck events wait in their own queue: PENDING events listed after them are driven while they hang, and a quarter of the workers stays free", async () => {
    // 1,500 events the other two clouds each signed another hash for, all listed after a kick; each drive of one
    // hangs (peer calls answered 409 slowly, a black-holed peer). Then honest events become due.
    const stuck = ids("stuck", 1_500);
    let pending: string[] = [];
    const { reconciler, driven, count } = harness({
      lanes: { PENDING: () => pending, FINAL: () => [], STUCK: () => stuck },
      drive: (id) => (id.startsWith("stuck") ? never() : Promise.resolve()),
      options: { intervalMs: 20, stuckIntervalMs: 50 },
    });
    reconciler.start();
    reconciler.kick();
    // The first tick listed a page; the kick then has the whole lane listed from its start (8 pages of 200), and
    // workers are on the first of them.
    await waitFor("the stuck lane listed after the kick", async () => count("STUCK") >= 9 || undefined, 5_000);
    await turns();
    const cap = DEFAULT_RECONCILER.concurrency - DEFAULT_RECONCILER.concurrency / 4;
    expect(driven.filter((id) => id.startsWith("stuck"))).toHaveLength(cap);
    pending = ["honest-1", "honest-2", "honest-3"];
    await waitFor(
      "the honest events driven",
      async () => pending.every((id) => driven.includes(id)) || undefined,
      2_000,
    );
    // Driven ahead of the 1,488 stuck events still queued: no stuck drive started meanwhile.
    expect(driven.filter((id) => id.startsWith("stuck"))).toHaveLength(cap);
  });

  it("stuck events are still driven when no PENDING event waits", async () => {
    const stuck = ids("stuck", 30);
    const { reconciler, driven } = harness({
      lanes: { PENDING: () => [], FINAL: () => [], STUCK: () => stuck },
      options: { intervalMs: 20, stuckIntervalMs: 50 },
    });
    reconciler.start();
    await waitFor("every stuck event driven", async () => stuck.every((id) => driven.includes(id)) || undefined, 3_000);
  });

  it("a full PENDING page is followed at once by the next one, at most PENDING_PAGES_PER_TICK pages per tick: 3,000 events listed without waiting for the interval", async () => {
    // A backlog left by an isolation, driven instantly (each drive finalizes: the event leaves the lane). The
    // interval is a minute, so every listing after the first comes from a full page (or the kick below).
    const backlog = ids("p", 3_000);
    const done = new Set<string>();
    const { reconciler, driven, count } = harness({
      lanes: { PENDING: () => backlog.filter((id) => !done.has(id)), FINAL: () => [] },
      drive: async (id) => void done.add(id),
      options: { intervalMs: 60_000 },
    });
    reconciler.start();
    const perTick = PENDING_PAGES_PER_TICK * DEFAULT_RECONCILER.batch;
    await waitFor("the first tick's pages driven", async () => done.size === perTick || undefined, 5_000);
    await turns(20);
    // Bounded: no more than PENDING_PAGES_PER_TICK pages until the next tick.
    expect(count("PENDING")).toBe(PENDING_PAGES_PER_TICK);
    expect(done.size).toBe(perTick);
    // A kick (or the next tick) goes on: the remaining 1,000 in 5 full pages and a short one, each listed at once.
    reconciler.kick();
    await waitFor("the whole backlog driven", async () => done.size === backlog.length || undefined, 5_000);
    await turns(20);
    expect(count("PENDING")).toBe(PENDING_PAGES_PER_TICK + 6);
    // Oldest first, each event once.
    expect(driven).toEqual(backlog);
  });
});

describe("kicks", () => {
  it("a kick storm (a breaker flapping every ~190 ms) does not hold the PENDING lane on its first page", async () => {
    // 250 events that never finalize (oldest first), then an honest one: production settings.
    const lane = [...ids("reused", 250), "zz-honest"];
    const { reconciler, driven } = harness({
      lanes: { PENDING: () => lane, FINAL: () => [] },
      drive: () => new Promise((r) => setTimeout(r, 5)),
    });
    reconciler.start();
    for (let kicks = 0; kicks < 40 && !driven.includes("zz-honest"); kicks++) {
      reconciler.kick();
      await new Promise((r) => setTimeout(r, 190));
    }
    expect(driven).toContain("zz-honest");
  });

  it("kicks take effect at most once per kickIntervalMs; those in between become one", async () => {
    const { reconciler, count } = harness({
      lanes: { PENDING: () => ["p-1"], FINAL: () => [] },
      options: { intervalMs: 60_000, kickIntervalMs: 1_000 },
    });
    reconciler.start();
    await turns();
    expect(count("PENDING")).toBe(1);
    // 20 kicks, each after the previous one's listing (if any) returned.
    for (let i = 0; i < 20; i++) {
      reconciler.kick();
      await turns();
    }
    // The first at once; the other 19 wait for the end of the second, as one.
    expect(count("PENDING")).toBe(2);
    await waitFor("the coalesced kick", async () => count("PENDING") === 3 || undefined, 3_000);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(count("PENDING")).toBe(3);
  });

  it("a kick during a sweep a kick started lists at once but pages on: kicks however frequent reach the end of the lane", async () => {
    // Every kick takes effect (no minimum interval), and one comes during every PENDING listing.
    const lane = [...ids("reused", 450), "zz-honest"];
    let kicks = 0;
    const { reconciler, pages } = harness({
      lanes: { PENDING: () => lane, FINAL: () => [] },
      options: { intervalMs: 60_000, kickIntervalMs: 0 },
      onList: (only) => {
        if (only === "PENDING" && kicks++ < 50) reconciler.kick();
      },
    });
    reconciler.start();
    await waitFor(
      "the honest event listed",
      async () => pages.some((p) => p.includes("zz-honest")) || undefined,
      3_000,
    );
    // The first kick restarted the lane (the listing it came during is read again from the start); the kicks in
    // every listing after it did not: pages 1, 2 and 3 follow, the honest event on the third.
    expect(pages.findIndex((p) => p.includes("zz-honest"))).toBe(3);
    expect(pages.slice(0, 4).map((p) => p[0])).toEqual([
      "reused-00000",
      "reused-00000",
      "reused-00200",
      "reused-00400",
    ]);
  });
});

describe("the stuck lane after kicks", () => {
  it("every peer that comes back has the stuck lane listed from its start, even while an earlier kick's 25 pages are under way", async () => {
    const stuckAfter: Array<string | undefined> = [];
    const all = ids("s", 300); // 30 pages of 10: longer than the 25 a kick lists
    const h = harness({
      lanes: { STUCK: () => all },
      options: { batch: 10, kickIntervalMs: 100, stuckIntervalMs: 200 },
    });
    const store = (h.reconciler as unknown as { d: { store: Store } }).d.store;
    const list = store.eventsToReconcile.bind(store);
    store.eventsToReconcile = async (o) => {
      if (o.only === "STUCK") stuckAfter.push(o.pendingAfter);
      return list(o);
    };
    h.reconciler.start();
    h.reconciler.kick();
    await waitFor("the first kick's 25 stuck pages", async () => stuckAfter.length >= 25, 5_000, 10);
    const firstSweep = stuckAfter.length;
    await new Promise((r) => setTimeout(r, 150));
    h.reconciler.kick();
    await waitFor("the stuck lane listed after the second kick", async () => stuckAfter.length > firstSweep, 5_000, 10);
    // Before: the second kick found the first one's sweep under way and listed on from page 26.
    expect(stuckAfter[firstSweep]).toBeUndefined();
  });
});

describe("recovery probes and a peer whose writes fail", () => {
  /** A peer that answers pings, and answers writes 503 (safe mode) until told otherwise. */
  async function safeModePeer() {
    let writes = 503;
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (req.url === "/v1/peer/ping")
          return void res.writeHead(200, { "content-type": "application/json" }).end('{"cloud":"azure","ok":true}');
        if (writes !== 200)
          return void res
            .writeHead(writes, { "content-type": "application/json" })
            .end('{"error":{"code":"SAFE_MODE","message":"safe mode is on"}}');
        res.writeHead(200, { "content-type": "application/json" }).end('{"status":"PENDING","confirmations":[]}');
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      writesAnswer: (status: number) => (writes = status),
    };
  }

  it("a ping answered while writes fail closes a flapping breaker only on the probe's growing delay", async () => {
    const peer = await safeModePeer();
    const timers: Array<{ fn: () => void; ms: number; cancelled: boolean }> = [];
    const peers = new HttpPeers({
      self: "aws",
      urls: { azure: peer.url },
      clock: systemClock,
      timeoutMs: 1_000,
      mux: false,
      policy: { ...DEFAULT_PEER_POLICY, random: () => 0.5 },
      setTimer: (fn, ms) => {
        const t = { fn, ms, cancelled: false };
        timers.push(t);
        return { cancel: () => void (t.cancelled = true) };
      },
    });
    closers.push(async () => peers.close());
    const closes: Cloud[] = [];
    peers.onRecovered((c) => closes.push(c));
    const envelope = makeEnvelope({ eventId: "evt-sm", tenantId: "acme", payload: 1 });
    const fail5 = async () => {
      for (let i = 0; i < 5; i++) await peers.confirm("azure", { from: "aws", envelope, confirmations: [] }, "once");
    };
    const breaker = () => peers.states()[0]!.breaker;
    const fireProbe = async () => {
      const t = timers.filter((x) => !x.cancelled).at(-1)!;
      t.cancelled = true;
      t.fn();
      await waitFor("the probe's ping", async () => breaker() === "closed" || undefined, 2_000);
    };
    await fail5();
    expect(breaker()).toBe("open");
    // Not flapping yet: any ping closes it (the reconciler's, here), as before.
    expect(await peers.ping("azure")).toBe(true);
    expect(breaker()).toBe("closed");
    expect(closes).toHaveLength(1);
    // The writes still fail: open again. That is a flap; the reconciler's pings no longer close it ...
    await fail5();
    expect(breaker()).toBe("open");
    for (let i = 0; i < 3; i++) expect(await peers.ping("azure")).toBe(true);
    expect(breaker()).toBe("open");
    expect(closes).toHaveLength(1);
    // ... the probe does, after a longer delay than a first probe (250 ms doubled: 375 ms with this jitter).
    const delays = () => timers.map((t) => t.ms);
    expect(delays()).toEqual([187, 375]);
    await fireProbe();
    expect(closes).toHaveLength(2);
    await fail5();
    expect(delays()).toEqual([187, 375, 750]);
    await fireProbe();
    await fail5();
    expect(delays()).toEqual([187, 375, 750, 750]);
    // The peer takes writes again: the probe closes the breaker and a call through it succeeds. Its next outage is
    // not a flap: the first probe delay again, and a ping closes the breaker at once.
    peer.writesAnswer(200);
    await fireProbe();
    expect(await peers.confirm("azure", { from: "aws", envelope, confirmations: [] }, "once")).toMatchObject({
      kind: "ok",
    });
    peer.writesAnswer(500);
    await fail5();
    expect(breaker()).toBe("open");
    expect(delays().at(-1)).toBe(187);
    expect(await peers.ping("azure")).toBe(true);
    expect(breaker()).toBe("closed");
    expect(closes).toHaveLength(5);
  });
});

describe.skipIf(!DATABASE_URL)(
  "an adoption racing this cloud's own confirmation (two connections to the server)",
  () => {
    const keys = keyRings();
    const sign = (env: Envelope, cloud: Cloud) =>
      signConfirmation(env.eventId, env.hash, keys[cloud], 1_000, { origin: "aws", logicalClock: 1 });

    /** A store over its own pool whose transactions, and (once `hold` is set) statements, wait for a gate before COMMIT. */
    async function gatedStore(schema: string) {
      const sql = pgSql(DATABASE_URL!, { max: 2 });
      const gate = {
        armed: false,
        statements: false,
        reached: false,
        release: () => undefined as void,
        wait: Promise.resolve(),
      };
      const arm = (statements: boolean) => {
        gate.armed = true;
        gate.statements = statements;
        gate.reached = false;
        gate.wait = new Promise<void>((r) => (gate.release = r));
      };
      const held = async <T>(run: () => Promise<T>) => {
        const out = await run();
        gate.reached = true;
        await gate.wait;
        return out;
      };
      const wrapped: Sql = {
        query: (text, params) =>
          gate.armed && gate.statements
            ? sql.transaction((tx) => held(() => tx.query(text, params)))
            : sql.query(text, params),
        exec: (text) => sql.exec(text),
        transaction: (fn) =>
          gate.armed && !gate.statements ? sql.transaction((tx) => held(() => fn(tx))) : sql.transaction(fn),
        close: () => sql.close(),
      };
      const store = await SqlStore.open(wrapped, "pg", schema);
      closers.push(() => store.close());
      return { store, gate, arm };
    }

    async function setup() {
      const base = await freshStore("pg", "race");
      closers.push(() => disposeStore(base));
      // azure stored the losing payload and is about to confirm it; aws and gcp certified the winning one.
      const loser = makeEnvelope({ eventId: "evt-race", tenantId: "acme", payload: { n: 1 } });
      const winner = makeEnvelope({ eventId: "evt-race", tenantId: "acme", payload: { n: 2 } });
      await base.insertEvent(loser, { origin: "azure", seenClock: 0 }, 100);
      const adopter = await gatedStore(base.schema);
      const confirmer = await gatedStore(base.schema);
      const waiting = async () =>
        (
          await (base as SqlStore).sql.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%' || $1 || '%'`,
            [base.schema],
          )
        )[0]!.n > 0;
      const held = async () => {
        const rows = await (base as SqlStore).sql.query<{ cloud: string; hash: string }>(
          `SELECT cloud, hash FROM ${base.schema}.confirmations WHERE event_id = 'evt-race' ORDER BY cloud`,
        );
        const event = await base.getEvent("evt-race");
        const statements = await base.listStatements("evt-race");
        return { rows, event, statements };
      };
      return { base, loser, winner, adopter, confirmer, waiting, held };
    }

    it("the adoption first: the confirmation insert waits for it and then finds the adopted hash", async () => {
      const { loser, winner, adopter, confirmer, waiting, held } = await setup();
      adopter.arm(false);
      const adopted = adopter.store.adoptCertificate(
        "evt-race",
        loser.hash,
        winner,
        [sign(winner, "aws"), sign(winner, "gcp")],
        200,
      );
      await waitFor("the adoption done, not committed", async () => adopter.gate.reached || undefined, 5_000);
      let confirmed: boolean | undefined;
      const confirming = confirmer.store
        .addConfirmation("evt-race", sign(loser, "azure"))
        .then((ok) => (confirmed = ok));
      // Either it waits on the adoption's lock (now), or it went through on the old hash (the race this closes).
      await waitFor(
        "the confirmation insert waiting or done",
        async () => confirmed !== undefined || (await waiting()),
        5_000,
      );
      adopter.gate.release();
      expect(await adopted).toBe(true);
      await confirming;
      const { rows, event } = await held();
      expect(event).toMatchObject({ status: "FINAL", envelope: { hash: winner.hash } });
      expect(rows).toEqual([
        { cloud: "aws", hash: winner.hash },
        { cloud: "gcp", hash: winner.hash },
      ]);
      expect(confirmed).toBe(false);
    });

    it("the confirmation first: the adoption waits for it to commit and moves it to the statements", async () => {
      const { loser, winner, adopter, confirmer, waiting, held } = await setup();
      confirmer.arm(true);
      const confirming = confirmer.store.addConfirmation("evt-race", sign(loser, "azure"));
      await waitFor("the confirmation inserted, not committed", async () => confirmer.gate.reached || undefined, 5_000);
      let adoptedYet: boolean | undefined;
      const adopted = adopter.store
        .adoptCertificate("evt-race", loser.hash, winner, [sign(winner, "aws"), sign(winner, "gcp")], 200)
        .then((ok) => (adoptedYet = ok));
      await waitFor("the adoption waiting or done", async () => adoptedYet !== undefined || (await waiting()), 5_000);
      confirmer.gate.release();
      expect(await confirming).toBe(true);
      expect(await adopted).toBe(true);
      const { rows, event, statements } = await held();
      expect(event).toMatchObject({ status: "FINAL", envelope: { hash: winner.hash } });
      expect(rows).toEqual([
        { cloud: "aws", hash: winner.hash },
        { cloud: "gcp", hash: winner.hash },
      ]);
      // What azure signed on the losing hash stays on record, as a statement.
      expect(statements.map((s) => [s.cloud, s.hash])).toEqual([["azure", loser.hash]]);
    });
  },
);
