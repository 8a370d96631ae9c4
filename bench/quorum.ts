/**
 * Quorum throughput: events finalized per second and time to FINAL with three local nodes
 * (in-process, real HTTP on loopback, each on its own schema of the PostgreSQL server at
 * DATABASE_URL), next to a crypto-only bound measured in the same run: the signatures and
 * verifications one event costs in this protocol, on one core (the three nodes share
 * this process's one thread, so that is the fair comparison).
 *
 *   npm run bench:quorum            (DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/test)
 *   EVENTS=3000 CONCURRENCY=64 npm run bench:quorum
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { CLOUDS, type Cloud } from "../functions/core/clouds";
import { signConfirmation, verifyConfirmation } from "../functions/core/confirmation";
import { checkEnvelope, eventHash, makeEnvelope } from "../functions/core/envelope";
import { generateKeyPair, type KeyRing } from "../functions/core/keys";
import { createNode, type QuorumNode } from "../functions/node/node";
import { serveApp, type ServedNode } from "../functions/node/serve";
import { openStore, type Store } from "../functions/store";
import { requestJson } from "../functions/replication/http-json";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const EVENTS = Number(process.env.EVENTS ?? 3000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const WARMUP = 150;

function keyRings(): Record<Cloud, KeyRing> {
  const pairs = CLOUDS.map((c) => [c, generateKeyPair()] as const);
  const publicKeys = Object.fromEntries(pairs.map(([c, p]) => [c, p.publicKey])) as KeyRing["publicKeys"];
  return Object.fromEntries(pairs.map(([c, p]) => [c, { self: c, privateKey: p.privateKey, publicKeys }])) as Record<
    Cloud,
    KeyRing
  >;
}

const payload = (i: number) => ({
  invoice: `INV-${i}`,
  amountCents: 1000 + i,
  lines: [
    { sku: "A-1", qty: 2 },
    { sku: "B-7", qty: 1 },
  ],
});

/**
 * The crypto one FINAL event costs here: origin hashes the envelope and confirms (1 sign);
 * each peer checks the hash and the origin's confirmation (1 verify) and confirms (1 sign);
 * the origin verifies the two peer confirmations; each peer verifies the certificate's other
 * confirmation it has not seen. = 3 signs, 6 verifies, 3 event hashes.
 */
