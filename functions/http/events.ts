import { Hono } from "hono";
import { z } from "zod";
import { unsafeIntegerAt } from "../core/canonical";
import { idSchema, payloadSchema } from "../core/envelope";
import { afterAnswer } from "../node/after-answer";
import type { Ledger } from "../node/ledger";
import type { Replicator } from "../replication/replicator";
import type { Store } from "../store/store";
import { readJson } from "./body";
import { errorResponse, validationError } from "./errors";
import { eventView } from "./views";

/** POST body of /v1/events. Strict, so a misspelt field is named rather than ignored. */
export const submitSchema = z.strictObject({
  tenantId: idSchema,
  payload: payloadSchema,
  eventId: idSchema.optional(),
});

/** The public API: a tenant's events. */
export function eventRoutes(d: {
  ledger: Ledger;
  replicator: Replicator;
  store: Store;
  writeGuard: import("hono").MiddlewareHandler;
  bodyLimitBytes: number;
}) {
  const app = new Hono();

  app.post("/", d.writeGuard, async (c) => {
    const body = await readJson(c, submitSchema);
    if (!body.ok) return body.response;
    // Two checks only a new event must pass (an event already stored here, taken before them by a 0.4.3 node, is
    // answered as before): a number of magnitude 2^53 or more, which a double does not carry exactly, and the size of
    // the form the clouds exchange (JSON.stringify writes 9e15 as 16 digits), which must fit the limit to reach them.
    const unsafe = unsafeIntegerAt(body.value.payload, "payload");
    const exchanged = Buffer.byteLength(JSON.stringify(body.value));
    if (unsafe || exchanged > d.bodyLimitBytes) {
      const stored = body.value.eventId ? await d.store.getEvent(body.value.eventId) : undefined;
      if (!stored && unsafe)
        return errorResponse(
          c,
          400,
          "VALIDATION_FAILED",
          `${unsafe.path}: ${unsafe.value} is a number of magnitude 2^53 or more, which a JSON number (a double) does not carry exactly; send it as a string`,
        );
      if (!stored)
        return errorResponse(
          c,
          413,
          "PAYLOAD_TOO_LARGE",
          `payload: ${exchanged} bytes as the clouds exchange it (numbers written out in full), larger than the limit of ${d.bodyLimitBytes} bytes`,
          { limitBytes: d.bodyLimitBytes, exchangedBytes: exchanged },
        );
    }
    const result = await d.ledger.submit(body.value);
    if (result.kind === "conflict") {
      return errorResponse(
        c,
        409,
        "EVENT_ID_CONFLICT",
        `eventId: "${result.record.envelope.eventId}" already names a different event (tenant or payload differ)`,
        {
          eventId: result.record.envelope.eventId,
          hash: result.record.envelope.hash,
          status: result.record.status,
        },
      );
    }
    // Replication runs after the answer (a serverless host waits for it before returning: afterAnswer);
    // the reconciler picks up whatever it leaves PENDING.
    if (result.record.status === "PENDING")
      void afterAnswer(
        d.replicator.drive(
          result.record.envelope.eventId,
          "retry",
          result.kind === "created" ? result.record : undefined,
        ),
      );
    if (result.kind === "existing")
      return c.json(
        eventView(result.record, await d.store.listEvidence({ eventId: result.record.envelope.eventId })),
        200,
      );
    const { envelope, status } = result.record;
    return c.json({ eventId: envelope.eventId, status, hash: envelope.hash }, 202);
  });

  app.get("/:eventId", async (c) => {
    const id = idSchema.safeParse(c.req.param("eventId"));
    if (!id.success) return validationError(c, id.error, "eventId");
    const record = await d.store.getEvent(id.data);
    if (!record) return errorResponse(c, 404, "EVENT_NOT_FOUND", `eventId: no event "${id.data}" on this cloud`);
    return c.json(eventView(record, await d.store.listEvidence({ eventId: id.data })));
  });

  return app;
}
