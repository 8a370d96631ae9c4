import { parseArgs } from "node:util";
import pino from "pino";
import { CLOUDS, isCloud, type Cloud } from "../../functions/core/clouds";
import { loadKeyRing } from "../../functions/node/keyfiles";
import { createNode } from "../../functions/node/node";
import { serveApp } from "../../functions/node/serve";
import { openStore } from "../../functions/store";

const USAGE = `usage: tricloud node --cloud aws|azure|gcp --port N --keys DIR --peer CLOUD=URL ...
                     [--database-url URL | --data-dir DIR] [--host 127.0.0.1] [--region NAME]
                     [--schema NAME] [--safe-mode REASON] [--log-level info]
`;

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
      help: { type: "boolean", short: "h" },
    },
  });
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
  const node = await createNode({ keys, peers: args.peers, store, region: args.region, logger: log, safeMode: args.safeMode ?? null });
  const served = await serveApp(node.app, { port: args.port, hostname: args.host, log });
  log.info({ url: served.url, store: store.kind, schema: store.schema, peers: args.peers }, `tricloud node ${args.cloud} listening on ${served.url}`);
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
