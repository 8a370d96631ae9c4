import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { CLOUDS, isCloud } from "../core/clouds";
import { confirmationSchema } from "../core/confirmation";
import { envelopeSchema, idSchema } from "../core/envelope";
import type { Ledger } from "../node/ledger";
import type { Store } from "../store/store";
import { readJson } from "./body";
import { errorResponse, sourceAddress, validationError } from "./errors";

export const peerMessageSchema = z.strictObject({
  from: z.string().max(64),
  envelope: envelopeSchema,
  confirmations: z.array(confirmationSchema).max(2 * CLOUDS.length),
});

const equivocationSchema = z.strictObject({
  from: z.string().max(64),
  eventId: idSchema,
  proof: z.unknown(),
});

/** Cloud-to-cloud replication and confirmation. Every claim is checked by signature; a
 * message that fails is refused (4xx), recorded as an attempt with its source address, and
 * changes nothing. `from` must be matched by that cloud's own signed confirmation. */
export function peerRoutes(d: { ledger: Ledger; store: Store; writeGuard: MiddlewareHandler }) {
  const app = new Hono();

  app.get("/ping", (c) => c.json({ cloud: d.ledger.self, ok: true }));

  app.post("/confirm", d.writeGuard, async (c) => {
    const body = await readJson(c, peerMessageSchema);
    if (!body.ok) {
      await recordMalformed(d.store, c.req.path, sourceAddress(c), body.reason, body.raw);
      return body.response;
    }
    const msg = body.value;
    const result = await d.ledger.receive(
      { ...msg, from: msg.from as (typeof CLOUDS)[number] },
      { address: sourceAddress(c) },
    );
    switch (result.kind) {
      case "ok":
        return c.json({
          status: result.record.status,
          hash: result.record.envelope.hash,
          confirmations: result.record.confirmations,
        });
      case "refused":
        return errorResponse(c, result.status, result.code, `${result.field}: ${result.message}`, {
          field: result.field,
        });
      case "conflict": {
        const { envelope, status, confirmations } = result.record;
        return errorResponse(
          c,
          409,
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
        );
      }
      case "quarantined":
        // A quarantined event lends no confirmation: only the proof of why.
        return errorResponse(
          c,
          409,
          "EVENT_QUARANTINED",
          `eventId: "${result.record.envelope.eventId}" is quarantined on this cloud; it confirms nothing`,
          {
            eventId: result.record.envelope.eventId,
            status: result.record.status,
            evidence: result.proof ?? null,
          },
        );
    }
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
