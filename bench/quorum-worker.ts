/**
 * One quorum node in its own worker thread, for `THREADS=1 npm run bench:quorum`: each cloud's node
 * gets its own event loop, as it has its own machine in production. Talks to the bench over
 * parentPort: { url } once serving, then { peers } in, { ready } out; FINAL events of its own
 * origin go out in batches ({ finals: [[eventId, atMs], ...] }); { count } asks for the FINAL rows,
 * { close } stops it.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Cloud } from "../functions/core/clouds";
import type { KeyRing } from "../functions/core/keys";
import type { BatchOptions } from "../functions/core/signer";
import { createNode, type QuorumNode } from "../functions/node/node";
import { serveApp } from "../functions/node/serve";
import type { MuxOptions } from "../functions/replication/peer-mux";
import { openStore } from "../functions/store";

export interface WorkerInput {
  cloud: Cloud;
  keys: KeyRing;
  databaseUrl: string;
  schema: string;
  pool: number;
  batch: BatchOptions;
  peerBatch: Partial<MuxOptions> | false;
}

async function main(): Promise<void> {
  const input = workerData as WorkerInput;
  const port = parentPort!;
  let target: QuorumNode | undefined;
  const served = await serveApp({ fetch: (req: Request) => target!.app.fetch(req) } as never, { port: 0 });
  const peers = await new Promise<Partial<Record<Cloud, string>>>((resolve) => {
    port.once("message", (m: { peers: Partial<Record<Cloud, string>> }) => resolve(m.peers));
    port.postMessage({ url: served.url });
  });
  const store = await openStore({ databaseUrl: input.databaseUrl, schema: input.schema, poolSize: input.pool });
  let finals: Array<[string, number]> = [];
  const node = await createNode({
    keys: input.keys,
    peers,
    store,
    reconcile: { intervalMs: 1_000, graceMs: 10_000 },
    batch: input.batch,
    peerBatch: input.peerBatch,
    onStatus: (eventId, status, at) => {
      if (status !== "FINAL" || !eventId.startsWith(`${input.cloud}-`)) return;
      if (finals.length === 0)
        setImmediate(() => {
          port.postMessage({ finals });
          finals = [];
        });
      finals.push([eventId, at]);
    },
  });
  target = node;
  port.on("message", (m: { count?: true; close?: true }) => {
    if (m.count) void store.countByStatus().then((c) => port.postMessage({ counted: c.FINAL }));
    if (m.close)
      void (async () => {
        await node.close();
        await served.close();
        const deadline = Date.now() + 5_000;
        while (node.replicator.busy > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        await store.dropSchema();
        await store.close();
        port.postMessage({ closed: true });
      })();
  });
  port.postMessage({ ready: true });
}

void main();
