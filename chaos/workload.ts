import type { KeyObject } from "node:crypto";
import { CLOUDS, type Cloud } from "../functions/core/clouds";
import type { KeyRing } from "../functions/core/keys";
import type { ChaosCluster } from "./cluster";
import type { FaultRecord, History } from "./history";
import { call, callFresh, errorCode, postJson, rawRequest, readResult, record, type EventView } from "./http";
import { FORGE_KINDS, forgedMessage, replayOf, signedMessage, type ForgeKind } from "./messages";
import type { Rng } from "./rng";

/** Timeouts of the clients (the failover client's "after a timeout"). */
export const SUBMIT_TIMEOUT_MS = 2_000;
const READ_TIMEOUT_MS = 1_000;
const PEER_TIMEOUT_MS = 2_000;
const POLL_EVERY_MS = 250;

export interface WorkloadContext {
  h: History;
  cluster: ChaosCluster;
  rng: Rng;
  publicKeys: Readonly<Record<Cloud, KeyObject>>;
  /** The attacker's copy of one cloud's key ring. */
  stolen: KeyRing;
  /** History time at which clients stop starting new operations. */
  untilMs: number;
  /** True while no fault is active (the equivocator waits for calm so its attacks are judged by the strict rule). */
  calm(): boolean;
  registry: Registry;
}

interface Acked {
  tenantId: string;
  payload: unknown;
  node: Cloud;
  hash: string;
}

/** What the clients know of the events they made: the pool forged and replayed messages draw from. */
export class Registry {
  readonly acked = new Map<string, Acked>();
  readonly finalViews = new Map<string, EventView>();
  /** Every eventId any client used, for the final reads. */
  readonly ids = new Set<string>();
  readonly pollers = new Set<Promise<void>>();
  stopPolling = false;
  private readonly ackListeners: ((id: string, a: Acked) => void)[] = [];

  onAck(fn: (id: string, a: Acked) => void): void {
    this.ackListeners.push(fn);
  }

