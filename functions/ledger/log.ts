import type { Logger } from "pino";
import type { Clock } from "../core/clock";
import type { Confirmation } from "../core/confirmation";
import type { Envelope } from "../core/envelope";
import type { KeyRing } from "../core/keys";
import type { Store } from "../store/store";
import type { SqlRunner } from "../store/sql";
import {
  parseSignedCheckpoint,
  signCheckpoint,
  verifyCheckpointSignature,
  withSignatures,
  type SignedCheckpoint,
} from "./checkpoint";
import { certificateEntry, entryLeafHash } from "./entry";
import { parseSignatureLine } from "./note";
import type { LogStore, LeafRow } from "./log-store";
import { verifyConsistency } from "./proofs";

/** The log refused to sign: its storage no longer extends what it signed before. */
export class InconsistentLogError extends Error {
  constructor(
    message: string,
    readonly evidence: { previous: string; size: number; root: string },
  ) {
    super(message);
    this.name = "InconsistentLogError";
  }
}

export interface TransparencyLogDeps {
  logStore: LogStore;
  /** The quorum store (same schema): where FINAL events are read for the catch-up. */
  store: Store;
  keys: KeyRing;
  origin: string;
  clock: Clock;
  log: Logger;
  /** PENDING -> FINAL for several events on the caller's transaction (SqlStore.finalizeIn): lets
   * finalizeAndAppend turn events FINAL and log their certificates in one transaction. */
  finalizeIn?: (
    tx: SqlRunner,
    list: ReadonlyArray<{ eventId: string; hash: string; nowMs: number }>,
  ) => Promise<Set<string>>;
}

/**
 * One cloud's append-only log of FINAL certificates and the checkpoints it signs.
 * The rule "never sign a checkpoint inconsistent with the previous one" is checked here,
 * inside the transaction that signs, against the previous *signed* checkpoint.
 */
type LeafInput = { eventId: string; entry: string; leafHash: Buffer };
interface QueuedAppend {
  leaf: LeafInput;
  done: Array<{ resolve: (index: number) => void; reject: (err: unknown) => void }>;
}
interface QueuedFinal {
  leaf: LeafInput;
  hash: string;
  nowMs: number;
  resolve: (finalized: boolean) => void;
  reject: (err: unknown) => void;
}

/** Most leaves one group commit writes in one transaction. */
const GROUP_COMMIT_MAX = 500;

export class TransparencyLog {
  /** Appends waiting for the next group commit, by eventId (the same event joins one write). */
  private readonly queued = new Map<string, QueuedAppend>();
  /** Finalizations waiting for the next group commit (first per eventId; later ones lose). */
  private readonly finals: QueuedFinal[] = [];
  private flushing: Promise<void> | undefined;

  constructor(private readonly d: TransparencyLogDeps) {}

  get origin(): string {
    return this.d.origin;
  }

  get storage(): LogStore {
    return this.d.logStore;
  }

  /**
   * Appends a FINAL certificate (idempotent per eventId) and resolves with its index once
   * it is stored. Appends serialise on the log's head row, so concurrent callers are
   * grouped: whatever arrives while one transaction runs is written by the next, in one.
   */
  appendCertificate(envelope: Envelope, confirmations: readonly Confirmation[]): Promise<number> {
    const entry = certificateEntry(envelope, confirmations);
    return new Promise((resolve, reject) => {
      const waiting = this.queued.get(envelope.eventId);
      if (waiting) waiting.done.push({ resolve, reject });
      else
        this.queued.set(envelope.eventId, {
          leaf: { eventId: envelope.eventId, entry, leafHash: entryLeafHash(entry) },
          done: [{ resolve, reject }],
        });
      this.flushing ??= this.flushQueued().finally(() => (this.flushing = undefined));
    });
  }

  /**
   * PENDING -> FINAL (on the stored hash, with >= 2 confirmations on it, no equivocation
   * evidence: SqlStore.finalizeIn's conditions) and the certificate appended to the log, in one
   * transaction, grouped like appendCertificate. Resolves whether this call made it FINAL.
   */
  finalizeAndAppend(envelope: Envelope, confirmations: readonly Confirmation[], nowMs: number): Promise<boolean> {
    if (!this.d.finalizeIn) throw new Error("merkle log: finalizeAndAppend needs the store's finalizeIn");
    const entry = certificateEntry(envelope, confirmations);
    return new Promise((resolve, reject) => {
      this.finals.push({
        leaf: { eventId: envelope.eventId, entry, leafHash: entryLeafHash(entry) },
        hash: envelope.hash,
        nowMs,
        resolve,
        reject,
      });
      this.flushing ??= this.flushQueued().finally(() => (this.flushing = undefined));
    });
  }

