import type { EventRecord } from "../store/store";

/** GET /v1/events/{id} and the 200 of a repeated submission share this shape. */
export function eventView(record: EventRecord) {
  const { envelope, status, statusReason, confirmations } = record;
  return {
    eventId: envelope.eventId,
    status,
    hash: envelope.hash,
    envelope,
    // Every stored confirmation is on the stored hash, so once FINAL this is the certificate.
    confirmations,
    ...(statusReason ? { statusReason } : {}),
  };
}
