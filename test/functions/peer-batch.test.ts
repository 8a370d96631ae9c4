import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { signConfirmation } from "../../functions/core/confirmation";
import { makeEnvelope } from "../../functions/core/envelope";
import { generateKeyPair } from "../../functions/core/keys";
import { PEER_MESSAGE_ROOM } from "../../functions/http/app";
import { MuxError, PeerMux } from "../../functions/replication/peer-mux";
import { Cluster } from "../helpers/cluster";
import { waitFor } from "../helpers/wait";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

interface Seen {
  path: string;
  body: any;
}

/** A peer whose answers the test writes: `handle` gets each request with its parsed body. */
async function scriptedPeer(handle: (req: IncomingMessage, body: any, res: ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      seen.push({ path: req.url!, body });
      handle(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(
    () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const line = (i: number, status: number, body: unknown) => `${JSON.stringify({ i, status, body })}\n`;

describe("PeerMux: the messages of one turn to one peer share one request", () => {
  it("sends them as one batch and hands each its own answer, in the order the peer decides them", async () => {
    const peer = await scriptedPeer((_req, body, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      // Message 2 is decided first, message 0 last, each in its own write.
      res.write(line(2, 409, { error: { code: "CONFLICTING_HASH", message: "m2" } }));
      setTimeout(() => res.write(line(1, 200, { status: "PENDING", n: body.messages[1].n })), 20);
      setTimeout(() => res.end(line(0, 200, { status: "FINAL", n: body.messages[0].n })), 60);
    });
    const mux = new PeerMux();
    const order: number[] = [];
    const answers = await Promise.all(
      [0, 1, 2].map((n) => mux.send(peer.url, JSON.stringify({ n }), 1_000).then((a) => (order.push(n), a))),
    );
    expect(peer.seen.map((s) => s.path)).toEqual(["/v1/peer/confirm-batch"]);
    // The deadline the peer is given: the messages' timeout, less a margin for the answer's way back.
    expect(peer.seen[0]!.body).toEqual({ deadlineMs: 950, messages: [{ n: 0 }, { n: 1 }, { n: 2 }] });
    expect(answers).toEqual([
      { status: 200, body: { status: "FINAL", n: 0 } },
      { status: 200, body: { status: "PENDING", n: 1 } },
      { status: 409, body: { error: { code: "CONFLICTING_HASH", message: "m2" } } },
    ]);
    expect(order).toEqual([2, 1, 0]);
  });

  it("gives the peer at most the 60 s deadline its batch endpoint takes, whatever the messages' timeout", async () => {
    const peer = await scriptedPeer((_req, body, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.end(body.messages.map((m: { n: number }, i: number) => line(i, 200, { status: "PENDING", n: m.n })).join(""));
    });
    const mux = new PeerMux();
    await Promise.all([0, 1].map((n) => mux.send(peer.url, JSON.stringify({ n }), 120_000)));
    // Before: 119,950 ms, which the endpoint refuses (400) for the whole batch.
    expect(peer.seen[0]!.body.deadlineMs).toBe(60_000);
  });

  it("a lone message goes to the single endpoint; maxMessages and maxBytes split a turn into several requests", async () => {
    const peer = await scriptedPeer((req, body, res) => {
      res.writeHead(200, { "content-type": req.url!.endsWith("batch") ? "application/x-ndjson" : "application/json" });
      if (!req.url!.endsWith("batch")) return void res.end(JSON.stringify({ status: "PENDING", one: body.n }));
      res.end(body.messages.map((m: { n: number }, i: number) => line(i, 200, { n: m.n })).join(""));
    });
    expect(await new PeerMux().send(peer.url, JSON.stringify({ n: 7 }), 1_000)).toEqual({
      status: 200,
      body: { status: "PENDING", one: 7 },
    });
    const mux = new PeerMux({ maxMessages: 2, maxBytes: 1024 });
    const big = "x".repeat(600);
    const out = await Promise.all([
      mux.send(peer.url, JSON.stringify({ n: 1 }), 1_000),
      mux.send(peer.url, JSON.stringify({ n: 2 }), 1_000),
      mux.send(peer.url, JSON.stringify({ n: 3 }), 1_000),
      mux.send(peer.url, JSON.stringify({ n: 4, big }), 1_000),
      mux.send(peer.url, JSON.stringify({ n: 5, big }), 1_000),
    ]);
    expect(out.map((a) => (a.body as { n?: number; one?: number }).n ?? (a.body as { one: number }).one)).toEqual([
      1, 2, 3, 4, 5,
    ]);
    // [1,2] by count; [3,4] fits 1 KiB; 5 would pass it and goes alone, to the single endpoint.
    expect(peer.seen.slice(1).map((s) => (s.path.endsWith("batch") ? s.body.messages.length : "single"))).toEqual([
      2,
      2,
      "single",
    ]);
  });

  it("messages with different timeouts never share a request (the receiver's deadline is their timeout)", async () => {
    const peer = await scriptedPeer((req, body, res) => {
      if (!req.url!.endsWith("batch"))
        return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ n: body.n }));
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.end(body.messages.map((m: { n: number }, i: number) => line(i, 200, { n: m.n })).join(""));
    });
    const mux = new PeerMux();
    await Promise.all([
      mux.send(peer.url, JSON.stringify({ n: 1 }), 2_000),
      mux.send(peer.url, JSON.stringify({ n: 2 }), 1_000),
      mux.send(peer.url, JSON.stringify({ n: 3 }), 2_000),
    ]);
    expect(
      peer.seen
        .map((s) =>
          s.path.endsWith("batch") ? `batch ${s.body.deadlineMs} ${s.body.messages.length}` : `single ${s.body.n}`,
        )
        .sort(),
    ).toEqual(["batch 1950 2", "single 2"]);
  });

  it("with a window, messages queued over several turns still share one request", async () => {
    const peer = await scriptedPeer((_req, body, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.end(body.messages.map((m: { n: number }, i: number) => line(i, 200, { n: m.n })).join(""));
    });
    const mux = new PeerMux({ windowMs: 30 });
    const first = mux.send(peer.url, JSON.stringify({ n: 1 }), 1_000);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const second = mux.send(peer.url, JSON.stringify({ n: 2 }), 1_000);
    expect(await Promise.all([first, second])).toEqual([
      { status: 200, body: { n: 1 } },
      { status: 200, body: { n: 2 } },
    ]);
    expect(peer.seen.map((s) => [s.path, s.body.messages.length])).toEqual([["/v1/peer/confirm-batch", 2]]);
  });

  it("each message keeps its own timeout: one the peer never answers fails alone", async () => {
    const peer = await scriptedPeer((_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.write(line(0, 200, { status: "PENDING" }));
      // Message 1 is never answered, and the answer never ends.
    });
    const mux = new PeerMux();
    const [first, second] = await Promise.allSettled([mux.send(peer.url, "{}", 300), mux.send(peer.url, "{}", 300)]);
    expect(first).toEqual({ status: "fulfilled", value: { status: 200, body: { status: "PENDING" } } });
    expect(second.status).toBe("rejected");
    expect((second as PromiseRejectedResult).reason).toBeInstanceOf(MuxError);
    expect(String((second as PromiseRejectedResult).reason)).toMatch(/timed out after 300 ms/);
  });

  it("a broken connection fails every message still waiting, as a transport failure", async () => {
    const peer = await scriptedPeer((req, _body, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.write(line(0, 200, { status: "PENDING" }));
      setTimeout(() => req.socket.destroy(), 20);
    });
    const mux = new PeerMux();
    const out = await Promise.allSettled([0, 1, 2].map(() => mux.send(peer.url, "{}", 1_000)));
    expect(out[0]).toEqual({ status: "fulfilled", value: { status: 200, body: { status: "PENDING" } } });
    for (const r of out.slice(1)) {
      expect(r.status).toBe("rejected");
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(MuxError);
    }
  });

  it("a peer without the batch endpoint (404) gets the same messages one by one, and singles from then on", async () => {
    const peer = await scriptedPeer((req, body, res) => {
      if (req.url!.endsWith("batch"))
        return void res
          .writeHead(404, { "content-type": "application/json" })
          .end('{"error":{"code":"NOT_FOUND","message":"POST /v1/peer/confirm-batch: no such endpoint"}}');
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ n: body.n }));
    });
    const mux = new PeerMux();
    const send = (n: number) => mux.send(peer.url, JSON.stringify({ n }), 1_000);
    expect(await Promise.all([send(1), send(2)])).toEqual([
      { status: 200, body: { n: 1 } },
      { status: 200, body: { n: 2 } },
    ]);
    await Promise.all([send(3), send(4)]);
    expect(peer.seen.map((s) => s.path)).toEqual([
      "/v1/peer/confirm-batch",
      "/v1/peer/confirm",
      "/v1/peer/confirm",
      "/v1/peer/confirm",
      "/v1/peer/confirm",
    ]);
  });

  it("refuses settings it cannot honour, naming them", () => {
    expect(() => new PeerMux({ maxMessages: 0, maxBytes: 4096 })).toThrow(
      /mux\.maxMessages: expected an integer from 1 to 256, got 0/,
    );
    expect(() => new PeerMux({ windowMs: 500 })).toThrow(
      /mux\.windowMs: expected a number of ms from 0 to 100, got 500/,
    );
    expect(() => new PeerMux({ maxMessages: 8, maxBytes: 10 })).toThrow(
      /mux\.maxBytes: expected an integer of at least 1024, got 10/,
    );
  });
});

