import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { CLOUDS, isCloud } from "../core/clouds";
import { confirmationSchema } from "../core/confirmation";
import { envelopeSchema, idSchema } from "../core/envelope";
import type { Ledger } from "../node/ledger";
import type { Logger } from "pino";
import type { Store } from "../store/store";
import { readJson } from "./body";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { MAX_BATCH_MESSAGES, MAX_DEADLINE_MS } from "../replication/peer-mux";
import { errorBody, errorResponse, sourceAddress, validationBody, validationError } from "./errors";

export const peerMessageSchema = z.strictObject({
  from: z.string().max(64),
  envelope: envelopeSchema,
  confirmations: z.array(confirmationSchema).max(2 * CLOUDS.length),
});

/** POST body of /confirm-batch: the messages are checked one by one, so one bad message spoils no other. */
const batchSchema = z.strictObject({
  /** The sender gives up on a message after this long; what is undecided by then is answered 504. */
  deadlineMs: z.number().int().min(1).max(MAX_DEADLINE_MS),
  messages: z.array(z.unknown()).min(1).max(MAX_BATCH_MESSAGES),
});

const equivocationSchema = z.strictObject({
  from: z.string().max(64),
  eventId: idSchema,
  proof: z.unknown(),
});

/** Cloud-to-cloud replication and confirmation. Every claim is checked by signature; a
 * message that fails is refused (4xx), recorded as an attempt with its source address, and
 * changes nothing. `from` must be matched by that cloud's own signed confirmation. */
export function peerRoutes(d: {
  ledger: Ledger;
  store: Store;
  writeGuard: MiddlewareHandler;
  log: Logger;
  /** The largest peer message (the body limit plus PEER_MESSAGE_ROOM), for each message of a batch as for one alone. */
  peerMessageLimitBytes: number;
}) {
  const app = new Hono();

  app.get("/ping", (c) => c.json({ cloud: d.ledger.self, ok: true }));

  app.post("/confirm", d.writeGuard, async (c) => {
    const body = await readJson(c, peerMessageSchema);
    if (!body.ok) {
      await recordMalformed(d.store, c.req.path, sourceAddress(c), body.reason, body.raw);
      return body.response;
    }
    const answer = await confirmAnswer(d.ledger, body.value, sourceAddress(c));
    return c.json(answer.body, answer.status);
  });

  // Several messages in one request (the sender's multiplexer); each is judged exactly as
  // /confirm would judge it, and its answer streams back as one NDJSON line as soon as it is
  // decided: {"i": <index>, "status": <what /confirm answers>, "body": <its JSON>}.
  app.post("/confirm-batch", d.writeGuard, async (c) => {
    const body = await readJson(c, batchSchema);
    if (!body.ok) {
      await recordMalformed(d.store, c.req.path, sourceAddress(c), body.reason, body.raw);
      return body.response;
    }
    const source = sourceAddress(c);
    const { messages, deadlineMs } = body.value;
    // Each message of a batch is held to the limit a message alone has on /confirm. A request no larger than that
    // holds no message larger either: only then is each message measured (off the hot path of small batches).
    const declared = Number(c.req.header("content-length") ?? Number.NaN);
    const measure = !(declared <= d.peerMessageLimitBytes);
    const one = async (raw: unknown, i: number): Promise<Answer> => {
      const bytes = measure ? Buffer.byteLength(JSON.stringify(raw)) : 0;
      if (bytes > d.peerMessageLimitBytes)
        return {
          status: 413,
          body: errorBody(
            "PAYLOAD_TOO_LARGE",
            `messages[${i}]: ${bytes} bytes, larger than a peer message's limit of ${d.peerMessageLimitBytes} bytes`,
            { limitBytes: d.peerMessageLimitBytes },
          ),
        };
      const parsed = peerMessageSchema.safeParse(raw);
      if (parsed.success) return confirmAnswer(d.ledger, parsed.data, source);
      const answer = { status: 400 as const, body: validationBody(parsed.error, `messages[${i}]`) };
      await recordMalformed(d.store, c.req.path, source, answer.body.error.message, raw);
      return answer;
    };
    const encoder = new TextEncoder();
    let cancelled = false;
    let timer: NodeJS.Timeout | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const done = new Array<boolean>(messages.length).fill(false);
        let left = messages.length;
        let lines: string[] = [];
        let flushing = false;
        // Lines decided in one turn leave in one write. The sender may be gone (its connection
        // reset, the stream cancelled): the work still lands, its answers go nowhere.
        const flush = () => {
          flushing = false;
          if (cancelled) return;
          try {
            if (lines.length) controller.enqueue(encoder.encode(lines.join("")));
            if (left === 0) {
              clearTimeout(timer);
              controller.close();
            }
          } catch {
            cancelled = true;
          }
          lines = [];
        };
        const emit = (i: number, a: Answer) => {
          if (done[i]) return;
          done[i] = true;
          left--;
          lines.push(`${JSON.stringify({ i, status: a.status, body: a.body })}\n`);
          if (!flushing) {
            flushing = true;
            setImmediate(flush);
          }
        };
        // What is still undecided at the sender's deadline is answered as such (the work goes on).
        timer = setTimeout(() => {
          for (let i = 0; i < messages.length; i++)
            emit(i, {
              status: 504,
              body: errorBody("PEER_DEADLINE", `messages[${i}]: not decided within the sender's ${deadlineMs} ms`),
            });
        }, deadlineMs);
        messages.forEach((raw, i) =>
          one(raw, i).then(
            (a) => emit(i, a),
            (err: unknown) => {
              d.log.error({ err, path: c.req.path }, "batch message failed");
              emit(i, { status: 500, body: errorBody("INTERNAL", "internal error; see the node log") });
            },
          ),
        );
      },
      cancel() {
        cancelled = true;
        clearTimeout(timer);
      },
    });
    return c.body(stream, 200, { "content-type": "application/x-ndjson" });
  });

  // A peer that quarantined hands us its proof; only the two signatures in it count.
  app.post("/equivocation", d.writeGuard, async (c) => {
    const body = await readJson(c, equivocationSchema);
    if (!body.ok) {
      await recordMalformed(d.store, c.req.path, sourceAddress(c), body.reason, body.raw);
      return body.response;
    }
    const r = await d.ledger.learnProof(
      body.value.eventId,
      body.value.proof,
      isCloud(body.value.from) ? body.value.from : `unknown:${body.value.from}`,
      { address: sourceAddress(c) },
    );
    if (!r.ok) return errorResponse(c, 422, "BAD_PROOF", r.message);
    return c.json({ eventId: body.value.eventId, status: r.status });
  });

  app.get("/evidence", async (c) => {
    const query = z
      .object({ eventId: idSchema.optional(), limit: z.coerce.number().int().min(1).max(1000).optional() })
      .safeParse(c.req.query());
    if (!query.success) return validationError(c, query.error);
    return c.json({ evidence: await d.store.listEvidence(query.data) });
  });

  // Refused messages (they proved nothing and changed nothing), newest first.
  app.get("/attempts", async (c) => {
    const query = z
      .object({ eventId: idSchema.optional(), limit: z.coerce.number().int().min(1).max(1000).optional() })
      .safeParse(c.req.query());
    if (!query.success) return validationError(c, query.error);
    return c.json({ attempts: await d.store.listAttempts(query.data) });
  });

  return app;
}

