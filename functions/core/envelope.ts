import { z } from "zod";
import { CLOUDS, type Cloud } from "./clouds";
import { jsonProblem, type JsonValue } from "./canonical";
import { DOMAIN, domainHash } from "./hash";
import { signDigest, verifyDigest, type KeyRing } from "./keys";

/** Identifiers travel in URLs and logs: keep them short and unambiguous. */
export const idSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "expected letters, digits and . _ : - (starting with a letter or digit)");

export const payloadSchema = z.unknown().superRefine((value, ctx) => {
  const problem = jsonProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: `${problem.path ? `at ${problem.path}: ` : ""}${problem.message}` });
}) as unknown as z.ZodType<JsonValue>;

export const hashSchema = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex characters (sha256)");
export const signatureSchema = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, "expected a base64 Ed25519 signature (64 bytes)");

/** The event envelope. Strict: a field that is not hashed must not ride along. */
export const envelopeSchema = z.strictObject({
  eventId: idSchema,
  tenantId: idSchema,
  logicalClock: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  region: z.string().min(1).max(64),
  payload: payloadSchema,
  createdAt: z.iso.datetime(),
  originCloud: z.enum(CLOUDS),
  hash: hashSchema,
  signature: signatureSchema,
});
export type Envelope = z.infer<typeof envelopeSchema>;
export type EventBody = Omit<Envelope, "hash" | "signature">;

/** The hashed part of an envelope: every field except the hash and signature themselves. */
export function eventBody(e: EventBody): EventBody {
  return {
    eventId: e.eventId,
    tenantId: e.tenantId,
    logicalClock: e.logicalClock,
    region: e.region,
    payload: e.payload,
    createdAt: e.createdAt,
    originCloud: e.originCloud,
  };
}

export function eventHash(body: EventBody): string {
  return domainHash(DOMAIN.event, eventBody(body) as unknown as JsonValue);
}

/** The origin's act of creation: hash the body and sign the hash. */
export function sealEnvelope(body: EventBody, keys: KeyRing): Envelope {
  if (body.originCloud !== keys.self) throw new Error(`cannot seal an event of ${body.originCloud} with the key of ${keys.self}`);
  const hash = eventHash(body);
  return { ...eventBody(body), hash, signature: signDigest(keys.privateKey, hash) };
}

export type EnvelopeCheck =
  | { ok: true }
  | { ok: false; kind: "bad-hash" | "bad-signature"; field: string; message: string };

/** Recompute the hash, then check the origin's signature over it. */
export function checkEnvelope(e: Envelope, publicKeys: Readonly<Record<Cloud, import("node:crypto").KeyObject>>): EnvelopeCheck {
  const expected = eventHash(e);
  if (expected !== e.hash) {
    return { ok: false, kind: "bad-hash", field: "envelope.hash", message: `hash does not match the envelope's contents (expected ${expected})` };
  }
  if (!verifyDigest(publicKeys[e.originCloud], e.hash, e.signature)) {
    return { ok: false, kind: "bad-signature", field: "envelope.signature", message: `signature is not valid for origin ${e.originCloud}` };
  }
  return { ok: true };
}
