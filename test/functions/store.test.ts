import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signConfirmation } from "../../functions/core/confirmation";
import { makeEnvelope, type Envelope } from "../../functions/core/envelope";
import type { Cloud } from "../../functions/core/clouds";
import { LEDGER_MIGRATIONS, migrateLedger } from "../../functions/ledger/migrations";
import { MIGRATIONS, migrate } from "../../functions/store";
import { STORE_MIGRATIONS, applyMigrations } from "../../functions/store/migrations";
import type { Store } from "../../functions/store/store";
import { behindPooler, pgSql, pgStatementsSent, withoutJit } from "../../functions/store/pg";
import { Client } from "pg";
import type { SqlStore } from "../../functions/store/sql-store";
import { keyRings } from "../helpers/cluster";
import { DATABASE_URL, disposeStore, freshStore } from "../helpers/store";

const keys = keyRings();
const event = (eventId: string, payload: unknown = { n: 1 }): Envelope =>
  makeEnvelope({ eventId, tenantId: "acme", payload: payload as never });
const meta = { origin: "aws" as Cloud, seenClock: 0 };
const confirm = (env: Envelope, cloud: Cloud, at = 0, hash = env.hash) =>
  signConfirmation(env.eventId, hash, keys[cloud], at, { origin: "aws", logicalClock: 1 });

// Always on PGlite; also on the server when DATABASE_URL is set (CI).
const kinds = DATABASE_URL ? (["pglite", "pg"] as const) : (["pglite"] as const);