type Answer = { status: ContentfulStatusCode; body: unknown };

/** What /confirm answers for one well-formed message. */
async function confirmAnswer(
  ledger: Ledger,
  msg: z.infer<typeof peerMessageSchema>,
  source: string | null,
): Promise<Answer> {
  const result = await ledger.receive({ ...msg, from: msg.from as (typeof CLOUDS)[number] }, { address: source });
  switch (result.kind) {
    case "ok":
      return {
        status: 200,
        body: {
          status: result.record.status,
          hash: result.record.envelope.hash,
          confirmations: result.record.confirmations,
        },
      };
    case "refused":
      return {
        status: result.status,
        body: errorBody(result.code, `${result.field}: ${result.message}`, { field: result.field }),
      };
    case "conflict": {
      const { envelope, status, confirmations } = result.record;
      return {
        status: 409,
        body: errorBody(
          "CONFLICTING_HASH",
          `eventId: "${envelope.eventId}" already names another event on this cloud (another payload or tenant)`,
          {
            eventId: envelope.eventId,
            hash: envelope.hash,
            status,
            envelope,
            // Our signed statements on our hash: with the sender's, they may prove an equivocation.
            confirmations,
          },
        ),
      };
    }
    case "quarantined":
      // A quarantined event lends no confirmation: only the proof of why.
      return {
        status: 409,
        body: errorBody(
          "EVENT_QUARANTINED",
          `eventId: "${result.record.envelope.eventId}" is quarantined on this cloud; it confirms nothing`,
          {
            eventId: result.record.envelope.eventId,
            status: result.record.status,
            evidence: result.proof ?? null,
          },
        ),
      };
  }
}

async function recordMalformed(
  store: Store,
  path: string,
  source: string | null,
  reason: string,
  raw: unknown,
): Promise<void> {
  const r = raw as { envelope?: { eventId?: unknown }; eventId?: unknown; from?: unknown } | undefined;
  const eventId =
    typeof r?.envelope?.eventId === "string" ? r.envelope.eventId : typeof r?.eventId === "string" ? r.eventId : null;
  await store.recordAttempt(
    {
      eventId: eventId?.slice(0, 128) ?? null,
      kind: "malformed",
      reason: `${path}: ${reason}`,
      source,
      claimedFrom: typeof r?.from === "string" ? r.from : null,
      detail: null,
    },
    Date.now(),
  );
}
