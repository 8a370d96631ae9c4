import type { Sql } from "./sql";

/**
 * Versioned, append-only migrations: never edit a shipped one, add the next.
 * `s` is the (checked) schema name, so three nodes or many tests can share a database.
 */
export interface Migration {
  version: number;
  name: string;
  up: (s: string) => string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "events and confirmations",
    up: (s) => `
      CREATE TABLE ${s}.events (
        event_id       text PRIMARY KEY,
        tenant_id      text NOT NULL,
        origin_cloud   text NOT NULL,
        hash           text NOT NULL,
        envelope       text NOT NULL,  -- exact JSON as received; hashes are over JCS, so text is enough
        status         text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'FINAL', 'QUARANTINED')),
        status_reason  text,
        received_at_ms float8 NOT NULL,
        status_at_ms   float8
      );
      CREATE INDEX events_pending ON ${s}.events (received_at_ms) WHERE status = 'PENDING';
      -- One confirmation per (event, cloud): first write wins, enforced here and not by the caller.
      CREATE TABLE ${s}.confirmations (
        event_id     text NOT NULL REFERENCES ${s}.events (event_id),
        cloud        text NOT NULL CHECK (cloud IN ('aws', 'azure', 'gcp')),
        hash         text NOT NULL,
        signature    text NOT NULL,
        confirmed_at text NOT NULL,  -- the exact signed string
        PRIMARY KEY (event_id, cloud)
      );
      -- Belt and braces: even a careless UPDATE cannot move an event out of FINAL or QUARANTINED.
      CREATE FUNCTION ${s}.guard_status() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status IS DISTINCT FROM OLD.status AND OLD.status <> 'PENDING' THEN
          RAISE EXCEPTION 'event %: status % is terminal (tried %)', OLD.event_id, OLD.status, NEW.status;
        END IF;
        IF NEW.hash IS DISTINCT FROM OLD.hash OR NEW.envelope IS DISTINCT FROM OLD.envelope THEN
          RAISE EXCEPTION 'event %: a stored envelope never changes', OLD.event_id;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER events_guard_status BEFORE UPDATE ON ${s}.events FOR EACH ROW EXECUTE FUNCTION ${s}.guard_status();
    `,
  },
  {
    version: 2,
    name: "evidence",
    up: (s) => `
      CREATE TABLE ${s}.evidence (
        id             bigserial PRIMARY KEY,
        event_id       text NOT NULL,
        kind           text NOT NULL CHECK (kind IN ('bad-hash', 'bad-signature', 'equivocation', 'conflict')),
        reported_by    text,
        detail         text NOT NULL,
        recorded_at_ms float8 NOT NULL
      );
      CREATE INDEX evidence_event ON ${s}.evidence (event_id);
    `,
  },
  {
    version: 3,
    name: "tenant clocks and emergency controls",
    up: (s) => `
      CREATE TABLE ${s}.tenant_clocks (
        tenant_id text PRIMARY KEY,
        clock     bigint NOT NULL CHECK (clock >= 0)
      );
      CREATE TABLE ${s}.emergency_controls (
        name          text PRIMARY KEY,
        enabled       boolean NOT NULL,
        reason        text,
        updated_at_ms float8 NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: "event identity v2: envelopes without origin, statements, attempts",
    up: (s) => `
      -- v1 envelopes hashed the origin cloud and its clock; v2 hashes only tenant, id and payload.
      -- The two cannot share a table: refuse rather than silently mix them (use a new schema).
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM ${s}.events) THEN
          RAISE EXCEPTION 'schema ${s} holds events of protocol v1 (runtime 0.1); open a new schema for runtime 0.2';
        END IF;
      END $$;
      -- origin_cloud is now this cloud's view of which cloud took the submission.
      ALTER TABLE ${s}.events ADD COLUMN logical_clock bigint NOT NULL;
      ALTER TABLE ${s}.confirmations ADD COLUMN origin text NOT NULL CHECK (origin IN ('aws', 'azure', 'gcp'));
      ALTER TABLE ${s}.confirmations ADD COLUMN logical_clock bigint NOT NULL;
      -- Validly signed confirmations on a hash other than the stored one: half of a possible
      -- equivocation proof, kept so the other half can complete it later.
      CREATE TABLE ${s}.statements (
        event_id       text NOT NULL,
        cloud          text NOT NULL CHECK (cloud IN ('aws', 'azure', 'gcp')),
        hash           text NOT NULL,
        signature      text NOT NULL,
        confirmed_at   text NOT NULL,
        origin         text NOT NULL,
        logical_clock  bigint NOT NULL,
        recorded_at_ms float8 NOT NULL,
        PRIMARY KEY (event_id, cloud, hash)
      );
      -- Refused peer messages (bad hash, bad signature, unauthenticated, unknown sender):
      -- they prove nothing and change nothing, but who sent them is worth knowing.
      CREATE TABLE ${s}.attempts (
        id             bigserial PRIMARY KEY,
        event_id       text,
        kind           text NOT NULL,
        reason         text NOT NULL,
        source         text,
        claimed_from   text,
        detail         text NOT NULL,
        recorded_at_ms float8 NOT NULL
      );
      CREATE INDEX attempts_event ON ${s}.attempts (event_id);
      -- A cloud holding the losing hash of a reused eventId may adopt the winner's certificate:
      -- the one move that changes a stored envelope, and only PENDING -> FINAL.
      CREATE OR REPLACE FUNCTION ${s}.guard_status() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status IS DISTINCT FROM OLD.status AND OLD.status <> 'PENDING' THEN
          RAISE EXCEPTION 'event %: status % is terminal (tried %)', OLD.event_id, OLD.status, NEW.status;
        END IF;
        IF (NEW.hash IS DISTINCT FROM OLD.hash OR NEW.envelope IS DISTINCT FROM OLD.envelope)
           AND NOT (OLD.status = 'PENDING' AND NEW.status = 'FINAL') THEN
          RAISE EXCEPTION 'event %: a stored envelope never changes', OLD.event_id;
        END IF;
        RETURN NEW;
      END $$;
    `,
  },
  {
    version: 5,
    name: "batched confirmations: the inclusion proof under a batch signature",
    up: (s) => `
      -- A confirmation signed as part of a batch carries its RFC 6962 inclusion proof (JSON
      -- {size, index, path}); its signature covers the batch root. NULL: signed on its own.
      ALTER TABLE ${s}.confirmations ADD COLUMN batch text;
      ALTER TABLE ${s}.statements ADD COLUMN batch text;
    `,
  },
  {
    version: 6,
    name: "FINAL events a cloud still misses, listed without scanning every FINAL event",
    up: (s) => `
      -- FINAL events that had fewer than three clouds' confirmations when they turned FINAL, for
      -- the reconciler's re-offers. A superset: the listing re-counts, and drops the rows whose
      -- event has all three by now. (A cloud that never confirms, holding another hash or having
      -- quarantined the event, keeps its row; the listing reads only the re-offer window.)
      CREATE TABLE ${s}.incomplete_finals (
        event_id    text PRIMARY KEY,
        final_at_ms float8 NOT NULL
      );
      CREATE INDEX incomplete_finals_at ON ${s}.incomplete_finals (final_at_ms);
      INSERT INTO ${s}.incomplete_finals (event_id, final_at_ms)
      SELECT e.event_id, coalesce(e.status_at_ms, e.received_at_ms) FROM ${s}.events e
      WHERE e.status = 'FINAL' AND (SELECT count(*) FROM ${s}.confirmations c WHERE c.event_id = e.event_id) < 3;
    `,
  },
];

/**
 * A list of migrations with its own version table. The store and the ledger each keep one,
 * so their numbering never collides; both go through the one runner below.
 */
export interface MigrationSet {
  /** The version table, created in the node's schema. */
  table: string;
  /** Advisory-lock key prefix: nodes starting together against one server wait for each other. */
  lockKey: string;
  migrations: readonly Migration[];
}

export const STORE_MIGRATIONS: MigrationSet = {
  table: "schema_migrations",
  lockKey: "tricloud-migrate",
  migrations: MIGRATIONS,
};

/** Applies a set's missing migrations in one transaction under an advisory lock; returns the versions applied. */
export async function applyMigrations(sql: Sql, schema: string, set: MigrationSet): Promise<number[]> {
  return sql.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${set.lockKey}:${schema}`]);
    await tx.exec(`
      CREATE SCHEMA IF NOT EXISTS ${schema};
      CREATE TABLE IF NOT EXISTS ${schema}.${set.table} (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      );`);
    const done = new Set(
      (await tx.query<{ version: number }>(`SELECT version FROM ${schema}.${set.table}`)).map((r) => r.version),
    );
    const applied: number[] = [];
    for (const m of set.migrations) {
      if (done.has(m.version)) continue;
      await tx.exec(m.up(schema));
      await tx.query(`INSERT INTO ${schema}.${set.table} (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}

/** The store's migrations. */
export function migrate(sql: Sql, schema: string): Promise<number[]> {
  return applyMigrations(sql, schema, STORE_MIGRATIONS);
}
