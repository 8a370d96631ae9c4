/**
 * Quorum throughput: events finalized per second and time to FINAL with three local nodes
 * (in-process, real HTTP on loopback, each on its own schema of the PostgreSQL server at
 * DATABASE_URL), at saturation (closed loop) and at half of that rate (open loop), next to
 * two anchors measured in the same run: the server's single-row commit rate and a
 * three-replica NATS JetStream stream; and the process's memory over the run.
 *
 *   npm run bench:quorum            (DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/test)
 *   SECONDS=150 CLIENTS=64,128,256,512 STEP_SECONDS=5 BATCH_WINDOW_MS=0 BATCH_MAX=256 POOL=10 PEER_WINDOW_MS=0 PASSES=48 npm run bench:quorum
 *   CONCURRENCY=64 skips the search for saturation and runs 64 clients
 *   PEER_BATCH=0 sends every peer message on its own request (the runtime before 0.4); ANCHORS=0 skips the anchors
 *   LONE_SECONDS=5: the one-client phase (each event alone) after the warm-up; TENANTS=10: the tenants events go to, in turn
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { CLOUDS, type Cloud } from "../functions/core/clouds";
import type { KeyRing } from "../functions/core/keys";
import { DEFAULT_BATCH } from "../functions/core/signer";
import { natsJetStream, percentile, pgCommitRate, serverCpu, type AnchorResult } from "./anchors";
import { requestJson } from "../functions/replication/http-json";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { benchKeyRings, benchPayload, positive, positiveValue } from "./fixtures";
import { serveBenchNode, type BenchNodeInput } from "./quorum-node";
import { DEFAULT_MAX_PASSES } from "../functions/replication/replicator";
import { pgStatementsSent } from "../functions/store/pg";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
/** Seconds of each measured phase (saturation, then half load). */
const SECONDS = positive("SECONDS", 20);
/**
 * Closed-loop client counts tried for saturation, each for STEP_SECONDS; the one that finalizes
 * the most per second runs the measured saturation phase (and the anchors). CONCURRENCY=n
 * skips the search and uses n clients.
 */
const CLIENTS =
  process.env.CONCURRENCY !== undefined
    ? [positive("CONCURRENCY", 64)]
    : (process.env.CLIENTS ?? "64,128,256,512").split(",").map((v, i) => positiveValue(`CLIENTS[${i}]`, v.trim()));
const STEP_SECONDS = positive("STEP_SECONDS", 5);
/** Replication passes per node at once (NodeOptions.maxPasses; default DEFAULT_MAX_PASSES). */
const PASSES = process.env.PASSES === undefined ? undefined : positive("PASSES", 1);
const BATCH = {
  windowMs: Number(process.env.BATCH_WINDOW_MS ?? DEFAULT_BATCH.windowMs),
  maxEvents: positive("BATCH_MAX", DEFAULT_BATCH.maxEvents),
};
const POOL = positive("POOL", 10);
/** THREADS=1 runs each node in its own worker thread (bench/quorum-worker.ts) instead of all three on this one. */
const THREADS = process.env.THREADS === "1";
/** ANCHORS=0 skips the PostgreSQL and JetStream anchors (quick comparisons). */
const ANCHORS = process.env.ANCHORS !== "0";
/** Peer messages per request: PEER_BATCH=0 sends each on its own; PEER_WINDOW_MS waits for more. */
const PEER_BATCH = process.env.PEER_BATCH === "0" ? false : { windowMs: Number(process.env.PEER_WINDOW_MS ?? 0) };
const WARMUP_S = 3;
/** Seconds of the one-client phase: events one at a time, what each costs when nothing shares its work. */
const LONE_SECONDS = positive("LONE_SECONDS", 5);
/** Tenants the events are spread over, in turn. */
const TENANTS = positive("TENANTS", 10);

