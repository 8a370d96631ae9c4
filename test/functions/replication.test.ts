import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../functions/core/clock";
import { sealEnvelope } from "../../functions/core/envelope";
import { HttpPeers } from "../../functions/replication/peer-client";
import { DEFAULT_PEER_POLICY, fullJitterDelay } from "../../functions/replication/policy";
import { keyRings } from "./helpers/cluster";

const keys = keyRings();
const envelope = sealEnvelope(
  { eventId: "evt-r", tenantId: "acme", logicalClock: 1, region: "t", payload: 1, createdAt: new Date(0).toISOString(), originCloud: "aws" },
  keys.aws,
);

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A peer that answers 500 to every call and counts them. */
async function failingPeer(status = 500): Promise<{ url: string; calls: () => number }> {
  let calls = 0;
  const server = createServer((_req, res) => {
    calls++;
    res.writeHead(status, { "content-type": "application/json" }).end('{"error":{"code":"X","message":"down"}}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls };
}

describe("backoff", () => {
  it("is 1-2-4-8 s with full jitter: random(0, min(cap, base * 2^n))", () => {
    const top = [0, 1, 2, 3].map((n) => fullJitterDelay(n, 1_000, 8_000, () => 0.999_999));
    expect(top).toEqual([999, 1999, 3999, 7999]);
    expect([0, 1, 2, 3].map((n) => fullJitterDelay(n, 1_000, 8_000, () => 0))).toEqual([0, 0, 0, 0]);
    expect(fullJitterDelay(3, 1_000, 8_000, () => 0.5)).toBe(4_000);
    expect(fullJitterDelay(6, 1_000, 8_000, () => 0.5)).toBe(4_000); // capped at 8 s
    expect(DEFAULT_PEER_POLICY).toMatchObject({ breakerThreshold: 5, halfOpenAfterMs: 60_000, retries: 4, backoffBaseMs: 1_000, backoffCapMs: 8_000 });
  });
});

describe("per-peer breaker and retry (real HTTP)", () => {
  it("retries a failing peer 4 times with the injected jitter, then opens after 5 consecutive failures", async () => {
    const peer = await failingPeer();
    const draws: number[] = [];
    const random = () => {
      draws.push(draws.length);
      return 0.5;
    };
    const peers = new HttpPeers({
      self: "aws",
      urls: { azure: peer.url },
      policy: { ...DEFAULT_PEER_POLICY, backoffBaseMs: 2, backoffCapMs: 16, halfOpenAfterMs: 60_000, random },
      clock: systemClock,
      timeoutMs: 1_000,
    });
    const out = await peers.confirm("azure", { from: "aws", envelope, confirmations: [] }, "retry");
    expect(out.kind).toBe("unreachable");
    expect(peer.calls()).toBe(5); // 1 attempt + 4 retries
    expect(draws).toHaveLength(4); // one jitter draw per retry, from our random source
    expect(peers.states()[0]).toMatchObject({ cloud: "azure", breaker: "open", reachable: false });
    // Open: the next call fails fast without touching the peer.
    const fast = await peers.confirm("azure", { from: "aws", envelope, confirmations: [] }, "retry");
    expect(fast).toMatchObject({ kind: "unreachable", error: expect.stringMatching(/circuit open/) });
    expect(peer.calls()).toBe(5);
  });

  it("half-opens after the configured time and closes again on success", async () => {
    let healthy = false;
    const server = createServer((_req, res) => {
      res.writeHead(healthy ? 200 : 503, { "content-type": "application/json" }).end(healthy ? '{"cloud":"azure","ok":true}' : "{}");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const peers = new HttpPeers({
      self: "aws",
      urls: { azure: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
      policy: { ...DEFAULT_PEER_POLICY, halfOpenAfterMs: 50 },
      clock: systemClock,
      timeoutMs: 1_000,
    });
    for (let i = 0; i < 5; i++) expect(await peers.ping("azure")).toBe(false);
    expect(peers.states()[0]!.breaker).toBe("open");
    healthy = true;
    expect(await peers.ping("azure")).toBe(false); // still open
    await new Promise((r) => setTimeout(r, 60));
    expect(await peers.ping("azure")).toBe(true); // the half-open trial succeeds
    expect(peers.states()[0]).toMatchObject({ breaker: "closed", reachable: true });
  });

  it("does not retry or count a 4xx answer: it is an answer, not an outage", async () => {
    const peer = await failingPeer(422);
    const peers = new HttpPeers({ self: "aws", urls: { azure: peer.url }, policy: DEFAULT_PEER_POLICY, clock: systemClock, timeoutMs: 1_000 });
    const out = await peers.confirm("azure", { from: "aws", envelope, confirmations: [] }, "retry");
    expect(out).toMatchObject({ kind: "rejected", code: "X" });
    expect(peer.calls()).toBe(1);
    expect(peers.states()[0]!.breaker).toBe("closed");
  });
});
