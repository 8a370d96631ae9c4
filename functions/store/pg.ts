import { createHash } from "node:crypto";
import { Pool, type PoolClient, type QueryConfig, type QueryResult } from "pg";
import type { Writable } from "node:stream";
import type { Sql, TxRunner } from "./sql";

/** Statements this process has sent to PostgreSQL servers (BEGIN and COMMIT included), for benchmarks. */
let statementsSent = 0;
export function pgStatementsSent(): number {
  return statementsSent;
}

/**
 * `pg` against a PostgreSQL server (DATABASE_URL). The connections pipeline: a statement is sent
 * as soon as it is asked for, behind the ones still running on that connection, each with its
 * own Sync (so each outside a transaction still commits on its own, as without pipelining). A
 * transaction's statements that do not wait for each other's results therefore share one round
 * trip to the server, and what a connection sends within one tick leaves in one write.
 */
export function pgSql(connectionString: string, opts: { max?: number } = {}): Sql {
  const pool = new Pool({ connectionString: withoutJit(connectionString), max: opts.max ?? 10, pipeline: true });
  // An idle client losing its connection must not crash the node; the next query reconnects.
  pool.on("error", () => undefined);
  return {
    async query<T>(text: string, params?: unknown[]) {
      statementsSent++;
      return (await pool.query(prepared(text, params))).rows as T[];
    },
    async exec(text: string) {
      statementsSent++;
      await pool.query(text);
    },
    async transaction<T>(fn: (tx: TxRunner) => Promise<T>) {
      const client = await pool.connect();
      // Every statement sent, settled (its failure kept): none is left running when the client
      // goes back to the pool, and one the caller did not wait for still decides the outcome.
      const sent: Array<Promise<unknown>> = [];
      let failure: { err: unknown } | undefined;
      const send = (config: QueryConfig | string): Promise<QueryResult> => {
        corkForTick(client);
        statementsSent++;
        const p = client.query(config as QueryConfig);
        sent.push(p.catch((err: unknown) => void (failure ??= { err })));
        return p;
      };
      let began = false;
      // BEGIN goes out with the first statement, in the same write: no round trip of its own.
      const statement = (text: string, params?: unknown[]) => {
        if (!began) {
          began = true;
          void send("BEGIN");
        }
        return send(params ? prepared(text, params) : text);
      };
      const runner: TxRunner = {
        query: async <R>(text: string, params?: unknown[]) => (await statement(text, params)).rows as R[],
        exec: async (text: string) => void (await statement(text)),
        queue: (text: string, params?: unknown[]) => void statement(text, params).catch(() => undefined),
      };
      try {
        const result = await fn(runner);
        if (began) {
          // Behind whatever the caller queued: one round trip for the last write and COMMIT.
          const commit = send("COMMIT");
          await Promise.all(sent);
          // A statement that failed (even one the caller caught) aborted the transaction, and the
          // server answered COMMIT with ROLLBACK: nothing was written, and the caller must know.
          if (failure) throw failure.err;
          if ((await commit).command !== "COMMIT") throw new Error("transaction rolled back by the server");
        }
        return result;
      } catch (err) {
        await Promise.all(sent);
        if (began) await client.query("ROLLBACK").catch(() => undefined);
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
 * The statements a connection is sent within one tick leave in one write: node-postgres writes
 * each statement's messages separately, and on a virtual machine each write to a server that is
 * waiting costs a wake-up of its process.
 */
function corkForTick(client: PoolClient): void {
  const stream = (client as unknown as { connection?: { stream?: Writable } }).connection?.stream;
  if (!stream || typeof stream.cork !== "function" || stream.writableCorked > 0) return;
  stream.cork();
  process.nextTick(() => stream.uncork());
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
