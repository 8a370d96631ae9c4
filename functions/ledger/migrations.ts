import { applyMigrations, type Migration, type MigrationSet } from "../store/migrations";
import type { Sql } from "../store/sql";

/**
 * The ledger's tables, in the node's schema, versioned on their own (table
 * ledger_schema_migrations) so they never collide with the store's numbering.
 * Append-only: never edit a shipped migration, add the next.
 */
export const LEDGER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "merkle log, checkpoints, witness state, anchors",
    up: (s) => `
      CREATE TABLE ${s}.ledger_head (
        id    boolean PRIMARY KEY DEFAULT true CHECK (id),
        size  bigint NOT NULL CHECK (size >= 0)
      );
      INSERT INTO ${s}.ledger_head (id, size) VALUES (true, 0);
      -- Leaf data (the FINAL certificate as JCS text); its leaf hash is node (0, idx).
      CREATE TABLE ${s}.ledger_leaves (
        idx            bigint PRIMARY KEY CHECK (idx >= 0),
        event_id       text NOT NULL UNIQUE,
        entry          text NOT NULL,
        appended_at_ms float8 NOT NULL
      );
      -- Every complete subtree: level L, index i covers leaves [i*2^L, (i+1)*2^L).
      CREATE TABLE ${s}.ledger_nodes (
        level smallint NOT NULL CHECK (level >= 0 AND level < 64),
        idx   bigint NOT NULL CHECK (idx >= 0),
        hash  bytea NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (level, idx)
      );
      -- Checkpoints this log signed (the note text with the log's own signature).
      CREATE TABLE ${s}.ledger_checkpoints (
        size         bigint PRIMARY KEY CHECK (size >= 0),
        root         bytea NOT NULL CHECK (length(root) = 32),
        note         text NOT NULL,
        signed_at_ms float8 NOT NULL
      );
      CREATE TABLE ${s}.ledger_cosignatures (
        size           bigint NOT NULL REFERENCES ${s}.ledger_checkpoints (size),
        witness        text NOT NULL,
        line           text NOT NULL,
        received_at_ms float8 NOT NULL,
        PRIMARY KEY (size, witness)
      );
      -- Log side: the size each witness last cosigned (where its next consistency proof starts).
      CREATE TABLE ${s}.ledger_witnessed (
        witness text PRIMARY KEY,
        size    bigint NOT NULL
      );
      -- Witness side: the last checkpoint of each other log this cloud cosigned (compare-and-swap).
      CREATE TABLE ${s}.ledger_witness_state (
        origin        text PRIMARY KEY,
        size          bigint NOT NULL CHECK (size >= 0),
        root          bytea NOT NULL CHECK (length(root) = 32),
        note          text NOT NULL,
        updated_at_ms float8 NOT NULL
      );
      -- Checkpoints a witness refused: the signed checkpoint, what it had seen, why.
      CREATE TABLE ${s}.ledger_witness_refusals (
        id             bigserial PRIMARY KEY,
        origin         text NOT NULL,
        note           text NOT NULL,
        seen_note      text,
        reason         text NOT NULL,
        recorded_at_ms float8 NOT NULL
      );
      CREATE TABLE ${s}.ledger_anchors (
        id             bigserial PRIMARY KEY,
        anchor         text NOT NULL,
        period         text,
        size           bigint NOT NULL REFERENCES ${s}.ledger_checkpoints (size),
        digest         bytea NOT NULL CHECK (length(digest) = 32),
        receipt        text NOT NULL,
        anchored_at_ms float8 NOT NULL,
        UNIQUE (anchor, period)
      );
      -- Append-only: history is never rewritten through SQL by accident (a superuser can
      -- still disable this; the signed checkpoints and the auditor catch that).
      CREATE FUNCTION ${s}.ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger table %: rows are append-only (% refused)', TG_TABLE_NAME, TG_OP;
      END $$;
      CREATE TRIGGER ledger_leaves_append_only BEFORE UPDATE OR DELETE ON ${s}.ledger_leaves FOR EACH ROW EXECUTE FUNCTION ${s}.ledger_append_only();
      CREATE TRIGGER ledger_nodes_append_only BEFORE UPDATE OR DELETE ON ${s}.ledger_nodes FOR EACH ROW EXECUTE FUNCTION ${s}.ledger_append_only();
      CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ${s}.ledger_checkpoints FOR EACH ROW EXECUTE FUNCTION ${s}.ledger_append_only();
      CREATE TRIGGER ledger_anchors_append_only BEFORE UPDATE OR DELETE ON ${s}.ledger_anchors FOR EACH ROW EXECUTE FUNCTION ${s}.ledger_append_only();
    `,
  },
];

const LEDGER_SET: MigrationSet = {
  table: "ledger_schema_migrations",
  lockKey: "tricloud-ledger-migrate",
  migrations: LEDGER_MIGRATIONS,
};

/** Applies missing ledger migrations: the store's runner, with the ledger's own version table. */
export function migrateLedger(sql: Sql, schema: string): Promise<number[]> {
  return applyMigrations(sql, schema, LEDGER_SET);
}
