import type { Cloud } from "../core/clouds";
import type { Confirmation } from "../core/confirmation";
import type { Envelope } from "../core/envelope";
import type { EventStatus, EvidenceKind } from "../core/quorum";
import type { JsonValue } from "../core/canonical";

export interface EventRecord {
  envelope: Envelope;
  status: EventStatus;
  statusReason: string | null;
  /** Only ever confirmations on the stored hash, each verified before it was written. */
  confirmations: Confirmation[];
  receivedAtMs: number;
  /** Which cloud took the submission from the client, as this cloud learned it. */
  origin: Cloud;
  /** This cloud's Lamport stamp for the event (tenant clock after observing what came with it). */
  logicalClock: number;
  /** How many signed statements on other hashes this cloud keeps for the event (see addStatements). */
  statements: number;
}

export interface EvidenceRecord {
  eventId: string;
  kind: EvidenceKind;
  /** Which peer handed us the proof, when known. */
  reportedBy: string | null;
  detail: JsonValue;
  recordedAtMs: number;
}

/** A refused message: proves nothing, changes nothing, but is kept with where it came from. */
export interface AttemptRecord {
  eventId: string | null;
  kind: "bad-hash" | "bad-signature" | "unauthenticated" | "unknown-sender" | "malformed";
  reason: string;
  /** The network address the message came from (as the host saw it), when known. */
  source: string | null;
  /** The `from` the message claimed. */
  claimedFrom: string | null;
  detail: JsonValue;
  recordedAtMs: number;
}

/**
 * Everything a node persists. Every write that decides something is a single
 * conditional statement, so the database and not the caller arbitrates races.
 */
export interface Store {
  readonly kind: "pg" | "pglite";
  readonly schema: string;
  /** Lamport tick for a tenant's new event (atomic upsert). */
  nextClock(tenantId: string): Promise<number>;
  /** Lamport observe: clock = max(clock, seen). */
  observeClock(tenantId: string, seen: number): Promise<void>;
  /** First write wins: inserts unless the eventId exists; returns what is stored either way.
   * In the same statement the tenant's Lamport clock observes `seenClock` (0: nothing seen)
   * and ticks; the new value is the event's stamp here. `confirmations` (verified, on the
   * envelope's hash) are stored in that same statement when the event is new, so a crash never
   * keeps the event without the statements it came with. */
  insertEvent(
    envelope: Envelope,
    meta: { origin: Cloud; seenClock: number },
    nowMs: number,
    confirmations?: readonly Confirmation[],
  ): Promise<{ inserted: boolean; record: EventRecord }>;
  getEvent(eventId: string): Promise<EventRecord | undefined>;
  /** Adds a verified confirmation if it is on the stored hash and the cloud has none yet. */
  addConfirmation(eventId: string, confirmation: Confirmation): Promise<boolean>;
  /** The same for several, in one statement; returns the ones stored. */
  addConfirmations(eventId: string, confirmations: readonly Confirmation[]): Promise<Confirmation[]>;
  /** PENDING -> FINAL, only on the stored hash, only with >= 2 confirmations on it, and
   * never once equivocation evidence for the event is on record, nor while a kept statement
   * pairs up with a confirmation or another statement of its cloud on a different hash. */
  finalize(eventId: string, hash: string, nowMs: number): Promise<boolean>;
  /** PENDING -> QUARANTINED. */
  quarantine(eventId: string, reason: string, nowMs: number): Promise<boolean>;
  recordEvidence(evidence: Omit<EvidenceRecord, "recordedAtMs">, nowMs: number): Promise<void>;
  listEvidence(filter: { eventId?: string; limit?: number }): Promise<EvidenceRecord[]>;
  /** Keeps verified confirmations on other hashes than the stored one (first per cloud and hash). */
  addStatements(eventId: string, statements: readonly Confirmation[], nowMs: number): Promise<void>;
  listStatements(eventId: string): Promise<Confirmation[]>;
  recordAttempt(attempt: Omit<AttemptRecord, "recordedAtMs">, nowMs: number): Promise<void>;
  listAttempts(filter: { eventId?: string; limit?: number }): Promise<AttemptRecord[]>;
  /**
   * The eventId was reused with another payload and the other hash won: replace this
   * PENDING event by the winner's envelope and certificate, FINAL, in one transaction
   * (this cloud's own statement on the losing hash is kept in statements). Refused unless
   * the row is still PENDING on `fromHash` and the certificate holds >= 2 clouds.
   */
  adoptCertificate(
    eventId: string,
    fromHash: string,
    envelope: Envelope,
    certificate: readonly Confirmation[],
    nowMs: number,
  ): Promise<boolean>;
  /**
   * PENDING events received before `pendingBeforeMs`, then FINAL ones since `finalSinceMs` still missing a cloud's
   * confirmation, each lane oldest first (ties by eventId). `pendingAfter` / `finalAfter`: an eventId the previous
   * listing of that lane ended on; the lane goes on past it (a cursor), so a lane longer than `limit` is paged through.
   * PENDING leaves out the events the other two clouds have each signed another hash for; STUCK lists only those
   * (from `pendingAfter`), for a slower lane.
   * A FINAL listing does bounded upkeep of what it reads (a few pages of rows past `finalAfter`: those whose event has
   * all three confirmations by now are dropped), so a FINAL page may come back short while rows lie past it; the next
   * listing from the start reads further. `forgetBeforeMs`: FINAL events that turned FINAL before it are no longer
   * noted as missing a cloud (a few pages of them dropped per listing): the caller's window has moved past them for good.
   */
  eventsToReconcile(opts: {
    pendingBeforeMs: number;
    finalSinceMs: number;
    limit: number;
    only?: "PENDING" | "FINAL" | "STUCK";
    pendingAfter?: string;
    finalAfter?: string;
    forgetBeforeMs?: number;
  }): Promise<string[]>;
  countByStatus(): Promise<Record<EventStatus, number>>;
  /** Emergency control EXECUTION_SAFE_MODE: the reason when on, else null. */
  getSafeMode(): Promise<string | null>;
  setSafeMode(reason: string | null, nowMs: number): Promise<void>;
  ping(): Promise<void>;
  /** Drops this store's schema (tests and benches that made a throwaway one). */
  dropSchema(): Promise<void>;
  close(): Promise<void>;
}