function cryptoBound(keys: Record<Cloud, KeyRing>, seconds = 3): { eventsPerSec: number; usPerEvent: number } {
  let n = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    const env = makeEnvelope({ eventId: `e${n}`, tenantId: "acme", payload: payload(n) });
    const meta = { origin: "aws" as const, logicalClock: n + 1 };
    const own = signConfirmation(env.eventId, env.hash, keys.aws, Date.now(), meta);
    const confs = (["azure", "gcp"] as const).map((c) => {
      if (!checkEnvelope(env).ok) throw new Error("bound: envelope failed");
      if (!verifyConfirmation(env.eventId, own, keys[c].publicKeys))
        throw new Error("bound: origin's confirmation failed");
      return signConfirmation(env.eventId, env.hash, keys[c], Date.now(), meta);
    });
    for (const c of confs)
      if (!verifyConfirmation(env.eventId, c, keys.aws.publicKeys)) throw new Error("bound: confirmation failed");
    for (const [i, peer] of (["azure", "gcp"] as const).entries()) {
      if (eventHash(env) !== env.hash) throw new Error("bound: hash");
      if (!verifyConfirmation(env.eventId, confs[1 - i]!, keys[peer].publicKeys)) throw new Error("bound: cert");
    }
    n++;
  }
  const elapsed = (performance.now() - started) / 1000;
  return { eventsPerSec: n / elapsed, usPerEvent: (elapsed * 1e6) / n };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const keys = keyRings();
  const suffix = randomBytes(3).toString("hex");
  const finalAt = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const members: Array<{ node: QuorumNode; store: Store; served: ServedNode }> = [];
  const urls = {} as Record<Cloud, string>;
  // Serve first on port 0 so every node can be told its peers' URLs.
  const servers = await Promise.all(
    CLOUDS.map(async (cloud) => {
      let target: QuorumNode | undefined;
      const served = await serveApp({ fetch: (req: Request) => target!.app.fetch(req) } as never, { port: 0 });
      urls[cloud] = served.url;
      return { cloud, served, bind: (n: QuorumNode) => (target = n) };
    }),
  );
  for (const { cloud, served, bind } of servers) {
    const store = await openStore({ databaseUrl: DATABASE_URL, schema: `bench_${cloud}_${suffix}`, poolSize: 10 });
    const node = await createNode({
      keys: keys[cloud],
      peers: Object.fromEntries(CLOUDS.filter((c) => c !== cloud).map((c) => [c, urls[c]])),
      store,
      reconcile: { intervalMs: 1_000, graceMs: 10_000 },
      onStatus: (eventId, status, at) => {
        if (status === "FINAL" && eventId.startsWith(`${cloud}-`)) {
          finalAt.set(eventId, at);
          waiters.get(eventId)?.();
        }
      },
    });
    bind(node);
    members.push({ node, store, served });
  }

  try {
    const bound = cryptoBound(keys);
    const submittedAt = new Map<string, number>();
    const run = async (count: number, prefix: string) => {
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < count; i = next++) {
          const origin = CLOUDS[i % 3]!;
          const eventId = `${origin}-${prefix}${i}`;
          submittedAt.set(eventId, Date.now());
          const res = await requestJson(
            `${urls[origin]}/v1/events`,
            "POST",
            JSON.stringify({ tenantId: `tenant-${i % 10}`, payload: payload(i), eventId }),
            10_000,
          );
          if (res.status !== 202) throw new Error(`submit ${eventId}: HTTP ${res.status} ${res.text}`);
          // Closed loop: each client waits for its event to be FINAL before sending the next,
          // so the latency figures measure the quorum, not a queue of our own making.
          if (!finalAt.has(eventId)) {
            await new Promise<void>((resolve) => {
              const t = setTimeout(resolve, 30_000);
              waiters.set(eventId, () => (clearTimeout(t), resolve()));
            });
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const ids = [...submittedAt.keys()].filter((id) => id.includes(`-${prefix}`));
      return ids;
    };

    await run(WARMUP, "warm");
    const started = Date.now();
    const ids = await run(EVENTS, "run");
    const finished = Math.max(...ids.map((id) => finalAt.get(id) ?? Date.now()));
    const finals = ids.filter((id) => finalAt.has(id));
    const latencies = finals.map((id) => finalAt.get(id)! - submittedAt.get(id)!).sort((a, b) => a - b);
    const perSec = finals.length / ((finished - started) / 1000);
    // Wait for the certificates to reach every cloud, then count FINALs per node.
    await new Promise((r) => setTimeout(r, 1_000));
    const perNode = await Promise.all(
      members.map(async (m) => `${m.node.cloud} ${(await m.store.countByStatus()).FINAL}`),
    );

    const ratio = perSec / bound.eventsPerSec;
    const rows = [
      [
        "events (after warm-up)",
        `${EVENTS}, ${CONCURRENCY} closed-loop clients (submit, wait for FINAL, repeat), origins round-robin`,
      ],
      ["finalized at origin", `${finals.length} / ${ids.length}`],
      ["FINAL rows per node", perNode.join(", ")],
      ["**finalized events/s**", perSec.toFixed(0)],
      ["time to FINAL p50", `${percentile(latencies, 50)} ms`],
      ["time to FINAL p99", `${percentile(latencies, 99)} ms`],
      [
        "crypto-only bound (3 signs + 6 verifies + 3 hashes per event, 1 core)",
        `${bound.eventsPerSec.toFixed(0)} events/s (${bound.usPerEvent.toFixed(0)} µs/event)`,
      ],
      ["**ratio to the bound**", `${(ratio * 100).toFixed(1)}%`],
    ];
    process.stdout.write(
      `\n## Quorum benchmark (${new Date().toISOString().slice(0, 10)}, node ${process.version}, PostgreSQL server, 3 in-process nodes on loopback HTTP)\n\n| metric | value |\n|---|---|\n`,
    );
    for (const [k, v] of rows) process.stdout.write(`| ${k} | ${v} |\n`);
    process.stdout.write(
      `\nAll three nodes, their HTTP servers and clients share one JavaScript thread; the PostgreSQL server is the other core.\n` +
        `Per event: 1 public POST, 4 peer POSTs, ~${"20"} SQL statements across three schemas. Those, not the crypto, set the pace.\n`,
    );
  } finally {
    for (const m of members) {
      await m.node.close();
      await m.served.close();
    }
    const deadline = Date.now() + 5_000;
    while (members.some((m) => m.node.replicator.busy > 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    for (const m of members) {
      await m.store.dropSchema();
      await m.store.close();
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:quorum failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
