import { generateKeyPairSync, type KeyObject } from "node:crypto";
import type { Cloud } from "../functions/core/clouds";
import type { JsonValue } from "../functions/core/canonical";
import * as confirmationModule from "../functions/core/confirmation";
import * as envelopeModule from "../functions/core/envelope";
import { signDigest, type KeyRing } from "../functions/core/keys";
import type { Rng } from "./rng";

/**
 * Peer messages an attacker can make, built with the runtime's own hashing and signing
 * (functions/core), so they stay in step with the wire format: with the stolen key they are
 * valid statements of that cloud; without it they are forgeries of every kind.
 * This is the one file of the suite that knows the message format. It speaks both the
 * format where the origin signs the envelope (origin, clock and time inside the hash) and the
 * one where the envelope is only {eventId, tenantId, payload, hash} and each confirmation
 * carries the signed metadata: the runtime moved from the first to the second.
 */

export type Envelope = { eventId: string; tenantId: string; hash: string } & Record<string, unknown>;

export interface PeerMessage {
  from: Cloud;
  envelope: Envelope;
  confirmations: unknown[];
}

interface Content {
  eventId: string;
  tenantId: string;
  payload: JsonValue;
}

const env = envelopeModule as unknown as {
  eventHash(body: unknown): string;
  makeEnvelope?: (content: Content) => Envelope;
  sealEnvelope?: (body: unknown, keys: KeyRing) => Envelope;
};
const conf = confirmationModule as unknown as {
  signConfirmation(
    eventId: string,
    hash: string,
    keys: KeyRing,
    nowMs: number,
    meta?: { origin: Cloud; logicalClock: number },
  ): unknown;
  confirmationDigest(eventId: string, c: Record<string, unknown>): string;
};

/** true: the origin signs the envelope; false: the envelope is content only and confirmations carry the metadata. */
export const SIGNED_ENVELOPES = typeof env.makeEnvelope !== "function";

function originBody(c: Content, origin: Cloud, atMs: number) {
  return {
    ...c,
    logicalClock: 1,
    region: `local-${origin}`,
    createdAt: new Date(atMs).toISOString(),
    originCloud: origin,
  };
}

/** The envelope for `c` as `origin` would make it; signed by `signer` (a key) or with `signature` given, where envelopes are signed. */
function envelopeFor(c: Content, origin: Cloud, atMs: number, signer: KeyRing | KeyObject | string): Envelope {
  if (!SIGNED_ENVELOPES) return env.makeEnvelope!(c);
  const body = originBody(c, origin, atMs);
  if (typeof signer === "object" && "self" in signer) return env.sealEnvelope!(body, signer);
  const hash = env.eventHash(body);
  return { ...body, hash, signature: typeof signer === "string" ? signer : signDigest(signer, hash) };
}

/** The unsigned fields of a confirmation by `cloud` in the current format. */
function confirmationFields(cloud: Cloud, hash: string, origin: Cloud, atMs: number): Record<string, unknown> {
  const base = { cloud, hash, confirmedAt: new Date(atMs).toISOString() };
  return SIGNED_ENVELOPES ? base : { ...base, origin, logicalClock: 1 };
}

/** A validly signed statement of `keys.self` that it took and stored this content. */
export function signedMessage(keys: KeyRing, c: Content, atMs: number): PeerMessage {
  const envelope = envelopeFor(c, keys.self, atMs, keys);
  return {
    from: keys.self,
    envelope,
    confirmations: [
      conf.signConfirmation(c.eventId, envelope.hash, keys, atMs, { origin: keys.self, logicalClock: 1 }),
    ],
  };
}

/** The message a node would send about an event it holds, rebuilt from a GET /v1/events answer. */
export function replayOf(view: { envelope: unknown; confirmations: unknown[] }, from: Cloud): PeerMessage {
  return { from, envelope: view.envelope as Envelope, confirmations: view.confirmations };
}

export const randomSignature = (rng: Rng) => rng.bytes(64).toString("base64");

export type ForgeKind = "unsigned" | "bad-hash" | "bad-signature" | "unknown-key" | "bad-confirmation";
export const FORGE_KINDS: readonly ForgeKind[] = [
  "unsigned",
  "bad-hash",
  "bad-signature",
  "unknown-key",
  "bad-confirmation",
];

/**
 * A forged message about an existing event, claiming to come from `from`: other content the
 * clouds never signed (with no confirmation, with a hash that does not match, with a random
 * signature or one by an unknown key), or the real envelope with a confirmation nobody signed.
 */
export function forgedMessage(
  kind: ForgeKind,
  rng: Rng,
  target: { eventId: string; tenantId: string; origin: Cloud; from: Cloud; honest?: Envelope },
  atMs: number,
): { message: PeerMessage; forgedHash: string } {
  const c: Content = {
    eventId: target.eventId,
    tenantId: target.tenantId,
    payload: { forged: kind, junk: rng.hex(8) },
  };
  const msg = (envelope: Envelope, confirmations: unknown[]) => ({
    message: { from: target.from, envelope, confirmations },
    forgedHash: envelope.hash,
  });
  switch (kind) {
    case "unsigned":
      return msg(envelopeFor(c, target.origin, atMs, randomSignature(rng)), []);
    case "bad-hash": {
      const good = envelopeFor(c, target.origin, atMs, randomSignature(rng));
      const hash = rng.hex(32);
      return msg({ ...good, hash }, [
        { ...confirmationFields(target.origin, hash, target.origin, atMs), signature: randomSignature(rng) },
      ]);
    }
    case "bad-signature": {
      const e = envelopeFor(c, target.origin, atMs, randomSignature(rng));
      return msg(e, [
        { ...confirmationFields(target.origin, e.hash, target.origin, atMs), signature: randomSignature(rng) },
      ]);
    }
    case "unknown-key": {
      const stranger = generateKeyPairSync("ed25519").privateKey;
      const e = envelopeFor(c, target.origin, atMs, stranger);
      const fields = confirmationFields(target.origin, e.hash, target.origin, atMs);
      return msg(e, [{ ...fields, signature: signDigest(stranger, conf.confirmationDigest(target.eventId, fields)) }]);
    }
    case "bad-confirmation": {
      if (!target.honest) throw new Error("bad-confirmation: needs the stored envelope");
      const hash = rng.hex(32);
      return {
        message: {
          from: target.from,
          envelope: target.honest,
          confirmations: [
            { ...confirmationFields(target.from, hash, target.origin, atMs), signature: randomSignature(rng) },
          ],
        },
        forgedHash: hash,
      };
    }
  }
}
