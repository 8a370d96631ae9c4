import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { agents, describeError as describe, readAnswer, requestJson } from "./http-json";

/** How many messages, and how many bytes of them, one batch request carries. */
export interface MuxOptions {
  maxMessages: number;
  maxBytes: number;
  /** How long the first queued message waits for others (0: only those queued in the same turn). */
  windowMs: number;
}

/** At most 64 messages and 512 KiB per request; the batch endpoint takes up to MAX_BATCH_MESSAGES
 * and 16x a peer message's limit (the body limit plus 32 KiB: 1.5 MiB by default). */
export const DEFAULT_MUX: MuxOptions = { maxMessages: 64, maxBytes: 512 * 1024, windowMs: 0 };

/** What one message got: the HTTP status and JSON body the single endpoint would have answered. */
export interface MuxAnswer {
  status: number;
  body: unknown;
}

/** The longest deadline `POST /v1/peer/confirm-batch` accepts (its schema in http/peer.ts reads it from here). */
export const MAX_DEADLINE_MS = 60_000;

/** One message's exchange failed (connection, timeout, unreadable answer): a transport failure. */
export class MuxError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = "MuxError";
  }
}

interface Item {
  readonly body: string;
  readonly bytes: number;
  readonly timeoutMs: number;
  readonly resolve: (a: MuxAnswer) => void;
  readonly reject: (err: unknown) => void;
  settled: boolean;
  timer?: NodeJS.Timeout;
  /** Called after the message's own timeout settled it. */
  onTimeout?: () => void;
}

/** A peer that refused the batch endpoint (an older runtime: 404; a smaller body limit: 413) gets singles for this long. */
const SINGLES_FOR_MS = 60_000;

/**
 * Peer messages to `POST /v1/peer/confirm`, multiplexed: the messages for one peer queued in one
 * event-loop turn travel as one `POST /v1/peer/confirm-batch`, whose answer streams one NDJSON
 * line per message as soon as that message is decided, so no message waits for a slower one.
 * Each message keeps its own timeout and gets exactly what the single endpoint would have
 * answered; a lone message goes to the single endpoint. The breaker, retries and their
 * accounting stay per message in the caller (HttpPeers): to them a message is still one call.
 */
export class PeerMux {
  /** Queued messages by timeout and peer. */
  private readonly queues = new Map<string, Item[]>();
  /** Base URLs that refused batches, until when. */
  private readonly singlesUntil = new Map<string, number>();

  private readonly opts: MuxOptions;

  constructor(options: Partial<MuxOptions> = {}) {
    const opts = (this.opts = { ...DEFAULT_MUX, ...options });
    if (!Number.isInteger(opts.maxMessages) || opts.maxMessages < 1 || opts.maxMessages > MAX_BATCH_MESSAGES)
      throw new RangeError(
        `mux.maxMessages: expected an integer from 1 to ${MAX_BATCH_MESSAGES}, got ${opts.maxMessages}`,
      );
    if (!Number.isInteger(opts.maxBytes) || opts.maxBytes < 1024)
      throw new RangeError(`mux.maxBytes: expected an integer of at least 1024, got ${opts.maxBytes}`);
    if (!Number.isFinite(opts.windowMs) || opts.windowMs < 0 || opts.windowMs > 100)
      throw new RangeError(`mux.windowMs: expected a number of ms from 0 to 100, got ${opts.windowMs}`);
  }

  /** Sends one JSON message (already serialised) to `${baseUrl}/v1/peer/confirm`. Rejects with MuxError. */
  send(baseUrl: string, body: string, timeoutMs: number): Promise<MuxAnswer> {
    return new Promise((resolve, reject) => {
      const item: Item = { body, bytes: Buffer.byteLength(body), timeoutMs, resolve, reject, settled: false };
      item.timer = setTimeout(() => {
        settle(item, new MuxError(`timed out after ${timeoutMs} ms`));
        item.onTimeout?.();
      }, timeoutMs);
      // Messages share a request only with messages of the same timeout: the receiver's deadline
      // for the batch is that timeout, so it never answers 504 to one that would still have waited.
      const key = `${timeoutMs} ${baseUrl}`;
      const queue = this.queues.get(key);
      if (queue) {
        queue.push(item);
        if (queue.length >= this.opts.maxMessages && this.opts.windowMs > 0) this.flush(key, baseUrl);
      } else {
        const fresh = [item];
        this.queues.set(key, fresh);
        const flush = () => this.queues.get(key) === fresh && this.flush(key, baseUrl);
        if (this.opts.windowMs > 0) setTimeout(flush, this.opts.windowMs);
        else setImmediate(flush);
      }
    });
  }

