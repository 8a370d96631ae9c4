import { createServer, request, type Server } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertLoopback } from "../../chaos/cluster";
import { LinkProxy } from "../../chaos/proxy";
import { Rng } from "../../chaos/rng";

// The link proxy against a real HTTP server on loopback: each fault does what it says,
// as seen by the caller (error or answer, and how long) and by the target (did the request arrive).

let target: Server;
let targetPort = 0;
let arrived = 0;
let proxy: LinkProxy;

beforeAll(async () => {
  target = createServer((req, res) => {
    arrived++;
    req.resume();
    req.on("end", () => res.end(JSON.stringify({ ok: true, path: req.url })));
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  targetPort = (target.address() as { port: number }).port;
  proxy = await new LinkProxy("a->b", targetPort, new Rng(1)).listen();
});

afterEach(() => proxy.heal());

afterAll(async () => {
  await proxy.close();
  target.closeAllConnections();
  await new Promise<void>((r) => target.close(() => r()));
});

/** One request on a fresh connection: the status, or the error, and how long it took. */
function get(timeoutMs = 2_000): Promise<{ status?: number; error?: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const req = request(
      { host: "127.0.0.1", port: proxy.port, path: "/x", method: "POST", agent: false, timeout: timeoutMs },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode, ms: Date.now() - t0 }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err) =>
      resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message, ms: Date.now() - t0 }),
    );
    req.end("{}");
  });
}

describe("chaos link proxy", () => {
  it("passes requests through when healthy", async () => {
    const before = arrived;
    expect((await get()).status).toBe(200);
    expect(arrived).toBe(before + 1);
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("cut: the caller gets a reset at once and the target sees nothing; heal restores", async () => {
    proxy.set({ cut: true });
    const before = arrived;
    const r = await get();
    expect(r.status).toBeUndefined();
    expect(r.error).toMatch(/ECONNRESET|EPIPE|socket hang up/);
    expect(r.ms).toBeLessThan(1_000);
    expect(arrived).toBe(before);
    proxy.heal();
    expect((await get()).status).toBe(200);
  });

  it("blackhole: accepted but never answered (the caller times out); the target sees nothing", async () => {
    proxy.set({ blackhole: true });
    const before = arrived;
    const r = await get(400);
    expect(r.error).toBe("timeout");
    expect(r.ms).toBeGreaterThanOrEqual(380);
    expect(arrived).toBe(before);
  });

  it("delay: the answer comes, late", async () => {
    proxy.set({ delayMs: 150 });
    const r = await get();
    expect(r.status).toBe(200);
    // one delay on the way there and one on the way back
    expect(r.ms).toBeGreaterThanOrEqual(290);
  });

  it("drop requests: the target never sees them", async () => {
    proxy.set({ dropRequests: 1 });
    const before = arrived;
    const r = await get();
    expect(r.status).toBeUndefined();
    expect(arrived).toBe(before);
    expect(proxy.stats.droppedRequests).toBeGreaterThan(0);
  });

  it("drop answers: the target handles the request, the caller never learns it", async () => {
    proxy.set({ dropAnswers: 1 });
    const before = arrived;
    const r = await get();
    expect(r.status).toBeUndefined();
    expect(arrived).toBe(before + 1);
    expect(proxy.stats.droppedAnswers).toBeGreaterThan(0);
  });

  it("duplicate: a whole peer request reaches the target twice, the caller sees one answer", async () => {
    proxy.set({ duplicate: 1 });
    const before = arrived;
    const body = JSON.stringify({ from: "aws" });
    const status = await new Promise<number | undefined>((resolve) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: proxy.port,
          path: "/v1/peer/confirm",
          method: "POST",
          agent: false,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode));
        },
      );
      req.end(body);
    });
    expect(status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(arrived).toBe(before + 2);
    expect(proxy.stats.duplicated).toBe(1);
  });

  it("drops a share of requests, decided by the seeded stream", async () => {
    proxy.set({ dropRequests: 0.5 });
    const results = [];
    for (let i = 0; i < 40; i++) results.push(await get());
    const ok = results.filter((r) => r.status === 200).length;
    expect(ok).toBeGreaterThan(5);
    expect(ok).toBeLessThan(35);
  });

  it("captures peer requests that cross it whole, for replays", async () => {
    const body = JSON.stringify({ from: "aws", envelope: { eventId: "e1" }, confirmations: [] });
    await new Promise<void>((resolve) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: proxy.port,
          path: "/v1/peer/confirm",
          method: "POST",
          agent: false,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve());
        },
      );
      req.end(body);
    });
    expect(proxy.captured.at(-1)).toMatchObject({ path: "/v1/peer/confirm", body });
  });

  it("refuses to talk to anything but 127.0.0.1", () => {
    expect(() => assertLoopback("postgres://postgres@10.0.0.5:5432/postgres")).toThrow(/127\.0\.0\.1/);
    expect(() => assertLoopback("http://localhost:80")).toThrow();
    expect(() => assertLoopback("http://127.0.0.1:80")).not.toThrow();
  });
});
