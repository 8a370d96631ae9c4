import { z } from "zod";
import { jsonProblem, type JsonValue } from "./canonical";
import { DOMAIN, domainHash } from "./hash";

/** Identifiers travel in URLs and logs: keep them short and unambiguous. */
export const idSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "expected letters, digits and . _ : - (starting with a letter or digit)");

export const payloadSchema = z.unknown().superRefine((value, ctx) => {
  const problem = jsonProblem(value);
  if (problem)
    ctx.addIssue({ code: "custom", message: `${problem.path ? `at ${problem.path}: ` : ""}${problem.message}` });
}) as unknown as z.ZodType<JsonValue>;

export const hashSchema = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex characters (sha256)");
export const signatureSchema = z
  .string()
  .regex(/^[A-Za-z0-9+/]{86}==$/, "expected a base64 Ed25519 signature (64 bytes)");

/**
 * The event envelope: what the client sent, and its hash. Nothing about the cloud that
 * took it or when: the same submission on any cloud is the same envelope with the same
 * hash, so a retry on another cloud can never make a second event. Who saw it, when and
 * in which Lamport order is signed metadata of each cloud's confirmation.
 * Strict: a field that is not hashed must not ride along.
 */
export const envelopeSchema = z.strictObject({
  eventId: idSchema,
  tenantId: idSchema,
  payload: payloadSchema,
  hash: hashSchema,
});
export type Envelope = z.infer<typeof envelopeSchema>;
export type EventContent = Omit<Envelope, "hash">;

/** The hashed part: tenant, id and payload, nothing else. */
export function eventContent(e: EventContent): EventContent {
  return { eventId: e.eventId, tenantId: e.tenantId, payload: e.payload };
}

export function eventHash(content: EventContent): string {
  return domainHash(DOMAIN.event, eventContent(content) as unknown as JsonValue);
}

export function makeEnvelope(content: EventContent): Envelope {
  return { ...eventContent(content), hash: eventHash(content) };
}

export type EnvelopeCheck = { ok: true } | { ok: false; kind: "bad-hash"; field: string; message: string };

/** Recompute the hash. The envelope carries no signature: the confirmations do. */
export function checkEnvelope(e: Envelope): EnvelopeCheck {
  const expected = eventHash(e);
  if (expected !== e.hash) {
    return {
      ok: false,
      kind: "bad-hash",
      field: "envelope.hash",
      message: `hash does not match the envelope's contents (expected ${expected})`,
    };
  }
  return { ok: true };
}
