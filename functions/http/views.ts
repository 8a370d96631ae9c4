import type { EvidenceRecord, EventRecord } from "../store/store";

/** GET /v1/events/{id} and the 200 of a repeated submission share this shape. */
export function eventView(record: EventRecord, evidence: readonly EvidenceRecord[] = []) {
  const { envelope, status, statusReason, confirmations } = record;
  return {
    eventId: envelope.eventId,
    status,
    hash: envelope.hash,
    envelope,
    // Every stored confirmation is on the stored hash, so once FINAL this is the certificate.
    // A quarantined event lends none of them out, here either.
    confirmations: status === "QUARANTINED" ? [] : confirmations,
    // This cloud's view: which cloud took the submission, and its Lamport stamp for the tenant.
    origin: record.origin,
    logicalClock: record.logicalClock,
    ...(statusReason ? { statusReason } : {}),
    // Equivocation proofs (two signed statements of one cloud on different hashes), if any.
    ...(evidence.length > 0 ? { evidence } : {}),
  };
}
