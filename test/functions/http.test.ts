import { connect } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster } from "../helpers/cluster";

let cluster: Cluster;
let url: string;
/** The node's log lines, parsed. */
const logLines: Array<{ level: number; msg: string }> = [];
const logStream = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString().split("\n").filter(Boolean)) logLines.push(JSON.parse(line));
    done();
  },
});

beforeAll(async () => {
  // A lone aws node: its peers' links lead nowhere, which these tests do not need.
  cluster = await Cluster.start({
    run: ["aws"],
    node: { bodyLimitBytes: 4096, logger: pino({ level: "info" }, logStream) },
  });
  url = cluster.url("aws");
});
afterAll(async () => {
  await cluster.close();
});

async function send(path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
const post = (path: string, body: string, type = "application/json") =>
  send(path, { method: "POST", headers: { "content-type": type }, body });

describe("HTTP API contract", () => {
  it("accepts an event with 202, and answers a repeat with 200 and the stored state", async () => {
    const first = await post(
      "/v1/events",
      JSON.stringify({ tenantId: "acme", payload: { a: 1 }, eventId: "evt-idem" }),
    );
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ eventId: "evt-idem", status: "PENDING", hash: expect.any(String) });
    const again = await post(
      "/v1/events",
      JSON.stringify({ tenantId: "acme", payload: { a: 1 }, eventId: "evt-idem" }),
    );
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ eventId: "evt-idem", hash: first.body.hash, envelope: { payload: { a: 1 } } });
    const got = await send("/v1/events/evt-idem");
    expect(got.body).toMatchObject({
      eventId: "evt-idem",
      status: "PENDING",
      hash: first.body.hash,
      confirmations: [{ cloud: "aws" }],
    });
  });

  it("concurrent duplicate submissions yield one event", async () => {
    const body = JSON.stringify({ tenantId: "acme", payload: { order: 7 }, eventId: "evt-dup" });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post("/v1/events", body)));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(19);
    expect(new Set(answers.map((a) => a.body.hash)).size).toBe(1);
    const stored = await cluster.member("aws").store.getEvent("evt-dup");
    expect(stored?.envelope.hash).toBe(answers[0]!.body.hash);
  });

  it("answers 409 when an eventId is reused for different content", async () => {
    await post("/v1/events", JSON.stringify({ tenantId: "acme", payload: 1, eventId: "evt-reuse" }));
    const r = await post("/v1/events", JSON.stringify({ tenantId: "acme", payload: 2, eventId: "evt-reuse" }));
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: "EVENT_ID_CONFLICT", message: expect.stringMatching(/^eventId: /) });
  });

  it.each([
    ["missing tenantId", JSON.stringify({ payload: 1 }), "tenantId"],
    ["missing payload", JSON.stringify({ tenantId: "acme" }), "payload"],
    ["bad eventId", JSON.stringify({ tenantId: "acme", payload: 1, eventId: "../etc" }), "eventId"],
    ["unknown field", JSON.stringify({ tenantId: "acme", payload: 1, tenant: "x" }), "body"],
    ["array body", "[1,2]", "body"],
    ["too deep", JSON.stringify({ tenantId: "acme", payload: JSON.parse("[".repeat(40) + "]".repeat(40)) }), "payload"],
  ])("400 naming the field: %s", async (_name, body, field) => {
    const r = await post("/v1/events", body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("VALIDATION_FAILED");
    expect(r.body.error.message.startsWith(`${field}`)).toBe(true);
  });

  it("400 for malformed JSON, 415 for another content type, 413 over the body limit", async () => {
    const bad = await post("/v1/events", '{"tenantId": "acme", ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INVALID_JSON");
    const wrongType = await post("/v1/events", "tenantId=acme", "application/x-www-form-urlencoded");
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.error.message).toMatch(/content-type: expected application\/json/);
    const noType = await send("/v1/events", { method: "POST", body: "{}" });
    expect(noType.status).toBe(415);
    const big = await post("/v1/events", JSON.stringify({ tenantId: "acme", payload: "x".repeat(5000) }));
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", details: { limitBytes: 4096 } });
  });

  it("the body limit holds for a chunked body (no content-length) as for a declared one", async () => {
    const { hostname, port } = new URL(url);
    const chunked = (body: string) =>
      new Promise<string>((resolve) => {
        let buf = "";
        const s = connect(Number(port), hostname, () => {
          s.write(
            `POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
          );
        });
        s.on("data", (d) => (buf += d));
        s.on("close", () => resolve(buf));
        s.on("error", () => undefined);
      });
    const small = await chunked(JSON.stringify({ tenantId: "acme", payload: { c: 1 }, eventId: "evt-chunked" }));
    expect(small).toMatch(/^HTTP\/1\.1 202 /);
    const big = await chunked(JSON.stringify({ tenantId: "acme", payload: "x".repeat(5000) }));
    expect(big).toMatch(/^HTTP\/1\.1 413 /);
    expect(JSON.parse(big.slice(big.indexOf("\r\n\r\n") + 4)).error).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      details: { limitBytes: 4096 },
    });
  });

  it("a chunked body with broken framing, or aborted mid-body, is a 400 JSON error logged at info, never an error-level line", async () => {
    const { hostname, port } = new URL(url);
    const raw = (tail: string | null) =>
      new Promise<string>((resolve) => {
        let buf = "";
        const s = connect(Number(port), hostname, () => {
          s.write(
            'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"ten\r\n',
          );
          setTimeout(() => (tail === null ? s.end() : s.write(tail)), 30);
        });
        s.on("data", (d) => (buf += d));
        s.on("close", () => resolve(buf));
        s.on("error", () => undefined);
      });
    const before = logLines.length;
    for (const tail of ["ZZ\r\nxx\r\n0\r\n\r\n", "5\r\nantId\r\n-3\r\n", null]) {
      const answer = await raw(tail);
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(answer).toMatch(/content-type: application\/json/i);
      const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4));
      expect(body.error).toMatchObject({
        code: expect.stringMatching(/^BAD_(REQUEST|BODY)$/),
        message: expect.stringMatching(/^(request|body): /),
      });
    }
    await new Promise((r) => setTimeout(r, 50));
    const lines = logLines.slice(before);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    // The node keeps serving.
    expect((await send("/health")).status).toBe(200);
  });

  it("404 JSON for an unknown event or endpoint, 400 for an impossible event id", async () => {
    expect(await send("/v1/events/evt-nope")).toMatchObject({
      status: 404,
      body: { error: { code: "EVENT_NOT_FOUND" } },
    });
    expect(await send("/v1/nothing")).toMatchObject({ status: 404, body: { error: { code: "NOT_FOUND" } } });
    expect(await send("/v1/events/%20bad%20")).toMatchObject({
      status: 400,
      body: { error: { code: "VALIDATION_FAILED" } },
    });
  });

  it("peer endpoint validates envelopes field by field", async () => {
    const r = await post(
      "/v1/peer/confirm",
      JSON.stringify({ from: "gcp", envelope: { eventId: "x" }, confirmations: [] }),
    );
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^envelope\.\w+: /);
    const from = await post("/v1/peer/confirm", JSON.stringify({ from: 42, envelope: {}, confirmations: [] }));
    expect(from.body.error.details.issues.map((i: { field: string }) => i.field)).toContain("from");
    // Refused messages are kept as attempts, with where they came from.
    const attempts = (await send("/v1/peer/attempts")).body.attempts;
    expect(attempts[0]).toMatchObject({
      kind: "malformed",
      eventId: null,
      source: expect.stringMatching(/127\.0\.0\.1/),
    });
    expect(attempts[1]).toMatchObject({ kind: "malformed", eventId: "x", claimedFrom: "gcp" });
  });

  it("survives hostile input and keeps serving", async () => {
    const junk = [
      "",
      "null",
      "\u0000\u0001",
      '{"__proto__": {"polluted": true}, "tenantId": "a", "payload": 1}',
      "9".repeat(3000),
      '"\\ud800"',
    ];
    for (const body of junk) {
      const r = await post("/v1/events", body);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.body.error.code).toEqual(expect.any(String));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await send("/health")).status).toBe(200);
  });

  it("safe mode refuses writes with 503 and the reason, and still serves reads and health", async () => {
    const node = cluster.member("aws").node;
    await node.setSafeMode("incident 7: ledger audit");
    try {
      const w = await post("/v1/events", JSON.stringify({ tenantId: "acme", payload: 1 }));
      expect(w.status).toBe(503);
      expect(w.body.error).toMatchObject({ code: "SAFE_MODE", message: expect.stringContaining("incident 7") });
      const peer = await post("/v1/peer/confirm", "{}");
      expect(peer.status).toBe(503);
      expect((await send("/v1/events/evt-idem")).status).toBe(200);
      const health = await send("/health");
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({
        status: "degraded",
        safeMode: { on: true, reason: "incident 7: ledger audit" },
      });
    } finally {
      await node.setSafeMode(null);
    }
    expect((await post("/v1/events", JSON.stringify({ tenantId: "acme", payload: 2 }))).status).toBe(202);
  });

  it("/health has the contract's fields", async () => {
    const h = await send("/health");
    expect(h.body).toMatchObject({
      status: expect.stringMatching(/^(healthy|degraded)$/),
      cloud: "aws",
      region: expect.any(String),
      load: expect.any(Number),
      latencyMs: expect.any(Number),
      checks: { store: { ok: true }, peers: { azure: expect.any(Object), gcp: expect.any(Object) } },
      version: expect.any(String),
    });
  });
});
