import { request } from "node:http";
import { connect } from "node:net";
import type { KeyObject } from "node:crypto";
import type { Cloud } from "../functions/core/clouds";
import { verifyConfirmation, type Confirmation } from "../functions/core/confirmation";
import type { History, Op, OpResult, Signer } from "./history";
import { LOOPBACK, assertLoopback } from "./cluster";

export interface Answer {
  http: number;
  body: unknown;
  text: string;
}

/** One HTTP exchange with a timeout; rejects on connection errors and timeouts. */
export async function call(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs: number },
): Promise<Answer> {
  assertLoopback(url);
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: init.headers,
    body: init.body,
    signal: AbortSignal.timeout(init.timeoutMs),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { http: res.status, body, text };
}

export const postJson = (url: string, value: unknown, timeoutMs: number) =>
  call(url, { body: JSON.stringify(value), headers: { "content-type": "application/json" }, timeoutMs });

/** The documented error shape `{ error: { code, message } }`. */
export function errorCode(body: unknown): string | undefined {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return e && typeof e.code === "string" && typeof e.message === "string" ? e.code : undefined;
}

/** Records `op` as ok (an answer came), or info (timeout/reset: the request may or may not have taken effect). */
export async function record(
  h: History,
  op: Op,
  run: () => Promise<Answer>,
  extract: (a: Answer) => OpResult = () => ({}),
): Promise<Answer | undefined> {
  try {
    const a = await run();
    h.complete(op, "ok", {
      http: a.http,
      jsonError: errorCode(a.body) !== undefined,
      errorCode: errorCode(a.body),
      ...extract(a),
    });
    return a;
  } catch (err) {
    h.complete(op, "info", { error: describe(err) });
    return undefined;
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return `${err.name === "TimeoutError" ? "timeout" : err.message}${cause?.code ? ` (${cause.code})` : ""}`;
  }
  return String(err);
}

export interface EventView {
  eventId: string;
  status: "PENDING" | "FINAL" | "QUARANTINED";
  hash: string;
  envelope: Record<string, unknown>;
  confirmations: Record<string, unknown>[];
  statusReason?: string;
}

/** The parts of a GET /v1/events/{id} answer the checker needs, signatures verified here. */
export function readResult(eventId: string, a: Answer, publicKeys: Readonly<Record<Cloud, KeyObject>>): OpResult {
  if (a.http !== 200) return {};
  const v = a.body as EventView;
  const signers: Signer[] = [];
  for (const c of Array.isArray(v?.confirmations) ? v.confirmations : []) {
    let ok: boolean;
    try {
      ok = verifyConfirmation(eventId, c as unknown as Confirmation, publicKeys);
    } catch {
      ok = false;
    }
    if (!ok) continue;
    const at = Date.parse(String(c.confirmedAt));
    signers.push({
      cloud: c.cloud as Cloud,
      hash: String(c.hash),
      ...(Number.isFinite(at) ? { confirmedAtMs: at } : {}),
    });
  }
  const certClouds = [...new Set(signers.filter((s) => s.hash === v.hash).map((s) => s.cloud))];
  return {
    status: v.status,
    hash: v.hash,
    certClouds,
    signers,
    ...(v.statusReason ? { detail: { statusReason: v.statusReason } } : {}),
  };
}

/**
 * One request on a connection of its own (node:http, no keep-alive pool): a node may close a
 * connection after refusing a body, and a pooled socket would carry that into the next request.
 */
export function callFresh(
  url: string,
  init: { method: string; body?: string | Buffer; headers?: Record<string, string>; timeoutMs: number },
): Promise<Answer> {
  assertLoopback(url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method, headers: init.headers, agent: false, timeout: init.timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ http: res.statusCode ?? 0, body, text });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(init.body);
  });
}

/** A raw request on a socket (for what fetch refuses to send): the answer's status, or none. */
export function rawRequest(
  port: number,
  chunks: (string | Buffer)[],
  opts: { endAfter: boolean; waitMs: number },
): Promise<{ http?: number; text: string; closedBy: "server" | "timeout" }> {
  return new Promise((resolve) => {
    const s = connect({ host: LOOPBACK, port });
    let text = "";
    let done = false;
    const finish = (closedBy: "server" | "timeout") => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ http: m ? Number(m[1]) : undefined, text: text.slice(0, 400), closedBy });
    };
    const timer = setTimeout(() => finish("timeout"), opts.waitMs);
    s.on("error", () => finish("server"));
    s.on("data", (d: Buffer) => {
      text += d.toString("latin1");
      // One answer is all we want: stop once its headers and (short) body are in.
      if (/\r\n\r\n/.test(text) && text.length > 12) setTimeout(() => finish("server"), 50);
    });
    s.on("close", () => finish("server"));
    s.on("connect", () => {
      for (const c of chunks) s.write(c);
      if (opts.endAfter) s.end();
    });
  });
}
