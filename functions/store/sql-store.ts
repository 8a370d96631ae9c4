import DataLoader from "dataloader";
import { envelopeSchema, type Envelope } from "../core/envelope";
import type { Confirmation } from "../core/confirmation";
import type { EventStatus, EvidenceKind } from "../core/quorum";
import type { Cloud } from "../core/clouds";
import type { JsonValue } from "../core/canonical";
import type { AttemptRecord, EventRecord, EvidenceRecord, Store } from "./store";
import { checkSchemaName, type Sql, type SqlRunner } from "./sql";
import { migrate } from "./migrations";

interface EventRow {
  envelope: string;
  status: EventStatus;
  status_reason: string | null;
  received_at_ms: number;
  origin_cloud: Cloud;
  logical_clock: number;
  n_statements: number;
  c_cloud: Cloud | null;
  c_hash: string | null;
  c_signature: string | null;
  c_confirmed_at: string | null;
  c_origin: Cloud | null;
  c_logical_clock: number | null;
  c_batch: string | null;
}

interface StatementRow {
  cloud: Cloud;
  hash: string;
  signature: string;
  confirmed_at: string;
  origin: Cloud;
  logical_clock: number;
  batch: string | null;
}
/** Confirmations as the column arrays the multi-row statements unnest (cloud, hash, signature, confirmed_at, origin, logical_clock, batch). */
const columnsOf = (list: readonly Confirmation[]) => [
  list.map((c) => c.cloud),
  list.map((c) => c.hash),
  list.map((c) => c.signature),
  list.map((c) => c.confirmedAt),
  list.map((c) => c.origin),
  list.map((c) => c.logicalClock),
  list.map((c) => (c.batch ? JSON.stringify(c.batch) : null)),
];

/** An event to store (first write wins), and the stamp it got when it was the first. */
interface NewEvent {
  envelope: Envelope;
  origin: Cloud;
  seenClock: number;
  nowMs: number;
  /** Verified confirmations on the envelope's hash that came with it, stored with it when it is new. */
  confirmations: readonly Confirmation[];
}
interface Stamp {
  logicalClock: number;
  statements: number;
}

/** The inclusion proof of a batched confirmation, kept as JSON text (NULL: signed on its own). */
const withBatch = (c: Confirmation, batch: string | null): Confirmation =>
  batch === null ? c : { ...c, batch: JSON.parse(batch) as NonNullable<Confirmation["batch"]> };

const statementOf = (r: StatementRow): Confirmation =>
  withBatch(
    {
      cloud: r.cloud,
      hash: r.hash,
      signature: r.signature,
      confirmedAt: r.confirmed_at,
      origin: r.origin,
      logicalClock: r.logical_clock,
    },
    r.batch,
  );

/** One event's rows (the event LEFT JOIN its confirmations, by cloud) as a record. */
function eventOf(rows: readonly EventRow[]): EventRecord {
  const first = rows[0]!;
  const confirmations: Confirmation[] = rows
    .filter((r) => r.c_cloud !== null)
    .map((r) =>
      withBatch(
        {
          cloud: r.c_cloud!,
          hash: r.c_hash!,
          signature: r.c_signature!,
          confirmedAt: r.c_confirmed_at!,
          origin: r.c_origin!,
          logicalClock: r.c_logical_clock!,
        },
        r.c_batch,
      ),
    );
  return {
    envelope: envelopeSchema.parse(JSON.parse(first.envelope)),
    status: first.status,
    statusReason: first.status_reason,
    confirmations,
    receivedAtMs: first.received_at_ms,
    origin: first.origin_cloud,
    logicalClock: first.logical_clock,
    statements: first.n_statements,
  };
}

/**
 * Two coalesced statements touching the same rows may still meet in opposite orders (the
 * planner, not the caller, orders a join's output); PostgreSQL then aborts one of them
 * (40P01), which changed nothing, so it is simply run again.
 */
async function retryDeadlock<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if ((err as { code?: string }).code !== "40P01" || attempt >= 5) throw err;
    }
  }
}

/**
 * The largest Lamport stamp (what a confirmation's schema accepts): a tenant's clock stops there. A statement signed
 * with a stolen key may carry it; past it, every statement this cloud then signed for the tenant would be refused by
 * its peers, and none of the tenant's events could be FINAL again. At the cap stamps repeat, and events go on.
 */
const MAX_STAMP = Number.MAX_SAFE_INTEGER;

/** Refused messages kept for inspection (GET /v1/peer/attempts): the newest this many. */
const ATTEMPTS_KEPT = 10_000;

/**
 * A string PostgreSQL's text accepts: it refuses the NUL character, which a refused message may well carry (in its
 * `from` or its eventId); written as \u0000, as JSON would, so the refusal is still recorded.
 */
const printable = (text: string) => text.replaceAll(String.fromCharCode(0), "\\u0000");