/** CPU time the whole machine has spent busy (all cores, every process), from Linux's /proc/stat; undefined elsewhere. */
function machineBusyMs(): number | undefined {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const busy = fields.slice(0, 8).reduce((a, b) => a + b, 0) - fields[3]! - fields[4]!;
    return (busy * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

const payload = benchPayload;

async function main(): Promise<void> {
  const keys = benchKeyRings();
  const suffix = randomBytes(3).toString("hex");
  const finalAt = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const onFinal = (eventId: string, at: number) => {
    finalAt.set(eventId, at);
    waiters.get(eventId)?.();
  };
  const urls = {} as Record<Cloud, string>;
  const members = THREADS
    ? await threadNodes(keys, suffix, urls, onFinal)
    : await inlineNodes(keys, suffix, urls, onFinal);

  const memory: Array<{ atS: number; rssMb: number; heapMb: number }> = [];
  const t0 = Date.now();
  const sampleMemory = () => {
    const m = process.memoryUsage();
    memory.push({ atS: (Date.now() - t0) / 1000, rssMb: m.rss / 2 ** 20, heapMb: m.heapUsed / 2 ** 20 });
  };
  const sampler = setInterval(sampleMemory, 1_000);
  try {
    const submittedAt = new Map<string, number>();
    let seq = 0;
    /** Submits one event at its origin (round-robin) and resolves when the origin has it FINAL. */
    let resubmitted = 0;
    const one = async (prefix: string): Promise<string> => {
      const i = seq++;
      const origin = CLOUDS[i % 3]!;
      const eventId = `${origin}-${prefix}${i}`;
      submittedAt.set(eventId, Date.now());
      const body = JSON.stringify({ tenantId: `tenant-${i % TENANTS}`, payload: payload(i), eventId });
      // A submission is idempotent by eventId: one whose connection drops (a keep-alive socket the
      // server closed just as it was reused) is sent again, as a client would, and timed from the first try.
      let res: { status: number; text: string } | undefined;
      for (let attempt = 1; !res; attempt++) {
        try {
          res = await requestJson(`${urls[origin]}/v1/events`, "POST", body, 10_000);
        } catch (err) {
          if (attempt === 3) throw err;
          resubmitted++;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      // 202 for a new event; 200 when an earlier attempt's request did arrive.
      if (res.status !== 202 && res.status !== 200)
        throw new Error(`submit ${eventId}: HTTP ${res.status} ${res.text}`);
      if (!finalAt.has(eventId))
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 30_000);
          waiters.set(eventId, () => (clearTimeout(t), waiters.delete(eventId), resolve()));
        });
      return eventId;
    };
    const summarize = (ids: string[], startedMs: number, endMs: number) => {
      const finals = ids.filter((id) => finalAt.has(id));
      const latencies = finals.map((id) => finalAt.get(id)! - submittedAt.get(id)!).sort((a, b) => a - b);
      for (const id of ids) {
        submittedAt.delete(id);
        finalAt.delete(id);
      }
      return {
        submitted: ids.length,
        finals: finals.length,
        perSec: finals.length / ((endMs - startedMs) / 1000),
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
      };
    };
    /** Closed loop: `clients` clients, each submitting and waiting for FINAL, for `seconds`. */
    const closed = async (prefix: string, seconds: number, clients: number) => {
      const ids: string[] = [];
      const started = Date.now();
      const end = started + seconds * 1000;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (Date.now() < end) ids.push(await one(prefix));
        }),
      );
      return summarize(ids, started, Date.now());
    };
    /** Open loop: a submission every 1/rate s whatever the answers, for `seconds`. */
    const open = async (prefix: string, rate: number, seconds: number) => {
      const pending: Array<Promise<string>> = [];
      // Awaited only at the end of the phase: a failure stays pending until then instead of
      // crashing the run as an unhandled rejection.
      const keep = (p: Promise<string>) => (p.catch(() => undefined), p);
      const started = Date.now();
      const count = Math.round(rate * seconds);
      for (let k = 0; k < count; k++) {
        const due = started + (k * 1000) / rate;
        const wait = due - Date.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        pending.push(keep(one(prefix)));
      }
      const ids = await Promise.all(pending);
      return summarize(ids, started, started + seconds * 1000);
    };

    // The PostgreSQL server's CPU when it runs on this machine (its processes, /proc): a large share of an event's cost.
    const server = await serverCpu(DATABASE_URL);

    /**
     * Runs a phase, with the process's CPU, the whole machine's, the PostgreSQL server's, and the statements sent to
     * PostgreSQL (this thread's nodes only) per event FINAL at its origin.
     */
    const costed = async <T extends { finals: number }>(run: () => Promise<T>) => {
      const cpu0 = process.cpuUsage();
      const machine0 = machineBusyMs();
      const server0 = server?.();
      const sent0 = pgStatementsSent();
      const out = await run();
      const cpu = process.cpuUsage(cpu0);
      const machine1 = machineBusyMs();
      const server1 = server?.();
      const per = Math.max(1, out.finals);
      return {
        ...out,
        cpuMs: (cpu.user + cpu.system) / 1000 / per,
        machineMs: machine0 === undefined || machine1 === undefined ? undefined : (machine1 - machine0) / per,
        serverMs: server0 === undefined || server1 === undefined ? undefined : (server1 - server0) / per,
        statements: THREADS ? undefined : (pgStatementsSent() - sent0) / per,
      };
    };
    const perEvent = (x: { cpuMs: number; statements: number | undefined; serverMs: number | undefined }) =>
      `${x.cpuMs.toFixed(2)} ms of this process's CPU, ${x.serverMs === undefined ? "the server's not measured (not a process of this machine)" : `${x.serverMs.toFixed(2)} ms of the PostgreSQL server's`}, ${x.statements === undefined ? "statements not counted (THREADS=1)" : `${x.statements.toFixed(1)} PostgreSQL statements`}`;

    sampleMemory();
    await closed("warm", WARMUP_S, CLIENTS[0]!);
    const lone = await costed(() => closed("lone", LONE_SECONDS, 1));
    // Saturation is the client count that finalizes the most per second.
    const sweep: Array<{ clients: number; perSec: number; p99: number }> = [];
    if (CLIENTS.length > 1)
      for (const [i, clients] of CLIENTS.entries()) {
        const step = await closed(`s${i}-`, STEP_SECONDS, clients);
        sweep.push({ clients, perSec: step.perSec, p99: step.p99 });
      }
    const CONCURRENCY = sweep.length ? sweep.reduce((a, b) => (b.perSec > a.perSec ? b : a)).clients : CLIENTS[0]!;
    const saturation = await costed(() => closed("sat", SECONDS, CONCURRENCY));
    const half = await costed(() => open("half", saturation.perSec / 2, SECONDS));
    sampleMemory();
    // Wait for the certificates to reach every cloud, then count FINALs per node.
    await new Promise((r) => setTimeout(r, 1_000));
    const perNode = await Promise.all(members.map(async (m) => `${m.cloud} ${await m.countFinal()}`));
    clearInterval(sampler);
    const pg = ANCHORS
      ? await pgCommitRate(DATABASE_URL, CONCURRENCY, Math.min(SECONDS, 10))
      : new Error("not measured (ANCHORS=0)");
    const nats = ANCHORS
      ? await natsJetStream(CONCURRENCY, Math.min(SECONDS, 10)).catch(
          (err: unknown) => new Error(`nats: ${err instanceof Error ? err.message : String(err)}`),
        )
      : new Error("not measured (ANCHORS=0)");

    const anchor = (a: AnchorResult | Error) =>
      a instanceof Error
        ? a.message
        : `${a.perSec.toFixed(0)}/s (p50 ${a.p50Ms.toFixed(1)} ms, p99 ${a.p99Ms.toFixed(1)} ms); quorum = ${((saturation.perSec / a.perSec) * 100).toFixed(1)}%`;
    const mid = memory.filter((m) => m.atS >= memory[memory.length - 1]!.atS / 2);
    const slope = linearSlope(mid.map((m) => [m.atS / 60, m.rssMb]));
    const rows = [
      [
        "batching",
        `window ${BATCH.windowMs} ms, at most ${BATCH.maxEvents} events per signature; pool ${POOL} per node; ${PASSES ?? DEFAULT_MAX_PASSES} replication passes at once per node; peer messages ${PEER_BATCH ? `batched (window ${PEER_BATCH.windowMs} ms)` : "one per request"}`,
      ],
      [
        "search for saturation (closed loop, clients: events/s, p99)",
        sweep.length
          ? sweep.map((x) => `${x.clients}: ${x.perSec.toFixed(0)}/s, ${x.p99} ms`).join("; ") +
            ` (${STEP_SECONDS} s each)`
          : `not run (CONCURRENCY=${CONCURRENCY})`,
      ],
      [
        "one client (closed loop: each event alone)",
        `${lone.finals} events in ${LONE_SECONDS} s; time to FINAL p50 / p99 ${lone.p50} ms / ${lone.p99} ms; per event ${perEvent(lone)}`,
      ],
      [
        "saturation (closed loop)",
        `${CONCURRENCY} clients x ${SECONDS} s: ${saturation.finals} / ${saturation.submitted} FINAL at origin`,
      ],
      ["**finalized events/s at saturation**", saturation.perSec.toFixed(0)],
      ["time to FINAL at saturation p50 / p99", `${saturation.p50} ms / ${saturation.p99} ms`],
      ["per finalized event at saturation (all three nodes and the clients)", perEvent(saturation)],
      [
        "CPU of the whole machine per finalized event at saturation (every process: this one, PostgreSQL and anything else running; /proc/stat)",
        saturation.machineMs === undefined ? "not measured (no /proc/stat)" : `${saturation.machineMs.toFixed(2)} ms`,
      ],
      [
        "half load (open loop)",
        `${(saturation.perSec / 2).toFixed(0)}/s x ${SECONDS} s: ${half.finals} / ${half.submitted} FINAL at origin`,
      ],
      ["**time to FINAL at half load p50 / p99**", `${half.p50} ms / ${half.p99} ms`],
      ["per finalized event at half load", perEvent(half)],
      ["FINAL rows per node (all phases)", perNode.join(", ")],
      ["submissions sent again after a dropped connection (all phases)", String(resubmitted)],
      ["PostgreSQL single-row commits (30 connections)", anchor(pg)],
      ["NATS JetStream, 3 replicas, file storage, dedup", anchor(nats)],
      [
        "memory (RSS) start / max / end",
        `${memory[0]!.rssMb.toFixed(0)} / ${Math.max(...memory.map((m) => m.rssMb)).toFixed(0)} / ${memory[memory.length - 1]!.rssMb.toFixed(0)} MiB; second-half slope ${slope.toFixed(1)} MiB/min`,
      ],
    ];
    process.stdout.write(
      `\n## Quorum benchmark (${new Date().toISOString().slice(0, 10)}, node ${process.version}, PostgreSQL server, ${THREADS ? "3 nodes in worker threads" : "3 in-process nodes"} on loopback HTTP, load average ${loadavg()[0]!.toFixed(1)})\n\n| metric | value |\n|---|---|\n`,
    );
    for (const [k, v] of rows) process.stdout.write(`| ${k} | ${v} |\n`);
    process.stdout.write(
      THREADS
        ? `\nEach node runs in its own worker thread (its own event loop); the clients run on the main thread; the PostgreSQL server runs beside them.\n`
        : `\nAll three nodes, their HTTP servers and clients share one JavaScript thread; the PostgreSQL server runs beside it.\n`,
    );
  } finally {
    clearInterval(sampler);
    await Promise.all(members.map((m) => m.close()));
  }
}

