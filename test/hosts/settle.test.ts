import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { QuorumHost } from "../../functions/adapters/host";
import { afterAnswer, answerThenSettle } from "../../functions/node/after-answer";
import type { QuorumNode } from "../../functions/node/node";
import type { Store } from "../../functions/store";
import { pemKeys, pgliteStore } from "../helpers/hosts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("answerThenSettle: a serverless answer waits for the work its request started", () => {
  it("waits for that work and for the work it starts in turn, and not for work started elsewhere", async () => {
    const done: string[] = [];
    const answer = await answerThenSettle(async () => {
      void afterAnswer(
        sleep(30).then(() => {
          done.push("first");
          void afterAnswer(sleep(30).then(() => void done.push("second")));
        }),
      );
      return "answer";
    }, 5_000);
    const elsewhere = afterAnswer(sleep(10).then(() => void done.push("outside any request")));
    expect(answer).toBe("answer");
    expect(done).toEqual(["first", "second"]);
    await elsewhere;
  });

  it("answers at the cap when the work takes longer, and a failed piece of work does not fail the answer", async () => {
    const started = Date.now();
    const answer = await answerThenSettle(async () => {
      void afterAnswer(sleep(5_000));
      void afterAnswer(Promise.reject(new Error("a peer refused"))).catch(() => undefined);
      return 202;
    }, 100);
    expect(answer).toBe(202);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

/** A peer that takes `delayMs` to refuse every call (503), as one that is overloaded does. */
async function slowPeer(delayMs: number): Promise<{ url: string; calls: () => number; server: Server }> {
  let calls = 0;
  const server = createServer((req, res) => {
    calls++;
    req.resume();
    setTimeout(() => {
      res.writeHead(503, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "UNAVAILABLE", message: "busy" } }));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls, server };
}

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

async function awsHost(
  settleMs: number,
  peerUrl: string,
): Promise<{ host: QuorumHost; node: () => Promise<QuorumNode> }> {
  const { privatePem, publicPem } = pemKeys();
  const stores: Store[] = [];
  const host = new QuorumHost({
    config: {
      cloud: "aws",
      region: "region-of-aws",
      peers: { azure: peerUrl, gcp: peerUrl },
      publicKeys: publicPem,
      schema: "tricloud_aws",
      poolMax: 2,
      logLevel: "silent",
    },
    secrets: async () => ({ privateKeyPem: privatePem.aws, databaseUrl: "postgresql://unused" }),
    openStore: async () => {
      const s = await pgliteStore("settle");
      stores.push(s);
      return s;
    },
    settleMs,
    node: {
      logger: pino({ level: "silent" }),
      peerTimeoutMs: 1_000,
      policy: {
        breakerThreshold: 50,
        halfOpenAfterMs: 100,
        retries: 1,
        backoffBaseMs: 1,
        backoffCapMs: 2,
        random: () => 0.5,
      },
    },
  });
  closers.push(async () => {
    await host.close();
    for (const s of stores) await s.close().catch(() => undefined);
  });
  return {
    host,
    node: async () => (await (host as unknown as { start(): Promise<{ node: QuorumNode }> }).start()).node,
  };
}

const submit = (eventId: string) =>
  new Request("https://api.example/v1/events", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ eventId, tenantId: "acme", payload: { n: 1 } }),
  });

describe("QuorumHost: a submission's replication pass ends before the handler returns", () => {
  it("returns the 202 only once the pass is over (its peers refused), so a frozen instance leaves nothing half done", async () => {
    const peer = await slowPeer(150);
    closers.push(() => new Promise((resolve) => peer.server.close(() => resolve())));
    const { host, node } = await awsHost(5_000, peer.url);
    const started = Date.now();
    const res = await host.fetch(submit("settle-1"));
    expect(res.status).toBe(202);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(peer.calls()).toBeGreaterThanOrEqual(1);
    expect((await node()).replicator.busy).toBe(0);
  });

  it("answers at the cap when a peer keeps a pass retrying, leaving the rest to the reconciler", async () => {
    // The peer refuses only after 3 s: an answer before then came from the cap (200 ms), not from the pass ending
    // (a wide margin, so a loaded machine cannot make the cap look late).
    const peer = await slowPeer(3_000);
    closers.push(() => new Promise((resolve) => peer.server.close(() => resolve())));
    const { host, node } = await awsHost(200, peer.url);
    const started = Date.now();
    const res = await host.fetch(submit("settle-2"));
    expect(res.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await node()).replicator.busy).toBeGreaterThan(0);
  });
});
