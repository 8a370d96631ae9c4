import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../functions/core/clock";
import { makeEnvelope } from "../../functions/core/envelope";
import { HttpPeers, type HttpPeersOptions } from "../../functions/replication/peer-client";
import { DEFAULT_PEER_POLICY, fullJitterDelay, probeDelay } from "../../functions/replication/policy";

const envelope = makeEnvelope({ eventId: "evt-r", tenantId: "acme", payload: 1 });

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A peer that answers 500 to every call and counts them. */
async function failingPeer(status = 500, code = "X"): Promise<{ url: string; calls: () => number }> {
  let calls = 0;
  const server = createServer((_req, res) => {
    calls++;
    res.writeHead(status, { "content-type": "application/json" }).end(`{"error":{"code":"${code}","message":"down"}}`);
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
    expect(DEFAULT_PEER_POLICY).toMatchObject({
      breakerThreshold: 5,
      halfOpenAfterMs: 250,
      probeCapMs: 1_000,
      retries: 4,
      backoffBaseMs: 1_000,
      backoffCapMs: 8_000,
    });
  });

  it("probes recovery after 250 ms doubling to a cap (1 s by default), with equal jitter (never zero, never above the step)", () => {
    const top = [0, 1, 2, 3, 4, 9].map((n) => probeDelay(n, 250, 2_000, () => 0.999_999));
    expect(top).toEqual([249, 499, 999, 1999, 1999, 1999]);
    expect([0, 1, 2, 3, 4].map((n) => probeDelay(n, 250, 2_000, () => 0))).toEqual([125, 250, 500, 1000, 1000]);
  });
});

/** HttpPeers closed after each test (their probe timers included). */
function peersFor(opts: Omit<HttpPeersOptions, "self" | "clock" | "timeoutMs"> & Partial<HttpPeersOptions>): HttpPeers {
  const peers = new HttpPeers({ self: "aws", clock: systemClock, timeoutMs: 1_000, ...opts });
  closers.push(async () => peers.close());
  return peers;
}

