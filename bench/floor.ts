/**
 * The floor under the quorum's throughput: what one event costs in the work that any design of this runtime keeps
 * (three nodes, each with its own PostgreSQL schema and its own signature, talking HTTP), each part batched as widely
 * as a batch pipeline would batch it, and measured alone in this process with nothing else of the protocol around it.
 * The sum is the least machine CPU an event can cost here; 2 cores divided by it is the most events/s any batching
 * of this design can finalize on this machine.
 *
 *   npm run bench:floor   (DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/test)
 *   BATCH=64 CLIENTS=256 SECONDS=5 EVENTS=12800 npm run bench:floor
 *
 * Parts, per finalized event:
 * - client HTTP: one submission from a keep-alive client to a hono route that reads and validates it (the route's own
 *   schema) and answers 202; no hashing, no storage (the public request every event must make);
 * - peer HTTP: the four peer messages of an event (round 1 to two peers, the two receivers' cross-checks) and their
 *   answers, BATCH messages per request, validated with the peer endpoints' own schema, answered one NDJSON line each;
 * - hashing and signatures: the envelope's JCS hash on each of the three nodes, the three confirmations signed BATCH
 *   per signature, and each node's check of the two others' statements (each batch signature verified once);
 * - storage: on each of three schemas, the event stored with the statement it came with, the node's own confirmation,
 *   the third cloud's, and FINAL with the ledger append in one transaction: the runtime's own store and ledger code,
 *   BATCH events at once so that every statement is coalesced BATCH rows wide. The PostgreSQL server's CPU is counted.
 * - and beside it, the least storage any schema could do: per node one row per event (envelope and certificate,
 *   FINAL) and its ledger leaf, BATCH rows a statement; the sum is given with it too.
 */
import { randomBytes } from "node:crypto";
import { Hono } from "hono";
import { z } from "zod";
import { CLOUDS, type Cloud } from "../functions/core/clouds";
import { signConfirmations, verifyConfirmation, type Confirmation } from "../functions/core/confirmation";
import { checkEnvelope, makeEnvelope, type Envelope } from "../functions/core/envelope";
import type { KeyRing } from "../functions/core/keys";
import { systemClock } from "../functions/core/clock";
import { readJson } from "../functions/http/body";
import { submitSchema } from "../functions/http/events";
import { peerMessageSchema } from "../functions/http/peer";
import { TransparencyLog } from "../functions/ledger/log";
import { LogStore } from "../functions/ledger/log-store";
import { serveApp } from "../functions/node/serve";
import { requestJson } from "../functions/replication/http-json";
import { openStore } from "../functions/store";
import { SqlStore } from "../functions/store/sql-store";
import { Pool } from "pg";
import pino from "pino";
import { serverCpu } from "./anchors";
import { benchKeyRings, benchPayload, positive } from "./fixtures";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const BATCH = positive("BATCH", 64);
const CLIENTS = positive("CLIENTS", 256);
const SECONDS = positive("SECONDS", 5);
/** Events through the hashing and storage parts (a multiple of BATCH is used). */
const EVENTS = positive("EVENTS", 12_800);
/** Tenants the events are spread over (the quorum bench uses 10). */
const TENANTS = positive("TENANTS", 64);
/** Peer messages per event: round 1 to the two peers, and the two receivers' cross-checks. */
const PEER_MESSAGES_PER_EVENT = 4;

interface Part {
  name: string;
  events: number;
  processMs: number;
  serverMs: number | undefined;
}

/** CPU of this process, and of the PostgreSQL server when it runs here, over `work`, for `events` events. */
async function measured(
  name: string,
  server: (() => number | undefined) | undefined,
  work: () => Promise<number>,
): Promise<Part> {
  const s0 = server?.();
  const c0 = process.cpuUsage();
  const events = await work();
  const c = process.cpuUsage(c0);
  const s1 = server?.();
  return {
    name,
    events,
    processMs: (c.user + c.system) / 1000,
    serverMs: s0 === undefined || s1 === undefined ? undefined : s1 - s0,
  };
}

const payload = benchPayload;

/** TENANTS tenants in turn: the store stamps at most one event per tenant per statement (its Lamport clock). */
const submission = (run: string, i: number) => ({
  tenantId: `tenant-${i % TENANTS}`,
  eventId: `${run}-${i}`,
  payload: payload(i),
});