  private async flushQueued(): Promise<void> {
    while (this.queued.size > 0 || this.finals.length > 0) {
      const batch = [...this.queued.values()].slice(0, GROUP_COMMIT_MAX);
      for (const q of batch) this.queued.delete(q.leaf.eventId);
      // One finalization per eventId per transaction; a second one waits for the next (and finds it FINAL).
      const finals: QueuedFinal[] = [];
      const seen = new Set<string>();
      for (let i = 0; i < this.finals.length && finals.length < GROUP_COMMIT_MAX;) {
        const f = this.finals[i]!;
        if (seen.has(f.leaf.eventId)) i++;
        else {
          seen.add(f.leaf.eventId);
          finals.push(f);
          this.finals.splice(i, 1);
        }
      }
      try {
        // The finalization goes out with the head's lock (one round trip), then the log's read, then
        // its write with COMMIT (another): three round trips for the whole group.
        const { written, finalized } = await this.d.logStore.locked(
          async (tx, size, finalized: Set<string>) => {
            const leaves = [
              ...batch.map((q) => q.leaf),
              ...finals.filter((f) => finalized.has(f.leaf.eventId)).map((f) => f.leaf),
            ];
            return { written: await this.d.logStore.appendIn(tx, size, leaves, this.d.clock.now()), finalized };
          },
          async (tx) =>
            finals.length
              ? this.d.finalizeIn!(
                  tx,
                  finals.map((f) => ({ eventId: f.leaf.eventId, hash: f.hash, nowMs: f.nowMs })),
                )
              : new Set<string>(),
        );
        const index = new Map(written.map((w) => [w.eventId, w.index]));
        for (const q of batch) for (const d of q.done) d.resolve(index.get(q.leaf.eventId)!);
        for (const f of finals) f.resolve(finalized.has(f.leaf.eventId));
      } catch (err) {
        for (const q of batch) for (const d of q.done) d.reject(err);
        for (const f of finals) f.reject(err);
      }
    }
  }

  /** Appends FINAL events the fast path missed (a crash between FINAL and append). */
  async catchUp(batch = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const ids = await this.d.logStore.unloggedFinal(batch);
      if (ids.length === 0) return total;
      const entries = [];
      for (const id of ids) {
        const record = await this.d.store.getEvent(id);
        if (!record || record.status !== "FINAL") continue;
        const entry = certificateEntry(record.envelope, record.confirmations);
        entries.push({ eventId: id, entry, leafHash: entryLeafHash(entry) });
      }
      total += (await this.d.logStore.append(entries, this.d.clock.now())).filter((r) => r.appended).length;
      if (ids.length < batch) return total;
    }
  }

  /**
   * Signs a checkpoint of the current tree unless the latest one already covers it.
   * Before signing: the previous checkpoint must carry this log's valid signature, and a
   * consistency proof from it to the new tree, read from storage, must verify. Otherwise
   * nothing is signed and InconsistentLogError says why.
   */
  async signCheckpoint(): Promise<SignedCheckpoint> {
    const { logStore, keys, origin } = this.d;
    return logStore.locked(async (tx, size) => {
      const root = await logStore.root(size, tx);
      const previous = await logStore.latestCheckpoint(tx);
      if (previous) {
        const prev = parseSignedCheckpoint(previous.note);
        const evidence = { previous: previous.note, size, root: root.toString("base64") };
        if (
          prev.checkpoint.origin !== origin ||
          prev.checkpoint.size !== previous.size ||
          !prev.checkpoint.root.equals(previous.root) ||
          !verifyCheckpointSignature(prev, keys.publicKeys[keys.self])
        ) {
          throw new InconsistentLogError(
            `checkpoint ${previous.size}: the stored previous checkpoint is not one this log signed`,
            evidence,
          );
        }
        if (size < previous.size)
          throw new InconsistentLogError(`log size ${size} is below the signed size ${previous.size}`, evidence);
        const proof = await logStore.consistencyProof(previous.size, size, tx);
        const verdict = verifyConsistency(previous.size, size, proof, previous.root, root);
        if (!verdict.ok)
          throw new InconsistentLogError(
            `refusing to sign size ${size}: not consistent with the signed checkpoint ${previous.size} (${verdict.reason})`,
            evidence,
          );
        if (size === previous.size) return prev;
      }
      const signed = signCheckpoint({ origin, size, root }, keys.privateKey, keys.publicKeys[keys.self]);
      if (!(await logStore.insertCheckpoint({ size, root, note: signed.text, signedAtMs: this.d.clock.now() }, tx))) {
        throw new InconsistentLogError(
          `checkpoint ${size}: a checkpoint of this size or larger appeared while signing`,
          { previous: previous?.note ?? "", size, root: root.toString("base64") },
        );
      }
      this.d.log.debug({ size }, "checkpoint signed");
      return signed;
    });
  }

  /** A stored checkpoint with every cosignature collected for it. */
  async withCosignatures(size: number): Promise<SignedCheckpoint | undefined> {
    const row = await this.d.logStore.checkpoint(size);
    if (!row) return undefined;
    const signed = parseSignedCheckpoint(row.note);
    const lines = await this.d.logStore.cosignatures(size);
    const sigs = lines.map((l) => parseSignatureLine(l.line.replace(/\n$/, "")));
    return withSignatures(signed, sigs);
  }

  async leaf(by: { eventId: string } | { index: number }): Promise<LeafRow | undefined> {
    if ("eventId" in by) return this.d.logStore.leafByEventId(by.eventId);
    return (await this.d.logStore.leaves(by.index, 1)).find((l) => l.index === by.index);
  }
}
