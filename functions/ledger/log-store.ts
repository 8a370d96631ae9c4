import type { Sql, SqlRunner, TxRunner } from "../store/sql";
import { checkSchemaName } from "../store/sql";
import { CompactRange, EMPTY_ROOT, nodeKey, peaksOf, type NodeId } from "./merkle";
import { assemble, consistencyPlan, inclusionPlan, planNodes, type ProofPlan } from "./proofs";
import { migrateLedger } from "./migrations";

export interface LeafRow {
  index: number;
  eventId: string;
  entry: string;
}
export interface CheckpointRow {
  size: number;
  root: Buffer;
  note: string;
  signedAtMs: number;
}
export interface WitnessStateRow {
  origin: string;
  size: number;
  root: Buffer;
  note: string;
}
export interface AnchorRow {
  id: number;
  anchor: string;
  period: string | null;
  size: number;
  digest: Buffer;
  receipt: string;
  anchoredAtMs: number;
}

/**
 * One cloud's Merkle log in PostgreSQL (either driver). Appends store every complete
 * subtree they close (O(log n) rows, read and written in one transaction under the
 * head row's lock); proofs read the O(log n) stored subtrees their plan names.
 */
export class LogStore {
  private constructor(
    readonly sql: Sql,
    readonly schema: string,
  ) {}

  static async open(sql: Sql, schema: string): Promise<LogStore> {
    checkSchemaName(schema);
    await migrateLedger(sql, schema);
    return new LogStore(sql, schema);
  }

  t(table: string): string {
    return `${this.schema}.${table}`;
  }

  /**
   * Runs `fn` with the log's head locked: appends and checkpoint signing are serialised.
   * `alongside` (optional) is sent right behind the lock, in the same round trip, and runs once
   * the head is held; `fn` gets its result.
   */
  async locked<T, A = undefined>(
    fn: (tx: TxRunner, size: number, alongside: A) => Promise<T>,
    alongside?: (tx: TxRunner) => Promise<A>,
  ): Promise<T> {
    return this.sql.transaction(async (tx) => {
      const head = tx.query<{ size: number }>(
        `SELECT size::float8 AS size FROM ${this.t("ledger_head")} WHERE id FOR UPDATE`,
      );
      const [rows, early] = await Promise.all([head, alongside ? alongside(tx) : (undefined as A)]);
      if (!rows[0]) throw new Error(`merkle log ${this.schema}: the head row is missing`);
      return fn(tx, rows[0].size, early);
    });
  }

  async size(db: SqlRunner = this.sql): Promise<number> {
    const rows = await db.query<{ size: number }>(`SELECT size::float8 AS size FROM ${this.t("ledger_head")}`);
    return rows[0]?.size ?? 0;
  }

  /**
   * Appends entries in order (one transaction). An eventId already in the log keeps its
   * place: appends are idempotent. Returns each entry's index.
   */
  async append(
    entries: ReadonlyArray<{ eventId: string; entry: string; leafHash: Buffer }>,
    nowMs: number,
  ): Promise<Array<{ eventId: string; index: number; appended: boolean }>> {
    if (entries.length === 0) return [];
    return this.locked((tx, size) => this.appendIn(tx, size, entries, nowMs));
  }