/** Every cloud's confirmation of each envelope, signed BATCH per signature as the signer would. */
function confirmAll(keys: Record<Cloud, KeyRing>, envelopes: readonly Envelope[]): Map<Cloud, Confirmation[]> {
  const out = new Map<Cloud, Confirmation[]>();
  for (const cloud of CLOUDS) {
    const signed: Confirmation[] = [];
    for (let i = 0; i < envelopes.length; i += BATCH) {
      const batch = envelopes.slice(i, i + BATCH).map((e, j) => ({
        eventId: e.eventId,
        hash: e.hash,
        meta: { origin: "aws" as Cloud, logicalClock: i + j + 1 },
      }));
      signed.push(...signConfirmations(batch, keys[cloud], systemClock.now()));
    }
    out.set(cloud, signed);
  }
  return out;
}

/** Closed loop of CLIENTS clients for SECONDS against `url`; returns the requests answered. */
async function closedLoop(url: string, body: (i: number) => string, expect: number): Promise<number> {
  let next = 0;
  let done = 0;
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < end) {
        const res = await requestJson(url, "POST", body(next++), 10_000);
        if (res.status !== expect) throw new Error(`${url}: expected ${expect}, got ${res.status} ${res.text}`);
        done++;
      }
    }),
  );
  return done;
}

