import { z } from "zod";
import type { KeyObject } from "node:crypto";
import { CLOUDS, type Cloud } from "./clouds";
import { DOMAIN, domainHash } from "./hash";
import { hashSchema, signatureSchema } from "./envelope";
import { signDigest, verifyDigest, type KeyRing } from "./keys";

/**
 * One cloud's signed statement: "for eventId I stored exactly this hash", with what this
 * cloud saw of the event: which cloud took it from the client (`origin`, as far as this
 * cloud knows), its Lamport stamp for the tenant, and when it signed.
 */
export const confirmationSchema = z.strictObject({
  cloud: z.enum(CLOUDS),
  hash: hashSchema,
  signature: signatureSchema,
  confirmedAt: z.iso.datetime(),
  origin: z.enum(CLOUDS),
  logicalClock: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});
export type Confirmation = z.infer<typeof confirmationSchema>;
export type ConfirmationMeta = Pick<Confirmation, "origin" | "logicalClock">;

export function confirmationDigest(eventId: string, c: Omit<Confirmation, "signature">): string {
  return domainHash(DOMAIN.confirmation, {
    eventId,
    hash: c.hash,
    cloud: c.cloud,
    confirmedAt: c.confirmedAt,
    origin: c.origin,
    logicalClock: c.logicalClock,
  });
}

export function signConfirmation(
  eventId: string,
  hash: string,
  keys: KeyRing,
  nowMs: number,
  meta: ConfirmationMeta,
): Confirmation {
  const unsigned = {
    cloud: keys.self,
    hash,
    confirmedAt: new Date(nowMs).toISOString(),
    origin: meta.origin,
    logicalClock: meta.logicalClock,
  };
  return { ...unsigned, signature: signDigest(keys.privateKey, confirmationDigest(eventId, unsigned)) };
}

export function verifyConfirmation(
  eventId: string,
  c: Confirmation,
  publicKeys: Readonly<Record<Cloud, KeyObject>>,
): boolean {
  const key = publicKeys[c.cloud];
  return key !== undefined && verifyDigest(key, confirmationDigest(eventId, c), c.signature);
}
