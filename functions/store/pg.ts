import { Pool } from "pg";
import type { Sql, SqlRunner } from "./sql";

/** `pg` against a PostgreSQL server (DATABASE_URL). */
export function pgSql(connectionString: string, opts: { max?: number } = {}): Sql {
  const pool = new Pool({ connectionString: withoutJit(connectionString), max: opts.max ?? 10 });
  // An idle client losing its connection must not crash the node; the next query reconnects.
  pool.on("error", () => undefined);
  return {
    async query<T>(text: string, params?: unknown[]) {
      return (await pool.query(text, params)).rows as T[];
    },
    async exec(text: string) {
      await pool.query(text);
    },
    async transaction<T>(fn: (tx: SqlRunner) => Promise<T>) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const runner: SqlRunner = {
          query: async <R>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as R[],
          exec: async (text: string) => void (await client.query(text)),
        };
        const result = await fn(runner);
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
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

/**
 * No JIT compilation in the node's sessions: its statements are short, and PostgreSQL's JIT (on by
 * default) compiled the reconciler's listing on every pass, about 120 ms of server CPU for a query
 * that runs in 15 ms without it. Added to the connection string's own `options`, which win over
 * the pool's.
 */
export function withoutJit(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return connectionString;
  }
  const own = url.searchParams.get("options");
  url.searchParams.set("options", own ? `${own} -c jit=off` : "-c jit=off");
  return url.toString();
}