async function main(): Promise<void> {
  const keys = benchKeyRings();
  const run = randomBytes(3).toString("hex");
  const server = await serverCpu(DATABASE_URL);
  const parts: Part[] = [];

  // Client HTTP: the submission read and validated, answered 202; nothing else.
  const publicApp = new Hono().post("/v1/events", async (c) => {
    const body = await readJson(c, submitSchema);
    if (!body.ok) return body.response;
    return c.json({ eventId: body.value.eventId, status: "PENDING", hash: "0".repeat(64) }, 202);
  });
  const served = await serveApp(publicApp, { port: 0 });
  try {
    await closedLoop(`${served.url}/v1/events`, (i) => JSON.stringify(submission(`warm${run}`, i)), 202);
    parts.push(
      await measured("client HTTP (1 submission, 202)", undefined, () =>
        closedLoop(`${served.url}/v1/events`, (i) => JSON.stringify(submission(run, i)), 202),
      ),
    );
  } finally {
    await served.close();
  }

  // Realistic peer messages: an envelope with the sender's confirmation and the receiver's (a cross-check's form).
  const sample = Array.from({ length: BATCH * 4 }, (_, i) => makeEnvelope(submission(`peer${run}`, i)));
  const sampleConfs = confirmAll(keys, sample);
  const message = (i: number) => {
    const e = sample[i % sample.length]!;
    return {
      from: "aws",
      envelope: e,
      confirmations: [sampleConfs.get("aws")![i % sample.length]!, sampleConfs.get("azure")![i % sample.length]!],
    };
  };
  const answer = (m: { envelope: Envelope; confirmations: Confirmation[] }) => ({
    status: "PENDING",
    hash: m.envelope.hash,
    confirmations: m.confirmations,
  });
  const batchSchema = z.strictObject({ deadlineMs: z.number(), messages: z.array(peerMessageSchema).max(256) });
  const peerApp = new Hono().post("/v1/peer/confirm-batch", async (c) => {
    const body = await readJson(c, batchSchema);
    if (!body.ok) return body.response;
    const lines = body.value.messages.map((m, i) => JSON.stringify({ i, status: 200, body: answer(m) })).join("\n");
    return c.body(`${lines}\n`, 200, { "content-type": "application/x-ndjson" });
  });
  const peerServed = await serveApp(peerApp, { port: 0 });
  try {
    const peerBody = (i: number) =>
      JSON.stringify({ deadlineMs: 1950, messages: Array.from({ length: BATCH }, (_, j) => message(i * BATCH + j)) });
    const peerUrl = `${peerServed.url}/v1/peer/confirm-batch`;
    const sendBatches = async (n: number) => {
      let sent = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (sent < n) {
            const res = await requestJson(peerUrl, "POST", peerBody(sent++), 10_000);
            if (res.status !== 200) throw new Error(`peer batch: ${res.status} ${res.text}`);
            for (const line of res.text.split("\n")) if (line) JSON.parse(line);
          }
        }),
      );
      return n;
    };
    await sendBatches(20);
    const batches = Math.max(8, Math.ceil(EVENTS / BATCH));
    const part = await measured(
      `peer HTTP (${PEER_MESSAGES_PER_EVENT} messages and answers, ${BATCH} a request)`,
      undefined,
      async () => {
        await sendBatches(batches);
        return (batches * BATCH) / PEER_MESSAGES_PER_EVENT;
      },
    );
    parts.push(part);
  } finally {
    await peerServed.close();
  }

  // Hashing and signatures: the three nodes' share, BATCH per signature.
  const n = Math.ceil(EVENTS / BATCH) * BATCH;
  const contents = Array.from({ length: n }, (_, i) => submission(`sig${run}`, i));
  parts.push(
    await measured(`hashing and signatures (3 nodes, ${BATCH} a signature)`, undefined, async () => {
      const envelopes = contents.map((c) => makeEnvelope(c));
      for (const e of envelopes) for (let k = 0; k < 2; k++) if (!checkEnvelope(e).ok) throw new Error("bad hash");
      const confs = confirmAll(keys, envelopes);
      // Each node checks the two other clouds' statements with its own keys (a batch's signature once, then its
      // proof per statement).
      for (const node of CLOUDS)
        for (const other of CLOUDS)
          if (other !== node)
            for (const [i, c] of confs.get(other)!.entries())
              if (!verifyConfirmation(envelopes[i]!.eventId, c, keys[node].publicKeys))
                throw new Error("bad signature");
      return n;
    }),
  );

  // Storage: three nodes' schemas, the runtime's store and ledger, BATCH events at once.
  const envelopes = Array.from({ length: n }, (_, i) => makeEnvelope(submission(`db${run}`, i)));
  const confs = confirmAll(keys, envelopes);
  const stores = await Promise.all(
    CLOUDS.map((cloud) => openStore({ databaseUrl: DATABASE_URL, schema: `floor_${cloud}_${run}`, poolSize: 10 })),
  );
  try {
    const logs = await Promise.all(
      stores.map(async (store, k) => {
        if (!(store instanceof SqlStore)) throw new Error("store: expected the SQL store");
        return new TransparencyLog({
          logStore: await LogStore.open(store.sql, store.schema),
          store,
          keys: keys[CLOUDS[k]!],
          origin: `floor.example/${CLOUDS[k]}`,
          clock: systemClock,
          log: pino({ level: "silent" }),
          finalizeIn: (tx, list) => store.finalizeIn(tx, list),
        });
      }),
    );
    const oneNode = async (k: number, from: number, to: number) => {
      const self = CLOUDS[k]!;
      const origin = CLOUDS[0]!;
      const store = stores[k]!;
      await Promise.all(
        envelopes.slice(from, to).map(async (env, j) => {
          const i = from + j;
          const came = self === origin ? [] : [confs.get(origin)![i]!];
          await store.insertEvent(env, { origin, seenClock: 0 }, Date.now(), came);
          await store.addConfirmation(env.eventId, confs.get(self)![i]!);
          const third = CLOUDS.find((c) => c !== self && c !== origin) ?? CLOUDS[1]!;
          const others = CLOUDS.filter((c) => c !== self && (self === origin || c === third));
          await store.addConfirmations(
            env.eventId,
            others.map((c) => confs.get(c)![i]!),
          );
          const all = CLOUDS.map((c) => confs.get(c)![i]!);
          if (!(await logs[k]!.finalizeAndAppend(env, all, Date.now()))) throw new Error(`${env.eventId}: not FINAL`);
        }),
      );
    };
    const warm = BATCH * 4;
    for (let from = 0; from < warm; from += BATCH)
      await Promise.all(CLOUDS.map((_, k) => oneNode(k, from, from + BATCH)));
    parts.push(
      await measured(`storage (3 schemas, ${BATCH} events at once)`, server, async () => {
        for (let from = warm; from < n; from += BATCH)
          await Promise.all(CLOUDS.map((_, k) => oneNode(k, from, from + BATCH)));
        return n - warm;
      }),
    );
  } finally {
    for (const s of stores) {
      await s.dropSchema().catch(() => undefined);
      await s.close();
    }
  }

  // The least any schema could write: per node, one row per event (the envelope with its certificate, FINAL) and its
  // ledger leaf, BATCH rows per statement, one statement per batch and node: no confirmation rows, no statement
  // checks, no Merkle subtrees. What the runtime's storage costs above this is its schema's.
  const least = await leastStorage(envelopes, confs, server, run);

  const per = (p: Part) => (p.processMs + (p.serverMs ?? 0)) / p.events;
  const total = parts.reduce((a, p) => a + per(p), 0);
  const withLeast = total - per(parts.at(-1)!) + per(least);
  const rows = parts.map(
    (p) =>
      `| ${p.name} | ${(p.processMs / p.events).toFixed(3)} | ${p.serverMs === undefined ? "-" : (p.serverMs / p.events).toFixed(3)} | ${per(p).toFixed(3)} |`,
  );
  console.log(
    `\n## Quorum floor (${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${BATCH} per batch)\n`,
  );
  console.log("| part, per finalized event | this process, ms CPU | PostgreSQL server, ms CPU | ms CPU |");
  console.log("|---|---:|---:|---:|");
  for (const r of rows) console.log(r);
  console.log(`| **sum** | | | **${total.toFixed(3)}** |`);
  console.log(
    `| ${least.name} | ${(least.processMs / least.events).toFixed(3)} | ${least.serverMs === undefined ? "-" : (least.serverMs / least.events).toFixed(3)} | ${per(least).toFixed(3)} |`,
  );
  console.log(`| **sum with that storage instead** | | | **${withLeast.toFixed(3)}** |`);
  console.log(
    `\nAt ${total.toFixed(3)} ms of CPU per event, 2 cores finalize at most ${Math.floor(2000 / total)} events/s with this work alone; with the least storage, ${Math.floor(2000 / withLeast)}.`,
  );
}