/**
 * Bounds a FINAL listing's upkeep of incomplete_finals, in pages of the listing's `limit`: it reads at most this many
 * pages of rows past its cursor (dropping those whose event has all three confirmations by now), and drops at most as
 * many rows older than the re-offer window. Without a bound, every listing re-counted the whole table, and rows past
 * the window were never dropped: with 300,000 of them a listing took 1.3-1.5 s.
 */
export const FINAL_SCAN_PAGES = 5;

/** Most calls one coalesced statement takes. */
const COALESCE_MAX = 512;

/**
 * Runs a coalesced write in rounds: a key (e.g. eventId/cloud) seen twice in one batch goes
 * to the next round, so the later call is decided after the earlier one, as if they had been
 * two statements in that order.
 */
async function inRounds<I, R>(
  items: readonly I[],
  keysOf: (item: I) => string[],
  run: (round: ReadonlyArray<{ at: number; item: I }>) => Promise<Map<number, R>>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let left = items.map((item, at) => ({ at, item }));
  while (left.length > 0) {
    const seen = new Set<string>();
    const round: typeof left = [];
    const later: typeof left = [];
    for (const x of left) {
      const keys = keysOf(x.item);
      if (keys.some((k) => seen.has(k))) later.push(x);
      else {
        for (const k of keys) seen.add(k);
        round.push(x);
      }
    }
    const results = await run(round);
    for (const x of round) out[x.at] = results.get(x.at)!;
    left = later;
  }
  return out;
}

/** The Store on plain PostgreSQL; `sql` is either driver. */
export class SqlStore implements Store {
  private constructor(
    /** Shared with the ledger's tables, which live in the same schema. */
    readonly sql: Sql,
    readonly kind: "pg" | "pglite",
    readonly schema: string,
    private readonly ownsSql: boolean,
  ) {}

  /**
   * The hot statements are coalesced: calls made within one event-loop turn (setImmediate)
   * become one multi-row statement. Each call still sees the effect of everything it awaited
   * before it asked (the statement runs after the last caller joined), and each row keeps its
   * own condition, so the database still arbitrates every race row by row.
   */
  private loader<K, V>(batch: (keys: readonly K[]) => Promise<V[]>): DataLoader<K, V> {
    return new DataLoader<K, V>(batch, {
      cache: false,
      maxBatchSize: COALESCE_MAX,
      // The end of this turn: a timer of 1 or 3 ms merged no more statements and added latency.
      batchScheduleFn: (run) => setImmediate(run),
    });
  }
  private readonly events = this.loader<string, EventRecord | undefined>((ids) => this.readEvents(ids));
  private readonly statementsOf = this.loader<string, Confirmation[]>((ids) => this.readStatements(ids));
  private readonly confirmationWrites = this.loader<{ eventId: string; list: readonly Confirmation[] }, Confirmation[]>(
    (items) =>
      inRounds(
        items,
        (i) => i.list.map((c) => `${i.eventId}/${c.cloud}`),
        (round) => this.insertConfirmations(round),
      ),
  );
  private readonly eventWrites = this.loader<NewEvent, Stamp | undefined>((items) =>
    inRounds(
      items,
      (i) => [`event/${i.envelope.eventId}`],
      (round) => this.insertEvents(round),
    ),
  );
  private readonly finalizations = this.loader<{ eventId: string; hash: string; nowMs: number }, boolean>((items) =>
    inRounds(
      items,
      (i) => [i.eventId],
      (round) => this.finalizeMany(round),
    ),
  );

  /** `ownsSql`: close the connection with the store (false when several stores share one). */
  static async open(sql: Sql, kind: "pg" | "pglite", schema: string, ownsSql = true): Promise<SqlStore> {
    checkSchemaName(schema);
    await migrate(sql, schema);
    return new SqlStore(sql, kind, schema, ownsSql);
  }

  private t(table: string): string {
    return `${this.schema}.${table}`;
  }

  async nextClock(tenantId: string): Promise<number> {
    const rows = await this.sql.query<{ clock: number }>(
      `INSERT INTO ${this.t("tenant_clocks")} (tenant_id, clock) VALUES ($1, 1)
       ON CONFLICT (tenant_id) DO UPDATE SET clock = LEAST(${this.t("tenant_clocks")}.clock + 1, ${MAX_STAMP})
       RETURNING clock::float8 AS clock`,
      [tenantId],
    );
    return rows[0]!.clock;
  }

  async observeClock(tenantId: string, seen: number): Promise<void> {
    await this.sql.query(
      `INSERT INTO ${this.t("tenant_clocks")} (tenant_id, clock) VALUES ($1, $2)
       ON CONFLICT (tenant_id) DO UPDATE SET clock = GREATEST(${this.t("tenant_clocks")}.clock, EXCLUDED.clock)`,
      [tenantId, seen],
    );
  }

