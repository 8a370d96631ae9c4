import { z } from "zod";
import type { Logger } from "pino";
import type { Clock } from "../core/clock";
import type { KeyRing } from "../core/keys";
import {
  cloudOfOrigin,
  cosignCheckpoint,
  parseSignedCheckpoint,
  verifyCheckpointSignature,
  type SignedCheckpoint,
} from "./checkpoint";
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
  | {
      kind: "refused";
      status: 400 | 403 | 422;
      code: "BAD_CHECKPOINT" | "UNKNOWN_LOG" | "BAD_SIGNATURE" | "INCONSISTENT_CHECKPOINT";
      message: string;
    };

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
      return {
        kind: "refused",
        status: 400,
        code: "BAD_CHECKPOINT",
        message: `checkpoint: ${err instanceof NoteError ? err.message : String(err)}`,
      };
    }
    const { origin, size, root } = signed.checkpoint;
    const owner = cloudOfOrigin(origin);
    if (!owner || owner.namespace !== this.d.namespace || owner.cloud === keys.self) {
      return {
        kind: "refused",
        status: 403,
        code: "UNKNOWN_LOG",
        message: `checkpoint: origin "${origin}" is not another cloud's log in namespace "${this.d.namespace}"`,
      };
    }
    if (!verifyCheckpointSignature(signed, keys.publicKeys[owner.cloud])) {
      return {
        kind: "refused",
        status: 422,
        code: "BAD_SIGNATURE",
        message: `checkpoint: no valid signature of ${origin} by ${owner.cloud}'s key`,
      };
    }
    const seen = await logStore.witnessState(origin);
    const seenSize = seen?.size ?? 0;
    const seenRoot = seen?.root ?? EMPTY_ROOT;
    // Only what the witness can check against what it holds decides; a request's oldSize and
    // proof are unsigned, so a replay or a forgery of them proves nothing about the log.
    if (size < seenSize) {
      // An older checkpoint (a replay, or a log behind its witness): nothing to cosign, nothing proven.
      return {
        kind: "conflict",
        code: "OLD_SIZE_MISMATCH",
        message: `checkpoint: size ${size} of ${origin} is older than the size ${seenSize} this witness cosigned`,
        size: seenSize,
      };
    }
    if (size === seenSize) {
      if (root.equals(seenRoot)) return this.sign(signed, size); // the same checkpoint again: idempotent
      // Two checkpoints of one size with different roots, both signed by the log: a fork, proven.
      return this.refuse(
        origin,
        req.checkpoint,
        seen?.note ?? null,
        `consistency: checkpoint ${size} of ${origin} has another root than the checkpoint of the same size this witness cosigned (a fork)`,
        size,
        seenSize,
      );
    }
    if (req.oldSize !== seenSize) {
      return {
        kind: "conflict",
        code: "OLD_SIZE_MISMATCH",
        message: `oldSize: this witness last cosigned ${origin} at size ${seenSize}, not ${req.oldSize}`,
        size: seenSize,
      };
    }
    const proof = req.consistency.map((p) => Buffer.from(p, "base64"));
    const verdict = verifyConsistency(seenSize, size, proof, seenRoot, root);
    if (!verdict.ok) {
      // Kept: a signed checkpoint that no valid proof joined to what we cosigned. The auditor
      // re-checks it against the log's own proof before calling it a fork.
      return this.refuse(
        origin,
        req.checkpoint,
        seen?.note ?? null,
        `consistency: checkpoint ${size} of ${origin} does not extend the one this witness cosigned at size ${seenSize} (${verdict.reason})`,
        size,
        seenSize,
      );
    }
    // Persist before replying; lose the race and the caller retries from the new state.
    const moved = await logStore.swapWitnessState(
      origin,
      seen && { size: seen.size, root: seen.root },
      { size, root, note: req.checkpoint },
      clock.now(),
    );
    if (!moved) {
      const now = await logStore.witnessState(origin);
      return {
        kind: "conflict",
        code: "OLD_SIZE_MISMATCH",
        message: `oldSize: the state of ${origin} moved while cosigning; now at size ${now?.size ?? 0}`,
        size: now?.size ?? 0,
      };
    }
    return this.sign(signed, size);
  }

  private sign(signed: SignedCheckpoint, size: number): WitnessResult {
    const { keys, clock } = this.d;
    const sig = cosignCheckpoint(
      signed,
      this.d.name,
      keys.privateKey,
      keys.publicKeys[keys.self],
      Math.floor(clock.now() / 1000),
    );
    return { kind: "cosigned", cosignature: formatSignatureLine(sig), size };
  }

  /** Stores the refused checkpoint once (a repeated request adds nothing) and answers 422. */
  private async refuse(
    origin: string,
    note: string,
    seenNote: string | null,
    reason: string,
    size: number,
    seenSize: number,
  ): Promise<WitnessResult> {
    const { logStore, clock } = this.d;
    const known = await logStore.refusals(100);
    if (!known.some((r) => r.origin === origin && r.note === note && r.seenNote === seenNote)) {
      await logStore.recordRefusal({ origin, note, seenNote, reason }, clock.now());
      this.d.log.warn({ origin, size, seenSize }, "refused an inconsistent checkpoint");
    }
    return { kind: "refused", status: 422, code: "INCONSISTENT_CHECKPOINT", message: reason };
  }
}