  ack(id: string, a: Acked): void {
    if (this.acked.has(id)) return;
    this.acked.set(id, a);
    for (const fn of this.ackListeners) fn(id, a);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const others = (c: Cloud) => CLOUDS.filter((x) => x !== c);

export async function readEvent(
  ctx: WorkloadContext,
  process: string,
  node: Cloud,
  eventId: string,
): Promise<EventView | undefined> {
  const op = ctx.h.invoke(process, "read", { node, eventId });
  const a = await record(
    ctx.h,
    op,
    () => call(`${ctx.cluster.url(node)}/v1/events/${encodeURIComponent(eventId)}`, { timeoutMs: READ_TIMEOUT_MS }),
    (a) => readResult(eventId, a, ctx.publicKeys),
  );
  return a?.http === 200 ? (a.body as EventView) : undefined;
}

/** Polls the nodes in turn until one shows the event FINAL (or polling stops). */
function poll(ctx: WorkloadContext, eventId: string, first: Cloud, process: string): void {
  const p = (async () => {
    let i = CLOUDS.indexOf(first);
    while (!ctx.registry.stopPolling && !ctx.registry.finalViews.has(eventId)) {
      const node = CLOUDS[i++ % CLOUDS.length]!;
      if (!ctx.cluster.isServing(node)) continue;
      const v = await readEvent(ctx, process, node, eventId);
      if (v?.status === "FINAL") ctx.registry.finalViews.set(eventId, v);
      else await sleep(POLL_EVERY_MS);
    }
  })();
  ctx.registry.pollers.add(p);
  void p.finally(() => ctx.registry.pollers.delete(p));
}

async function submit(
  ctx: WorkloadContext,
  process: string,
  node: Cloud,
  body: { tenantId: string; eventId: string; payload: unknown },
  tag: string,
) {
  const op = ctx.h.invoke(process, "submit", {
    node,
    eventId: body.eventId,
    value: { tenantId: body.tenantId, payload: body.payload, tag },
  });
  ctx.registry.ids.add(body.eventId);
  const a = await record(
    ctx.h,
    op,
    () => postJson(`${ctx.cluster.url(node)}/v1/events`, body, SUBMIT_TIMEOUT_MS),
    (a) => ({ hash: (a.body as { hash?: string } | undefined)?.hash }),
  );
  if (a && a.http >= 200 && a.http < 300) {
    const hash = (a.body as { hash?: string }).hash ?? "";
    ctx.registry.ack(body.eventId, { tenantId: body.tenantId, payload: body.payload, node, hash });
    poll(ctx, body.eventId, node, `${process}/poll`);
  }
  return a;
}

const TENANTS = ["acme", "globex", "initech"];

/** An honest client: random node, and on a timeout, reset or 5xx the same event to the next one. Sometimes it races a retry on purpose. */
export async function honestClient(ctx: WorkloadContext, k: number): Promise<void> {
  const rng = ctx.rng.fork(`honest ${k}`);
  const process = `honest-${k}`;
  for (let i = 0; ctx.h.now() < ctx.untilMs; i++) {
    const body = {
      tenantId: rng.pick(TENANTS),
      eventId: `h${ctx.h.seed}-${k}-${i}`,
      payload: { client: k, seq: i, amountCents: rng.int(1, 1_000_000), note: rng.hex(6) },
    };
    const order = rng.shuffle(CLOUDS);
    if (rng.chance(0.12)) {
      // The failover client whose first answer was merely slow: the same event to a second node shortly after.
      const delay = rng.between(0, 300);
      await Promise.all([
        submit(ctx, process, order[0]!, body, "race"),
        sleep(delay).then(() => submit(ctx, process, order[1]!, body, "race")),
      ]);
    } else {
      for (const [attempt, node] of order.entries()) {
        const a = await submit(ctx, process, node, body, attempt === 0 ? "first" : "failover");
        if (a && a.http < 500) break;
      }
    }
    await sleep(rng.between(100, 400));
  }
}

/** One event sent to all three nodes at once. */
export async function duplicateClient(ctx: WorkloadContext): Promise<void> {
  const rng = ctx.rng.fork("duplicates");
  for (let i = 0; ctx.h.now() < ctx.untilMs; i++) {
    const body = { tenantId: rng.pick(TENANTS), eventId: `d${ctx.h.seed}-${i}`, payload: { dup: i, note: rng.hex(6) } };
    await Promise.all(CLOUDS.map((node) => submit(ctx, "duplicates", node, body, "dup")));
    await sleep(rng.between(600, 1_400));
  }
}

/** A different payload or tenant under an id the target node already holds: must be 409. */
export async function reuseClient(ctx: WorkloadContext): Promise<void> {
  const rng = ctx.rng.fork("reuse");
  while (ctx.h.now() < ctx.untilMs) {
    await sleep(rng.between(800, 1_600));
    const ids = [...ctx.registry.acked.keys()].filter((id) => id.startsWith("h"));
    if (ids.length === 0) continue;
    const id = rng.pick(ids);
    const a = ctx.registry.acked.get(id)!;
    const node = rng.pick(CLOUDS);
    if (!ctx.cluster.isServing(node)) continue;
    // Only once the node shows it holds the event is a 409 owed synchronously.
    const held = await readEvent(ctx, "reuse", node, id);
    if (!held) continue;
    const changed = rng.chance(0.7) ? "payload" : "tenant";
    const body =
      changed === "payload"
        ? { tenantId: a.tenantId, eventId: id, payload: { reused: true, note: rng.hex(6) } }
        : { tenantId: rng.pick(TENANTS.filter((t) => t !== a.tenantId)), eventId: id, payload: a.payload };
    const op = ctx.h.invoke("reuse", "reuse", { node, eventId: id, value: { changed } });
    await record(
      ctx.h,
      op,
      () => postJson(`${ctx.cluster.url(node)}/v1/events`, body, SUBMIT_TIMEOUT_MS),
      (r) => ({ hash: (r.body as { hash?: string } | undefined)?.hash }),
    );
  }
}

/** Forged peer messages about honest events, sent to every node right after the event is acknowledged (while it is PENDING). */
export function forgeClient(ctx: WorkloadContext): void {
  const rng = ctx.rng.fork("forge");
  ctx.registry.onAck((id, a) => {
    if (ctx.h.now() >= ctx.untilMs || !rng.chance(0.2)) return;
    const kind: ForgeKind = rng.pick(FORGE_KINDS);
    const from = rng.pick(CLOUDS);
    const forgeRng = rng.fork(`forge ${id}`);
    void (async () => {
      let honest;
      if (kind === "bad-confirmation") honest = (await readEvent(ctx, "forge", a.node, id))?.envelope;
      if (kind === "bad-confirmation" && !honest) return;
      const { message, forgedHash } = forgedMessage(
        kind,
        forgeRng,
        { eventId: id, tenantId: a.tenantId, origin: a.node, from, honest: honest as never },
        Date.now(),
      );
      await Promise.all(
        CLOUDS.map((node) => {
          const op = ctx.h.invoke("forge", "forge", {
            node,
            eventId: id,
            value: { kind, from, forgedHash, expect: "4xx" },
          });
          return record(ctx.h, op, () =>
            postJson(`${ctx.cluster.url(node)}/v1/peer/confirm`, message, PEER_TIMEOUT_MS),
          );
        }),
      );
    })();
  });
}

/**
 * Old, validly signed peer messages sent again: requests captured on the links as they were
 * sent, or rebuilt from a FINAL event's stored certificate (as its origin or as another cloud).
 */
export async function replayClient(ctx: WorkloadContext): Promise<void> {
  const rng = ctx.rng.fork("replay");
  while (ctx.h.now() < ctx.untilMs) {
    await sleep(rng.between(500, 1_200));
    const captured = [...ctx.cluster.links.values()].flatMap((l) =>
      l.captured.filter((c) => c.path === "/v1/peer/confirm"),
    );
    let msg: unknown;
    let value: Record<string, unknown>;
    let id: string;
    if (captured.length > 0 && rng.chance(0.5)) {
      const c = rng.pick(captured);
      let parsed: { envelope?: { eventId?: string; hash?: string }; from?: string };
      try {
        parsed = JSON.parse(c.body) as typeof parsed;
      } catch {
        continue;
      }
      if (!parsed.envelope?.eventId) continue;
      id = parsed.envelope.eventId;
      msg = parsed;
      value = { kind: "captured", from: parsed.from, hash: parsed.envelope.hash, ageMs: Date.now() - c.atMs };
    } else {
      const ids = [...ctx.registry.finalViews.keys()];
      if (ids.length === 0) continue;
      id = rng.pick(ids);
      const view = ctx.registry.finalViews.get(id)!;
      const kind = rng.pick(["as-sent", "other-sender", "no-confirmations", "one-confirmation"] as const);
      const from = rng.pick(CLOUDS);
      const m = replayOf(view, from);
      if (kind === "no-confirmations") m.confirmations = [];
      if (kind === "one-confirmation") m.confirmations = m.confirmations.slice(0, 1);
      msg = m;
      value = { kind, from, hash: view.hash };
    }
    const node = rng.pick(CLOUDS);
    if (!ctx.cluster.isServing(node)) continue;
    const op = ctx.h.invoke("replay", "replay", { node, eventId: id, value });
    await record(ctx.h, op, () => postJson(`${ctx.cluster.url(node)}/v1/peer/confirm`, msg, PEER_TIMEOUT_MS));
  }
}

/** The attacker with one cloud's key: two validly signed different hashes for one eventId, one to each honest cloud. */
export async function equivocator(ctx: WorkloadContext): Promise<void> {
  const rng = ctx.rng.fork("equivocate");
  const thief = ctx.stolen.self;
  const [x, y] = others(thief) as [Cloud, Cloud];
  for (let i = 0; ctx.h.now() < ctx.untilMs - 3_000; i++) {
    await sleep(rng.between(500, 1_500));
    // Attack in calm weather only, so "one FINAL hash" applies to it strictly (no exemption).
    while (ctx.h.now() < ctx.untilMs - 3_000 && !(ctx.calm() && ctx.cluster.isServing(x) && ctx.cluster.isServing(y)))
      await sleep(50);
    if (ctx.h.now() >= ctx.untilMs - 3_000) break;
    const id = `q${ctx.h.seed}-${i}`;
    const tenantId = rng.pick(TENANTS);
    const m1 = signedMessage(
      ctx.stolen,
      { eventId: id, tenantId, payload: { pay: "alice", note: rng.hex(4) } },
      Date.now(),
    );
    const m2 = signedMessage(
      ctx.stolen,
      { eventId: id, tenantId, payload: { pay: "mallory", note: rng.hex(4) } },
      Date.now(),
    );
    // sequential: the second hash after the first was answered (the proof arrives late);
    // concurrent: both at once; staggered: the second 0-200 ms later (the race in between).
    const mode = rng.weighted([
      ["sequential", 3],
      ["concurrent", 4],
      ["staggered", 3],
    ] as const);
    const stagger = mode === "staggered" ? rng.between(0, 200) : 0;
    ctx.registry.ids.add(id);
    const op = ctx.h.invoke("equivocate", "equivocate", {
      eventId: id,
      value: {
        thief,
        receivers: [x, y],
        hashes: [m1.envelope.hash, m2.envelope.hash],
        mode,
        staggerMs: Math.round(stagger),
      },
    });
    // A long timeout: an answer proves delivery, a timeout proves nothing (and exempts the attack from "detected").
    const send = (node: Cloud, m: unknown) =>
      postJson(`${ctx.cluster.url(node)}/v1/peer/confirm`, m, 4 * PEER_TIMEOUT_MS).then(
        (a) => a.http,
        () => undefined,
      );
    const answers =
      mode === "sequential"
        ? [await send(x, m1), await send(y, m2)]
        : await Promise.all([send(x, m1), sleep(stagger).then(() => send(y, m2))]);
    ctx.h.complete(op, "ok", { detail: { delivered: answers.filter((s) => s !== undefined).length, answers } });
    // Watch all three nodes for a while: the checker orders quarantines and FINALs by these reads.
    const until = Date.now() + 4_000;
    while (Date.now() < until) {
      await Promise.all(
        CLOUDS.filter((c) => ctx.cluster.isServing(c)).map((c) => readEvent(ctx, "equivocate/watch", c, id)),
      );
      await sleep(POLL_EVERY_MS);
    }
  }
}

/**
 * The documented limit: the thief's two hashes sent to the two honest clouds while they cannot
 * talk. 2-of-3 cannot prevent two FINALs here; the checker exempts it from "one FINAL hash"
 * and asks only that it be detectable (evidence, quarantine, or both certificates, as the auditor finds).
 */
export async function limitAttack(ctx: WorkloadContext, fault: FaultRecord): Promise<void> {
  const thief = ctx.stolen.self;
  const [x, y] = others(thief) as [Cloud, Cloud];
  if (fault.kind !== "partition-pair" || !fault.links.includes(`${x}->${y}`) || !fault.links.includes(`${y}->${x}`))
    return;
  const rng = ctx.rng.fork(`limit ${fault.id}`);
  await sleep(300);
  if (!ctx.cluster.isServing(x) || !ctx.cluster.isServing(y)) return;
  const id = `q${ctx.h.seed}-limit-${fault.id}`;
  const tenantId = rng.pick(TENANTS);
  const m1 = signedMessage(
    ctx.stolen,
    { eventId: id, tenantId, payload: { pay: "alice", note: rng.hex(4) } },
    Date.now(),
  );
  const m2 = signedMessage(
    ctx.stolen,
    { eventId: id, tenantId, payload: { pay: "mallory", note: rng.hex(4) } },
    Date.now(),
  );
  ctx.registry.ids.add(id);
  const op = ctx.h.invoke("equivocate", "equivocate", {
    eventId: id,
    value: { thief, receivers: [x, y], hashes: [m1.envelope.hash, m2.envelope.hash], mode: "limit" },
  });
  const send = (node: Cloud, m: unknown) =>
    postJson(`${ctx.cluster.url(node)}/v1/peer/confirm`, m, 4 * PEER_TIMEOUT_MS).then(
      (a) => a.http,
      () => undefined,
    );
  const answers = await Promise.all([send(x, m1), send(y, m2)]);
  ctx.h.complete(op, "ok", { detail: { delivered: answers.filter((s) => s !== undefined).length, answers } });
  const until = Date.now() + 4_000;
  while (Date.now() < until) {
    await Promise.all(
      CLOUDS.filter((c) => ctx.cluster.isServing(c)).map((c) => readEvent(ctx, "equivocate/watch", c, id)),
    );
    await sleep(POLL_EVERY_MS);
  }
}

interface Malformed {
  kind: string;
  expect: "4xx" | "4xx-json" | "no-5xx";
  run(url: string, port: number, rng: Rng): Promise<{ http?: number; body?: unknown; error?: string }>;
}

const post = (path: string, body: string | Buffer, type?: string) => async (url: string) => {
  const a = await callFresh(`${url}${path}`, {
    method: "POST",
    body,
    headers: type ? { "content-type": type } : {},
    timeoutMs: 10_000,
  });
  return { http: a.http, body: a.body };
};
const get = (path: string) => async (url: string) => {
  const a = await callFresh(`${url}${path}`, { method: "GET", timeoutMs: 10_000 });
  return { http: a.http, body: a.body };
};
const raw =
  (build: (rng: Rng) => (string | Buffer)[], endAfter: boolean) => async (_url: string, port: number, rng: Rng) => {
    const r = await rawRequest(port, build(rng), { endAfter, waitMs: 10_000 });
    return { http: r.http, error: r.http === undefined ? `no answer (${r.closedBy})` : undefined };
  };
const JSON_T = "application/json";
const head = (path: string, extra: string) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}\r\n`;

export const MALFORMED: readonly Malformed[] = [
  { kind: "bad-json", expect: "4xx-json", run: post("/v1/events", '{"tenantId": "acme", "payload": ', JSON_T) },
  {
    kind: "wrong-content-type",
    expect: "4xx-json",
    run: post("/v1/events", '{"tenantId":"acme","payload":1}', "text/plain"),
  },
  { kind: "no-content-type", expect: "4xx-json", run: post("/v1/events", '{"tenantId":"acme","payload":1}') },
  {
    kind: "huge-body",
    expect: "4xx-json",
    run: post("/v1/events", JSON.stringify({ tenantId: "acme", payload: "x".repeat(1 << 20) }), JSON_T),
  },
  {
    kind: "deep-json",
    expect: "4xx-json",
    run: post("/v1/events", `{"tenantId":"acme","payload":${"[".repeat(200)}${"]".repeat(200)}}`, JSON_T),
  },
  { kind: "not-an-object", expect: "4xx-json", run: post("/v1/events", "[1,2,3]", JSON_T) },
  { kind: "null-body", expect: "4xx-json", run: post("/v1/events", "null", JSON_T) },
  { kind: "missing-field", expect: "4xx-json", run: post("/v1/events", '{"tenantId":"acme"}', JSON_T) },
  {
    kind: "extra-field",
    expect: "4xx-json",
    run: post("/v1/events", '{"tenantId":"acme","payload":1,"admin":true}', JSON_T),
  },
  {
    kind: "bad-event-id",
    expect: "4xx-json",
    run: post("/v1/events", '{"tenantId":"acme","payload":1,"eventId":"../../etc/passwd"}', JSON_T),
  },
  {
    kind: "lone-surrogate",
    expect: "4xx-json",
    run: post("/v1/events", '{"tenantId":"acme","payload":"\\ud800"}', JSON_T),
  },
  { kind: "huge-number", expect: "4xx-json", run: post("/v1/events", '{"tenantId":"acme","payload":1e999}', JSON_T) },
  {
    kind: "invalid-utf8",
    expect: "4xx",
    run: post("/v1/events", Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), JSON_T),
  },
  { kind: "peer-missing-fields", expect: "4xx-json", run: post("/v1/peer/confirm", '{"from":"aws"}', JSON_T) },
  { kind: "peer-bad-json", expect: "4xx-json", run: post("/v1/peer/confirm", "{{{", JSON_T) },
  {
    kind: "peer-unknown-cloud",
    expect: "4xx-json",
    run: post("/v1/peer/confirm", '{"from":"oracle","envelope":{},"confirmations":[]}', JSON_T),
  },
  {
    kind: "witness-garbage",
    expect: "4xx-json",
    run: post("/v1/peer/witness", '{"checkpoint":"hello","oldSize":-1,"consistency":"x"}', JSON_T),
  },
  {
    kind: "witness-bad-note",
    expect: "4xx-json",
    run: post("/v1/peer/witness", '{"checkpoint":"not a note\\n","oldSize":0,"consistency":[]}', JSON_T),
  },
  { kind: "get-long-id", expect: "4xx-json", run: get(`/v1/events/${"a".repeat(300)}`) },
  { kind: "get-odd-id", expect: "4xx-json", run: get("/v1/events/%E2%80%AE%00x") },
  { kind: "unknown-path", expect: "4xx-json", run: get("/v1/nope") },
  { kind: "evidence-bad-limit", expect: "4xx-json", run: get("/v1/peer/evidence?limit=-5") },
  { kind: "checkpoint-bad-size", expect: "4xx-json", run: get("/v1/ledger/checkpoint?size=-1") },
  {
    kind: "bad-chunk-size",
    expect: "4xx",
    run: raw(() => [head("/v1/events", "Transfer-Encoding: chunked\r\n"), "zz\r\nhello\r\n0\r\n\r\n"], false),
  },
  {
    kind: "chunk-size-overflow",
    expect: "4xx",
    run: raw(
      () => [head("/v1/events", "Transfer-Encoding: chunked\r\n"), "FFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n"],
      false,
    ),
  },
  {
    kind: "chunked-and-length",
    expect: "4xx",
    run: raw(
      () => [head("/v1/events", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"), "5\r\nhello\r\n0\r\n\r\n"],
      false,
    ),
  },
  {
    kind: "chunk-missing-crlf",
    expect: "4xx",
    run: raw(() => [head("/v1/events", "Transfer-Encoding: chunked\r\n"), '5\r\n{"a":1}0\r\n\r\n'], false),
  },
  {
    kind: "truncated-chunked",
    expect: "no-5xx",
    run: raw(() => [head("/v1/events", "Transfer-Encoding: chunked\r\n"), '10\r\n{"tenantId":"a",'], true),
  },
  {
    kind: "short-content-length",
    expect: "no-5xx",
    run: raw(() => [head("/v1/events", "Content-Length: 100\r\n"), '{"tenantId":"a"'], true),
  },
  // The node answers 413 and closes while the client is still sending: the reset may destroy the answer in flight, so only "no 5xx" is owed.
  {
    kind: "huge-chunked",
    expect: "no-5xx",
    run: raw(
      (rng) => [
        head("/v1/events", "Transfer-Encoding: chunked\r\n"),
        ...Array.from({ length: 40 }, () => `4000\r\n${rng.hex(8192)}\r\n`),
        "0\r\n\r\n",
      ],
      false,
    ),
  },
  { kind: "garbage-request-line", expect: "4xx", run: raw(() => ["HELLO THERE\r\n\r\n"], false) },
  {
    kind: "bad-header",
    expect: "4xx",
    run: raw(() => ["GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n"], false),
  },
];

/** About `count` malformed requests spread over the run (a few in flight at once), each to a random serving node. */
export async function malformedClient(ctx: WorkloadContext, count: number): Promise<void> {
  const rng = ctx.rng.fork("malformed");
  const gap = Math.max(5, (ctx.untilMs - ctx.h.now()) / Math.max(1, count));
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < count && ctx.h.now() < ctx.untilMs; i++) {
    await sleep(rng.between(0.5 * gap, 1.5 * gap));
    while (inFlight.size >= 8) await Promise.race(inFlight);
    const node = rng.pick(CLOUDS);
    if (!ctx.cluster.isServing(node)) continue;
    const m = rng.pick(MALFORMED);
    const mRng = rng.fork(`malformed ${i}`);
    const op = ctx.h.invoke("malformed", "malformed", { node, value: { kind: m.kind, expect: m.expect } });
    const p = m
      .run(ctx.cluster.url(node), ctx.cluster.nodes.get(node)!.port, mRng)
      .then(
        (r) =>
          void ctx.h.complete(op, r.http === undefined ? "info" : "ok", {
            http: r.http,
            jsonError: errorCode(r.body) !== undefined,
            errorCode: errorCode(r.body),
            ...(r.error ? { error: r.error } : {}),
          }),
        (err: unknown) => void ctx.h.complete(op, "info", { error: err instanceof Error ? err.message : String(err) }),
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
}

interface Checkpoint {
  origin: string;
  size: number;
  text: string;
}

/**
 * Makes checkpoints (POST /v1/ledger/checkpoint on each node), more later, then re-sends an
 * early one to each witness with the oldSize the witness now holds: a replay that proves nothing.
 */
export async function witnessReplayer(ctx: WorkloadContext, runMs: number): Promise<void> {
  const start = ctx.h.now();
  const publish = async (): Promise<Map<Cloud, Checkpoint>> => {
    const out = new Map<Cloud, Checkpoint>();
    await Promise.all(
      CLOUDS.map(async (node) => {
        if (!ctx.cluster.isServing(node)) return;
        const op = ctx.h.invoke("witness", "checkpoint", { node });
        const a = await record(ctx.h, op, () =>
          call(`${ctx.cluster.url(node)}/v1/ledger/checkpoint`, { method: "POST", timeoutMs: 8_000 }),
        );
        const b = a?.body as { origin?: string; size?: number; checkpoint?: string } | undefined;
        if (a?.http === 200 && b?.origin && typeof b.size === "number" && b.checkpoint)
          out.set(node, { origin: b.origin, size: b.size, text: b.checkpoint });
      }),
    );
    return out;
  };
  await sleep(start + 0.2 * runMs - ctx.h.now());
  const early = await publish();
  await sleep(start + 0.55 * runMs - ctx.h.now());
  await publish();
  await sleep(start + 0.65 * runMs - ctx.h.now());
  for (const [origin, cp] of early) {
    for (const witness of others(origin)) {
      if (!ctx.cluster.isServing(witness)) continue;
      const w = await call(`${ctx.cluster.url(witness)}/v1/ledger/witnessed`, { timeoutMs: 3_000 }).catch(
        () => undefined,
      );
      const seen = (w?.body as { witnessed?: { origin: string; size: number }[] } | undefined)?.witnessed?.find(
        (s) => s.origin === cp.origin,
      )?.size;
      if (seen === undefined || seen <= cp.size) continue; // nothing newer cosigned: re-sending would not be a replay
      const op = ctx.h.invoke("witness", "witness-replay", {
        node: witness,
        value: { kind: "forged-old-size", origin, replayedSize: cp.size, oldSize: seen, expect: "4xx" },
      });
      await record(ctx.h, op, () =>
        postJson(
          `${ctx.cluster.url(witness)}/v1/peer/witness`,
          { checkpoint: cp.text, oldSize: seen, consistency: [] },
          3_000,
        ),
      );
    }
  }
  // Witness requests captured on the links, re-sent as they were to the witness they were for.
  const rng = ctx.rng.fork("witness replay");
  const captured = [...ctx.cluster.links.entries()].flatMap(([name, l]) =>
    l.captured.filter((c) => c.path === "/v1/peer/witness").map((c) => ({ to: name.split("->")[1] as Cloud, c })),
  );
  for (const { to, c } of rng.shuffle(captured).slice(0, 4)) {
    if (!ctx.cluster.isServing(to)) continue;
    const op = ctx.h.invoke("witness", "witness-replay", {
      node: to,
      value: { kind: "as-captured", ageMs: Date.now() - c.atMs, expect: "no-5xx" },
    });
    await record(ctx.h, op, () =>
      call(`${ctx.cluster.url(to)}/v1/peer/witness`, {
        method: "POST",
        body: c.body,
        headers: { "content-type": "application/json" },
        timeoutMs: 3_000,
      }),
    );
  }
}