  async insertEvent(
    envelope: Envelope,
    meta: { origin: Cloud; seenClock: number },
    nowMs: number,
    confirmations: readonly Confirmation[] = [],
  ) {
    // Only confirmations on this hash, first per cloud (what the confirmations table can hold).
    const withIt = [
      ...new Map(confirmations.filter((c) => c.hash === envelope.hash).map((c) => [c.cloud, c] as const)).values(),
    ];
    const stamped = await this.eventWrites.load({
      envelope,
      origin: meta.origin,
      seenClock: meta.seenClock,
      nowMs,
      confirmations: withIt,
    });
    if (stamped) {
      const record: EventRecord = {
        envelope,
        status: "PENDING",
        statusReason: null,
        confirmations: withIt,
        receivedAtMs: nowMs,
        origin: meta.origin,
        logicalClock: stamped.logicalClock,
        statements: stamped.statements,
      };
      return { inserted: true, record };
    }
    const record = await this.getEvent(envelope.eventId);
    if (!record) throw new Error(`event ${envelope.eventId}: insert lost to a row that is gone`);
    return { inserted: false, record };
  }

  /**
   * First write wins, several events per statement: observe what came with the events, tick each tenant's Lamport
   * clock once per event, and store each event with its stamp. A tenant's k events of one statement take the k stamps
   * after max(its clock, the largest stamp they came with), in the order they were asked for: each stamp is above
   * the tenant's previous ones and above what its event came with, as k statements in a row would give (their stamps
   * can be lower, never higher, which Lamport's rules allow either way). The clock's row is touched once per tenant,
   * rows go in tenant order, so two concurrent statements never wait on each other in a cycle; a round holds an
   * eventId once.
   */
  private async insertEvents(
    round: ReadonlyArray<{ at: number; item: NewEvent }>,
  ): Promise<Map<number, Stamp | undefined>> {
    // Stable: a tenant's events keep the order they were asked for, which their stamps follow.
    const rows = [...round].sort((a, b) => {
      const [x, y] = [a.item.envelope.tenantId, b.item.envelope.tenantId];
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const came = rows.flatMap((r) => r.item.confirmations.map((c) => ({ eventId: r.item.envelope.eventId, c })));
    const stored = await retryDeadlock(() =>
      this.sql.query<{ event_id: string; logical_clock: number; n_statements: number }>(
        `WITH x AS (
           SELECT x.*, row_number() OVER (PARTITION BY x.tenant_id ORDER BY x.ord) - 1 AS nth
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
             WITH ORDINALITY AS x(event_id, tenant_id, origin_cloud, hash, envelope, seen, now_ms, ord)
         ),
         per_tenant AS (SELECT tenant_id, count(*)::bigint AS k, max(seen) AS seen FROM x GROUP BY tenant_id),
         clock AS (
           INSERT INTO ${this.t("tenant_clocks")} AS t (tenant_id, clock)
           SELECT tenant_id, LEAST(seen + k, ${MAX_STAMP}) FROM per_tenant ORDER BY tenant_id
           ON CONFLICT (tenant_id) DO UPDATE
             SET clock = LEAST(
               GREATEST(t.clock + (SELECT p.k FROM per_tenant p WHERE p.tenant_id = EXCLUDED.tenant_id), EXCLUDED.clock),
               ${MAX_STAMP})
           RETURNING tenant_id, clock
         ),
         stored AS (
           INSERT INTO ${this.t("events")} (event_id, tenant_id, origin_cloud, hash, envelope, received_at_ms, logical_clock)
           SELECT x.event_id, x.tenant_id, x.origin_cloud, x.hash, x.envelope, x.now_ms,
             -- The tenant's k stamps end at its new clock; at the cap they repeat.
             GREATEST(clock.clock - p.k + 1 + x.nth, 1)
           FROM x JOIN clock USING (tenant_id) JOIN per_tenant p USING (tenant_id)
           ON CONFLICT (event_id) DO NOTHING
           RETURNING event_id, hash, logical_clock
         ),
         -- The statements that came with a new event go in with it, in the same statement: a crash
         -- can never leave the event stored without them (they may be half of an equivocation proof).
         came AS (
           INSERT INTO ${this.t("confirmations")} (event_id, cloud, hash, signature, confirmed_at, origin, logical_clock, batch)
           SELECT c.event_id, c.cloud, c.hash, c.signature, c.confirmed_at, c.origin, c.logical_clock, c.batch
           FROM unnest($8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bigint[], $15::text[])
                  AS c(event_id, cloud, hash, signature, confirmed_at, origin, logical_clock, batch)
           JOIN stored ON stored.event_id = c.event_id AND stored.hash = c.hash
           ON CONFLICT (event_id, cloud) DO NOTHING
         )
         SELECT event_id, logical_clock::float8 AS logical_clock,
           (SELECT count(*)::float8 FROM ${this.t("statements")} s WHERE s.event_id = stored.event_id) AS n_statements
         FROM stored`,
        [
          rows.map((r) => r.item.envelope.eventId),
          rows.map((r) => r.item.envelope.tenantId),
          rows.map((r) => r.item.origin),
          rows.map((r) => r.item.envelope.hash),
          rows.map((r) => JSON.stringify(r.item.envelope)),
          rows.map((r) => r.item.seenClock),
          rows.map((r) => r.item.nowMs),
          came.map((c) => c.eventId),
          ...columnsOf(came.map((c) => c.c)),
        ],
      ),
    );
    const byId = new Map(
      stored.map((r) => [r.event_id, { logicalClock: r.logical_clock, statements: r.n_statements }]),
    );
    return new Map(round.map(({ at, item }) => [at, byId.get(item.envelope.eventId)]));
  }

  getEvent(eventId: string): Promise<EventRecord | undefined> {
    return this.events.load(eventId);
  }

  private async readEvents(ids: readonly string[]): Promise<Array<EventRecord | undefined>> {
    // The join repeats the id condition (implied by the WHERE) so that `confirmations` is an index
    // lookup even when the planner has no statistics: without it, a table never analysed was
    // hash-joined by a sequential scan of every confirmation, a cost that grew with the table.
    const rows = await this.sql.query<EventRow & { event_id: string }>(
      `SELECT e.event_id, e.envelope, e.status, e.status_reason, e.received_at_ms, e.origin_cloud, e.logical_clock::float8 AS logical_clock,
              (SELECT count(*)::float8 FROM ${this.t("statements")} s WHERE s.event_id = e.event_id) AS n_statements,
              c.cloud AS c_cloud, c.hash AS c_hash, c.signature AS c_signature, c.confirmed_at AS c_confirmed_at,
              c.origin AS c_origin, c.logical_clock::float8 AS c_logical_clock, c.batch AS c_batch
       FROM ${this.t("events")} e LEFT JOIN ${this.t("confirmations")} c ON c.event_id = e.event_id AND c.event_id = ANY($1::text[])
       WHERE e.event_id = ANY($1::text[]) ORDER BY e.event_id, c.cloud`,
      [[...new Set(ids)]],
    );
    const byId = new Map<string, Array<EventRow & { event_id: string }>>();
    for (const r of rows) byId.set(r.event_id, [...(byId.get(r.event_id) ?? []), r]);
    // One record object per caller: callers extend what they get.
    return ids.map((id) => {
      const mine = byId.get(id);
      return mine ? eventOf(mine) : undefined;
    });
  }

  async addConfirmation(eventId: string, c: Confirmation): Promise<boolean> {
    return (await this.addConfirmations(eventId, [c])).length === 1;
  }

  async addConfirmations(eventId: string, list: readonly Confirmation[]): Promise<Confirmation[]> {
    if (list.length === 0) return [];
    return this.confirmationWrites.load({ eventId, list });
  }

  private async insertConfirmations(
    round: ReadonlyArray<{ at: number; item: { eventId: string; list: readonly Confirmation[] } }>,
  ): Promise<Map<number, Confirmation[]>> {
    // Rows in one order (event, cloud) in every statement: two concurrent ones never wait on each other in a cycle.
    const rows = round
      .flatMap(({ item }) => item.list.map((c) => ({ eventId: item.eventId, c })))
      .sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : a.c.cloud < b.c.cloud ? -1 : 1));
    // Insert only where the event exists with this very hash: a confirmation can never disagree with its row. The
    // events are read under a key-share lock, in event order: an adoption (adoptCertificate) locks its event FOR
    // UPDATE first, so this waits for it to commit and then reads the adopted hash. Read without a lock, the hash was
    // the one before an adoption still running, and a confirmation on the losing hash could outlive it under the
    // FINAL event. (Key share: a finalization's or a quarantine's update does not block it.)
    const stored = await retryDeadlock(() =>
      this.sql.query<{ event_id: string; cloud: Cloud }>(
        `WITH e AS MATERIALIZED (
         SELECT event_id, hash FROM ${this.t("events")} WHERE event_id = ANY($1::text[]) ORDER BY event_id FOR KEY SHARE
       )
       INSERT INTO ${this.t("confirmations")} (event_id, cloud, hash, signature, confirmed_at, origin, logical_clock, batch)
       SELECT e.event_id, x.cloud, e.hash, x.signature, x.confirmed_at, x.origin, x.logical_clock, x.batch
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[])
              AS x(event_id, cloud, hash, signature, confirmed_at, origin, logical_clock, batch)
       JOIN e ON e.event_id = x.event_id AND e.hash = x.hash
       ON CONFLICT (event_id, cloud) DO NOTHING RETURNING event_id, cloud`,
        [rows.map((r) => r.eventId), ...columnsOf(rows.map((r) => r.c))],
      ),
    );
    const done = new Set(stored.map((r) => `${r.event_id}/${r.cloud}`));
    return new Map(round.map(({ at, item }) => [at, item.list.filter((c) => done.has(`${item.eventId}/${c.cloud}`))]));
  }

