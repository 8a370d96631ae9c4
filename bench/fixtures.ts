import { createPublicKey } from "node:crypto";
import { CLOUDS, type Cloud } from "../functions/core/clouds";
import { generateKeyPair, type KeyRing } from "../functions/core/keys";

/**
 * A key ring per cloud. Each node holds its own copy of every public key, as nodes in processes of their own do:
 * verified signatures are remembered per key object, so nodes sharing one would skip each other's verifications.
 */
export function benchKeyRings(): Record<Cloud, KeyRing> {
  const pairs = CLOUDS.map((c) => [c, generateKeyPair()] as const);
  const ownCopy = () =>
    Object.fromEntries(
      pairs.map(([c, p]) => [
        c,
        createPublicKey({ key: p.publicKey.export({ format: "der", type: "spki" }), format: "der", type: "spki" }),
      ]),
    ) as KeyRing["publicKeys"];
  return Object.fromEntries(
    pairs.map(([c, p]) => [c, { self: c, privateKey: p.privateKey, publicKeys: ownCopy() }]),
  ) as Record<Cloud, KeyRing>;
}

/** The payload the quorum benches submit: a small invoice, different per event. */
export const benchPayload = (i: number) => ({
  invoice: `INV-${i}`,
  amountCents: 1000 + i,
  lines: [
    { sku: "A-1", qty: 2 },
    { sku: "B-7", qty: 1 },
  ],
});

/** A positive integer from the environment variable `name`, or `fallback` when it is unset; the error names it. */
export function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw === undefined ? fallback : positiveValue(name, raw);
}

/** `raw` as a positive integer; the error names `name` and what it got. */
export function positiveValue(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a positive integer, got "${raw}"`);
  return n;
}
