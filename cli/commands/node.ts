import { join } from "node:path";
import pino, { type Logger } from "pino";
import { CLOUDS, isCloud, type Cloud } from "../../functions/core/clouds";
import { loadKeyRing } from "../../functions/node/keyfiles";
import { createNode } from "../../functions/node/node";
import { serveApp, type ServedNode } from "../../functions/node/serve";
import { openStore } from "../../functions/store";
import type { Store } from "../../functions/store/store";
import { integer, LOG_LEVELS, oneOf, required, UsageError, type FlagValues } from "../args";
import { NODE, TUNING_FLAGS } from "../specs";

type TuningKey = (typeof TUNING_FLAGS)[number][1];

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

function parse(values: FlagValues): NodeArgs {
  const tuning: Partial<Record<TuningKey, number>> = {};
  for (const [flag, key, min] of TUNING_FLAGS)
    if (values[flag] !== undefined) tuning[key] = integer(flag, values[flag], min);
  if (tuning.probeBaseMs !== undefined && tuning.probeCapMs !== undefined && tuning.probeCapMs < tuning.probeBaseMs) {
    throw new UsageError(
      `--probe-cap-ms: expected at least --probe-base-ms (${tuning.probeBaseMs}), got ${tuning.probeCapMs}`,
    );
  }
  const cloud = required(NODE, values, "cloud", `one of ${CLOUDS.join(", ")}`);
  if (!isCloud(cloud)) throw new UsageError(`--cloud: expected one of ${CLOUDS.join(", ")}, got "${cloud}"`);
  const port = integer("port", required(NODE, values, "port", "an integer from 0 to 65535"), 0, 65535);
  const keys = required(NODE, values, "keys", "the directory written by `tricloud keygen`");
  const peers: Partial<Record<Cloud, string>> = {};
  for (const spec of (values.peer as string[] | undefined) ?? []) {
    const eq = spec.indexOf("=");
    const peerCloud = spec.slice(0, eq);
    const url = spec.slice(eq + 1).replace(/\/+$/, "");
    if (eq < 0 || !isCloud(peerCloud) || peerCloud === cloud)
      throw new UsageError(
        `--peer: expected CLOUD=URL with CLOUD one of the other clouds (${CLOUDS.filter((c) => c !== cloud).join(", ")}), got "${spec}"`,
      );
    if (!/^https?:\/\/[^/]+/.test(url))
      throw new UsageError(`--peer ${peerCloud}: expected an http(s) URL, got "${url}"`);
    peers[peerCloud] = url;
  }
  const databaseUrl = values["database-url"] as string | undefined;
  const dataDir = values["data-dir"] as string | undefined;
  if (databaseUrl && dataDir) throw new UsageError("--database-url and --data-dir: expected at most one of them");
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new UsageError(`--database-url: expected postgres://user@host:port/db, got "${redactUrl(databaseUrl)}"`);
  const logLevel = oneOf("log-level", values["log-level"], LOG_LEVELS);
  return {
    cloud,
    port,
    keys,
    peers,
    host: values.host as string,
    databaseUrl,
    dataDir,
    region: values.region as string | undefined,
    schema: (values.schema as string | undefined) ?? `tricloud_${cloud}`,
    safeMode: values["safe-mode"] as string | undefined,
    logLevel,
    tuning,
  };
}

/** A connection string without its password, fit for an error message. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

/** The empty PGlite cluster new in-memory and data-directory stores start from, with the bin's other caches. */
const PGLITE_TEMPLATE_DIR = join(
  process.env.TRICLOUD_CACHE_DIR || join(__dirname, "..", "..", "node_modules", ".cache"),
  "tricloud-pglite",
);

/** Opens the store, turning a dead server or an unusable directory into an error that names the flag. */
async function openNamedStore(args: NodeArgs): Promise<Store> {
  try {
    return await openStore({
      databaseUrl: args.databaseUrl,
      dataDir: args.dataDir,
      schema: args.schema,
      pgliteTemplateDir: PGLITE_TEMPLATE_DIR,
    });
  } catch (err) {
    const why = (err as Error).message || (err as { code?: string }).code || String(err);
    if (args.databaseUrl)
      throw new UsageError(
        `--database-url: cannot use ${redactUrl(args.databaseUrl)}: ${why}; expected a reachable PostgreSQL server`,
      );
    if (args.dataDir) throw new UsageError(`--data-dir: cannot open ${args.dataDir}: ${why}`);
    throw err;
  }
}

/** Listens, turning a port in use into an error that names the flag. */
async function serveNamed(app: Parameters<typeof serveApp>[0], args: NodeArgs, log: Logger): Promise<ServedNode> {
  try {
    return await serveApp(app, { port: args.port, hostname: args.host, log });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EADDRINUSE")
      throw new UsageError(
        `--port: ${args.host}:${args.port} is already in use; expected a free port (another tricloud node?)`,
      );
    if (code === "EADDRNOTAVAIL" || code === "EACCES")
      throw new UsageError(`--host/--port: cannot listen on ${args.host}:${args.port} (${code})`);
    throw err;
  }
}

/** `tricloud node`: one quorum node (one cloud) until SIGINT/SIGTERM. */
export async function main(flags: FlagValues): Promise<number> {
  const args = parse(flags);
  const log = pino({ level: args.logLevel, base: { cloud: args.cloud } });
  let keys;
  try {
    keys = await loadKeyRing(args.keys, args.cloud);
  } catch (err) {
    throw new UsageError(`--keys: ${(err as Error).message.replace(/^keys: /, "")}`);
  }
  if (Object.keys(args.peers).length < 2)
    log.warn(
      { peers: args.peers },
      "fewer than two peers configured: this node can only finalize with the ones it has",
    );
  const store = await openNamedStore(args);
  if (!args.databaseUrl && !args.dataDir)
    log.warn(
      "embedded PGlite in memory: events are lost when this node stops (pass --data-dir or --database-url to keep them)",
    );
  const t = args.tuning;
  const defined = <T extends object>(o: T): Partial<T> =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  const node = await createNode({
    keys,
    peers: args.peers,
    store,
    region: args.region,
    logger: log,
    safeMode: args.safeMode ?? null,
    policy: defined({
      breakerThreshold: t.breakerThreshold,
      halfOpenAfterMs: t.probeBaseMs,
      probeCapMs: t.probeCapMs ?? (t.probeBaseMs !== undefined ? Math.max(t.probeBaseMs, 1_000) : undefined),
      backoffBaseMs: t.retryBaseMs,
      backoffCapMs: t.retryBaseMs !== undefined ? t.retryBaseMs * 8 : undefined,
    }),
    peerTimeoutMs: t.peerTimeoutMs,
    directTimeoutMs: t.directTimeoutMs,
    reconcile: defined({ intervalMs: t.reconcileIntervalMs, graceMs: t.reconcileGraceMs }),
    ledger: defined({ checkpointIntervalMs: t.checkpointIntervalMs }),
  });
  let served: ServedNode;
  try {
    served = await serveNamed(node.app, args, log);
  } catch (err) {
    await node.close();
    await store.close();
    throw err;
  }
  // A person at a terminal gets one plain line first; the JSON logs are for machines.
  if (process.stderr.isTTY)
    process.stderr.write(
      `tricloud node ${args.cloud}: listening on ${served.url} (store ${store.kind}${args.databaseUrl || args.dataDir ? "" : " in memory"}; Ctrl-C stops)\n`,
    );
  log.info(
    { url: served.url, store: store.kind, schema: store.schema, peers: args.peers, tuning: args.tuning },
    `tricloud node ${args.cloud} listening on ${served.url}`,
  );
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
