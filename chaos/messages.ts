import { generateKeyPairSync } from "node:crypto";
import type { Cloud } from "../functions/core/clouds";
import type { JsonValue } from "../functions/core/canonical";
import { confirmationDigest, signConfirmation } from "../functions/core/confirmation";
import { makeEnvelope, type Envelope } from "../functions/core/envelope";
import { signDigest, type KeyRing } from "../functions/core/keys";
import type { Rng } from "./rng";

/**
 * Peer messages an attacker can make, built with the runtime's own hashing and signing
 * (functions/core), so they stay in step with the wire format: with the stolen key they are
 * valid statements of that cloud; without it they are forgeries of every kind.
 * This is the one file of the suite that knows the message format.
 */

export interface PeerMessage {
  from: Cloud;
  envelope: Envelope;
  confirmations: unknown[];
}

/** A validly signed statement of `keys.self` that it took and stored this content. */
export function signedMessage(keys: KeyRing, content: { eventId: string; tenantId: string; payload: JsonValue }, atMs: number): PeerMessage {
  const envelope = makeEnvelope(content);
  return { from: keys.self, envelope, confirmations: [signConfirmation(content.eventId, envelope.hash, keys, atMs, { origin: keys.self, logicalClock: 1 })] };
}

/** The message a node would send about an event it holds, rebuilt from a GET /v1/events answer. */
export function replayOf(view: { envelope: unknown; confirmations: unknown[] }, from: Cloud): PeerMessage {
  return { from, envelope: view.envelope as Envelope, confirmations: view.confirmations };
}

export const randomSignature = (rng: Rng) => rng.bytes(64).toString("base64");

export type ForgeKind = "unsigned" | "bad-hash" | "bad-signature" | "unknown-key" | "bad-confirmation";
export const FORGE_KINDS: readonly ForgeKind[] = ["unsigned", "bad-hash", "bad-signature", "unknown-key", "bad-confirmation"];

/**
 * A forged message about an existing event, claiming to come from `from`: other content the
 * clouds never signed (unsigned, with a hash that does not match, with a random signature or
 * one by an unknown key), or the real envelope with a confirmation nobody signed.
 */
export function forgedMessage(kind: ForgeKind, rng: Rng, target: { eventId: string; tenantId: string; origin: Cloud; from: Cloud; honest?: Envelope }, atMs: number): { message: PeerMessage; forgedHash: string } {
  const content = { eventId: target.eventId, tenantId: target.tenantId, payload: { forged: kind, junk: rng.hex(8) } };
  const unsigned = { cloud: target.from, confirmedAt: new Date(atMs).toISOString(), origin: target.origin, logicalClock: 1 };
  switch (kind) {
    case "unsigned": {
      const envelope = makeEnvelope(content);
      return { message: { from: target.from, envelope, confirmations: [] }, forgedHash: envelope.hash };
    }
    case "bad-hash": {
      const hash = rng.hex(32);
      return { message: { from: target.from, envelope: { ...content, hash }, confirmations: [{ ...unsigned, hash, signature: randomSignature(rng) }] }, forgedHash: hash };
    }
    case "bad-signature": {
      const envelope = makeEnvelope(content);
      return { message: { from: target.from, envelope, confirmations: [{ ...unsigned, hash: envelope.hash, signature: randomSignature(rng) }] }, forgedHash: envelope.hash };
    }
    case "unknown-key": {
      const stranger = generateKeyPairSync("ed25519").privateKey;
      const envelope = makeEnvelope(content);
      const c = { ...unsigned, hash: envelope.hash };
      return { message: { from: target.from, envelope, confirmations: [{ ...c, signature: signDigest(stranger, confirmationDigest(target.eventId, c)) }] }, forgedHash: envelope.hash };
    }
    case "bad-confirmation": {
      if (!target.honest) throw new Error("bad-confirmation: needs the stored envelope");
      const hash = rng.hex(32);
      return { message: { from: target.from, envelope: target.honest, confirmations: [{ ...unsigned, hash, signature: randomSignature(rng) }] }, forgedHash: hash };
    }
  }
}

