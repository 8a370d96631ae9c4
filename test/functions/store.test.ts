import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signConfirmation } from "../../functions/core/confirmation";
import { sealEnvelope, type EventBody } from "../../functions/core/envelope";
import { MIGRATIONS, migrate } from "../../functions/store";
import type { Store } from "../../functions/store/store";
import { keyRings } from "./helpers/cluster";
import { DATABASE_URL, disposeStore, freshStore } from "./helpers/store";

const keys = keyRings();
const body = (eventId: string, payload: unknown = { n: 1 }): EventBody => ({
  eventId,
  tenantId: "acme",
  logicalClock: 1,
  region: "test",
  payload: payload as never,
  createdAt: "2025-01-01T00:00:00.000Z",
  originCloud: "aws",
});

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
      const rows = await sql.query<{ version: number }>(`SELECT version FROM ${again.schema}.schema_migrations ORDER BY version`);
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await disposeStore(again);
    }
  });

  it("first write wins for an eventId, also under concurrent inserts", async () => {
    const envs = Array.from({ length: 12 }, (_, i) => sealEnvelope(body("evt-race", { n: i }), keys.aws));
    const results = await Promise.all(envs.map((e) => store.insertEvent(e, 1)));
    expect(results.filter((r) => r.inserted)).toHaveLength(1);
    const winner = results.find((r) => r.inserted)!.record.envelope.hash;
    expect(results.every((r) => r.record.envelope.hash === winner)).toBe(true);
  });

  it("keeps at most one confirmation per cloud and only on the stored hash", async () => {
    const env = sealEnvelope(body("evt-conf"), keys.aws);
    await store.insertEvent(env, 1);
    const attempts = Array.from({ length: 10 }, (_, i) => signConfirmation(env.eventId, env.hash, keys.azure, 1000 + i));
    const stored = await Promise.all(attempts.map((c) => store.addConfirmation(env.eventId, c)));
    expect(stored.filter(Boolean)).toHaveLength(1);
    expect(await store.addConfirmation(env.eventId, signConfirmation(env.eventId, "a".repeat(64), keys.gcp, 0))).toBe(false);
    expect((await store.getEvent(env.eventId))!.confirmations.map((c) => c.cloud)).toEqual(["azure"]);
  });

  it("finalizes only with two confirmations on the stored hash, and only from PENDING", async () => {
    const env = sealEnvelope(body("evt-final"), keys.aws);
    await store.insertEvent(env, 1);
    await store.addConfirmation(env.eventId, signConfirmation(env.eventId, env.hash, keys.aws, 0));
    expect(await store.finalize(env.eventId, env.hash, 2)).toBe(false);
    await store.addConfirmation(env.eventId, signConfirmation(env.eventId, env.hash, keys.gcp, 0));
    expect(await store.finalize(env.eventId, "b".repeat(64), 2)).toBe(false);
    const racers = await Promise.all([1, 2, 3].map(() => store.finalize(env.eventId, env.hash, 3)));
    expect(racers.filter(Boolean)).toHaveLength(1);
    expect(await store.quarantine(env.eventId, "too late", 4)).toBe(false);
    expect((await store.getEvent(env.eventId))!.status).toBe("FINAL");
  });

  it("refuses in SQL to move a terminal status or change a stored envelope", async () => {
    const env = sealEnvelope(body("evt-guard"), keys.aws);
    await store.insertEvent(env, 1);
    expect(await store.quarantine(env.eventId, "evidence", 2)).toBe(true);
    const sql = (store as unknown as { sql: import("../../functions/store/sql").Sql }).sql;
    await expect(sql.query(`UPDATE ${store.schema}.events SET status = 'FINAL' WHERE event_id = $1`, [env.eventId])).rejects.toThrow(/terminal/);
    await expect(sql.query(`UPDATE ${store.schema}.events SET hash = 'x' WHERE event_id = $1`, [env.eventId])).rejects.toThrow(/never changes/);
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
    expect(await store.listEvidence({ eventId: "evt-ev" })).toEqual([{ eventId: "evt-ev", kind: "equivocation", reportedBy: "gcp", detail: { a: 1 }, recordedAtMs: 5 }]);
    expect(await store.getSafeMode()).toBeNull();
    await store.setSafeMode("incident 42", 1);
    expect(await store.getSafeMode()).toBe("incident 42");
    await store.setSafeMode(null, 2);
    expect(await store.getSafeMode()).toBeNull();
  });

  it("lists old PENDING events and FINAL ones still missing a cloud for the reconciler", async () => {
    const s = await freshStore(kind, "rec");
    try {
      const pending = sealEnvelope(body("evt-p"), keys.aws);
      const young = sealEnvelope(body("evt-young"), keys.aws);
      const final = sealEnvelope(body("evt-f"), keys.aws);
      await s.insertEvent(pending, 100);
      await s.insertEvent(young, 10_000);
      await s.insertEvent(final, 100);
      for (const k of [keys.aws, keys.gcp]) await s.addConfirmation(final.eventId, signConfirmation(final.eventId, final.hash, k, 0));
      await s.finalize(final.eventId, final.hash, 200);
      expect((await s.eventsToReconcile({ pendingBeforeMs: 5_000, finalSinceMs: 0, limit: 10 })).sort()).toEqual(["evt-f", "evt-p"]);
      expect(await s.eventsToReconcile({ pendingBeforeMs: 5_000, finalSinceMs: 300, limit: 10 })).toEqual(["evt-p"]);
      expect(await s.countByStatus()).toEqual({ PENDING: 2, FINAL: 1, QUARANTINED: 0 });
    } finally {
      await disposeStore(s);
    }
  });

  it("rejects a schema name that is not a plain identifier", async () => {
    await expect(freshStore(kind, "Bad-Name")).rejects.toThrow(/lowercase SQL identifier/);
  });
});
