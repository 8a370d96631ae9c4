import { z } from "zod";
import type { KeyObject } from "node:crypto";
import { CLOUDS, type Cloud } from "./clouds";
import { DOMAIN, domainHash } from "./hash";
import { hashSchema, signatureSchema } from "./envelope";
import { signDigest, verifyDigest, type KeyRing } from "./keys";

/** One cloud's signed statement: "for eventId I stored exactly this hash". */
export const confirmationSchema = z.strictObject({
  cloud: z.enum(CLOUDS),
  hash: hashSchema,
  signature: signatureSchema,
  confirmedAt: z.iso.datetime(),
});
export type Confirmation = z.infer<typeof confirmationSchema>;

export function confirmationDigest(eventId: string, c: Pick<Confirmation, "cloud" | "hash" | "confirmedAt">): string {
  return domainHash(DOMAIN.confirmation, { eventId, hash: c.hash, cloud: c.cloud, confirmedAt: c.confirmedAt });
}

export function signConfirmation(eventId: string, hash: string, keys: KeyRing, nowMs: number): Confirmation {
  const unsigned = { cloud: keys.self, hash, confirmedAt: new Date(nowMs).toISOString() };
  return { ...unsigned, signature: signDigest(keys.privateKey, confirmationDigest(eventId, unsigned)) };
}

export function verifyConfirmation(eventId: string, c: Confirmation, publicKeys: Readonly<Record<Cloud, KeyObject>>): boolean {
  return verifyDigest(publicKeys[c.cloud], confirmationDigest(eventId, c), c.signature);
}
