import { createHash } from "node:crypto";
import { Pool, type QueryConfig } from "pg";
import type { Sql, SqlRunner } from "./sql";

/** `pg` against a PostgreSQL server (DATABASE_URL). */
export function pgSql(connectionString: string, opts: { max?: number } = {}): Sql {
  const pool = new Pool({ connectionString: withoutJit(connectionString), max: opts.max ?? 10 });
  // An idle client losing its connection must not crash the node; the next query reconnects.
  pool.on("error", () => undefined);
  return {
    async query<T>(text: string, params?: unknown[]) {
      return (await pool.query(prepared(text, params))).rows as T[];
    },
    async exec(text: string) {
      await pool.query(text);
    },
    async transaction<T>(fn: (tx: SqlRunner) => Promise<T>) {
      const client = await pool.connect();
      // BEGIN travels with the transaction's first statement when that one has no parameters (the
      // ledger's head lock): one round trip fewer per transaction. A parameterised first
      // statement needs the extended protocol, so BEGIN then goes on its own. Later statements
      // wait for BEGIN, so they run in the order they were called.
      let begin: Promise<void> | undefined;
      // The combined query failed: PostgreSQL parses it whole, so a syntax error means BEGIN never
      // ran, and whatever came next would run outside any transaction.
      let failed: unknown;
      const run = async (text: string, params?: unknown[]) => {
        if (!begin) {
          if (params) begin = client.query("BEGIN").then(() => undefined);
          else {
            const combined = client.query(`BEGIN;\n${text}`) as Promise<unknown>;
            begin = combined.then(
              () => undefined,
              (err: unknown) => void (failed = err),
            );
            const results = await combined;
            // One Result per statement; a single one when the text itself held no statement.
            const last = Array.isArray(results) ? results[results.length - 1] : results;
            return (last ?? { rows: [] }) as { rows: unknown[] };
          }
        }
        await begin;
        if (failed !== undefined)
          throw new Error(`transaction aborted: its first statement failed (${String(failed)})`);
        return client.query(prepared(text, params));
      };
      try {
        const runner: SqlRunner = {
          query: async <R>(text: string, params?: unknown[]) => (await run(text, params)).rows as R[],
          exec: async (text: string) => void (await run(text)),
        };
        const result = await fn(runner);
        if (begin) await client.query("COMMIT");
        return result;
      } catch (err) {
        if (begin) await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/** Statement names by text: each connection parses a statement once, then only binds and runs it. */
const names = new Map<string, string>();

/**
 * A statement with parameters as a named prepared statement (named by its text's hash, so the
 * same text always has the same name): the server parses and plans it once per connection
 * instead of on every call, which was about a third of its time per statement on the hot path.
 */
function prepared(text: string, values: unknown[] | undefined): QueryConfig {
  if (!values) return { text };
  let name = names.get(text);
  if (!name) {
    name = `tc_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
    if (names.size < 10_000) names.set(text, name);
  }
  return { name, text, values };
}

/**
 * The node's session settings. No JIT compilation: the node's statements are short, and
 * PostgreSQL's JIT (on by default) compiled the reconciler's listing on every pass, about 120 ms of
 * server CPU for a query that runs in 15 ms without it. Custom plans for the prepared statements:
 * a generic plan for `= ANY($1)` over a batch of ids can be a scan, and the half-load latency of
 * `npm run bench:quorum` tripled with it.
 */
const SESSION = "-c jit=off -c plan_cache_mode=force_custom_plan";

/** The connection string with SESSION added to its own `options` (which win over the pool's). */
export function withoutJit(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return connectionString;
  }
  const own = url.searchParams.get("options");
  url.searchParams.set("options", own ? `${own} ${SESSION}` : SESSION);
  return url.toString();
}