describe.each(kinds)("store on %s", (kind) => {
  let store: Store;
  beforeAll(async () => {
    store = await freshStore(kind, "store");
  });
  afterAll(async () => {
    await disposeStore(store);
  });

  it("applies every migration once, in order, and is idempotent on reopen", async () => {
    const again = await freshStore(kind, "mig");
    try {
      // Opening runs migrate(); a second migrate on the same schema applies nothing.
      const sql = (again as unknown as { sql: import("../../functions/store/sql").Sql }).sql;
      expect(await migrate(sql, again.schema)).toEqual([]);
      const rows = await sql.query<{ version: number }>(
        `SELECT version FROM ${again.schema}.schema_migrations ORDER BY version`,
      );
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await disposeStore(again);
    }
  });

  it("one runner for the store's and the ledger's migrations: each keeps its own version table in one schema", async () => {
    const sql = (store as unknown as { sql: import("../../functions/store/sql").Sql }).sql;
    const schema = `test_sets_${Math.random().toString(16).slice(2, 10)}`;
    try {
      expect(await migrateLedger(sql, schema)).toEqual(LEDGER_MIGRATIONS.map((m) => m.version));
      expect(await migrate(sql, schema)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migrateLedger(sql, schema)).toEqual([]);
      expect(await migrate(sql, schema)).toEqual([]);
      const versions = async (table: string) =>
        (await sql.query<{ version: number }>(`SELECT version FROM ${schema}.${table} ORDER BY version`)).map(
          (r) => r.version,
        );
      expect(await versions("ledger_schema_migrations")).toEqual(LEDGER_MIGRATIONS.map((m) => m.version));
      expect(await versions("schema_migrations")).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await sql.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });

  it("refuses to migrate a schema holding v1 events (their hashes covered origin and time) instead of mixing them", async () => {
    const sql = (store as unknown as { sql: import("../../functions/store/sql").Sql }).sql;
    const schema = `test_v1_${Math.random().toString(16).slice(2, 10)}`;
    try {
      await sql.exec(
        `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());`,
      );
      for (const m of MIGRATIONS.filter((x) => x.version <= 3)) {
        await sql.exec(m.up(schema));
        await sql.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      }
      await sql.query(
        `INSERT INTO ${schema}.events (event_id, tenant_id, origin_cloud, hash, envelope, received_at_ms) VALUES ('old', 'acme', 'aws', 'h', '{}', 1)`,
      );
      await expect(migrate(sql, schema)).rejects.toThrow(/protocol v1/);
      // Nothing half-applied: the schema is still at version 3 with its event.
      expect((await sql.query<{ n: number }>(`SELECT max(version) AS n FROM ${schema}.schema_migrations`))[0]!.n).toBe(
        3,
      );
    } finally {
      await sql.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });

  it("first write wins for an eventId, also under concurrent inserts", async () => {
    const envs = Array.from({ length: 12 }, (_, i) => event("evt-race", { n: i }));
    const results = await Promise.all(envs.map((e) => store.insertEvent(e, meta, 1)));
    expect(results.filter((r) => r.inserted)).toHaveLength(1);
    const winner = results.find((r) => r.inserted)!.record.envelope.hash;
    expect(results.every((r) => r.record.envelope.hash === winner)).toBe(true);
  });

  it("keeps at most one confirmation per cloud and only on the stored hash", async () => {
    const env = event("evt-conf");
    await store.insertEvent(env, meta, 1);
    const attempts = Array.from({ length: 10 }, (_, i) => confirm(env, "azure", 1000 + i));
    const stored = await Promise.all(attempts.map((c) => store.addConfirmation(env.eventId, c)));
    expect(stored.filter(Boolean)).toHaveLength(1);
    expect(await store.addConfirmation(env.eventId, confirm(env, "gcp", 0, "a".repeat(64)))).toBe(false);
    expect((await store.getEvent(env.eventId))!.confirmations.map((c) => c.cloud)).toEqual(["azure"]);
  });

  it("finalizes only with two confirmations on the stored hash, and only from PENDING", async () => {
    const env = event("evt-final");
    await store.insertEvent(env, meta, 1);
    await store.addConfirmation(env.eventId, confirm(env, "aws"));
    expect(await store.finalize(env.eventId, env.hash, 2)).toBe(false);
    await store.addConfirmation(env.eventId, confirm(env, "gcp"));
    expect(await store.finalize(env.eventId, "b".repeat(64), 2)).toBe(false);
    const racers = await Promise.all([1, 2, 3].map(() => store.finalize(env.eventId, env.hash, 3)));
    expect(racers.filter(Boolean)).toHaveLength(1);
    expect(await store.quarantine(env.eventId, "too late", 4)).toBe(false);
    expect((await store.getEvent(env.eventId))!.status).toBe("FINAL");
  });

  it("refuses in SQL to move a terminal status or change a stored envelope", async () => {
    const env = event("evt-guard");
    await store.insertEvent(env, meta, 1);
    expect(await store.quarantine(env.eventId, "evidence", 2)).toBe(true);
    const sql = (store as unknown as { sql: import("../../functions/store/sql").Sql }).sql;
    await expect(
      sql.query(`UPDATE ${store.schema}.events SET status = 'FINAL' WHERE event_id = $1`, [env.eventId]),
    ).rejects.toThrow(/terminal/);
    await expect(
      sql.query(`UPDATE ${store.schema}.events SET hash = 'x' WHERE event_id = $1`, [env.eventId]),
    ).rejects.toThrow(/never changes/);
  });

  it("stamps an inserted event with the tenant's Lamport clock after observing what came with it", async () => {
    const a = await store.insertEvent(event("evt-clock-1"), { origin: "gcp", seenClock: 0 }, 1);
    expect(a.record).toMatchObject({ origin: "gcp", logicalClock: expect.any(Number) });
    const b = await store.insertEvent(event("evt-clock-2"), { origin: "aws", seenClock: 500 }, 1);
    expect(b.record.logicalClock).toBe(501);
    const c = await store.insertEvent(event("evt-clock-3"), { origin: "aws", seenClock: 3 }, 1);
    expect(c.record.logicalClock).toBe(502);
    expect((await store.getEvent("evt-clock-2"))!).toMatchObject({ origin: "aws", logicalClock: 501, statements: 0 });
  });

  it("stamps one tenant's events asked for together in one statement: distinct, in the order asked, each above what it came with and the tenant's earlier stamps", async () => {
    const tenant = `one-tenant-${kind}`;
    const env = (i: number) => makeEnvelope({ eventId: `evt-burst-${kind}-${i}`, tenantId: tenant, payload: { i } });
    const first = await store.insertEvent(env(0), { origin: "aws", seenClock: 10 }, 1);
    expect(first.record.logicalClock).toBe(11);
    const seen = [0, 40, 3, 0, 41, 2, 0, 0, 100, 1, 0, 0];
    const sent0 = pgStatementsSent();
    const burst = await Promise.all(
      seen.map((seenClock, i) => store.insertEvent(env(i + 1), { origin: "gcp", seenClock }, 1)),
    );
    // The store used to take one event per tenant per statement: twelve statements in a row here.
    if (kind === "pg") expect(pgStatementsSent() - sent0).toBe(1);
    const stamps = burst.map((b) => b.record.logicalClock);
    expect(burst.every((b) => b.inserted)).toBe(true);
    for (const [i, s] of stamps.entries()) {
      expect(s).toBeGreaterThan(Math.max(11, seen[i]!));
      if (i > 0) expect(s).toBeGreaterThan(stamps[i - 1]!);
    }
    expect(stamps.at(-1)).toBe(100 + seen.length);
    // What was stored is what was answered, and the clock goes on from the last stamp.
    for (const [i, b] of burst.entries())
      expect((await store.getEvent(env(i + 1).eventId))!.logicalClock).toBe(b.record.logicalClock);
    expect((await store.insertEvent(env(99), { origin: "aws", seenClock: 0 }, 1)).record.logicalClock).toBe(
      100 + seen.length + 1,
    );
  });

  it("never finalizes once equivocation evidence is on record; keeps statements and attempts", async () => {
    const env = event("evt-proof");
    await store.insertEvent(env, meta, 1);
    for (const cloud of ["aws", "azure"] as const) await store.addConfirmation(env.eventId, confirm(env, cloud));
    const other = confirm(env, "azure", 5, "c".repeat(64));
    await store.addStatements(env.eventId, [other, other], 2);
    expect(await store.listStatements(env.eventId)).toEqual([other]);
    expect((await store.getEvent(env.eventId))!.statements).toBe(1);
    await store.recordEvidence(
      { eventId: env.eventId, kind: "equivocation", reportedBy: "gcp", detail: { cloud: "azure" } },
      3,
    );
    expect(await store.finalize(env.eventId, env.hash, 4)).toBe(false);
    expect((await store.getEvent(env.eventId))!.status).toBe("PENDING");

    await store.recordAttempt(
      {
        eventId: env.eventId,
        kind: "bad-signature",
        reason: "confirmations[0].signature: no",
        source: "127.0.0.1:5",
        claimedFrom: "gcp",
        detail: { x: "y".repeat(10_000) },
      },
      6,
    );
    const [attempt] = await store.listAttempts({ eventId: env.eventId });
    expect(attempt).toMatchObject({
      kind: "bad-signature",
      source: "127.0.0.1:5",
      claimedFrom: "gcp",
      recordedAtMs: 6,
    });
    expect(JSON.stringify(attempt!.detail).length).toBeLessThan(5_000); // cut, so a flood stays small
  });

  it("records a refusal whose fields carry a NUL (PostgreSQL's text refuses it), and keeps only the newest 10,000", async () => {
    const s = await freshStore(kind, "attempts");
    try {
      await s.recordAttempt(
        {
          eventId: "e\u0000x",
          kind: "unknown-sender",
          reason: "from: \u0000",
          source: null,
          claimedFrom: "\u0000",
          detail: {},
        },
        1,
      );
      expect((await s.listAttempts({ limit: 1 }))[0]).toMatchObject({ eventId: "e\\u0000x", claimedFrom: "\\u0000" });
      for (let i = 0; i < 10_020; i += 60)
        await Promise.all(
          Array.from({ length: 60 }, (_, j) =>
            s.recordAttempt(
              {
                eventId: `flood-${i + j}`,
                kind: "malformed",
                reason: "body: no",
                source: null,
                claimedFrom: null,
                detail: {},
              },
              2,
            ),
          ),
        );
      const counted = await (s as SqlStore).sql.query<{ n: number }>(
        `SELECT count(*)::float8 AS n FROM ${s.schema}.attempts`,
      );
      expect(counted[0]!.n).toBe(10_000);
      expect((await s.listAttempts({ limit: 1 }))[0]!.eventId).toMatch(/^flood-/);
    } finally {
      await disposeStore(s);
    }
  });

  it("adopts the winning certificate of a reused eventId, PENDING only, with >= 2 clouds on it", async () => {
    const mine = event("evt-reuse", { v: "mine" });
    const theirs = event("evt-reuse", { v: "theirs" });
    await store.insertEvent(mine, { origin: "gcp", seenClock: 0 }, 1);
    const own = confirm(mine, "gcp");
    await store.addConfirmation(mine.eventId, own);
    const cert = [confirm(theirs, "aws"), confirm(theirs, "azure")];
    expect(await store.adoptCertificate(mine.eventId, mine.hash, theirs, cert.slice(0, 1), 2)).toBe(false);
    expect(await store.adoptCertificate(mine.eventId, "d".repeat(64), theirs, cert, 2)).toBe(false);
    expect(await store.adoptCertificate(mine.eventId, mine.hash, theirs, cert, 2)).toBe(true);
    const after = (await store.getEvent(mine.eventId))!;
    expect(after).toMatchObject({ status: "FINAL", envelope: theirs });
    expect(after.confirmations.map((c) => c.cloud)).toEqual(["aws", "azure"]);
    // What this cloud signed on the losing hash is kept, not lost.
    expect(await store.listStatements(mine.eventId)).toEqual([own]);
    expect(await store.adoptCertificate(mine.eventId, theirs.hash, mine, cert, 3)).toBe(false);
  });

  it("ticks tenant clocks atomically and observes larger ones", async () => {
    const ticks = await Promise.all(Array.from({ length: 25 }, () => store.nextClock("tenant-a")));
    expect([...ticks].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    await store.observeClock("tenant-a", 100);
    await store.observeClock("tenant-a", 50);
    expect(await store.nextClock("tenant-a")).toBe(101);
    expect(await store.nextClock("tenant-b")).toBe(1);
  });

  it("keeps evidence and the safe-mode switch", async () => {
    await store.recordEvidence({ eventId: "evt-ev", kind: "equivocation", reportedBy: "gcp", detail: { a: 1 } }, 5);
    expect(await store.listEvidence({ eventId: "evt-ev" })).toEqual([
      { eventId: "evt-ev", kind: "equivocation", reportedBy: "gcp", detail: { a: 1 }, recordedAtMs: 5 },
    ]);
    expect(await store.getSafeMode()).toBeNull();
    await store.setSafeMode("incident 42", 1);
    expect(await store.getSafeMode()).toBe("incident 42");
    await store.setSafeMode(null, 2);
    expect(await store.getSafeMode()).toBeNull();
  });

  it("lists old PENDING events and FINAL ones still missing a cloud for the reconciler", async () => {
    const s = await freshStore(kind, "rec");
    try {
      const pending = event("evt-p");
      const young = event("evt-young");
      const final = event("evt-f");
      await s.insertEvent(pending, meta, 100);
      await s.insertEvent(young, meta, 10_000);
      await s.insertEvent(final, meta, 100);
      for (const cloud of ["aws", "gcp"] as const) await s.addConfirmation(final.eventId, confirm(final, cloud));
      await s.finalize(final.eventId, final.hash, 200);
      expect((await s.eventsToReconcile({ pendingBeforeMs: 5_000, finalSinceMs: 0, limit: 10 })).sort()).toEqual([
        "evt-f",
        "evt-p",
      ]);
      expect(await s.eventsToReconcile({ pendingBeforeMs: 5_000, finalSinceMs: 300, limit: 10 })).toEqual(["evt-p"]);
      // The reconciler lists its two lanes apart: PENDING events, and FINAL ones a cloud misses.
      expect(
        await s.eventsToReconcile({ pendingBeforeMs: 5_000, finalSinceMs: 0, limit: 10, only: "PENDING" }),
      ).toEqual(["evt-p"]);
      expect(await s.eventsToReconcile({ pendingBeforeMs: 5_000, finalSinceMs: 0, limit: 10, only: "FINAL" })).toEqual([
        "evt-f",
      ]);
      expect(await s.countByStatus()).toEqual({ PENDING: 2, FINAL: 1, QUARANTINED: 0 });
    } finally {
      await disposeStore(s);
    }
  });

  it("pages each reconciler lane past a cursor (time, then id), so a lane longer than a listing is gone through", async () => {
    const s = await freshStore(kind, "page");
    try {
      // Five PENDING events, two received at the same moment; and three FINAL ones short of a cloud.
      for (const [id, at] of [
        ["p-e", 400],
        ["p-a", 100],
        ["p-c", 200],
        ["p-b", 200],
        ["p-d", 300],
      ] as const)
        await s.insertEvent(event(id), meta, at);
      for (const [id, at] of [
        ["f-b", 20],
        ["f-a", 20],
        ["f-c", 10],
      ] as const) {
        const env = event(id);
        await s.insertEvent(env, meta, 1);
        for (const cloud of ["aws", "gcp"] as const) await s.addConfirmation(id, confirm(env, cloud));
        await s.finalize(id, env.hash, at);
      }
      const lane = async (only: "PENDING" | "FINAL") => {
        const pages: string[][] = [];
        let after: string | undefined;
        for (let i = 0; i < 5; i++) {
          const page = await s.eventsToReconcile({
            pendingBeforeMs: 5_000,
            finalSinceMs: 0,
            limit: 2,
            only,
            ...(only === "PENDING" ? { pendingAfter: after } : { finalAfter: after }),
          });
          pages.push(page);
          if (page.length < 2) break;
          after = page[page.length - 1];
        }
        return pages;
      };
      expect(await lane("PENDING")).toEqual([["p-a", "p-b"], ["p-c", "p-d"], ["p-e"]]);
      expect(await lane("FINAL")).toEqual([["f-c", "f-a"], ["f-b"]]);
    } finally {
      await disposeStore(s);
    }
  });

  it("lists apart a PENDING event the other two clouds have each signed a hash of their own for (stuck)", async () => {
    const s = await freshStore(kind, "dead");
    try {
      const ours = event("evt-split");
      const theirs = (n: number) => makeEnvelope({ eventId: "evt-split", tenantId: "acme", payload: { other: n } });
      await s.insertEvent(ours, meta, 100);
      const listed = () => s.eventsToReconcile({ pendingBeforeMs: 5_000, finalSinceMs: 0, limit: 10, only: "PENDING" });
      // aws on another hash: a reused id, which the other hash may still win (adoption): listed.
      await s.addStatements("evt-split", [confirm(theirs(1), "aws")], 200);
      expect(await listed()).toEqual(["evt-split"]);
      // gcp on that same hash: still listed.
      await s.addStatements("evt-split", [confirm(theirs(1), "gcp")], 200);
      expect(await listed()).toEqual(["evt-split"]);
      // gcp on a third hash instead: three hashes, one per cloud, no two signatures on any.
      const s2 = await freshStore(kind, "dead2");
      try {
        await s2.insertEvent(ours, meta, 100);
        await s2.addStatements("evt-split", [confirm(theirs(1), "aws"), confirm(theirs(2), "gcp")], 200);
        expect(
          await s2.eventsToReconcile({ pendingBeforeMs: 5_000, finalSinceMs: 0, limit: 10, only: "PENDING" }),
        ).toEqual([]);
        // Listed apart, for the reconciler's slow lane (a stolen key may be behind one of the statements).
        expect(
          await s2.eventsToReconcile({ pendingBeforeMs: 5_000, finalSinceMs: 0, limit: 10, only: "STUCK" }),
        ).toEqual(["evt-split"]);
        expect((await s2.getEvent("evt-split"))?.status).toBe("PENDING");
      } finally {
        await disposeStore(s2);
      }
    } finally {
      await disposeStore(s);
    }
  });

  it("notes what turns FINAL short of a cloud, lists it until the third confirmation, then lets it go", async () => {
    const s = (await freshStore(kind, "inc")) as SqlStore;
    try {
      const short = event("evt-short");
      const whole = event("evt-whole");
      for (const env of [short, whole]) await s.insertEvent(env, meta, 100);
      for (const cloud of ["aws", "gcp"] as const) await s.addConfirmation(short.eventId, confirm(short, cloud));
      for (const cloud of ["aws", "azure", "gcp"] as const)
        await s.addConfirmation(whole.eventId, confirm(whole, cloud));
      for (const env of [short, whole]) expect(await s.finalize(env.eventId, env.hash, 200)).toBe(true);
      const noted = () => s.sql.query<{ event_id: string }>(`SELECT event_id FROM ${s.schema}.incomplete_finals`);
      // Only the event short of a cloud is noted; the listing reads the notes, not every FINAL event.
      expect(await noted()).toEqual([{ event_id: "evt-short" }]);
      const finals = () => s.eventsToReconcile({ pendingBeforeMs: 0, finalSinceMs: 0, limit: 10, only: "FINAL" });
      expect(await finals()).toEqual(["evt-short"]);
      await s.addConfirmation(short.eventId, confirm(short, "azure"));
      expect(await finals()).toEqual([]);
      expect(await noted()).toEqual([]);
    } finally {
      await disposeStore(s);
    }
  });

  it("migration 6 notes the FINAL events already short of a cloud", async () => {
    const sql = (store as unknown as { sql: import("../../functions/store/sql").Sql }).sql;
    const schema = `test_m6_${Math.random().toString(16).slice(2, 10)}`;
    try {
      const upTo5 = { ...STORE_MIGRATIONS, migrations: MIGRATIONS.filter((m) => m.version <= 5) };
      expect(await applyMigrations(sql, schema, upTo5)).toEqual([1, 2, 3, 4, 5]);
      const short = event("evt-old-short");
      const whole = event("evt-old-whole");
      for (const env of [short, whole])
        await sql.query(
          `INSERT INTO ${schema}.events (event_id, tenant_id, origin_cloud, hash, envelope, received_at_ms, logical_clock, status, status_at_ms)
           VALUES ($1, 'acme', 'aws', $2, $3, 100, 1, 'PENDING', NULL)`,
          [env.eventId, env.hash, JSON.stringify(env)],
        );
      const clouds = { [short.eventId]: ["aws", "gcp"], [whole.eventId]: ["aws", "azure", "gcp"] } as const;
      for (const env of [short, whole])
        for (const cloud of clouds[env.eventId]!) {
          const c = confirm(env, cloud);
          await sql.query(
            `INSERT INTO ${schema}.confirmations (event_id, cloud, hash, signature, confirmed_at, origin, logical_clock)
             VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [env.eventId, c.cloud, c.hash, c.signature, c.confirmedAt, c.origin, c.logicalClock],
          );
        }
      await sql.query(`UPDATE ${schema}.events SET status = 'FINAL', status_at_ms = 200`);
      expect(await migrate(sql, schema)).toEqual([6]);
      expect(await sql.query(`SELECT event_id, final_at_ms FROM ${schema}.incomplete_finals`)).toEqual([
        { event_id: "evt-old-short", final_at_ms: 200 },
      ]);
    } finally {
      await sql.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });

  it("transactions: queued statements run in order before COMMIT, and any failure, even one caught, rolls back and throws", async () => {
    const sql = (store as unknown as { sql: import("../../functions/store/sql").Sql }).sql;
    const t = `${store.schema}.tx_probe`;
    await sql.exec(`CREATE TABLE ${t} (n int PRIMARY KEY)`);
    try {
      expect(
        await sql.transaction(async (tx) => {
          tx.queue(`INSERT INTO ${t} (n) VALUES ($1)`, [1]);
          return tx.query<{ n: number }>(`SELECT n FROM ${t}`);
        }),
      ).toEqual([{ n: 1 }]);
      await expect(
        sql.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${t} (n) VALUES ($1)`, [2]);
          tx.queue(`INSERT INTO ${t} (n) VALUES ($1)`, [1]);
          return "done";
        }),
      ).rejects.toThrow(/duplicate key/);
      await expect(
        sql.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${t} (n) VALUES ($1)`, [3]);
          await tx.query(`INSERT INTO ${t} (n) VALUES ($1)`, [1]).catch(() => undefined);
          return "done";
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(await sql.query(`SELECT n FROM ${t} ORDER BY n`)).toEqual([{ n: 1 }]);
    } finally {
      await sql.exec(`DROP TABLE ${t}`);
    }
  });

  it("rejects a schema name that is not a plain identifier", async () => {
    await expect(freshStore(kind, "Bad-Name")).rejects.toThrow(/lowercase SQL identifier/);
  });
});

describe("the server's sessions", () => {
  it("turn PostgreSQL's JIT off, keeping a connection string's own options", () => {
    expect(withoutJit("postgres://u@127.0.0.1:5432/db")).toBe(
      "postgres://u@127.0.0.1:5432/db?options=-c+jit%3Doff+-c+plan_cache_mode%3Dforce_custom_plan",
    );
    expect(
      new URL(withoutJit("postgres://u@h/db?options=-c%20statement_timeout%3D5000")).searchParams.get("options"),
    ).toBe("-c statement_timeout=5000 -c jit=off -c plan_cache_mode=force_custom_plan");
    // Not a URL (key=value form): left to the driver as it is.
    expect(withoutJit("host=/var/run/postgresql dbname=db")).toBe("host=/var/run/postgresql dbname=db");
  });

  it.runIf(DATABASE_URL)("run without JIT, with custom plans, and prepare each statement once", async () => {
    const store = (await freshStore("pg", "jit")) as SqlStore;
    try {
      expect(
        await store.sql.query<{ jit: string; plans: string }>(
          "SELECT current_setting('jit') AS jit, current_setting('plan_cache_mode') AS plans",
        ),
      ).toEqual([{ jit: "off", plans: "force_custom_plan" }]);
      // A statement with parameters is prepared under a name, once per connection, and reused.
      const text = "SELECT $1::int + 1 AS n";
      const seen = await store.sql.transaction(async (tx) => {
        for (let i = 0; i < 3; i++) expect(await tx.query(text, [i])).toEqual([{ n: i + 1 }]);
        return tx.query<{ name: string }>("SELECT name FROM pg_prepared_statements WHERE statement = $1", [text]);
      });
      expect(seen).toEqual([{ name: expect.stringMatching(/^tc_[0-9a-f]{24}$/) }]);
    } finally {
      await disposeStore(store);
    }
  });

  it.runIf(DATABASE_URL)(
    "a transaction sends BEGIN with its first statement and pipelines what it does not wait for, and keeps every guarantee of a transaction",
    async () => {
      const store = (await freshStore("pg", "begin")) as SqlStore;
      const t = `${store.schema}.begin_probe`;
      const other = new Client({ connectionString: DATABASE_URL });
      await other.connect();
      try {
        await store.sql.exec(`CREATE TABLE ${t} (n int PRIMARY KEY)`);
        await store.sql.exec(`INSERT INTO ${t} (n) VALUES (1)`);
        // The first statement's own rows come back (not BEGIN's), and its row lock is held until COMMIT.
        const locked = await store.sql.transaction(async (tx) => {
          const rows = await tx.query<{ n: number }>(`SELECT n FROM ${t} WHERE n = 1 FOR UPDATE`);
          await expect(other.query(`SELECT n FROM ${t} WHERE n = 1 FOR UPDATE NOWAIT`)).rejects.toThrow(
            /could not obtain lock/,
          );
          return rows;
        });
        expect(locked).toEqual([{ n: 1 }]);
        expect((await other.query(`SELECT n FROM ${t} WHERE n = 1 FOR UPDATE NOWAIT`)).rows).toEqual([{ n: 1 }]);
        // Later statements are in the same transaction as the first.
        const xids = await store.sql.transaction(async (tx) => {
          await tx.query(`SELECT count(*) FROM ${t}`);
          const a = await tx.query<{ x: string }>("SELECT pg_current_xact_id()::text AS x");
          const b = await tx.query<{ x: string }>("SELECT pg_current_xact_id()::text AS x", []);
          return [a[0]!.x, b[0]!.x];
        });
        expect(xids[0]).toBe(xids[1]);
        // A failure rolls the whole transaction back.
        await expect(
          store.sql.transaction(async (tx) => {
            await tx.query(`SELECT count(*) FROM ${t}`);
            await tx.query(`INSERT INTO ${t} (n) VALUES ($1)`, [2]);
            await tx.query(`INSERT INTO ${t} (n) VALUES ($1)`, [1]);
          }),
        ).rejects.toThrow(/duplicate key/);
        // A caller that catches a failed statement cannot go on outside the transaction, nor have
        // it reported as committed: the statements after it are refused, and the transaction throws
        // the first failure (the server answered COMMIT with ROLLBACK).
        await expect(
          store.sql.transaction(async (tx) => {
            await tx.query("SELEC 1").catch(() => undefined);
            await tx.query(`INSERT INTO ${t} (n) VALUES ($1)`, [3]);
          }),
        ).rejects.toThrow(/current transaction is aborted/);
        await expect(
          store.sql.transaction(async (tx) => {
            await tx.query(`INSERT INTO ${t} (n) VALUES ($1)`, [4]);
            await tx.query(`INSERT INTO ${t} (n) VALUES ($1)`, [1]).catch(() => undefined);
            return "done";
          }),
        ).rejects.toThrow(/duplicate key/);
        // A queued statement (not waited for) runs in order, before COMMIT; its failure fails the
        // transaction and nothing before it is kept.
        expect(
          await store.sql.transaction(async (tx) => {
            tx.queue(`INSERT INTO ${t} (n) VALUES ($1)`, [5]);
            return tx.query<{ n: number }>(`SELECT n FROM ${t} WHERE n = $1`, [5]);
          }),
        ).toEqual([{ n: 5 }]);
        await expect(
          store.sql.transaction(async (tx) => {
            await tx.query(`INSERT INTO ${t} (n) VALUES ($1)`, [6]);
            tx.queue(`INSERT INTO ${t} (n) VALUES ($1)`, [1]);
            return "done";
          }),
        ).rejects.toThrow(/duplicate key/);
        expect(await store.sql.query(`SELECT n FROM ${t} ORDER BY n`)).toEqual([{ n: 1 }, { n: 5 }]);
        // A first statement that holds none gives no rows, as before.
        expect(await store.sql.transaction((tx) => tx.query("-- nothing"))).toEqual([]);
      } finally {
        await other.end();
        await disposeStore(store);
      }
    },
  );
});

describe("behind a connection pooler (RDS Proxy, PgBouncer)", () => {
  it("recognises an RDS Proxy endpoint and PgBouncer's port from the URL", () => {
    expect(
      behindPooler("postgres://u:p@tricloud-prod-quorum.proxy-c1a2b3c4d5e6.us-west-2.rds.amazonaws.com:5432/db"),
    ).toBe(true);
    expect(behindPooler("postgres://u:p@prod-azure-db-pg1.postgres.database.azure.com:6432/tricloud")).toBe(true);
    expect(behindPooler("postgres://u:p@prod-aws-db-pg.c1a2b3c4d5e6.us-west-2.rds.amazonaws.com:5432/db")).toBe(false);
    expect(behindPooler("postgres://u:p@10.137.0.5:5432/tricloud")).toBe(false);
    expect(behindPooler("host=/var/run/postgresql dbname=db")).toBe(false);
  });

  it.runIf(DATABASE_URL)(
    "sends no startup options and no named statements, and makes the session settings the role's own defaults",
    async () => {
      const admin = new Client({ connectionString: DATABASE_URL });
      await admin.connect();
      const role = `tc_pooled_${process.pid}`;
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.query(`CREATE ROLE ${role} LOGIN`);
      const url = new URL(DATABASE_URL!);
      url.username = role;
      url.password = "";
      const sql = pgSql(url.toString(), { max: 2, pooler: true });
      try {
        // The first session: no options in its startup packet, so the server's defaults still hold in it.
        expect(await sql.query<{ jit: string }>("SELECT current_setting('jit') AS jit")).toEqual([{ jit: "on" }]);
        const text = "SELECT $1::int * 2 AS n";
        expect(await sql.query(text, [21])).toEqual([{ n: 42 }]);
        const prepared = await sql.transaction(async (tx) => {
          expect(await tx.query(text, [2])).toEqual([{ n: 4 }]);
          return tx.query("SELECT name FROM pg_prepared_statements WHERE statement = $1", [text]);
        });
        expect(prepared).toEqual([]);
        // The settings are the role's defaults: every new session a pooler opens for it starts with them.
        const defaults = await admin.query<{ setconfig: string[] }>(
          "SELECT setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = $1",
          [role],
        );
        expect(defaults.rows[0]!.setconfig.sort()).toEqual(["jit=off", "plan_cache_mode=force_custom_plan"]);
        const fresh = new Client({ connectionString: url.toString() });
        await fresh.connect();
        try {
          expect(
            (await fresh.query("SELECT current_setting('jit') AS jit, current_setting('plan_cache_mode') AS plans"))
              .rows,
          ).toEqual([{ jit: "off", plans: "force_custom_plan" }]);
        } finally {
          await fresh.end();
        }
        // Eight instances starting at once, as a scale-out does: each starts (two ALTER ROLE of one role at
        // once can fail with "tuple concurrently updated"), and none rewrites what is there (the row's xmin holds).
        const row = () =>
          admin.query<{ xmin: string }>(
            "SELECT s.xmin::text AS xmin FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = $1",
            [role],
          );
        const before = (await row()).rows;
        const starts = Array.from({ length: 8 }, () => pgSql(url.toString(), { max: 2, pooler: true }));
        try {
          const answers = await Promise.all(starts.map((s) => s.query<{ n: number }>("SELECT 1 AS n")));
          expect(answers).toEqual(Array.from({ length: 8 }, () => [{ n: 1 }]));
        } finally {
          await Promise.all(starts.map((s) => s.close()));
        }
        expect((await row()).rows).toEqual(before);
      } finally {
        await sql.close();
        await admin.query(`DROP ROLE ${role}`);
        await admin.end();
      }
    },
  );
});

describe("statements outside transactions share held, pipelined connections", () => {
  it.runIf(DATABASE_URL)("a held connection the server drops is replaced, and statements go on", async () => {
    const sql = pgSql(DATABASE_URL!, { max: 4 });
    const admin = new Client({ connectionString: DATABASE_URL });
    await admin.connect();
    try {
      const pids = new Set<number>();
      for (let i = 0; i < 4; i++)
        pids.add((await sql.query<{ pid: number }>("SELECT pg_backend_pid() AS pid"))[0]!.pid);
      // Two held connections, taken in turn.
      expect(pids.size).toBe(2);
      await admin.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [[...pids]]);
      const after = new Set<number>();
      for (let attempt = 0; attempt < 40 && after.size < 2; attempt++) {
        try {
          after.add((await sql.query<{ pid: number }>("SELECT pg_backend_pid() AS pid"))[0]!.pid);
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 25)); // the statement that met the dropped connection
        }
      }
      expect(after.size).toBe(2);
      for (const pid of after) expect(pids.has(pid)).toBe(false);
    } finally {
      await sql.close();
      await admin.end();
    }
  });
});