describe("POST /v1/peer/confirm-batch", () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  async function batch(c: Cluster, body: unknown): Promise<{ status: number; type: string | null; text: string }> {
    const res = await fetch(`${c.url("azure")}/v1/peer/confirm-batch`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
  }

  it("judges each message as /confirm would, answers each on its own line, and records the refused ones", async () => {
    cluster = await Cluster.start({ run: ["azure"], node: { reconcile: { autoStart: false } } });
    const good = makeEnvelope({ eventId: "evt-b1", tenantId: "acme", payload: { n: 1 } });
    const forged = makeEnvelope({ eventId: "evt-b2", tenantId: "acme", payload: { n: 2 } });
    const awsSays = signConfirmation(good.eventId, good.hash, cluster.keys.aws, Date.now(), {
      origin: "aws",
      logicalClock: 1,
    });
    const stranger = { self: "aws" as const, ...generateKeyPair(), publicKeys: cluster.keys.aws.publicKeys };
    const res = await batch(cluster, {
      deadlineMs: 2_000,
      messages: [
        { from: "aws", envelope: good, confirmations: [awsSays] },
        { from: "aws", envelope: { eventId: "evt-b3" } },
        {
          from: "aws",
          envelope: forged,
          confirmations: [
            signConfirmation(forged.eventId, forged.hash, stranger, Date.now(), { origin: "aws", logicalClock: 1 }),
          ],
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/x-ndjson/);
    const lines = res.text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .sort((a, b) => a.i - b.i);
    expect(lines.map((l) => [l.i, l.status])).toEqual([
      [0, 200],
      [1, 400],
      [2, 422],
    ]);
    // Certified by {aws, azure}, and the third cloud, asked for real, is not running: FINAL.
    expect(lines[0].body).toMatchObject({ status: "FINAL", hash: good.hash });
    expect(lines[0].body.confirmations.map((c: { cloud: string }) => c.cloud).sort()).toEqual(["aws", "azure"]);
    expect(lines[1].body.error).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(lines[1].body.error.message).toMatch(/^messages\[1\]\.envelope\./);
    expect(lines[2].body.error).toMatchObject({ code: "BAD_SIGNATURE" });
    // The forged message changed nothing; both refusals are on record with their source.
    expect((await cluster.get("azure", "/v1/events/evt-b2")).status).toBe(404);
    const attempts = (await cluster.get("azure", "/v1/peer/attempts")).body.attempts;
    expect(attempts.map((a: { kind: string }) => a.kind).sort()).toEqual(["bad-signature", "malformed"]);
    for (const a of attempts) expect(a.source).toMatch(/127\.0\.0\.1/);
  });

  it("a sender that hangs up before the answers does not take the node down; the messages still land", async () => {
    cluster = await Cluster.start({ run: ["azure"], node: { reconcile: { autoStart: false } } });
    const messages = Array.from({ length: 8 }, (_, n) => {
      const env = makeEnvelope({ eventId: `evt-gone-${n}`, tenantId: "acme", payload: { n } });
      const says = signConfirmation(env.eventId, env.hash, cluster!.keys.aws, Date.now(), {
        origin: "aws",
        logicalClock: 1,
      });
      return { from: "aws", envelope: env, confirmations: [says] };
    });
    const body = JSON.stringify({ deadlineMs: 2_000, messages });
    const { port } = new URL(cluster.url("azure"));
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.end(
          `POST /v1/peer/confirm-batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        // Gone before any answer can be written.
        socket.destroy();
        resolve();
      });
    });
    for (const m of messages)
      await waitFor(`${m.envelope.eventId} stored`, async () =>
        (await cluster!.get("azure", `/v1/events/${m.envelope.eventId}`)).status === 200 ? true : undefined,
      );
    await new Promise((r) => setTimeout(r, 100));
    expect((await cluster.get("azure", "/health")).status).toBe(200);
  });

  it("holds each message of a batch to the limit a message alone has on /confirm", async () => {
    cluster = await Cluster.start({ run: ["azure"], node: { reconcile: { autoStart: false } } });
    const limit = 64 * 1024 + PEER_MESSAGE_ROOM;
    const env = makeEnvelope({ eventId: "evt-huge", tenantId: "acme", payload: { fill: "x".repeat(limit) } });
    const awsSays = signConfirmation(env.eventId, env.hash, cluster.keys.aws, Date.now(), {
      origin: "aws",
      logicalClock: 1,
    });
    const res = await batch(cluster, {
      deadlineMs: 1_000,
      messages: [{ from: "aws", envelope: env, confirmations: [awsSays] }],
    });
    expect(res.status).toBe(200);
    const [line] = res.text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(line).toMatchObject({ i: 0, status: 413, body: { error: { code: "PAYLOAD_TOO_LARGE" } } });
    expect(line.body.error.message).toMatch(/^messages\[0\]: \d+ bytes, larger than a peer message's limit/);
    expect((await cluster.get("azure", "/v1/events/evt-huge")).status).toBe(404);
  });

  it("a bad batch is refused as a whole, naming the field; safe mode refuses it like any write", async () => {
    cluster = await Cluster.start({ run: ["azure"], node: { reconcile: { autoStart: false } } });
    const empty = await batch(cluster, { deadlineMs: 1_000, messages: [] });
    expect(empty.status).toBe(400);
    expect(JSON.parse(empty.text).error.message).toMatch(/^messages: /);
    const noDeadline = await batch(cluster, { messages: [{}] });
    expect(noDeadline.status).toBe(400);
    expect(JSON.parse(noDeadline.text).error.message).toMatch(/^deadlineMs: /);
    const tooMany = await batch(cluster, { deadlineMs: 1_000, messages: Array.from({ length: 257 }, () => ({})) });
    expect(tooMany.status).toBe(400);
    expect(JSON.parse(tooMany.text).error.message).toMatch(/^messages: .*256/);
    // 16 times a peer message's limit (64 KiB and PEER_MESSAGE_ROOM): 1.5 MiB.
    const huge = await batch(cluster, {
      deadlineMs: 1_000,
      messages: [{ pad: "x".repeat(16 * (64 * 1024 + PEER_MESSAGE_ROOM) + 1) }],
    });
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.text).error).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      details: { limitBytes: 16 * (64 * 1024 + PEER_MESSAGE_ROOM) },
    });
    await cluster.member("azure").node.setSafeMode("maintenance");
    const guarded = await batch(cluster, { deadlineMs: 1_000, messages: [{}] });
    expect(guarded.status).toBe(503);
    expect(JSON.parse(guarded.text).error).toMatchObject({ code: "SAFE_MODE" });
  });
});
