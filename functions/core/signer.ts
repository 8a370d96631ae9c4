import type { Clock } from "./clock";
import { MAX_BATCH, signConfirmations, type Confirmation, type ConfirmationMeta } from "./confirmation";
import type { KeyRing } from "./keys";

export interface BatchOptions {
  /** Most confirmations one signature covers (1 signs each on its own). */
  maxEvents: number;
  /** How long the first queued confirmation waits for others (0: only those queued in the same event-loop turn). */
  windowMs: number;
}

/** Defaults measured with `npm run bench:quorum` (README, Quorum benchmark). */
export const DEFAULT_BATCH: BatchOptions = { maxEvents: 256, windowMs: 0 };

interface Pending {
  eventId: string;
  hash: string;
  meta: ConfirmationMeta;
  resolve: (c: Confirmation) => void;
  reject: (err: unknown) => void;
}

/**
 * This cloud's signer: confirmations asked for within one window are signed together, one
 * Ed25519 signature over the Merkle root of their leaves (core/confirmation.ts), each
 * confirmation keeping its own inclusion proof, so each stays verifiable on its own.
 */
export class ConfirmationSigner {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly keys: KeyRing,
    private readonly clock: Clock,
    private readonly opts: BatchOptions = DEFAULT_BATCH,
  ) {
    if (!Number.isInteger(opts.maxEvents) || opts.maxEvents < 1 || opts.maxEvents > MAX_BATCH)
      throw new RangeError(`batch.maxEvents: expected an integer from 1 to ${MAX_BATCH}, got ${opts.maxEvents}`);
    if (!Number.isFinite(opts.windowMs) || opts.windowMs < 0 || opts.windowMs > 1_000)
      throw new RangeError(`batch.windowMs: expected a number of ms from 0 to 1000, got ${opts.windowMs}`);
  }

  sign(eventId: string, hash: string, meta: ConfirmationMeta): Promise<Confirmation> {
    return new Promise((resolve, reject) => {
      this.queue.push({ eventId, hash, meta, resolve, reject });
      if (this.queue.length >= this.opts.maxEvents) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        if (this.opts.windowMs === 0) setImmediate(() => this.flush());
        else setTimeout(() => this.flush(), this.opts.windowMs);
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    // A full batch flushed early leaves the timer armed; it then flushes whatever came since.
    const batch = this.queue.splice(0, this.opts.maxEvents);
    if (batch.length === 0) return;
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    try {
      const signed = signConfirmations(batch, this.keys, this.clock.now());
      batch.forEach((p, i) => p.resolve(signed[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
