import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { CLOUDS } from "../core/clouds";
import { confirmationSchema } from "../core/confirmation";
import { envelopeSchema, idSchema } from "../core/envelope";
import type { Ledger } from "../node/ledger";
import type { Store } from "../store/store";
import { readJson } from "./body";
import { errorResponse, validationError } from "./errors";

export const peerMessageSchema = z.strictObject({
  from: z.enum(CLOUDS),
  envelope: envelopeSchema,
  confirmations: z.array(confirmationSchema).max(CLOUDS.length),
});

/** Cloud-to-cloud replication and confirmation. Every claim is checked by signature,
 * not by who sent it; `from` only says whom to credit in the evidence. */
export function peerRoutes(d: { ledger: Ledger; store: Store; writeGuard: MiddlewareHandler }) {
  const app = new Hono();

  app.get("/ping", (c) => c.json({ cloud: d.ledger.self, ok: true }));

  app.post("/confirm", d.writeGuard, async (c) => {
    const body = await readJson(c, peerMessageSchema);
    if (!body.ok) return body.response;
    const result = await d.ledger.receive(body.value);
    switch (result.kind) {
      case "ok":
        return c.json({ status: result.record.status, hash: result.record.envelope.hash, confirmations: result.record.confirmations });
      case "rejected":
        return errorResponse(c, 422, result.code, `${result.field}: ${result.message}`, { field: result.field });
      case "conflict":
        return errorResponse(c, 409, "CONFLICTING_HASH", `eventId: this cloud holds another hash for "${result.record.envelope.eventId}" (${result.evidence})`, {
          kind: result.evidence,
          status: result.record.status,
          envelope: result.record.envelope,
        });
    }
  });

  app.get("/evidence", async (c) => {
    const query = z
      .object({ eventId: idSchema.optional(), limit: z.coerce.number().int().min(1).max(1000).optional() })
      .safeParse(c.req.query());
    if (!query.success) return validationError(c, query.error);
    return c.json({ evidence: await d.store.listEvidence(query.data) });
  });

  return app;
}
