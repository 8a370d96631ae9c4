import { z } from "zod";
import type { KeyObject } from "node:crypto";
import { CLOUDS, type Cloud } from "./clouds";
import { DOMAIN, domainHash } from "./hash";
import { hashSchema, signatureSchema } from "./envelope";
import { signDigest, verifyDigest, type KeyRing } from "./keys";
import { leafHash, nodeHash, rootOf } from "../ledger/merkle";
import { assemble, inclusionPlan, rootFromInclusionProof } from "../ledger/proofs";

/** Most confirmations one batch signature covers (and the largest `batch.size` a verifier accepts). */
export const MAX_BATCH = 4096;

/**
 * Where a confirmation sits in a batch its cloud signed once: the RFC 6962 inclusion proof
 * (hex hashes, leaf-most first) of its leaf, SHA-256(0x00 || confirmationDigest), in a tree
 * of `size` leaves whose root the signature covers (see batchDigest).
 */
export const batchProofSchema = z
  .strictObject({
    size: z.number().int().min(2).max(MAX_BATCH),
    index: z
      .number()
      .int()
      .min(0)
      .max(MAX_BATCH - 1),
    path: z.array(hashSchema).max(12),
  })
  .refine((b) => b.index < b.size, { message: "index must be below size", path: ["index"] });
export type BatchProof = z.infer<typeof batchProofSchema>;

/**
 * One cloud's signed statement: "for eventId I stored exactly this hash", with what this
 * cloud saw of the event: which cloud took it from the client (`origin`, as far as this
 * cloud knows), its Lamport stamp for the tenant, and when it signed.
 */
export const confirmationSchema = z.strictObject({
  cloud: z.enum(CLOUDS),
  hash: hashSchema,
  signature: signatureSchema,
  // Exactly as Date#toISOString writes it (milliseconds, Z): an unbounded fraction let a stolen key pad a statement to
  // the size limit, so that every honest message carrying it beside another confirmation was refused.
  confirmedAt: z.iso.datetime({ precision: 3 }),
  origin: z.enum(CLOUDS),
  logicalClock: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** Present when `signature` covers a batch root rather than this statement alone. */
  batch: batchProofSchema.optional(),
});
export type Confirmation = z.infer<typeof confirmationSchema>;
export type ConfirmationMeta = Pick<Confirmation, "origin" | "logicalClock">;

export function confirmationDigest(eventId: string, c: Omit<Confirmation, "signature" | "batch">): string {
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

/** What a batch signature signs: the cloud, the tree size and the root of the confirmations' leaves. */
export function batchDigest(cloud: Cloud, size: number, root: Buffer): string {
  return domainHash(DOMAIN.confirmationBatch, { cloud, size, root: root.toString("hex") });
}

const confirmationLeaf = (eventId: string, c: Omit<Confirmation, "signature" | "batch">): Buffer =>
  leafHash(Buffer.from(confirmationDigest(eventId, c), "hex"));

/**
 * Signs many statements of this cloud at once: one Ed25519 signature over the Merkle root of
 * their leaves, each confirmation carrying its inclusion proof (a single one is signed plainly).
 */
export function signConfirmations(
  items: ReadonlyArray<{ eventId: string; hash: string; meta: ConfirmationMeta }>,
  keys: KeyRing,
  nowMs: number,
): Confirmation[] {
  if (items.length === 1) return [signConfirmation(items[0]!.eventId, items[0]!.hash, keys, nowMs, items[0]!.meta)];
  if (items.length > MAX_BATCH) throw new RangeError(`batch: ${items.length} confirmations, at most ${MAX_BATCH}`);
  const confirmedAt = new Date(nowMs).toISOString();
  const unsigned = items.map((it) => ({
    cloud: keys.self,
    hash: it.hash,
    confirmedAt,
    origin: it.meta.origin,
    logicalClock: it.meta.logicalClock,
  }));
  const leaves = unsigned.map((u, i) => confirmationLeaf(items[i]!.eventId, u));
  // Every complete subtree (level/index -> hash), which is what inclusionPlan's elements fold from.
  const nodes = new Map<string, Buffer>();
  let level: Buffer[] = leaves;
  for (let l = 0; level.length > 0; l++) {
    level.forEach((h, i) => nodes.set(`${l}/${i}`, h));
    const up: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) up.push(nodeHash(level[i]!, level[i + 1]!));
    level = up;
  }
  const size = items.length;
  const root = rootOf(leaves);
  const signature = signDigest(keys.privateKey, batchDigest(keys.self, size, root));
  return unsigned.map((u, index) => ({
    ...u,
    signature,
    batch: { size, index, path: assemble(inclusionPlan(index, size), nodes).map((h) => h.toString("hex")) },
  }));
}

const VERIFIED_KEPT = 8192;

/** Positive verdicts per public key, the oldest dropped first past VERIFIED_KEPT (negative ones are never kept). */
class Verdicts {
  private readonly byKey = new WeakMap<KeyObject, Map<string, true>>();

  /** True if `id` was verified under `key` before; otherwise runs `verify` and keeps a positive result. */
  check(key: KeyObject, id: string, verify: () => boolean): boolean {
    let seen = this.byKey.get(key);
    if (seen?.has(id)) return true;
    if (!verify()) return false;
    if (!seen) this.byKey.set(key, (seen = new Map()));
    if (seen.size >= VERIFIED_KEPT) seen.delete(seen.keys().next().value!);
    seen.set(id, true);
    return true;
  }
}

/**
 * Signatures already verified: a batch signature covers many confirmations, and a statement
 * travels back and forth between the clouds several times; Ed25519 verification is the costly
 * step, so it is done once.
 */
const verifiedDigests = new Verdicts();

function verifyOnce(key: KeyObject, digest: string, signature: string): boolean {
  return verifiedDigests.check(key, `${digest}/${signature}`, () => verifyDigest(key, digest, signature));
}

/**
 * Whole statements already verified: the same statement reaches a node in a certificate, in
 * round 2 and in answers, and re-checking a batched one costs its digest and up to twelve
 * hashes up its inclusion proof. The id is every field the verdict depends on, as a JSON array,
 * so no two statements share it.
 */
const verifiedStatements = new Verdicts();

/** A plain confirmation's signature covers its own digest; a batched one's covers the root its inclusion proof leads to. */
export function verifyConfirmation(
  eventId: string,
  c: Confirmation,
  publicKeys: Readonly<Record<Cloud, KeyObject>>,
): boolean {
  const key = publicKeys[c.cloud];
  if (key === undefined) return false;
  const id = JSON.stringify([
    eventId,
    c.cloud,
    c.hash,
    c.confirmedAt,
    c.origin,
    c.logicalClock,
    c.signature,
    c.batch ? [c.batch.size, c.batch.index, c.batch.path] : null,
  ]);
  return verifiedStatements.check(key, id, () => verifyStatement(eventId, c, key));
}

function verifyStatement(eventId: string, c: Confirmation, key: KeyObject): boolean {
  if (!c.batch) return verifyOnce(key, confirmationDigest(eventId, c), c.signature);
  const { size, index, path } = c.batch;
  if (!Number.isSafeInteger(size) || size < 2 || size > MAX_BATCH || !Array.isArray(path)) return false;
  const root = rootFromInclusionProof(
    index,
    size,
    confirmationLeaf(eventId, c),
    path.map((h) => Buffer.from(h, "hex")),
  );
  return root.ok && verifyOnce(key, batchDigest(c.cloud, size, root.root), c.signature);
}
