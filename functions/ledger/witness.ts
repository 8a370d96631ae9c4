import { z } from "zod";
import type { Logger } from "pino";
import type { Clock } from "../core/clock";
import type { KeyRing } from "../core/keys";
import { cloudOfOrigin, cosignCheckpoint, parseSignedCheckpoint, verifyCheckpointSignature, type SignedCheckpoint } from "./checkpoint";
import { EMPTY_ROOT } from "./merkle";
import { NoteError, formatSignatureLine } from "./note";
import type { LogStore } from "./log-store";
import { verifyConsistency } from "./proofs";

/** POST /v1/peer/witness: a checkpoint, and a consistency proof from the size the log believes this witness last saw. */
export const witnessRequestSchema = z.strictObject({
  checkpoint: z.string().min(1).max(10_000),
  oldSize: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  consistency: z.array(z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "expected base64 of 32 bytes")).max(128),
});
export type WitnessRequest = z.infer<typeof witnessRequestSchema>;

export type WitnessResult =
  | { kind: "cosigned"; cosignature: string; size: number }
  /** The log's idea of what we last saw is wrong (or stale): here is the size we hold. */
  | { kind: "conflict"; code: "OLD_SIZE_MISMATCH"; message: string; size: number }
  | { kind: "refused"; status: 400 | 403 | 422; code: "BAD_CHECKPOINT" | "UNKNOWN_LOG" | "BAD_SIGNATURE" | "INCONSISTENT_CHECKPOINT"; message: string };

export interface WitnessDeps {
  logStore: LogStore;
  keys: KeyRing;
  /** This cloud's witness key name. */
  name: string;
  namespace: string;
  clock: Clock;
  log: Logger;
}

/**
 * Cosigns the other clouds' checkpoints. A checkpoint is cosigned only if it is signed by
 * its log and a consistency proof from the last checkpoint this witness cosigned for that
 * log verifies; the new state is persisted (compare-and-swap) before the cosignature leaves.
 */
export class Witness {
  constructor(private readonly d: WitnessDeps) {}

  async cosign(req: WitnessRequest): Promise<WitnessResult> {
    const { logStore, keys, clock } = this.d;
    let signed: SignedCheckpoint;
    try {
      signed = parseSignedCheckpoint(req.checkpoint);
    } catch (err) {
      return { kind: "refused", status: 400, code: "BAD_CHECKPOINT", message: `checkpoint: ${err instanceof NoteError ? err.message : String(err)}` };
    }
    const { origin, size, root } = signed.checkpoint;
    const owner = cloudOfOrigin(origin);
    if (!owner || owner.namespace !== this.d.namespace || owner.cloud === keys.self) {
      return { kind: "refused", status: 403, code: "UNKNOWN_LOG", message: `checkpoint: origin "${origin}" is not another cloud's log in namespace "${this.d.namespace}"` };
    }
    if (!verifyCheckpointSignature(signed, keys.publicKeys[owner.cloud])) {
      return { kind: "refused", status: 422, code: "BAD_SIGNATURE", message: `checkpoint: no valid signature of ${origin} by ${owner.cloud}'s key` };
    }
    const seen = await logStore.witnessState(origin);
    const seenSize = seen?.size ?? 0;
    if (req.oldSize !== seenSize) {
      return { kind: "conflict", code: "OLD_SIZE_MISMATCH", message: `oldSize: this witness last cosigned ${origin} at size ${seenSize}, not ${req.oldSize}`, size: seenSize };
    }
    const proof = req.consistency.map((p) => Buffer.from(p, "base64"));
    const verdict = verifyConsistency(seenSize, size, proof, seen?.root ?? EMPTY_ROOT, root);
    if (!verdict.ok) {
      const reason = `consistency: checkpoint ${size} of ${origin} does not extend the one this witness cosigned at size ${seenSize} (${verdict.reason})`;
      // Two signed checkpoints that do not fit together: keep them as evidence.
      await logStore.recordRefusal({ origin, note: req.checkpoint, seenNote: seen?.note ?? null, reason }, clock.now());
      this.d.log.warn({ origin, size, seenSize }, "refused an inconsistent checkpoint");
      return { kind: "refused", status: 422, code: "INCONSISTENT_CHECKPOINT", message: reason };
    }
    // Persist before replying; lose the race and the caller retries from the new state.
    const moved = await logStore.swapWitnessState(origin, seen && { size: seen.size, root: seen.root }, { size, root, note: req.checkpoint }, clock.now());
    if (!moved) {
      const now = await logStore.witnessState(origin);
      return { kind: "conflict", code: "OLD_SIZE_MISMATCH", message: `oldSize: the state of ${origin} moved while cosigning; now at size ${now?.size ?? 0}`, size: now?.size ?? 0 };
    }
    const sig = cosignCheckpoint(signed, this.d.name, keys.privateKey, keys.publicKeys[keys.self], Math.floor(clock.now() / 1000));
    return { kind: "cosigned", cosignature: formatSignatureLine(sig), size };
  }
}
