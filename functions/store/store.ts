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
}

export interface EvidenceRecord {
  eventId: string;
  kind: EvidenceKind;
  /** Which peer (or "client") handed us the offending message, when known. */
  reportedBy: string | null;
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
   * `observeClock` also applies the Lamport observe for the envelope's tenant, in the same statement. */
  insertEvent(envelope: Envelope, nowMs: number, opts?: { observeClock?: boolean }): Promise<{ inserted: boolean; record: EventRecord }>;
  getEvent(eventId: string): Promise<EventRecord | undefined>;
  /** Adds a verified confirmation if it is on the stored hash and the cloud has none yet. */
  addConfirmation(eventId: string, confirmation: Confirmation): Promise<boolean>;
  /** The same for several, in one statement; returns the ones stored. */
  addConfirmations(eventId: string, confirmations: readonly Confirmation[]): Promise<Confirmation[]>;
  /** PENDING -> FINAL, only on the stored hash and only with >= 2 confirmations on it. */
  finalize(eventId: string, hash: string, nowMs: number): Promise<boolean>;
  /** PENDING -> QUARANTINED. */
  quarantine(eventId: string, reason: string, nowMs: number): Promise<boolean>;
  recordEvidence(evidence: Omit<EvidenceRecord, "recordedAtMs">, nowMs: number): Promise<void>;
  listEvidence(filter: { eventId?: string; limit?: number }): Promise<EvidenceRecord[]>;
  /** PENDING events received before `pendingBeforeMs`, then FINAL ones since `finalSinceMs` still missing a cloud's confirmation. */
  eventsToReconcile(opts: { pendingBeforeMs: number; finalSinceMs: number; limit: number }): Promise<string[]>;
  countByStatus(): Promise<Record<EventStatus, number>>;
  /** Emergency control EXECUTION_SAFE_MODE: the reason when on, else null. */
  getSafeMode(): Promise<string | null>;
  setSafeMode(reason: string | null, nowMs: number): Promise<void>;
  ping(): Promise<void>;
  /** Drops this store's schema (tests and benches that made a throwaway one). */
  dropSchema(): Promise<void>;
  close(): Promise<void>;
}
