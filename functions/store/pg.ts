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
 * trip to the server, and what a connection sends within one tick leaves in one write. With a
 * pool of 4 or more, statements outside transactions take turns on two held connections
 * (sharedLanes). Behind a connection pooler (`pooler`, or recognised from the URL: behindPooler)
 * the session settings are the role's defaults instead of startup options, and no statement is
 * named.
 */
export function pgSql(connectionString: string, opts: { max?: number; pooler?: boolean } = {}): Sql {
  const max = opts.max ?? 10;
  const pooler = opts.pooler ?? behindPooler(connectionString);
  const pool = new Pool({
    connectionString: pooler ? connectionString : withoutJit(connectionString),
    max,
    pipeline: true,
  });
  const prepared = pooler ? unnamed : named;
  // An idle client losing its connection must not crash the node; the next query reconnects.
  pool.on("error", () => undefined);
  const lanes = sharedLanes(pool, max >= 4 ? 2 : 0);
  // Behind a pooler the session settings cannot travel in the startup packet: they become the
  // role's own defaults, which every server session the pooler opens for it then starts with.
  // They only make the node faster, so a failure to set them is not the store's.
  let settled: Promise<void> | undefined;
  const ready = (): Promise<void> => {
    if (!settled) {
      statementsSent++;
      settled = pool.query(ROLE_DEFAULTS).then(
        () => undefined,
        () => undefined,
      );
    }
    return settled;
  };
  return {
    async query<T>(text: string, params?: unknown[]) {
      if (pooler) await ready();
      statementsSent++;
      const lane = lanes.count > 0 ? await lanes.next() : undefined;
      if (!lane) return (await pool.query(prepared(text, params))).rows as T[];
      corkForTick(lane);
      return (await lane.query(prepared(text, params))).rows as T[];
    },
    async exec(text: string) {
      if (pooler) await ready();
      statementsSent++;
      await pool.query(text);
    },
    async transaction<T>(fn: (tx: TxRunner) => Promise<T>) {
      if (pooler) await ready();
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
      await lanes.release();
      await pool.end();
    },
  };
}

/**
 * Connections held for statements outside transactions, each pipelined and corked per tick, taken
 * in turn: the statements of one tick leave in one write per lane instead of one write each (a
 * pooled query is its own write, and each write wakes a server process). A lane whose connection
 * fails is dropped and replaced on the next statement. Transactions keep the rest of the pool.
 */
function sharedLanes(pool: Pool, count: number) {
  const lanes: Array<Promise<PoolClient | undefined>> = [];
  const drops = new Set<(err?: Error) => void>();
  let turn = 0;
  let closed = false;
  const open = (i: number): Promise<PoolClient | undefined> => {
    const lane = pool.connect().then(
      (client) => {
        // A connection the server or the network dropped leaves the pool, and a new lane takes its place.
        const drop = (err?: Error) => {
          if (!drops.delete(drop)) return;
          client.release(err ?? true);
          if (!closed && lanes[i] === lane) void open(i); // never rejects: a failed connect is undefined
        };
        drops.add(drop);
        client.on("error", drop);
        client.once("end", () => drop());
        return client;
      },
      () => undefined,
    );
    lanes[i] = lane;
    return lane;
  };
  for (let i = 0; i < count; i++) void open(i);
  return {
    count,
    async next(): Promise<PoolClient | undefined> {
      if (count === 0 || closed) return undefined;
      const i = turn++ % count;
      return (await lanes[i]) ?? (await open(i));
    },
    async release() {
      closed = true;
      await Promise.all(lanes);
      for (const drop of [...drops]) drop();
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

/**
 * Whether a connection string names a connection pooler the host did not declare: an RDS Proxy
 * endpoint (<name>.proxy-<id>.<region>.rds.amazonaws.com) or PgBouncer's port 6432 (Azure's
 * built-in PgBouncer listens there). Both refuse the startup options a direct connection gets.
 */
export function behindPooler(connectionString: string): boolean {
  try {
    const url = new URL(connectionString);
    return /\.proxy-[a-z0-9]+\.[a-z0-9-]+\.rds\.amazonaws\.com$/i.test(url.hostname) || url.port === "6432";
  } catch {
    return false;
  }
}

/**
 * Behind a pooler, every statement unnamed: PgBouncer's transaction pooling hands each
 * transaction a server connection of its own, where a statement prepared on another is unknown.
 */
function unnamed(text: string, values: unknown[] | undefined): QueryConfig {
  return values ? { text, values } : { text };
}

/** Statement names by text: each connection parses a statement once, then only binds and runs it. */
const names = new Map<string, string>();

/**
 * A statement with parameters as a named prepared statement (named by its text's hash, so the
 * same text always has the same name): the server parses and plans it once per connection
 * instead of on every call, which was about a third of its time per statement on the hot path.
 */
function named(text: string, values: unknown[] | undefined): QueryConfig {
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
/** The settings as `name=value`, the form of startup options and of pg_db_role_setting's entries. */
const SESSION_SETTINGS = ["jit=off", "plan_cache_mode=force_custom_plan"];
/**
 * The session settings as the role's own defaults, written once: instances that start together
 * take turns (two ALTER ROLE of one role at once can fail with "tuple concurrently updated"), and
 * a role that has them already is left alone, so a cold start writes nothing. One statement, its
 * own transaction, as a pooler in transaction mode needs.
 */
const ROLE_DEFAULTS = `DO $$ BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('tricloud-role-session-settings'));
  IF NOT EXISTS (SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
      WHERE r.rolname = current_user AND s.setdatabase = 0
        AND s.setconfig @> ARRAY[${SESSION_SETTINGS.map((x) => `'${x}'`).join(", ")}]) THEN
${SESSION_SETTINGS.map((x) => `    ALTER ROLE CURRENT_USER SET ${x.replace("=", " = ")};`).join("\n")}
  END IF;
END $$`;
const SESSION = SESSION_SETTINGS.map((setting) => `-c ${setting}`).join(" ");

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
