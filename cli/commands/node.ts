import { parseArgs } from "node:util";
import pino from "pino";
import { CLOUDS, isCloud, type Cloud } from "../../functions/core/clouds";
import { loadKeyRing } from "../../functions/node/keyfiles";
import { createNode } from "../../functions/node/node";
import { serveApp } from "../../functions/node/serve";
import { openStore } from "../../functions/store";

const USAGE = `usage: tricloud node --cloud aws|azure|gcp --port N --keys DIR --peer CLOUD=URL ...
                     [--database-url URL | --data-dir DIR] [--host 127.0.0.1] [--region NAME]
                     [--schema NAME] [--safe-mode REASON] [--log-level info] [tuning flags]

tuning (milliseconds unless said otherwise; the defaults are the production settings):
  --reconcile-interval-ms N   pause between reconciler passes, which re-drive PENDING events
                              and re-offer FINAL ones to clouds missing from them (500)
  --reconcile-grace-ms N      leave a new event to its first replication this long before
                              the reconciler re-drives it (1000)
  --breaker-threshold N       consecutive failed calls that open a peer's breaker (5)
  --probe-base-ms N           first wait of an open breaker before a trial call, and of the
                              recovery probe that pings the peer past the breaker; each failed
                              probe doubles it, with jitter (250)
  --probe-cap-ms N            cap of that doubling: a healed peer is seen within about this (1000)
  --peer-timeout-ms N         timeout of one call to a peer (2000)
  --direct-timeout-ms N       timeout of a call past the breaker: equivocation cross-checks
                              and probes (min(1000, peer timeout / 2))
  --retry-base-ms N           certificate deliveries retry after random(0, base * 2^n) ms,
                              n = 0..3 (1000: the 1-2-4-8 s back-off), cut short when the
                              peer answers again
  --checkpoint-interval-ms N  how often the ledger signs a checkpoint and asks the other
                              clouds to cosign it (60000)

What to watch: GET /health (checks.peers.<cloud>: state up|down|unknown from the last real
exchange, breaker closed|open|half-open, probe.failures, probe.nextAtMs),
GET /v1/events/<id> (status, hash, confirmations, origin, evidence), GET /v1/peer/attempts
(refused peer messages with their source) and GET /v1/peer/evidence (equivocation proofs).
`;

/** The tuning flags: name, NodeArgs key, smallest accepted value. */
const TUNING = [
  ["reconcile-interval-ms", "reconcileIntervalMs", 1],
  ["reconcile-grace-ms", "reconcileGraceMs", 0],
  ["breaker-threshold", "breakerThreshold", 1],
  ["probe-base-ms", "probeBaseMs", 1],
  ["probe-cap-ms", "probeCapMs", 1],
  ["peer-timeout-ms", "peerTimeoutMs", 1],
  ["direct-timeout-ms", "directTimeoutMs", 1],
  ["retry-base-ms", "retryBaseMs", 0],
  ["checkpoint-interval-ms", "checkpointIntervalMs", 1],
] as const;
type TuningKey = (typeof TUNING)[number][1];

class UsageError extends Error {}

function usageError(message: string): never {
  throw new UsageError(message);
}

interface NodeArgs {
  cloud: Cloud;
  port: number;
  keys: string;
  peers: Partial<Record<Cloud, string>>;
  host: string;
  databaseUrl?: string;
  dataDir?: string;
  region?: string;
  schema: string;
  safeMode?: string;
  logLevel: string;
  tuning: Partial<Record<TuningKey, number>>;
}