  finalize(eventId: string, hash: string, nowMs: number): Promise<boolean> {
    return this.finalizations.load({ eventId, hash, nowMs });
  }

  private async finalizeMany(
    round: ReadonlyArray<{ at: number; item: { eventId: string; hash: string; nowMs: number } }>,
  ): Promise<Map<number, boolean>> {
    const done = await retryDeadlock(() =>
      this.finalizeIn(
        this.sql,
        round.map((r) => r.item),
      ),
    );
    return new Map(round.map(({ at, item }) => [at, done.has(item.eventId)]));
  }

  /**
   * The multi-row finalize, on `db` (a transaction of the caller's: the ledger finalizes and
   * appends the certificates in one). Each row keeps finalize()'s conditions; one row per
   * eventId (callers dedupe). Returns the eventIds that turned FINAL.
   */
  async finalizeIn(
    db: SqlRunner,
    list: ReadonlyArray<{ eventId: string; hash: string; nowMs: number }>,
  ): Promise<Set<string>> {
    if (list.length === 0) return new Set();
    const items = [...list].sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
    // What turns FINAL with a cloud's confirmation missing is noted for the reconciler's re-offers.
    const rows = await db.query<{ event_id: string }>(
      `WITH done AS (
         UPDATE ${this.t("events")} e SET status = 'FINAL', status_at_ms = x.now_ms
         FROM unnest($1::text[], $2::text[], $3::float8[]) AS x(event_id, hash, now_ms)
         WHERE e.event_id = x.event_id AND e.hash = x.hash AND e.status = 'PENDING'
           AND (SELECT count(DISTINCT c.cloud) FROM ${this.t("confirmations")} c WHERE c.event_id = x.event_id AND c.hash = x.hash) >= 2
           AND NOT EXISTS (SELECT 1 FROM ${this.t("evidence")} v WHERE v.event_id = x.event_id AND v.kind = 'equivocation')
           -- Nor on a proof kept but not yet acted on (a crash between writing a statement and looking for its pair):
           -- one cloud's statement beside its confirmation, or another statement of it, on a different hash.
           AND NOT EXISTS (SELECT 1 FROM ${this.t("statements")} s WHERE s.event_id = x.event_id
             AND (EXISTS (SELECT 1 FROM ${this.t("confirmations")} c WHERE c.event_id = s.event_id AND c.cloud = s.cloud AND c.hash <> s.hash)
               OR EXISTS (SELECT 1 FROM ${this.t("statements")} t WHERE t.event_id = s.event_id AND t.cloud = s.cloud AND t.hash <> s.hash)))
         RETURNING e.event_id, e.status_at_ms
       ),
       noted AS (
         INSERT INTO ${this.t("incomplete_finals")} (event_id, final_at_ms)
         SELECT d.event_id, d.status_at_ms FROM done d
         WHERE (SELECT count(*) FROM ${this.t("confirmations")} c WHERE c.event_id = d.event_id) < 3
         ON CONFLICT (event_id) DO NOTHING
       )
       SELECT event_id FROM done`,
      [items.map((i) => i.eventId), items.map((i) => i.hash), items.map((i) => i.nowMs)],
    );
    return new Set(rows.map((r) => r.event_id));
  }