  private flush(key: string, baseUrl: string): void {
    const items = this.queues.get(key) ?? [];
    this.queues.delete(key);
    const singles = (this.singlesUntil.get(baseUrl) ?? 0) > Date.now();
    let chunk: Item[] = [];
    let bytes = 0;
    const send = () => {
      if (chunk.length === 1 || singles) for (const item of chunk) this.single(baseUrl, item);
      else if (chunk.length > 1) this.batch(baseUrl, chunk);
      chunk = [];
      bytes = 0;
    };
    for (const item of items) {
      if (item.settled) continue; // timed out while queued
      if (chunk.length >= this.opts.maxMessages || (chunk.length > 0 && bytes + item.bytes > this.opts.maxBytes))
        send();
      chunk.push(item);
      bytes += item.bytes + 1;
    }
    send();
  }

  private single(baseUrl: string, item: Item): void {
    requestJson(`${baseUrl}/v1/peer/confirm`, "POST", item.body, item.timeoutMs).then(
      (res) => {
        try {
          settle(item, readAnswer(res));
        } catch (err) {
          settle(item, new MuxError(describe(err), res.status));
        }
      },
      (err: unknown) => settle(item, new MuxError(describe(err))),
    );
  }

  private batch(baseUrl: string, items: Item[]): void {
    const target = new URL(`${baseUrl}/v1/peer/confirm-batch`);
    const secure = target.protocol === "https:";
    // The receiver answers whatever is still undecided by then (504 PEER_DEADLINE), so a host
    // that buffers the whole answer still returns before the messages give up (they share one timeout).
    // At most what the batch endpoint takes (60 s): a longer peer timeout had every batch refused whole (400).
    const deadlineMs = Math.min(MAX_DEADLINE_MS, Math.max(1, Math.min(...items.map((i) => i.timeoutMs)) - 50));
    const body = `{"deadlineMs":${deadlineMs},"messages":[${items.map((i) => i.body).join(",")}]}`;
    /** Set once the messages were handed to single requests: this request no longer answers for them. */
    let handedOver = false;
    const failAll = (reason: string, httpStatus?: number) => {
      if (handedOver) return;
      const open = items.filter((i) => !i.settled);
      if (open.length === 0) return;
      const err = new MuxError(reason, httpStatus);
      for (const item of open) settle(item, err);
    };
    const req = (secure ? httpsRequest : httpRequest)(
      target,
      {
        method: "POST",
        agent: secure ? agents.https : agents.http,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        timeout: Math.max(...items.map((i) => i.timeoutMs)),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          // Not a stream of answers: the whole request was refused.
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", (err) => failAll(describe(err)));
          res.on("end", () => {
            if (status === 404 || status === 413) {
              // An older runtime without the batch endpoint, or a smaller body limit: one by one.
              this.singlesUntil.set(baseUrl, Date.now() + SINGLES_FOR_MS);
              handedOver = true;
              for (const item of items) if (!item.settled) this.single(baseUrl, item);
              return;
            }
            let parsed: unknown;
            try {
              parsed = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
            } catch {
              parsed = undefined;
            }
            for (const item of items) settle(item, { status, body: parsed });
          });
          return;
        }
        let rest = "";
        res.setEncoding("utf8");
        res.on("data", (text: string) => {
          const lines = (rest + text).split("\n");
          rest = lines.pop()!;
          for (const line of lines) {
            if (!line) continue;
            let answer: { i?: unknown; status?: unknown; body?: unknown };
            try {
              answer = JSON.parse(line) as typeof answer;
            } catch (err) {
              return failAll(`unreadable batch answer (${describe(err)})`, 200);
            }
            const item = typeof answer.i === "number" ? items[answer.i] : undefined;
            if (!item || typeof answer.status !== "number")
              return failAll("batch answer line without a known index and status", 200);
            settle(item, { status: answer.status, body: answer.body });
          }
        });
        res.on("error", (err) => failAll(describe(err)));
        res.on("end", () => failAll("the batch answer ended before this message's line"));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (err) => failAll(describe(err)));
    req.on("close", () => failAll("connection closed before this message's answer"));
    // The last undecided message timed out: what the request may still bring, nobody waits for.
    for (const item of items)
      item.onTimeout = () => {
        if (!req.destroyed && items.every((i) => i.settled)) req.destroy();
      };
    req.end(body);
  }
}

/** Most messages one `POST /v1/peer/confirm-batch` may carry. */
export const MAX_BATCH_MESSAGES = 256;

function settle(item: Item, outcome: MuxAnswer | unknown): void {
  if (item.settled) return;
  item.settled = true;
  clearTimeout(item.timer);
  if (outcome instanceof Error) item.reject(outcome);
  else item.resolve(outcome as MuxAnswer);
}