function parse(argv: string[]): NodeArgs | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      cloud: { type: "string" },
      port: { type: "string" },
      keys: { type: "string" },
      peer: { type: "string", multiple: true },
      host: { type: "string" },
      "database-url": { type: "string" },
      "data-dir": { type: "string" },
      region: { type: "string" },
      schema: { type: "string" },
      "safe-mode": { type: "string" },
      "log-level": { type: "string" },
      ...Object.fromEntries(TUNING.map(([flag]) => [flag, { type: "string" as const }])),
      help: { type: "boolean", short: "h" },
    },
  });
  const tuning: Partial<Record<TuningKey, number>> = {};
  for (const [flag, key, min] of TUNING) {
    const raw = (values as Record<string, unknown>)[flag];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (typeof raw !== "string" || !/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) usageError(`--${flag}: expected an integer >= ${min}, got "${String(raw)}"`);
    tuning[key] = n;
  }
  if (tuning.probeBaseMs !== undefined && tuning.probeCapMs !== undefined && tuning.probeCapMs < tuning.probeBaseMs) {
    usageError(`--probe-cap-ms: expected at least --probe-base-ms (${tuning.probeBaseMs}), got ${tuning.probeCapMs}`);
  }
  if (values.help) return "help";
  const cloud = values.cloud;
  if (!isCloud(cloud)) usageError(`--cloud: expected one of ${CLOUDS.join(", ")}, got ${cloud === undefined ? "nothing" : `"${cloud}"`}`);
  const port = Number(values.port);
  if (values.port === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
    usageError(`--port: expected an integer from 0 to 65535, got ${values.port === undefined ? "nothing" : `"${values.port}"`}`);
  }
  if (!values.keys) usageError("--keys: expected the directory written by `tricloud keygen`");
  const peers: Partial<Record<Cloud, string>> = {};
  for (const spec of values.peer ?? []) {
    const eq = spec.indexOf("=");
    const peerCloud = spec.slice(0, eq);
    const url = spec.slice(eq + 1).replace(/\/+$/, "");
    if (eq < 0 || !isCloud(peerCloud) || peerCloud === cloud) usageError(`--peer: expected CLOUD=URL with CLOUD one of the other clouds (${CLOUDS.filter((c) => c !== cloud).join(", ")}), got "${spec}"`);
    if (!/^https?:\/\/[^/]+/.test(url)) usageError(`--peer ${peerCloud}: expected an http(s) URL, got "${url}"`);
    peers[peerCloud] = url;
  }
  if (values["database-url"] && values["data-dir"]) usageError("--database-url and --data-dir: expected at most one of them");
  const logLevel = values["log-level"] ?? "info";
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel)) usageError(`--log-level: expected fatal|error|warn|info|debug|trace|silent, got "${logLevel}"`);
  return {
    cloud,
    port,
    keys: values.keys,
    peers,
    host: values.host ?? "127.0.0.1",
    databaseUrl: values["database-url"],
    dataDir: values["data-dir"],
    region: values.region,
    schema: values.schema ?? `tricloud_${cloud}`,
    safeMode: values["safe-mode"],
    logLevel,
    tuning,
  };
}

/** `tricloud node`: one quorum node (one cloud) until SIGINT/SIGTERM. */
export async function main(argv: string[]): Promise<number> {
  let args: NodeArgs | "help";
  try {
    args = parse(argv);
  } catch (err) {
    process.stderr.write(`tricloud node: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const log = pino({ level: args.logLevel, base: { cloud: args.cloud } });
  let keys;
  try {
    keys = await loadKeyRing(args.keys, args.cloud);
  } catch (err) {
    process.stderr.write(`tricloud node: --keys ${(err as Error).message}\n`);
    return 2;
  }
  if (Object.keys(args.peers).length < 2) log.warn({ peers: args.peers }, "fewer than two peers configured: this node can only finalize with the ones it has");
  const store = await openStore({ databaseUrl: args.databaseUrl, dataDir: args.dataDir, schema: args.schema });
  if (!args.databaseUrl && !args.dataDir) log.warn("embedded PGlite in memory: events are lost when this node stops (pass --data-dir or --database-url to keep them)");
  const t = args.tuning;
  const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  const node = await createNode({
    keys,
    peers: args.peers,
    store,
    region: args.region,
    logger: log,
    safeMode: args.safeMode ?? null,
    policy: defined({ breakerThreshold: t.breakerThreshold, halfOpenAfterMs: t.probeBaseMs, probeCapMs: t.probeCapMs ?? (t.probeBaseMs !== undefined ? Math.max(t.probeBaseMs, 1_000) : undefined), backoffBaseMs: t.retryBaseMs, backoffCapMs: t.retryBaseMs !== undefined ? t.retryBaseMs * 8 : undefined }),
    peerTimeoutMs: t.peerTimeoutMs,
    directTimeoutMs: t.directTimeoutMs,
    reconcile: defined({ intervalMs: t.reconcileIntervalMs, graceMs: t.reconcileGraceMs }),
    ledger: defined({ checkpointIntervalMs: t.checkpointIntervalMs }),
  });
  const served = await serveApp(node.app, { port: args.port, hostname: args.host, log });
  log.info({ url: served.url, store: store.kind, schema: store.schema, peers: args.peers, tuning: args.tuning }, `tricloud node ${args.cloud} listening on ${served.url}`);
  // A stray rejection is a bug to log, never a reason to drop the node and its clients.
  process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection"));

  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  log.info("stopping");
  await served.close();
  await node.close();
  await store.close();
  return 0;
}
