/**
 * What the quorum benchmark is measured against, on the same machine in the same run:
 * the PostgreSQL server's rate of single-row commits, and a three-replica NATS JetStream
 * stream (file storage, publish dedup) on loopback. Both run closed-loop with the given
 * number of clients, like the quorum run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { connect, type NatsConnection } from "nats";
import { Client, Pool } from "pg";

export interface AnchorResult {
  perSec: number;
  p50Ms: number;
  p99Ms: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** `clients` closed loops calling `op` for `seconds`. */
async function closedLoop(clients: number, seconds: number, op: (i: number) => Promise<void>): Promise<AnchorResult> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await op(next++);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSec: latencies.length / elapsed, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

/** Single-row INSERTs, each its own transaction (synchronous_commit as the server has it), over
 * `connections` pooled connections (the quorum run's three nodes hold 3 x 10). */
export async function pgCommitRate(
  databaseUrl: string,
  clients: number,
  seconds: number,
  connections = 30,
): Promise<AnchorResult> {
  const pool = new Pool({ connectionString: databaseUrl, max: Math.min(clients, connections) });
  const table = `bench_commit_${process.pid}`;
  try {
    await pool.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, body text NOT NULL)`);
    return await closedLoop(clients, seconds, async (i) => {
      await pool.query(`INSERT INTO ${table} (id, body) VALUES ($1, $2)`, [i, `event ${i}`]);
    });
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await pool.end();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Three `nats-server` processes (JetStream, file storage in a temp dir, one cluster on
 * loopback-only ports), a stream with 3 replicas and a 2-minute duplicate window, and
 * `clients` closed-loop publishers each waiting for the stream's ack (stored on a quorum
 * of replicas) with a message id (deduplicated). Everything is stopped and removed after.
 */
export async function natsJetStream(clients: number, seconds: number, binary = "nats-server"): Promise<AnchorResult> {
  const dir = mkdtempSync(join(tmpdir(), "bench-nats-"));
  const ports = await Promise.all(Array.from({ length: 6 }, freePort));
  const clientPorts = ports.slice(0, 3);
  const routePorts = ports.slice(3);
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(",");
  const servers: ChildProcess[] = clientPorts.map((port, i) =>
    spawn(
      binary,
      [
        "--addr",
        "127.0.0.1",
        "--port",
        String(port),
        "--server_name",
        `bench-${i}`,
        "--jetstream",
        "--store_dir",
        join(dir, `n${i}`),
        "--cluster_name",
        "bench",
        "--cluster",
        `nats://127.0.0.1:${routePorts[i]}`,
        "--routes",
        routes,
      ],
      { stdio: "ignore" },
    ),
  );
  let nc: NatsConnection | undefined;
  try {
    // The servers may not listen yet: keep trying the first connection (bounded by the timeout).
    nc = await connect({
      servers: clientPorts.map((p) => `127.0.0.1:${p}`),
      timeout: 10_000,
      waitOnFirstConnect: true,
      maxReconnectAttempts: 40,
      reconnectTimeWait: 250,
    });
    // The stream needs a JetStream meta leader: retry while the cluster forms (bounded).
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const jsm = await nc.jetstreamManager({ timeout: 2_000 });
        await jsm.streams.add({
          name: "BENCH",
          subjects: ["bench.>"],
          num_replicas: 3,
          duplicate_window: 120_000_000_000, // nanoseconds: 2 minutes
        });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const js = nc.jetstream();
    const body = new TextEncoder().encode(JSON.stringify({ invoice: "INV-1", amountCents: 1000, lines: [] }));
    // Warm-up, then the measured run.
    await closedLoop(clients, 1, async (i) => void (await js.publish(`bench.warm`, body, { msgID: `w${i}` })));
    return await closedLoop(clients, seconds, async (i) => {
      const ack = await js.publish(`bench.events`, body, { msgID: `m${i}` });
      if (ack.duplicate) throw new Error(`nats: message m${i} reported as a duplicate`);
    });
  } finally {
    await nc?.close().catch(() => undefined);
    for (const s of servers) s.kill("SIGTERM");
    await Promise.all(servers.map((s) => (s.exitCode !== null ? undefined : new Promise((r) => s.once("exit", r)))));
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The CPU time of a PostgreSQL server on this machine (Linux /proc): its postmaster's own and that of the children it
 * has reaped, plus every live child's (the backends, the WAL writer, the checkpointer). A backend that exits moves its
 * time into the postmaster's children's total, so the sum only grows. Undefined when the server is not a process of
 * this machine (or /proc is missing): the bench then reports no server CPU rather than a wrong one.
 */
export async function serverCpu(databaseUrl: string): Promise<(() => number | undefined) | undefined> {
  // /proc/<pid>/stat: the fields after the command's closing parenthesis; ppid is the 2nd, utime..cstime the 12th-15th.
  const stat = (pid: string | number) => {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  };
  // The backend's parent is the postmaster; read while the backend is alive (it exits with its connection).
  const client = new Client({ connectionString: databaseUrl });
  let postmaster: string;
  try {
    await client.connect();
    const backend = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    // A server elsewhere has pids of its own: the local process of that number must be a postgres backend.
    const text = readFileSync(`/proc/${backend}/stat`, "utf8");
    if (text.slice(text.indexOf("(") + 1, text.lastIndexOf(")")) !== "postgres") return undefined;
    postmaster = stat(backend)[1]!;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
  const ticksMs = 1000 / 100; // USER_HZ is 100 on Linux
  return () => {
    try {
      const own = stat(postmaster);
      let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
      for (const pid of readdirSync("/proc")) {
        if (!/^\d+$/.test(pid)) continue;
        try {
          const f = stat(pid);
          if (f[1] === postmaster) ticks += Number(f[11]) + Number(f[12]);
        } catch {
          // The process ended between the listing and the read.
        }
      }
      return ticks * ticksMs;
    } catch {
      return undefined;
    }
  };
}
