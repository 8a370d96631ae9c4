/**
 * Ledger costs at 1k, 100k and 1M leaves, through the same LogStore code the nodes run:
 * append throughput (batched build; and one transaction per append, the FINAL path),
 * inclusion and consistency proof generation (plan, one indexed read, fold), and the rows
 * each touches, which is what grows with log2(n).
 *
 *   npm run bench              (all parts)   or   npx tsx bench/ledger.ts
 *   DATABASE_URL=postgres://... picks the server (the default here); LEDGER_ENGINE=pglite uses PGlite in memory.
 *   SIZES=1000,100000 to stop early.
 */
import { randomBytes, randomInt } from "node:crypto";
import { performance } from "node:perf_hooks";
import { leafHash, peaksOf } from "../functions/ledger/merkle";
import { LogStore } from "../functions/ledger/log-store";
import {
  consistencyPlan,
  inclusionPlan,
  planNodes,
  verifyConsistency,
  verifyInclusion,
} from "../functions/ledger/proofs";
import { pgSql, pgliteSql, type Sql } from "../functions/store";

const ENGINE = process.env.LEDGER_ENGINE === "pglite" ? "pglite" : "pg";
const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SIZES = (process.env.SIZES ?? "1000,100000,1000000").split(",").map(Number);
const BATCH = 5000;
const SINGLE_APPENDS = 300;
const PROOFS = 300;

const entryFor = (i: number) => {
  // A certificate-sized entry (a FINAL certificate is ~700 bytes of JCS).
  const entry = JSON.stringify({ type: "bench", i, pad: "x".repeat(680) });
  return { eventId: `bench-${i}`, entry, leafHash: leafHash(Buffer.from(entry)) };
};

async function timeEach<T>(
  n: number,
  fn: (i: number) => Promise<T>,
): Promise<{ meanMs: number; p99Ms: number; last: T }> {
  const times: number[] = [];
  let last!: T;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    last = await fn(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { meanMs: times.reduce((a, b) => a + b, 0) / n, p99Ms: times[Math.floor(n * 0.99)]!, last };
}

async function main(): Promise<void> {
  const started = performance.now();
  const sql: Sql = ENGINE === "pg" ? pgSql(DATABASE_URL, { max: 2 }) : await pgliteSql();
  const schema = `bench_ledger_${randomBytes(3).toString("hex")}`;
  // The ledger lives beside the quorum tables; only its own are needed here, plus an events table for catch-up queries.
  const log = await LogStore.open(sql, schema);
  const rows: string[] = [];
  try {
    let size = 0;
    let buildMs = 0;
    for (const target of SIZES) {
      const t0 = performance.now();
      while (size < target) {
        const n = Math.min(BATCH, target - size);
        await log.append(
          Array.from({ length: n }, (_, k) => entryFor(size + k)),
          Date.now(),
        );
        size += n;
      }
      const built = performance.now() - t0;
      buildMs += built;
      const grown = target - (rows.length ? SIZES[rows.length - 1]! : 0);

      // One transaction per append: the path a FINAL event takes.
      const single = await timeEach(SINGLE_APPENDS, async (k) => {
        await log.append([entryFor(size + k)], Date.now());
      });
      size += SINGLE_APPENDS;
      const root = await log.root(size);

      const incl = await timeEach(PROOFS, async () => {
        const index = randomInt(size);
        const proof = await log.inclusionProof(index, size);
        return { index, proof };
      });
      if (
        !verifyInclusion(
          incl.last.index,
          size,
          (await log.readNodes([{ level: 0, index: incl.last.index }])).get(`0/${incl.last.index}`)!,
          incl.last.proof,
          root,
        ).ok
      )
        throw new Error("inclusion proof did not verify");
      const cons = await timeEach(PROOFS, async () => {
        const from = 1 + randomInt(size - 1);
        return { from, proof: await log.consistencyProof(from, size) };
      });
      if (!verifyConsistency(cons.last.from, size, cons.last.proof, await log.root(cons.last.from), root).ok)
        throw new Error("consistency proof did not verify");

      const inclNodes = planNodes(inclusionPlan(size - 1 - Math.floor(size / 3), size)).length;
      const consNodes = planNodes(consistencyPlan(Math.floor(size / 3), size)).length;
      rows.push(
        `| ${size.toLocaleString("en")} | ${Math.round(grown / (built / 1000)).toLocaleString("en")} | ${(1000 / single.meanMs).toFixed(0)} (${single.meanMs.toFixed(2)} / ${single.p99Ms.toFixed(2)} ms) | ${peaksOf(size).length} | ${(incl.meanMs * 1000).toFixed(0)} µs (${incl.last.proof.length} hashes, ${inclNodes} rows) | ${(cons.meanMs * 1000).toFixed(0)} µs (${cons.last.proof.length} hashes, ${consNodes} rows) |`,
      );
      process.stderr.write(`ledger bench: ${size} leaves (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
    }
    const totalRows = await sql.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM ${schema}.ledger_nodes`);
    process.stdout.write(
      `## Ledger (Merkle log) — ${ENGINE === "pg" ? "PostgreSQL server" : "PGlite in memory"}, ${new Date().toISOString().slice(0, 10)}\n\n`,
    );
    process.stdout.write(
      `Built through \`LogStore.append\` in batches of ${BATCH} (one transaction each); then, at each size, ${SINGLE_APPENDS} appends of one entry ` +
        `in their own transaction (the FINAL path) and ${PROOFS} inclusion and consistency proofs for random positions, read from storage. ` +
        `Entries are ~700-byte stand-ins for certificates (the tree code does not look inside). ${totalRows[0]!.n.toLocaleString("en")} stored subtree rows in the end; total ${((performance.now() - started) / 1000).toFixed(0)} s.\n\n`,
    );
    process.stdout.write(
      "| leaves | batched appends/s (build) | single appends/s (mean / p99) | peaks read per append | inclusion proof | consistency proof |\n|---:|---:|---:|---:|---:|---:|\n",
    );
    process.stdout.write(`${rows.join("\n")}\n`);
    process.stderr.write(`ledger bench: build ${Math.round(buildMs / 1000)} s\n`);
  } finally {
    await sql.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await sql.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