/** One table per node: the event with its certificate, FINAL, and its ledger leaf, written BATCH rows a statement. */
async function leastStorage(
  envelopes: readonly Envelope[],
  confs: Map<Cloud, Confirmation[]>,
  server: (() => number | undefined) | undefined,
  run: string,
): Promise<Part> {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 3 * 2 });
  const schemas = CLOUDS.map((c) => `floor_least_${c}_${run}`);
  try {
    for (const s of schemas)
      await pool.query(
        `CREATE SCHEMA ${s};
         CREATE TABLE ${s}.events (event_id text PRIMARY KEY, tenant_id text NOT NULL, hash text NOT NULL,
           envelope text NOT NULL, certificate text NOT NULL, status text NOT NULL, at_ms bigint NOT NULL);
         CREATE TABLE ${s}.leaves (idx bigint PRIMARY KEY, event_id text NOT NULL UNIQUE, entry text NOT NULL);`,
      );
    const next = new Map<string, number>(schemas.map((s) => [s, 0]));
    const write = async (s: string, from: number, to: number) => {
      const batch = envelopes.slice(from, to);
      const certificates = batch.map((e, j) => JSON.stringify(CLOUDS.map((c) => confs.get(c)![from + j]!)));
      const first = next.get(s)!;
      next.set(s, first + batch.length);
      await pool.query(
        `WITH e AS (
           INSERT INTO ${s}.events SELECT id, t, h, env, cert, 'FINAL', $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS x(id, t, h, env, cert)
           RETURNING event_id, certificate)
         INSERT INTO ${s}.leaves SELECT $7 + row_number() OVER (ORDER BY event_id) - 1, event_id, certificate FROM e`,
        [
          batch.map((e) => e.eventId),
          batch.map((e) => e.tenantId),
          batch.map((e) => e.hash),
          batch.map((e) => JSON.stringify(e)),
          certificates,
          Date.now(),
          first,
        ],
      );
    };
    const warm = BATCH * 4;
    for (let from = 0; from < warm; from += BATCH) await Promise.all(schemas.map((s) => write(s, from, from + BATCH)));
    return await measured(
      `least storage (one row and one leaf per event and node, ${BATCH} a statement)`,
      server,
      async () => {
        for (let from = warm; from < envelopes.length; from += BATCH)
          await Promise.all(schemas.map((s) => write(s, from, from + BATCH)));
        return envelopes.length - warm;
      },
    );
  } finally {
    for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