  /** The append itself, inside a transaction that holds the head (see locked). */
  async appendIn(
    tx: TxRunner,
    size: number,
    entries: ReadonlyArray<{ eventId: string; entry: string; leafHash: Buffer }>,
    nowMs: number,
  ): Promise<Array<{ eventId: string; index: number; appended: boolean }>> {
    if (entries.length === 0) return [];
    // One read (the entries already logged, and the peaks the new leaves fold into) and one write
    // (leaves, closed subtrees and the new size): the transaction's round trips are per append,
    // not per table.
    const peakIds = peaksOf(size);
    const rows = await tx.query<{
      event_id: string | null;
      idx: number;
      level: number | null;
      hash: Uint8Array | null;
    }>(
      `SELECT event_id, idx::float8 AS idx, NULL::smallint AS level, NULL::bytea AS hash
         FROM ${this.t("ledger_leaves")} WHERE event_id = ANY($1::text[])
       UNION ALL
       SELECT NULL, n.idx::float8, n.level, n.hash FROM ${this.t("ledger_nodes")} n
         JOIN unnest($2::smallint[], $3::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx`,
      [entries.map((e) => e.eventId), peakIds.map((n) => n.level), peakIds.map((n) => n.index)],
    );
    const existing = new Map<string, number>();
    const peaks = new Map<string, Buffer>();
    for (const r of rows) {
      if (r.event_id !== null) existing.set(r.event_id, r.idx);
      else peaks.set(nodeKey({ level: r.level!, index: r.idx }), Buffer.from(r.hash!));
    }
    let range = compactRange(size, peakIds, peaks);
    const out: Array<{ eventId: string; index: number; appended: boolean }> = [];
    const leaves: LeafRow[] = [];
    const nodes: Array<NodeId & { hash: Buffer }> = [];
    for (const e of entries) {
      const known = existing.get(e.eventId);
      if (known !== undefined) {
        out.push({ eventId: e.eventId, index: known, appended: false });
        continue;
      }
      const next = range.append(e.leafHash);
      nodes.push(...next.created);
      leaves.push({ index: range.size, eventId: e.eventId, entry: e.entry });
      existing.set(e.eventId, range.size);
      out.push({ eventId: e.eventId, index: range.size, appended: true });
      range = next.range;
    }
    if (leaves.length === 0) return out;
    // Not waited for: the transaction sends it with its COMMIT, and its failure fails the transaction.
    tx.queue(
      `WITH leaves AS (
         INSERT INTO ${this.t("ledger_leaves")} (idx, event_id, entry, appended_at_ms)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::float8[])
       ), nodes AS (
         INSERT INTO ${this.t("ledger_nodes")} (level, idx, hash)
         SELECT * FROM unnest($5::smallint[], $6::bigint[], $7::bytea[])
       )
       UPDATE ${this.t("ledger_head")} SET size = $8 WHERE id`,
      [
        leaves.map((l) => l.index),
        leaves.map((l) => l.eventId),
        leaves.map((l) => l.entry),
        leaves.map(() => nowMs),
        nodes.map((n) => n.level),
        nodes.map((n) => n.index),
        nodes.map((n) => n.hash),
        range.size,
      ],
    );
    return out;
  }

