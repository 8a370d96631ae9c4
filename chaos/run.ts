import { execFileSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { CLOUDS, otherClouds as others, type Cloud } from "../functions/core/clouds";
import { loadKeyRing } from "../functions/node/keyfiles";
import { check, type CheckResult } from "./checker";
import { ChaosCluster, pgReachable } from "./cluster";
import { History, type HistoryData } from "./history";
import { call, record } from "./http";
import { DEFAULT_TIMING, FAULT_WEIGHTS, Nemesis } from "./nemesis";
import type { LinkStats } from "./proxy";
import { Rng } from "./rng";
import {
  Registry,
  duplicateClient,
  equivocator,
  forgeClient,
  honestClient,
  limitAttack,
  malformedClient,
  readEvent,
  replayClient,
  reuseClient,
  witnessReplayer,
  type WorkloadContext,
} from "./workload";

export interface ChaosOptions {
  seed: number;
  /** Seconds of workload under faults (setup, quiesce and final reads come on top). */
  durationS: number;
  store?: "pg" | "pglite";
  /** Maintenance URL of the local PostgreSQL server; a database per node and run is made beside it. */
  databaseUrl?: string;
  clients?: number;
  /** Malformed requests over the run (default: 10 per second of duration, at most 5000). */
  malformed?: number;
  /** Draw partition-all faults too (no two clouds can talk). */
  partitionAll?: boolean;
  /** Calm between faults and how long each lasts, ms (default 1.5-3 s and 1.5-4 s). */
  faultGapMs?: readonly [number, number];
  faultLengthMs?: readonly [number, number];
  /** Bound on waiting for FINAL after the workload, and again on the final reads. */
  quiesceMs?: number;
  keep?: boolean;
  logLevel?: string;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  durationS: number;
  store: "pg" | "pglite";
  stolenKey: Cloud;
  startedAt: string;
  wallS: number;
  /** What ran: the commit, whether the runtime had uncommitted changes, and how busy the machine was (1-minute load average). */
  environment: {
    commit: string;
    runtimeDirty: boolean;
    node: string;
    cpus: number;
    loadAverageAtStart: number;
    loadAverageAtEnd: number;
  };
  valid: boolean;
  counts: Record<string, unknown>;
  faults: {
    id: number;
    kind: string;
    victims: Cloud[];
    links: string[];
    params?: Record<string, unknown>;
    startMs: number;
    stopMs?: number;
  }[];
  links: Record<string, LinkStats>;
  invariants: CheckResult["invariants"];
  liveness: CheckResult["liveness"];
  workDir?: string;
}

export const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function mapLimit<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let t = queue.shift(); t !== undefined; t = queue.shift()) await fn(t);
    }),
  );
}

