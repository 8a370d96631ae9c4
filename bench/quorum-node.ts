/**
 * One quorum node as the bench runs it, in this thread (the default) or in a worker thread
 * (`THREADS=1`, bench/quorum-worker.ts): the same settings and the same start and stop either way.
 */
import type { Cloud } from "../functions/core/clouds";
import type { KeyRing } from "../functions/core/keys";
import type { BatchOptions } from "../functions/core/signer";
import { createNode, type QuorumNode } from "../functions/node/node";
import { serveApp } from "../functions/node/serve";
import type { MuxOptions } from "../functions/replication/peer-mux";
import { openStore, type Store } from "../functions/store";

export interface BenchNodeInput {
  cloud: Cloud;
  keys: KeyRing;
  databaseUrl: string;
  schema: string;
  pool: number;
  batch: BatchOptions;
  peerBatch: Partial<MuxOptions> | false;
  maxPasses?: number;
}

export interface BenchNode {
  readonly url: string;
  /** Opens the store and starts the node; `onFinal` hears the FINALs of events this node took in. */
  start(peers: Partial<Record<Cloud, string>>, onFinal: (eventId: string, atMs: number) => void): Promise<void>;
  countFinal(): Promise<number>;
  /** Stops the node, lets its replication passes end (bounded), and drops its schema. */
  stop(): Promise<void>;
}

/** Serves on port 0 first: every node must know its peers' URLs before any of them starts. */
export async function serveBenchNode(input: BenchNodeInput): Promise<BenchNode> {
  let node: QuorumNode | undefined;
  let store: Store | undefined;
  const served = await serveApp({ fetch: (req: Request) => node!.app.fetch(req) } as never, { port: 0 });
  return {
    url: served.url,
    async start(peers, onFinal) {
      store = await openStore({ databaseUrl: input.databaseUrl, schema: input.schema, poolSize: input.pool });
      node = await createNode({
        keys: input.keys,
        peers,
        store,
        reconcile: { intervalMs: 1_000, graceMs: 10_000 },
        batch: input.batch,
        peerBatch: input.peerBatch,
        maxPasses: input.maxPasses,
        onStatus: (eventId, status, at) => {
          if (status === "FINAL" && eventId.startsWith(`${input.cloud}-`)) onFinal(eventId, at);
        },
      });
    },
    countFinal: async () => (await store!.countByStatus()).FINAL,
    async stop() {
      await node!.close();
      await served.close();
      const deadline = Date.now() + 5_000;
      while (node!.replicator.busy > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await store!.dropSchema();
      await store!.close();
    },
  };
}
