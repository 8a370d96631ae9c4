import { z } from "zod";
import type { KeyObject } from "node:crypto";
import { canonicalize, type JsonValue } from "../core/canonical";
import type { Cloud } from "../core/clouds";
import { confirmationSchema, verifyConfirmation, type Confirmation } from "../core/confirmation";
import { checkEnvelope, envelopeSchema, type Envelope } from "../core/envelope";
import { certificateFor } from "../core/quorum";
import { leafHash } from "./merkle";

/**
 * A log entry (RFC 6962 leaf data): one FINAL certificate, the envelope and the
 * confirmations that made it final, as JCS text. The type tag keeps a leaf of this
 * log from ever being read as anything else.
 */
export const ENTRY_TYPE = "tricloud/certificate/v1";

export const entrySchema = z.strictObject({
  type: z.literal(ENTRY_TYPE),
  envelope: envelopeSchema,
  confirmations: z.array(confirmationSchema).min(2).max(3),
});
export type Entry = z.infer<typeof entrySchema>;

/** JCS of the certificate: one byte string per certificate, whoever writes it. */
export function certificateEntry(envelope: Envelope, confirmations: readonly Confirmation[]): string {
  const onHash = [...confirmations]
    .filter((c) => c.hash === envelope.hash)
    .sort((a, b) => a.cloud.localeCompare(b.cloud));
  if (new Set(onHash.map((c) => c.cloud)).size < 2)
    throw new Error(`ledger entry ${envelope.eventId}: a certificate needs confirmations of 2 clouds on the hash`);
  const entry: Entry = { type: ENTRY_TYPE, envelope, confirmations: onHash };
  return canonicalize(entry as unknown as JsonValue);
}

export function entryLeafHash(entryText: string): Buffer {
  return leafHash(Buffer.from(entryText, "utf8"));
}

export type EntryCheck = { ok: true; entry: Entry } | { ok: false; reason: string };

/** Parses an entry and checks it is a real certificate: the envelope's hash and signature, and 2 valid confirmations on that hash. */
export function checkEntry(entryText: string, publicKeys: Readonly<Record<Cloud, KeyObject>>): EntryCheck {
  let raw: unknown;
  try {
    raw = JSON.parse(entryText);
  } catch (err) {
    return { ok: false, reason: `entry: not JSON (${(err as Error).message})` };
  }
  const parsed = entrySchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return { ok: false, reason: `entry.${i.path.join(".")}: ${i.message}` };
  }
  const entry = parsed.data;
  if (canonicalize(entry as unknown as JsonValue) !== entryText)
    return { ok: false, reason: "entry: not in canonical (JCS) form" };
  const envelope = checkEnvelope(entry.envelope);
  if (!envelope.ok) return { ok: false, reason: `entry.${envelope.field}: ${envelope.message}` };
  const verified = entry.confirmations.filter((c) => verifyConfirmation(entry.envelope.eventId, c, publicKeys));
  if (verified.length !== entry.confirmations.length)
    return { ok: false, reason: "entry.confirmations: a confirmation signature does not verify" };
  if (!certificateFor(entry.envelope.hash, verified))
    return { ok: false, reason: "entry.confirmations: fewer than 2 clouds confirmed the envelope's hash" };
  return { ok: true, entry };
}