/** What the bench needs of a running node, wherever it runs. */
interface Member {
  cloud: Cloud;
  countFinal(): Promise<number>;
  close(): Promise<void>;
}

const peersOf = (cloud: Cloud, urls: Record<Cloud, string>) =>
  Object.fromEntries(CLOUDS.filter((c) => c !== cloud).map((c) => [c, urls[c]]));

/** What a node is started with (the same in this thread and in a worker). */
const nodeInput = (keys: Record<Cloud, KeyRing>, suffix: string, cloud: Cloud): BenchNodeInput => ({
  cloud,
  keys: keys[cloud],
  databaseUrl: DATABASE_URL,
  schema: `bench_${cloud}_${suffix}`,
  pool: POOL,
  batch: BATCH,
  peerBatch: PEER_BATCH,
  maxPasses: PASSES,
});

/** The three nodes in this process, on its one event loop. */
async function inlineNodes(
  keys: Record<Cloud, KeyRing>,
  suffix: string,
  urls: Record<Cloud, string>,
  onFinal: (eventId: string, at: number) => void,
): Promise<Member[]> {
  const nodes = await Promise.all(CLOUDS.map((cloud) => serveBenchNode(nodeInput(keys, suffix, cloud))));
  CLOUDS.forEach((cloud, i) => (urls[cloud] = nodes[i]!.url));
  for (const [i, cloud] of CLOUDS.entries()) await nodes[i]!.start(peersOf(cloud, urls), onFinal);
  return CLOUDS.map((cloud, i) => ({ cloud, countFinal: () => nodes[i]!.countFinal(), close: () => nodes[i]!.stop() }));
}