  async readNodes(ids: readonly NodeId[], db: SqlRunner = this.sql): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    if (ids.length === 0) return out;
    const rows = await db.query<{ level: number; idx: number; hash: Uint8Array }>(
      `SELECT n.level, n.idx::float8 AS idx, n.hash FROM ${this.t("ledger_nodes")} n
       JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx`,
      [ids.map((n) => n.level), ids.map((n) => n.index)],
    );
    for (const r of rows) out.set(nodeKey({ level: r.level, index: r.idx }), Buffer.from(r.hash));
    return out;
  }

  private async prove(plan: ProofPlan, db: SqlRunner): Promise<Buffer[]> {
    return assemble(plan, await this.readNodes(planNodes(plan), db));
  }

  /** MTH of the first `size` leaves, from the stored peaks. */
  async root(size: number, db: SqlRunner = this.sql): Promise<Buffer> {
    if (size === 0) return EMPTY_ROOT;
    const ids = peaksOf(size);
    return compactRange(size, ids, await this.readNodes(ids, db)).root();
  }

  async inclusionProof(index: number, size: number, db: SqlRunner = this.sql): Promise<Buffer[]> {
    return this.prove(inclusionPlan(index, size), db);
  }

  async consistencyProof(from: number, to: number, db: SqlRunner = this.sql): Promise<Buffer[]> {
    return this.prove(consistencyPlan(from, to), db);
  }

  async leafByEventId(eventId: string): Promise<LeafRow | undefined> {
    const rows = await this.sql.query<{ idx: number; event_id: string; entry: string }>(
      `SELECT idx::float8 AS idx, event_id, entry FROM ${this.t("ledger_leaves")} WHERE event_id = $1`,
      [eventId],
    );
    return rows[0] && { index: rows[0].idx, eventId: rows[0].event_id, entry: rows[0].entry };
  }

  async leaves(start: number, limit: number): Promise<LeafRow[]> {
    const rows = await this.sql.query<{ idx: number; event_id: string; entry: string }>(
      `SELECT idx::float8 AS idx, event_id, entry FROM ${this.t("ledger_leaves")} WHERE idx >= $1 ORDER BY idx LIMIT $2`,
      [start, limit],
    );
    return rows.map((r) => ({ index: r.idx, eventId: r.event_id, entry: r.entry }));
  }

  /** FINAL events of this node not yet in its log, oldest first (the catch-up after a crash). */
  async unloggedFinal(limit: number): Promise<string[]> {
    const rows = await this.sql.query<{ event_id: string }>(
      `SELECT e.event_id FROM ${this.t("events")} e
       WHERE e.status = 'FINAL' AND NOT EXISTS (SELECT 1 FROM ${this.t("ledger_leaves")} l WHERE l.event_id = e.event_id)
       ORDER BY e.status_at_ms, e.event_id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.event_id);
  }

  // ---- checkpoints (log side) ----

  async latestCheckpoint(db: SqlRunner = this.sql): Promise<CheckpointRow | undefined> {
    return (await this.checkpointRows(`ORDER BY size DESC LIMIT 1`, [], db))[0];
  }

  async checkpoint(size: number): Promise<CheckpointRow | undefined> {
    return (await this.checkpointRows(`WHERE size = $1`, [size]))[0];
  }

  /** Newest first, optionally only those below `beforeSize`. */
  async checkpoints(limit: number, beforeSize?: number): Promise<CheckpointRow[]> {
    return this.checkpointRows(`WHERE ($1::bigint IS NULL OR size < $1) ORDER BY size DESC LIMIT $2`, [
      beforeSize ?? null,
      limit,
    ]);
  }

  private async checkpointRows(where: string, params: unknown[], db: SqlRunner = this.sql): Promise<CheckpointRow[]> {
    const rows = await db.query<{ size: number; root: Uint8Array; note: string; signed_at_ms: number }>(
      `SELECT size::float8 AS size, root, note, signed_at_ms FROM ${this.t("ledger_checkpoints")} ${where}`,
      params,
    );
    return rows.map((r) => ({ size: r.size, root: Buffer.from(r.root), note: r.note, signedAtMs: r.signed_at_ms }));
  }

  /** Inserts only if no checkpoint of this size or larger exists (compare-and-swap on the log's history). */
  async insertCheckpoint(row: CheckpointRow, db: SqlRunner): Promise<boolean> {
    const rows = await db.query(
      `INSERT INTO ${this.t("ledger_checkpoints")} (size, root, note, signed_at_ms)
       SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM ${this.t("ledger_checkpoints")} WHERE size >= $1) RETURNING size`,
      [row.size, row.root, row.note, row.signedAtMs],
    );
    return rows.length === 1;
  }

  /** The largest checkpoint with at least one cosignature (cosignatures are verified before they are stored). */
  async latestCountingSize(): Promise<number | undefined> {
    const rows = await this.sql.query<{ size: number }>(
      `SELECT c.size::float8 AS size FROM ${this.t("ledger_checkpoints")} c
       WHERE EXISTS (SELECT 1 FROM ${this.t("ledger_cosignatures")} s WHERE s.size = c.size) ORDER BY c.size DESC LIMIT 1`,
    );
    return rows[0]?.size;
  }

  async cosignatures(size: number): Promise<Array<{ witness: string; line: string }>> {
    return this.sql.query(
      `SELECT witness, line FROM ${this.t("ledger_cosignatures")} WHERE size = $1 ORDER BY witness`,
      [size],
    );
  }

  /** Stores a verified cosignature and advances where that witness's next proof starts. */
  async addCosignature(size: number, witness: string, line: string, nowMs: number): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO ${this.t("ledger_cosignatures")} (size, witness, line, received_at_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (size, witness) DO NOTHING`,
        [size, witness, line, nowMs],
      );
      await tx.query(
        `INSERT INTO ${this.t("ledger_witnessed")} (witness, size) VALUES ($1, $2)
         ON CONFLICT (witness) DO UPDATE SET size = GREATEST(${this.t("ledger_witnessed")}.size, EXCLUDED.size)`,
        [witness, size],
      );
    });
  }

  async witnessedSize(witness: string): Promise<number> {
    const rows = await this.sql.query<{ size: number }>(
      `SELECT size::float8 AS size FROM ${this.t("ledger_witnessed")} WHERE witness = $1`,
      [witness],
    );
    return rows[0]?.size ?? 0;
  }

  async setWitnessedSize(witness: string, size: number): Promise<void> {
    await this.sql.query(
      `INSERT INTO ${this.t("ledger_witnessed")} (witness, size) VALUES ($1, $2) ON CONFLICT (witness) DO UPDATE SET size = EXCLUDED.size`,
      [witness, size],
    );
  }

  // ---- witness side ----

  async witnessState(origin: string): Promise<WitnessStateRow | undefined> {
    const rows = await this.sql.query<{ origin: string; size: number; root: Uint8Array; note: string }>(
      `SELECT origin, size::float8 AS size, root, note FROM ${this.t("ledger_witness_state")} WHERE origin = $1`,
      [origin],
    );
    return (
      rows[0] && { origin: rows[0].origin, size: rows[0].size, root: Buffer.from(rows[0].root), note: rows[0].note }
    );
  }

  async witnessStates(): Promise<WitnessStateRow[]> {
    const rows = await this.sql.query<{ origin: string; size: number; root: Uint8Array; note: string }>(
      `SELECT origin, size::float8 AS size, root, note FROM ${this.t("ledger_witness_state")} ORDER BY origin`,
    );
    return rows.map((r) => ({ origin: r.origin, size: r.size, root: Buffer.from(r.root), note: r.note }));
  }

  /**
   * Compare-and-swap: move the state from `seen` (undefined: nothing seen yet) to `next`.
   * False when another request moved it first.
   */
  async swapWitnessState(
    origin: string,
    seen: { size: number; root: Buffer } | undefined,
    next: { size: number; root: Buffer; note: string },
    nowMs: number,
  ): Promise<boolean> {
    const rows = seen
      ? await this.sql.query(
          `UPDATE ${this.t("ledger_witness_state")} SET size = $4, root = $5, note = $6, updated_at_ms = $7
           WHERE origin = $1 AND size = $2 AND root = $3 RETURNING origin`,
          [origin, seen.size, seen.root, next.size, next.root, next.note, nowMs],
        )
      : await this.sql.query(
          `INSERT INTO ${this.t("ledger_witness_state")} (origin, size, root, note, updated_at_ms) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (origin) DO NOTHING RETURNING origin`,
          [origin, next.size, next.root, next.note, nowMs],
        );
    return rows.length === 1;
  }

  async recordRefusal(
    r: { origin: string; note: string; seenNote: string | null; reason: string },
    nowMs: number,
  ): Promise<void> {
    await this.sql.query(
      `INSERT INTO ${this.t("ledger_witness_refusals")} (origin, note, seen_note, reason, recorded_at_ms) VALUES ($1, $2, $3, $4, $5)`,
      [r.origin, r.note, r.seenNote, r.reason, nowMs],
    );
  }

  async refusals(
    limit: number,
  ): Promise<Array<{ origin: string; note: string; seenNote: string | null; reason: string; recordedAtMs: number }>> {
    const rows = await this.sql.query<{
      origin: string;
      note: string;
      seen_note: string | null;
      reason: string;
      recorded_at_ms: number;
    }>(
      `SELECT origin, note, seen_note, reason, recorded_at_ms FROM ${this.t("ledger_witness_refusals")} ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      origin: r.origin,
      note: r.note,
      seenNote: r.seen_note,
      reason: r.reason,
      recordedAtMs: r.recorded_at_ms,
    }));
  }

  // ---- anchors ----

  async addAnchor(a: Omit<AnchorRow, "id">): Promise<boolean> {
    const rows = await this.sql.query(
      `INSERT INTO ${this.t("ledger_anchors")} (anchor, period, size, digest, receipt, anchored_at_ms) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (anchor, period) DO NOTHING RETURNING id`,
      [a.anchor, a.period, a.size, a.digest, a.receipt, a.anchoredAtMs],
    );
    return rows.length === 1;
  }

  async anchors(limit = 1000): Promise<AnchorRow[]> {
    const rows = await this.sql.query<{
      id: number;
      anchor: string;
      period: string | null;
      size: number;
      digest: Uint8Array;
      receipt: string;
      anchored_at_ms: number;
    }>(
      `SELECT id::float8 AS id, anchor, period, size::float8 AS size, digest, receipt, anchored_at_ms FROM ${this.t("ledger_anchors")} ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: r.id,
      anchor: r.anchor,
      period: r.period,
      size: r.size,
      digest: Buffer.from(r.digest),
      receipt: r.receipt,
      anchoredAtMs: r.anchored_at_ms,
    }));
  }

  async hasAnchor(anchor: string, period: string): Promise<boolean> {
    return (
      (
        await this.sql.query(`SELECT 1 FROM ${this.t("ledger_anchors")} WHERE anchor = $1 AND period = $2`, [
          anchor,
          period,
        ])
      ).length > 0
    );
  }
}

/** The tree of `size` leaves as its peaks, read from stored subtrees; a missing one is an error, never a guess. */
function compactRange(size: number, peakIds: readonly NodeId[], stored: ReadonlyMap<string, Buffer>): CompactRange {
  return new CompactRange(
    size,
    peakIds.map((p) => {
      const h = stored.get(nodeKey(p));
      if (!h) throw new Error(`merkle log: node level ${p.level} index ${p.index} is missing from storage`);
      return h;
    }),
  );
}