/** One seeded run: start the cluster, run clients and faults, heal, collect final states, check. */
export async function runChaos(o: ChaosOptions): Promise<{ report: ChaosReport; history: HistoryData }> {
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new Error(`seed: expected a non-negative integer, got ${o.seed}`);
  if (!(o.durationS > 0 && o.durationS <= 3_600))
    throw new Error(`duration: expected 1 to 3600 seconds, got ${o.durationS}`);
  const log = o.log ?? (() => undefined);
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  const h = new History(o.seed);
  const rng = new Rng(o.seed);
  const databaseUrl = o.databaseUrl ?? DEFAULT_DATABASE_URL;
  const store = o.store ?? ((await pgReachable(databaseUrl)) ? "pg" : "pglite");
  const workDir = await mkdtemp(join(tmpdir(), `tricloud-chaos-${o.seed}-`));
  log(`chaos: seed ${o.seed}, ${o.durationS} s, store ${store}, work dir ${workDir}`);
  const cluster = await ChaosCluster.start({
    history: h,
    rng: rng.fork("cluster"),
    workDir,
    store,
    databaseUrl,
    logLevel: o.logLevel ?? "warn",
  });
  let stopped = false;
  try {
    const thief = rng.fork("thief").pick(CLOUDS);
    h.stolenKey = thief;
    const stolen = await loadKeyRing(cluster.keysDir, thief);
    const nemesis = new Nemesis(
      h,
      cluster,
      rng.fork("nemesis"),
      o.partitionAll === false ? FAULT_WEIGHTS.filter(([k]) => k !== "partition-all") : FAULT_WEIGHTS,
      {
        gapMs: o.faultGapMs ?? DEFAULT_TIMING.gapMs,
        lengthMs: o.faultLengthMs ?? DEFAULT_TIMING.lengthMs,
      },
    );
    const registry = new Registry();
    const runMs = o.durationS * 1_000;
    const ctx: WorkloadContext = {
      h,
      cluster,
      rng: rng.fork("workload"),
      publicKeys: stolen.publicKeys,
      stolen,
      untilMs: h.now() + runMs,
      calm: () => nemesis.calm(),
      registry,
    };
    log(`chaos: nodes up (${CLOUDS.map((c) => `${c} ${cluster.url(c)}`).join(", ")}); attacker holds ${thief}'s key`);

    forgeClient(ctx);
    const limits: Promise<void>[] = [];
    nemesis.limitPair = others(thief) as [Cloud, Cloud];
    nemesis.listeners.push((f) => void limits.push(limitAttack(ctx, f)));
    await Promise.all([
      nemesis.run(ctx.untilMs),
      ...Array.from({ length: o.clients ?? 4 }, (_, k) => honestClient(ctx, k)),
      duplicateClient(ctx),
      reuseClient(ctx),
      replayClient(ctx),
      equivocator(ctx),
      malformedClient(ctx, o.malformed ?? Math.min(5_000, Math.round(10 * o.durationS))),
      witnessReplayer(ctx, runMs),
    ]);
    await Promise.all(limits);
    await cluster.healAll();
    log(
      `chaos: workload done at ${Math.round(h.now())} ms (${registry.acked.size} events acknowledged, ${h.faults.length} faults); healing and waiting for FINAL`,
    );

    // Quiesce: every acknowledged event should reach FINAL now that all is healed.
    const quiesceMs = o.quiesceMs ?? 20_000;
    const honest = () => [...registry.acked.keys()];
    const quiesceUntil = Date.now() + quiesceMs;
    while (Date.now() < quiesceUntil && honest().some((id) => !registry.finalViews.has(id))) await sleep(200);
    registry.stopPolling = true;
    await Promise.all([...registry.pollers]);

    // Final states: read every event on every node until the honest ones are FINAL everywhere (bounded).
    const ids = [...registry.ids];
    const settled = new Set<string>();
    const finalUntil = Date.now() + quiesceMs;
    while (true) {
      const todo = ids
        .flatMap((id) => CLOUDS.map((node) => [id, node] as const))
        .filter(([id, node]) => !settled.has(`${node}/${id}`));
      await mapLimit(todo, 16, async ([id, node]) => {
        const v = await readEvent(ctx, "final", node, id);
        // Settled: a terminal state, absent and never acknowledged, or an attack (which may rightly stay PENDING).
        const done = v ? v.status !== "PENDING" : !registry.acked.has(id);
        if (done || id.startsWith("q")) settled.add(`${node}/${id}`);
      });
      if (settled.size === ids.length * CLOUDS.length || Date.now() > finalUntil) break;
      await sleep(500);
    }
    // What each node kept as evidence about the equivocations, what its witness refused, its health.
    const attacked = ids.filter((id) => id.startsWith("q"));
    await mapLimit(
      attacked.flatMap((id) => CLOUDS.map((node) => [id, node] as const)),
      8,
      async ([id, node]) => {
        const op = h.invoke("final", "evidence", { node, eventId: id });
        await record(
          h,
          op,
          () =>
            call(`${cluster.url(node)}/v1/peer/evidence?eventId=${encodeURIComponent(id)}&limit=100`, {
              timeoutMs: 3_000,
            }),
          (a) => ({
            evidenceKinds: ((a.body as { evidence?: { kind?: string }[] } | undefined)?.evidence ?? []).map((e) =>
              String(e.kind),
            ),
          }),
        );
      },
    );
    // The auditor's view: a fresh checkpoint of every log, then `tricloud audit verify` over the three nodes.
    for (const node of CLOUDS) {
      const op = h.invoke("final", "checkpoint", { node });
      await record(h, op, () =>
        call(`${cluster.url(node)}/v1/ledger/checkpoint`, { method: "POST", timeoutMs: 15_000 }),
      );
    }
    const audit = h.invoke("final", "audit");
    const verdict = await cluster.audit(90_000);
    h.complete(audit, verdict.code === null ? "info" : "ok", {
      http: verdict.code ?? undefined,
      detail: { failures: verdict.failures, ...(verdict.error ? { error: verdict.error } : {}) },
    });
    for (const node of CLOUDS) {
      const w = h.invoke("final", "witnessed", { node });
      await record(
        h,
        w,
        () => call(`${cluster.url(node)}/v1/ledger/witnessed`, { timeoutMs: 3_000 }),
        (a) => {
          const refusals = (a.body as { refusals?: unknown[] } | undefined)?.refusals;
          return Array.isArray(refusals)
            ? {
                refusals: refusals.length,
                ...(refusals.length ? { detail: { first: refusals[0] as Record<string, unknown> } } : {}),
              }
            : {};
        },
      );
      const hop = h.invoke("final", "health", { node });
      await record(h, hop, () => call(`${cluster.url(node)}/health`, { timeoutMs: 3_000 }));
    }
    const links = Object.fromEntries([...cluster.links].map(([name, l]) => [name, { ...l.stats }]));
    await cluster.stop(o.keep ?? false);
    stopped = true;

    const history = h.toJSON();
    const result = check(history);
    const report: ChaosReport = {
      seed: o.seed,
      durationS: o.durationS,
      store,
      stolenKey: thief,
      startedAt: new Date(started).toISOString(),
      wallS: Math.round((Date.now() - started) / 100) / 10,
      environment: {
        ...gitState(),
        node: process.version,
        cpus: cpus().length,
        loadAverageAtStart: round2(loadAtStart),
        loadAverageAtEnd: round2(loadavg()[0]!),
      },
      valid: result.valid,
      counts: counts(history, registry),
      faults: history.faults.map((f) => ({ ...f })),
      links,
      invariants: result.invariants,
      liveness: result.liveness,
      ...(o.keep ? { workDir } : {}),
    };
    return { report, history };
  } finally {
    if (!stopped) await cluster.stop(o.keep ?? false);
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function gitState(): { commit: string; runtimeDirty: boolean } {
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: join(__dirname, ".."),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  try {
    return {
      commit: git("rev-parse", "--short", "HEAD"),
      runtimeDirty: git("status", "--porcelain", "--", "functions", "cli", "bin") !== "",
    };
  } catch {
    return { commit: "unknown", runtimeDirty: false };
  }
}

function counts(h: HistoryData, registry: Registry): Record<string, unknown> {
  const ops: Record<string, Record<string, number>> = {};
  for (const op of h.ops) {
    const c = (ops[op.f] ??= { invoked: 0, ok: 0, fail: 0, info: 0 });
    c.invoked!++;
    if (op.type) c[op.type] = (c[op.type] ?? 0) + 1;
  }
  const faults: Record<string, number> = {};
  for (const f of h.faults) faults[f.kind] = (faults[f.kind] ?? 0) + 1;
  const ids = [...registry.ids];
  return {
    ops,
    events: {
      honest: ids.filter((id) => id.startsWith("h")).length,
      duplicatesToAllThree: ids.filter((id) => id.startsWith("d")).length,
      equivocations: ids.filter((id) => id.startsWith("q")).length,
      acknowledged: registry.acked.size,
      crossNodeSubmissions: new Set(
        h.ops.filter((op) => op.f === "submit" && op.value?.tag !== "first").map((op) => op.eventId),
      ).size,
    },
    faults,
    nodeExits: h.exits.length,
    errorLogLines: h.logErrors.length,
  };
}

/** The report as a few lines for a terminal. */
export function summary(r: ChaosReport): string {
  const e = r.environment;
  const lines = [
    `chaos seed ${r.seed}: ${r.durationS} s under faults, ${r.wallS} s wall, store ${r.store}, stolen key ${r.stolenKey}`,
    `  ran: commit ${e.commit}${e.runtimeDirty ? " (runtime with uncommitted changes)" : ""}, node ${e.node}, ${e.cpus} cpus, load average ${e.loadAverageAtStart} -> ${e.loadAverageAtEnd}`,
  ];
  const ev = (r.counts.events ?? {}) as Record<string, number>;
  lines.push(
    `  events: ${ev.acknowledged} acknowledged (${ev.honest} honest, ${ev.duplicatesToAllThree} sent to all three, ${ev.crossNodeSubmissions} on more than one node, ${ev.equivocations} equivocations)`,
  );
  lines.push(
    `  faults: ${
      Object.entries(r.counts.faults as Record<string, number>)
        .map(([k, n]) => `${k} x${n}`)
        .join(", ") || "none"
    }`,
  );
  const l = r.liveness;
  const ms = (x: number | null) =>
    x === null ? "n/a" : x === Infinity || x === null ? "never" : `${Math.round(x)} ms`;
  lines.push(
    `  time to FINAL after the last fault: p50 ${ms(l.p50Ms)}, p99 ${ms(l.p99Ms)}, max ${ms(l.maxMs)} (${l.finalized}/${l.events} FINAL; from submission p50 ${ms(l.fromSubmitP50Ms)}, p99 ${ms(l.fromSubmitP99Ms)})`,
  );
  lines.push(
    `    sent to a healthy node while one cloud was out: p50 ${ms(l.healthyWhileOneOut.p50Ms)}, p99 ${ms(l.healthyWhileOneOut.p99Ms)} (${l.healthyWhileOneOut.events}); obstructed, after the heal: p50 ${ms(l.afterObstruction.p50Ms)}, p99 ${ms(l.afterObstruction.p99Ms)} (${l.afterObstruction.events})`,
  );
  for (const inv of r.invariants)
    lines.push(
      `  ${inv.held ? "held    " : inv.severity === "advisory" ? "ADVISORY" : "VIOLATED"} ${inv.name.padEnd(28)} ${inv.held ? `(${inv.checked} checked)` : `${inv.violations} of ${inv.checked}`}`,
    );
  lines.push(
    r.valid
      ? "  every invariant held"
      : `  INVARIANTS VIOLATED: ${r.invariants
          .filter((i) => !i.held && i.severity === "invariant")
          .map((i) => i.name)
          .join(", ")}`,
  );
  return lines.join("\n");
}

export async function writeReport(
  path: string,
  report: ChaosReport,
  history?: { path: string; data: HistoryData },
): Promise<void> {
  const json = (v: unknown) => `${JSON.stringify(v, (_k, x) => (x === Infinity ? "Infinity" : x), 2)}\n`;
  await writeFile(path, json(report));
  if (history) await writeFile(history.path, json(history.data));
}
