/**
 * One quorum node in its own worker thread, for `THREADS=1 npm run bench:quorum`: each cloud's node
 * gets its own event loop, as it has its own machine in production. Talks to the bench over
 * parentPort: { url } once serving, then { peers } in, { ready } out; FINAL events of its own
 * origin go out in batches ({ finals: [[eventId, atMs], ...] }); { count } asks for the FINAL rows,
 * { close } stops it.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Cloud } from "../functions/core/clouds";
import { serveBenchNode, type BenchNodeInput } from "./quorum-node";

async function main(): Promise<void> {
  const port = parentPort!;
  const bench = await serveBenchNode(workerData as BenchNodeInput);
  const peers = await new Promise<Partial<Record<Cloud, string>>>((resolve) => {
    port.once("message", (m: { peers: Partial<Record<Cloud, string>> }) => resolve(m.peers));
    port.postMessage({ url: bench.url });
  });
  let finals: Array<[string, number]> = [];
  await bench.start(peers, (eventId, at) => {
    if (finals.length === 0)
      setImmediate(() => {
        port.postMessage({ finals });
        finals = [];
      });
    finals.push([eventId, at]);
  });
  port.on("message", (m: { count?: true; close?: true }) => {
    if (m.count) void bench.countFinal().then((counted) => port.postMessage({ counted }));
    if (m.close) void bench.stop().then(() => port.postMessage({ closed: true }));
  });
  port.postMessage({ ready: true });
}

void main();