/** Each node in its own worker thread (bench/quorum-worker.ts), as each cloud has its own machine. */
async function threadNodes(
  keys: Record<Cloud, KeyRing>,
  suffix: string,
  urls: Record<Cloud, string>,
  onFinal: (eventId: string, at: number) => void,
): Promise<Member[]> {
  const workers = await Promise.all(
    CLOUDS.map(async (cloud) => {
      const input = nodeInput(keys, suffix, cloud);
      const worker = new Worker(join(__dirname, "quorum-worker.cjs"), { workerData: input });
      worker.on("error", (err) => {
        process.stderr.write(`bench:quorum: the ${cloud} node's thread failed: ${err.stack ?? String(err)}\n`);
        process.exit(1);
      });
      urls[cloud] = await new Promise<string>((resolve) =>
        worker.once("message", (m: { url: string }) => resolve(m.url)),
      );
      return { cloud, worker };
    }),
  );
  await Promise.all(
    workers.map(
      ({ cloud, worker }) =>
        new Promise<void>((resolve) => {
          worker.once("message", () => resolve());
          worker.postMessage({ peers: peersOf(cloud, urls) });
        }),
    ),
  );
  const replies = (worker: Worker, key: "counted" | "closed") =>
    new Promise<unknown>((resolve) => {
      const listen = (m: Record<string, unknown>) => {
        if (!(key in m)) return;
        worker.off("message", listen);
        resolve(m[key]);
      };
      worker.on("message", listen);
    });
  for (const { worker } of workers)
    worker.on("message", (m: { finals?: Array<[string, number]> }) => {
      for (const [eventId, at] of m.finals ?? []) onFinal(eventId, at);
    });
  return workers.map(({ cloud, worker }) => ({
    cloud,
    countFinal: async () => {
      const answer = replies(worker, "counted");
      worker.postMessage({ count: true });
      return (await answer) as number;
    },
    close: async () => {
      const answer = replies(worker, "closed");
      worker.postMessage({ close: true });
      await answer;
      await worker.terminate();
    },
  }));
}

/** Least-squares slope of y over x. */
function linearSlope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:quorum failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