  async quarantine(eventId: string, reason: string, nowMs: number): Promise<boolean> {
    const rows = await this.sql.query(
      `UPDATE ${this.t("events")} SET status = 'QUARANTINED', status_reason = $2, status_at_ms = $3
       WHERE event_id = $1 AND status = 'PENDING' RETURNING event_id`,
      [eventId, reason, nowMs],
    );
    return rows.length === 1;
  }

  async recordEvidence(e: Omit<EvidenceRecord, "recordedAtMs">, nowMs: number): Promise<void> {
    await this.sql.query(
      `INSERT INTO ${this.t("evidence")} (event_id, kind, reported_by, detail, recorded_at_ms) VALUES ($1, $2, $3, $4, $5)`,
      [e.eventId, e.kind, e.reportedBy, JSON.stringify(e.detail), nowMs],
    );
  }

  async listEvidence(filter: { eventId?: string; limit?: number }): Promise<EvidenceRecord[]> {
    const rows = await this.sql.query<{
      event_id: string;
      kind: EvidenceKind;
      reported_by: string | null;
      detail: string;
      recorded_at_ms: number;
    }>(
      `SELECT event_id, kind, reported_by, detail, recorded_at_ms FROM ${this.t("evidence")}
       WHERE ($1::text IS NULL OR event_id = $1) ORDER BY id DESC LIMIT $2`,
      [filter.eventId ?? null, filter.limit ?? 100],
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      kind: r.kind,
      reportedBy: r.reported_by,
      detail: JSON.parse(r.detail) as JsonValue,
      recordedAtMs: r.recorded_at_ms,
    }));
  }

  async addStatements(eventId: string, list: readonly Confirmation[], nowMs: number): Promise<void> {
    if (list.length === 0) return;
    await this.sql.query(
      `INSERT INTO ${this.t("statements")} (event_id, cloud, hash, signature, confirmed_at, origin, logical_clock, batch, recorded_at_ms)
       SELECT $1, x.cloud, x.hash, x.signature, x.confirmed_at, x.origin, x.logical_clock, x.batch, $9
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[]) AS x(cloud, hash, signature, confirmed_at, origin, logical_clock, batch)
       ON CONFLICT (event_id, cloud, hash) DO NOTHING`,
      [eventId, ...columnsOf(list), nowMs],
    );
  }

  listStatements(eventId: string): Promise<Confirmation[]> {
    return this.statementsOf.load(eventId);
  }

  private async readStatements(ids: readonly string[]): Promise<Confirmation[][]> {
    const rows = await this.sql.query<StatementRow & { event_id: string }>(
      `SELECT event_id, cloud, hash, signature, confirmed_at, origin, logical_clock::float8 AS logical_clock, batch FROM ${this.t("statements")}
       WHERE event_id = ANY($1::text[]) ORDER BY event_id, recorded_at_ms, cloud, hash`,
      [[...new Set(ids)]],
    );
    const byId = new Map<string, Array<StatementRow & { event_id: string }>>();
    for (const r of rows) byId.set(r.event_id, [...(byId.get(r.event_id) ?? []), r]);
    return ids.map((id) => (byId.get(id) ?? []).map(statementOf));
  }

  async recordAttempt(a: Omit<AttemptRecord, "recordedAtMs">, nowMs: number): Promise<void> {
    // Bounded: a message's detail is cut, and only the newest ATTEMPTS_KEPT rows stay (each insert deletes what
    // falls past them), so a flood of refusals cannot fill the disk.
    const detail = JSON.stringify(a.detail);
    await this.sql.query(
      `WITH added AS (
         INSERT INTO ${this.t("attempts")} (event_id, kind, reason, source, claimed_from, detail, recorded_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
       )
       DELETE FROM ${this.t("attempts")} WHERE id <= (SELECT id FROM added) - ${ATTEMPTS_KEPT}`,
      [
        a.eventId === null ? null : printable(a.eventId),
        a.kind,
        printable(a.reason.slice(0, 500)),
        a.source === null ? null : printable(a.source),
        a.claimedFrom === null ? null : printable(a.claimedFrom.slice(0, 64)),
        detail.length > 4096 ? JSON.stringify({ truncated: detail.slice(0, 4096) }) : detail,
        nowMs,
      ],
    );
  }

  async listAttempts(filter: { eventId?: string; limit?: number }): Promise<AttemptRecord[]> {
    const rows = await this.sql.query<{
      event_id: string | null;
      kind: AttemptRecord["kind"];
      reason: string;
      source: string | null;
      claimed_from: string | null;
      detail: string;
      recorded_at_ms: number;
    }>(
      `SELECT event_id, kind, reason, source, claimed_from, detail, recorded_at_ms FROM ${this.t("attempts")}
       WHERE ($1::text IS NULL OR event_id = $1) ORDER BY id DESC LIMIT $2`,
      [filter.eventId ?? null, filter.limit ?? 100],
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      kind: r.kind,
      reason: r.reason,
      source: r.source,
      claimedFrom: r.claimed_from,
      detail: JSON.parse(r.detail) as JsonValue,
      recordedAtMs: r.recorded_at_ms,
    }));
  }

  async adoptCertificate(
    eventId: string,
    fromHash: string,
    envelope: Envelope,
    certificate: readonly Confirmation[],
    nowMs: number,
  ): Promise<boolean> {
    const onHash = [
      ...new Map(certificate.filter((c) => c.hash === envelope.hash).map((c) => [c.cloud, c] as const)).values(),
    ];
    if (envelope.eventId !== eventId || new Set(onHash.map((c) => c.cloud)).size < 2) return false;
    return this.sql.transaction(async (tx) => {
      // FOR UPDATE, which a confirmation insert's key-share lock waits for (insertConfirmations): an insert that
      // read the event before this commits has committed first (its confirmation is moved to statements below),
      // and one that reads it after sees the adopted hash. The update alone does not block a key-share lock.
      await tx.query(`SELECT 1 FROM ${this.t("events")} WHERE event_id = $1 FOR UPDATE`, [eventId]);
      const moved = await tx.query(
        `UPDATE ${this.t("events")} SET hash = $3, envelope = $4, status = 'FINAL', status_at_ms = $5,
                status_reason = 'eventId reused with another payload; adopted the certificate of hash ' || $3
         WHERE event_id = $1 AND hash = $2 AND status = 'PENDING'
           AND NOT EXISTS (SELECT 1 FROM ${this.t("evidence")} v WHERE v.event_id = $1 AND v.kind = 'equivocation')
           -- Nor while a cloud of the certificate has signed another hash here too (a statement or a confirmation).
           AND NOT EXISTS (SELECT 1 FROM ${this.t("statements")} s
             WHERE s.event_id = $1 AND s.hash <> $3 AND s.cloud = ANY($6::text[]))
           AND NOT EXISTS (SELECT 1 FROM ${this.t("confirmations")} c
             WHERE c.event_id = $1 AND c.hash <> $3 AND c.cloud = ANY($6::text[]))
         RETURNING event_id`,
        [eventId, fromHash, envelope.hash, JSON.stringify(envelope), nowMs, onHash.map((c) => c.cloud)],
      );
      if (moved.length !== 1) return false;
      // What this cloud signed on the losing hash stays on record as a statement.
      await tx.query(
        `INSERT INTO ${this.t("statements")} (event_id, cloud, hash, signature, confirmed_at, origin, logical_clock, batch, recorded_at_ms)
         SELECT event_id, cloud, hash, signature, confirmed_at, origin, logical_clock, batch, $2 FROM ${this.t("confirmations")} WHERE event_id = $1
         ON CONFLICT (event_id, cloud, hash) DO NOTHING`,
        [eventId, nowMs],
      );
      await tx.query(`DELETE FROM ${this.t("confirmations")} WHERE event_id = $1`, [eventId]);
      await tx.query(
        `INSERT INTO ${this.t("confirmations")} (event_id, cloud, hash, signature, confirmed_at, origin, logical_clock, batch)
         SELECT $1, x.cloud, x.hash, x.signature, x.confirmed_at, x.origin, x.logical_clock, x.batch
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[]) AS x(cloud, hash, signature, confirmed_at, origin, logical_clock, batch)`,
        [eventId, ...columnsOf(onHash)],
      );
      if (onHash.length < 3)
        await tx.query(
          `INSERT INTO ${this.t("incomplete_finals")} (event_id, final_at_ms) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING`,
          [eventId, nowMs],
        );
      return true;
    });
  }

  async eventsToReconcile(opts: {
    pendingBeforeMs: number;
    finalSinceMs: number;
    limit: number;
    only?: "PENDING" | "FINAL" | "STUCK";
    pendingAfter?: string;
    finalAfter?: string;
    forgetBeforeMs?: number;
  }): Promise<string[]> {
    const params: unknown[] = [];
    const p = (v: unknown) => (params.push(v), `$${params.length}`);
    // Pages in a fixed order (time, then id) from past the cursor, so a listing moves on: the same oldest rows
    // (events no certificate can ever complete, say) are not all every listing returns.
    // An event for which the other two clouds have each signed a hash of their own (three payloads under one eventId,
    // one per cloud: a client's error) cannot get two signatures on one hash from honest clouds. It is listed apart
    // ("STUCK"), which the reconciler drives seldom: in the PENDING lane, each pass would cost peer calls answered
    // 409 and delay the events a fault left PENDING. Not never: one of those statements may come from a stolen key,
    // and driving the event to that cloud's real node is what turns it into a proof.
    const stuck = (stuckOnly: boolean) =>
      `${stuckOnly ? "" : "NOT "}EXISTS (SELECT 1 FROM ${this.t("statements")} s1 JOIN ${this.t("statements")} s2
          ON s2.event_id = s1.event_id AND s2.cloud <> s1.cloud AND s2.hash <> s1.hash WHERE s1.event_id = e.event_id)`;
    const pending = (at: string, limit: string, after: string | undefined, stuckOnly = false) =>
      `(SELECT e.event_id FROM ${this.t("events")} e WHERE e.status = 'PENDING' AND e.received_at_ms < ${at}
        AND ${stuck(stuckOnly)}${
          after === undefined
            ? ""
            : ` AND (e.received_at_ms, e.event_id) > (SELECT received_at_ms, event_id FROM ${this.t("events")} WHERE event_id = ${p(after)})`
        } ORDER BY e.received_at_ms, e.event_id LIMIT ${limit})`;
    // FINAL events a cloud misses come from incomplete_finals (noted when they turned FINAL short of a confirmation),
    // re-counted here: the listing costs what is missing, not every FINAL event of the window. Its upkeep is bounded
    // (FINAL_SCAN_PAGES): it reads that many pages of rows past the cursor, drops the ones whose event has all three
    // confirmations by now and lists the others (so a page can come back short while rows lie past what it read: the
    // next listing, from the start, reads past the rows dropped), and drops as many rows noted before `forgetBeforeMs`.
    // The cursor's position is read from its event (final_at_ms is the event's status_at_ms), which outlives its row.
    // The rows to drop go in as an array (`= ANY(ARRAY(...))`): as `IN (subquery)` the planner hash-joined them with
    // a scan of the whole table.
    const finalCtes = (since: string, limit: string, after: string | undefined) => {
      const scan = p(FINAL_SCAN_PAGES * opts.limit);
      const forget =
        opts.forgetBeforeMs === undefined
          ? ""
          : `forgotten AS (
          DELETE FROM ${this.t("incomplete_finals")} WHERE event_id = ANY(ARRAY(
            SELECT event_id FROM ${this.t("incomplete_finals")} WHERE final_at_ms < ${p(opts.forgetBeforeMs)} ORDER BY final_at_ms LIMIT ${scan}))
        ),`;
      return `WITH scan AS MATERIALIZED (
          SELECT i.event_id, i.final_at_ms,
            (SELECT count(*) FROM ${this.t("confirmations")} c WHERE c.event_id = i.event_id) AS n
          FROM ${this.t("incomplete_finals")} i
          WHERE i.final_at_ms >= ${since}${
            after === undefined
              ? ""
              : ` AND (i.final_at_ms, i.event_id) > (SELECT coalesce(status_at_ms, received_at_ms), event_id FROM ${this.t("events")} WHERE event_id = ${p(after)})`
          }
          ORDER BY i.final_at_ms, i.event_id LIMIT ${scan}
        ),
        complete AS (
          DELETE FROM ${this.t("incomplete_finals")} WHERE event_id = ANY(ARRAY(SELECT event_id FROM scan WHERE n >= 3))
        ),
        ${forget}
        listed AS (
          SELECT s.event_id, s.final_at_ms FROM scan s JOIN ${this.t("events")} e ON e.event_id = s.event_id
          WHERE s.n < 3 AND e.status = 'FINAL' ORDER BY s.final_at_ms, s.event_id LIMIT ${limit}
        ) `;
    };
    const final = `(SELECT event_id FROM listed ORDER BY final_at_ms, event_id)`;
    let text: string;
    if (opts.only === "PENDING") text = pending(p(opts.pendingBeforeMs), p(opts.limit), opts.pendingAfter);
    else if (opts.only === "STUCK") text = pending(p(opts.pendingBeforeMs), p(opts.limit), opts.pendingAfter, true);
    else if (opts.only === "FINAL") text = `${finalCtes(p(opts.finalSinceMs), p(opts.limit), opts.finalAfter)}${final}`;
    else {
      const limit = p(opts.limit);
      text = `${finalCtes(p(opts.finalSinceMs), limit, opts.finalAfter)}${pending(p(opts.pendingBeforeMs), limit, opts.pendingAfter)} UNION ALL ${final}`;
    }
    // Two listings of the FINAL lane at once (overlapping scheduled runs) delete rows in two steps each, and may meet
    // in opposite orders: the one aborted (40P01) changed nothing and runs again.
    const rows = await retryDeadlock(() => this.sql.query<{ event_id: string }>(text, params));
    return rows.map((r) => r.event_id);
  }

  async countByStatus(): Promise<Record<EventStatus, number>> {
    const rows = await this.sql.query<{ status: EventStatus; n: number }>(
      `SELECT status, count(*)::float8 AS n FROM ${this.t("events")} GROUP BY status`,
    );
    const out: Record<EventStatus, number> = { PENDING: 0, FINAL: 0, QUARANTINED: 0 };
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  async getSafeMode(): Promise<string | null> {
    const rows = await this.sql.query<{ enabled: boolean; reason: string | null }>(
      `SELECT enabled, reason FROM ${this.t("emergency_controls")} WHERE name = 'EXECUTION_SAFE_MODE'`,
    );
    const row = rows[0];
    return row?.enabled ? (row.reason ?? "safe mode is on") : null;
  }

  async setSafeMode(reason: string | null, nowMs: number): Promise<void> {
    await this.sql.query(
      `INSERT INTO ${this.t("emergency_controls")} (name, enabled, reason, updated_at_ms) VALUES ('EXECUTION_SAFE_MODE', $1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET enabled = EXCLUDED.enabled, reason = EXCLUDED.reason, updated_at_ms = EXCLUDED.updated_at_ms`,
      [reason !== null, reason, nowMs],
    );
  }

  async ping(): Promise<void> {
    await this.sql.query("SELECT 1");
  }

  async dropSchema(): Promise<void> {
    await this.sql.exec(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }

  async close(): Promise<void> {
    if (this.ownsSql) await this.sql.close();
  }
}