/** A peer whose health the test switches; counts calls per path. */
async function switchablePeer(): Promise<{
  url: string;
  setHealthy(ok: boolean): void;
  calls: (path: string) => number;
}> {
  let healthy = false;
  const calls = new Map<string, number>();
  const server = createServer((req, res) => {
    calls.set(req.url!, (calls.get(req.url!) ?? 0) + 1);
    req.resume();
    req.on("end", () => {
      if (!healthy)
        return void res
          .writeHead(503, { "content-type": "application/json" })
          .end('{"error":{"code":"DOWN","message":"down"}}');
      const body =
        req.url === "/v1/peer/ping" ? '{"cloud":"azure","ok":true}' : '{"status":"PENDING","confirmations":[]}';
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setHealthy: (ok) => (healthy = ok),
    calls: (p) => calls.get(p) ?? 0,
  };
}

describe("per-peer breaker and retry (real HTTP)", () => {
  it("retries a failing peer 4 times with the injected jitter, then opens after 5 consecutive failures", async () => {
    const peer = await failingPeer();
    const draws: number[] = [];
    const random = () => {
      draws.push(draws.length);
      return 0.5;
    };
    const peers = peersFor({
      urls: { azure: peer.url },
      policy: {
        ...DEFAULT_PEER_POLICY,
        backoffBaseMs: 2,
        backoffCapMs: 16,
        halfOpenAfterMs: 60_000,
        probeCapMs: 60_000,
        random,
      },
    });
    const out = await peers.confirm("azure", { from: "aws", envelope, confirmations: [] }, "retry");
    expect(out).toMatchObject({ kind: "unreachable", attempted: true });
    expect(peer.calls()).toBe(5); // 1 attempt + 4 retries
    expect(draws.slice(0, 4)).toHaveLength(4); // one jitter draw per retry, from our random source
    expect(peers.states()[0]).toMatchObject({ cloud: "azure", breaker: "open", reachable: false });
    // Open: the next call fails fast without touching the peer, and says it did not try.
    const fast = await peers.confirm("azure", { from: "aws", envelope, confirmations: [] }, "retry");
    expect(fast).toMatchObject({ kind: "unreachable", attempted: false, error: expect.stringMatching(/circuit open/) });
    expect(peer.calls()).toBe(5);
    // A direct call (the equivocation cross-check) goes past the open breaker: a real answer, or a real failure.
    const direct = await peers.confirm("azure", { from: "aws", envelope, confirmations: [] }, "direct");
    expect(direct).toMatchObject({ kind: "unreachable", attempted: true });
    expect(peer.calls()).toBe(6);
  });

  it("probes recovery on its own, past the open breaker and without traffic, and reports the breaker closed", async () => {
    const peer = await switchablePeer();
    const recovered: string[] = [];
    const peers = peersFor({
      urls: { azure: peer.url },
      policy: { ...DEFAULT_PEER_POLICY, halfOpenAfterMs: 20, probeCapMs: 80, random: () => 0.5 },
    });
    peers.onRecovered((c) => recovered.push(c));
    for (let i = 0; i < 5; i++) await peers.confirm("azure", { from: "aws", envelope, confirmations: [] }, "once");
    expect(peers.states()[0]).toMatchObject({ breaker: "open", reachable: false });
    // Probes run while it is down (their failures grow the delay) ...
    await new Promise((r) => setTimeout(r, 150));
    expect(peer.calls("/v1/peer/ping")).toBeGreaterThanOrEqual(2);
    expect(peers.states()[0]!.probe.failures).toBeGreaterThanOrEqual(2);
    expect(peers.states()[0]!.breaker).not.toBe("closed");
    // ... and the first probe after the peer heals closes the breaker, with no call from us.
    peer.setHealthy(true);
    const healedAt = Date.now();
    while (peers.states()[0]!.breaker !== "closed" && Date.now() - healedAt < 2_000)
      await new Promise((r) => setTimeout(r, 5));
    expect(Date.now() - healedAt).toBeLessThan(200); // at most one capped probe delay (80 ms) plus a round trip
    expect(peers.states()[0]).toMatchObject({
      breaker: "closed",
      reachable: true,
      probe: { failures: 0, nextAtMs: null },
    });
    expect(recovered).toEqual(["azure"]);
    expect(peer.calls("/v1/peer/confirm")).toBe(5);
  });

  it("a retry back-off is cut short as soon as the peer answers again", async () => {
    const peer = await switchablePeer();
    const peers = peersFor({
      urls: { azure: peer.url },
      policy: { ...DEFAULT_PEER_POLICY, backoffBaseMs: 5_000, backoffCapMs: 8_000, random: () => 0.99 },
    });
    const started = Date.now();
    const pending = peers.confirm("azure", { from: "aws", envelope, confirmations: [] }, "retry");
    await new Promise((r) => setTimeout(r, 100)); // first attempt failed; now sleeping ~5 s
    peer.setHealthy(true);
    expect(await peers.ping("azure")).toBe(true); // someone (the reconciler's ping) reaches it
    expect(await pending).toMatchObject({ kind: "ok" });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("does not retry or count the runtime's own 4xx refusal: it is an answer, not an outage", async () => {
    const peer = await failingPeer(422, "BAD_SIGNATURE");
    const peers = peersFor({ urls: { azure: peer.url }, policy: DEFAULT_PEER_POLICY });
    const out = await peers.confirm("azure", { from: "aws", envelope, confirmations: [] }, "retry");
    expect(out).toMatchObject({ kind: "rejected", code: "BAD_SIGNATURE" });
    expect(peer.calls()).toBe(1);
    expect(peers.states()[0]!.breaker).toBe("closed");
  });

  it("counts a 4xx in no shape of the runtime (a proxy's code, a throttle) as a transport failure", async () => {
    const peer = await failingPeer(429, "TOO_MANY");
    const peers = peersFor({ urls: { azure: peer.url }, policy: { ...DEFAULT_PEER_POLICY, retries: 0 } });
    const out = await peers.confirm("azure", { from: "aws", envelope, confirmations: [] }, "once");
    expect(out).toMatchObject({ kind: "unreachable", attempted: true });
    expect(out.kind === "unreachable" && out.error).toMatch(
      /answered 429 with code TOO_MANY: not the peer runtime's refusal/,
    );
  });
});
