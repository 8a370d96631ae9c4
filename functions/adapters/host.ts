import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { answerThenSettle } from "../node/after-answer";
import { createNode, type NodeOptions, type QuorumNode } from "../node/node";
import { pgSql } from "../store/pg";
import { SqlStore } from "../store/sql-store";
import type { Store } from "../store/store";
import type { HostConfig, HostSecrets } from "./config";
import { keyRingFromPem } from "./keys";

/**
 * How long a serverless answer waits for the work its request started (node/after-answer.ts): a
 * replication pass takes tens of milliseconds, a peer that does not answer 2 s per call (the peer
 * timeout). Longer than that is the reconciler's, which the host's schedule runs every minute.
 */
export const SETTLE_MS = 5_000;

/** Opens this instance's store; the default is a small `pg` pool (PGlite never ships in a bundle). */
export type StoreOpener = (secrets: HostSecrets, config: HostConfig) => Promise<Store>;

export interface QuorumHostOptions {
  readonly config: HostConfig;
  /** Read once per instance (cold start), again only after a failed start. */
  readonly secrets: () => Promise<HostSecrets>;
  readonly openStore?: StoreOpener;
  /** How long an answer waits for the work its request started (default SETTLE_MS). */
  readonly settleMs?: number;
  /** Node settings tests inject (clock, breaker timings); production uses the defaults. */
  readonly node?: Partial<Omit<NodeOptions, "keys" | "peers" | "store">>;
}

/**
 * One function instance's node. Serverless hosts create it lazily on the first
 * invocation and keep it for the instance's life; a failed start (secret store or
 * database unreachable) answers 503 and is retried on the next invocation instead of
 * poisoning the instance. The reconciler never runs on a timer here: the host's
 * schedule calls `reconcile()`.
 */
export class QuorumHost {
  private started: Promise<{ node: QuorumNode; store: Store }> | undefined;

  constructor(private readonly opts: QuorumHostOptions) {}

  async fetch(request: Request): Promise<Response> {
    let node: QuorumNode;
    try {
      node = (await this.start()).node;
    } catch (err) {
      return unavailable(err);
    }
    // The work the request started (replication after a submission) before the handler returns:
    // the platform freezes or throttles the instance once it has.
    return answerThenSettle(() => Promise.resolve(node.app.fetch(request)), this.opts.settleMs ?? SETTLE_MS);
  }

  /** One reconciler pass; throws when the node cannot start, so the host records a failed run. */
  async reconcile(): Promise<number> {
    return (await this.start()).node.reconciler.runOnce();
  }

  async close(): Promise<void> {
    const started = this.started;
    this.started = undefined;
    if (!started) return;
    const { node, store } = await started.catch(() => ({ node: undefined, store: undefined }));
    await node?.close();
    await store?.close();
  }

  private start(): Promise<{ node: QuorumNode; store: Store }> {
    if (!this.started) {
      this.started = this.open();
      this.started.catch(() => {
        this.started = undefined;
      });
    }
    return this.started;
  }

  private async open(): Promise<{ node: QuorumNode; store: Store }> {
    const { config } = this.opts;
    const secrets = await this.opts.secrets();
    const keys = keyRingFromPem(config.cloud, secrets.privateKeyPem, config.publicKeys);
    const store = await (this.opts.openStore ?? openPgStore)(secrets, config);
    try {
      const node = await createNode({
        logger: pino({ level: config.logLevel, base: { cloud: config.cloud, region: config.region } }),
        region: config.region,
        ...this.opts.node,
        keys,
        peers: config.peers,
        ...(config.corsOrigins ? { corsOrigins: config.corsOrigins } : {}),
        store,
        reconcile: { ...this.opts.node?.reconcile, autoStart: false },
      });
      return { node, store };
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
  }
}

/**
 * The production store: `pg` with at most `poolMax` connections, TLS verified against the CA when
 * one is given, and through a connection pooler when the host names one (pg.ts, `pooler`).
 */
export const openPgStore: StoreOpener = async (secrets, config) => {
  return SqlStore.open(
    pgSql(withCaFile(secrets.databaseUrl, config.databaseCaCert), {
      max: config.poolMax,
      // Declared by the host, or recognised from the URL (pg.ts, behindPooler).
      ...(config.dbPooler ? { pooler: true } : {}),
    }),
    "pg",
    config.schema,
  );
};

/**
 * `pg` reads a CA only from a file named in the URL (sslrootcert), so a CA that arrives
 * in the environment is written to the instance's temp dir first.
 */
export function withCaFile(databaseUrl: string, caCert: string | undefined): string {
  if (!caCert) return databaseUrl;
  const file = join(tmpdir(), "tricloud-db-ca.pem");
  writeFileSync(file, caCert, { mode: 0o644 });
  const url = new URL(databaseUrl);
  url.searchParams.set("sslrootcert", file);
  return url.toString();
}

/** A start failure, in the API's error shape; the cause is logged by the host, not sent. */
function unavailable(err: unknown): Response {
  console.error(`tricloud: node failed to start: ${err instanceof Error ? err.message : String(err)}`);
  const body = {
    error: { code: "UNAVAILABLE", message: "node: not started (secret store or database unreachable); retry later" },
  };
  return new Response(JSON.stringify(body), {
    status: 503,
    headers: { "content-type": "application/json", "retry-after": "5" },
  });
}
