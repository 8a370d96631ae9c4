import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { canonicalize, type JsonValue } from "../core/canonical";
import type { Clock } from "../core/clock";
import type { Cloud } from "../core/clouds";
import { confirmationSchema, signConfirmation, verifyConfirmation, type Confirmation } from "../core/confirmation";
import { checkEnvelope, envelopeSchema, eventHash, sealEnvelope } from "../core/envelope";
import type { KeyRing } from "../core/keys";
import { certificateFor, compareEnvelopes, missingClouds, type EventStatus, type EvidenceKind } from "../core/quorum";
import type { Peers, PeerMessage } from "../replication/peer-client";
import type { EventRecord, Store } from "../store/store";

export interface SubmitInput {
  tenantId: string;
  payload: JsonValue;
  eventId?: string;
}
export type SubmitResult =
  | { kind: "created"; record: EventRecord }
  | { kind: "existing"; record: EventRecord }
  | { kind: "conflict"; record: EventRecord };

export type ReceiveResult =
  | { kind: "ok"; record: EventRecord }
  | { kind: "rejected"; code: "HASH_MISMATCH" | "BAD_SIGNATURE"; field: string; message: string }
  | { kind: "conflict"; evidence: EvidenceKind; record: EventRecord };

export interface LedgerDeps {
  keys: KeyRing;
  region: string;
  store: Store;
  clock: Clock;
  peers: Peers;
  log: Logger;
  /** Called once per status change this node makes (benches time FINAL with it). */
  onStatus?: (eventId: string, status: EventStatus, atMs: number) => void;
  /** Called (and awaited) once this node turns an event FINAL, with its certificate: the ledger appends it. */
  onFinal?: (record: EventRecord) => Promise<void>;
}

/**
 * One node's side of the quorum: creating events, confirming other clouds' events,
 * absorbing confirmations and finalizing or quarantining. Every decision is one of
 * the pure rules in core/, every race is settled by a conditional write in the store.
 */
export class Ledger {
  constructor(private readonly d: LedgerDeps) {}

  get self(): Cloud {
    return this.d.keys.self;
  }

  async submit(input: SubmitInput): Promise<SubmitResult> {
    const { store, clock, keys } = this.d;
    if (input.eventId) {
      const existing = await store.getEvent(input.eventId);
      if (existing) return this.asResubmission(existing, input);
    }
    const envelope = sealEnvelope(
      {
        eventId: input.eventId ?? randomUUID(),
        tenantId: input.tenantId,
        logicalClock: await store.nextClock(input.tenantId),
        region: this.d.region,
        payload: input.payload,
        createdAt: new Date(clock.now()).toISOString(),
        originCloud: keys.self,
      },
      keys,
    );
    const { inserted, record } = await store.insertEvent(envelope, clock.now());
    // Lost a race with a concurrent submission of the same eventId: the stored one wins.
    if (!inserted) return this.asResubmission(record, input);
    return { kind: "created", record: await this.ensureOwnConfirmation(record) };
  }

  /** Same eventId: the same event if tenant and payload match, else a client error. */
  private asResubmission(record: EventRecord, input: SubmitInput): SubmitResult {
    const same = record.envelope.tenantId === input.tenantId && canonicalize(record.envelope.payload) === canonicalize(input.payload);
    return { kind: same ? "existing" : "conflict", record };
  }

  /** A peer hands us an envelope and what it knows of the confirmations. */
  async receive(msg: PeerMessage): Promise<ReceiveResult> {
    const { store, clock, keys } = this.d;
    const env = msg.envelope;
    let record = await store.getEvent(env.eventId);
    // Already verified when stored: skip the costly signature check for the identical envelope.
    const known = record !== undefined && record.envelope.hash === env.hash && record.envelope.signature === env.signature && eventHash(env) === env.hash;
    if (!known) {
      const check = checkEnvelope(env, keys.publicKeys);
      if (!check.ok) {
        await this.condemn(env.eventId, check.kind, msg.from, { received: env, problem: check.message }, `${check.kind} envelope from ${msg.from}`);
        return { kind: "rejected", code: check.kind === "bad-hash" ? "HASH_MISMATCH" : "BAD_SIGNATURE", field: check.field, message: check.message };
      }
    }
    if (!record) {
      record = (await store.insertEvent(env, clock.now(), { observeClock: true })).record;
    }
    const relation = compareEnvelopes(record.envelope, env);
    if (relation !== "same") {
      const stored = record;
      record = (await this.condemn(env.eventId, relation, msg.from, { stored: stored.envelope, received: env }, `${relation}: ${msg.from} sent another hash`)) ?? stored;
      return { kind: "conflict", evidence: relation, record };
    }
    record = await this.ensureOwnConfirmation(record);
    const absorbed = await this.absorb(record, msg.confirmations, msg.from);
    if (absorbed.kind !== "ok") return absorbed;
    record = absorbed.record;

    if (record.status === "PENDING" && certificateFor(record.envelope.hash, record.confirmations)) {
      // About to finalize on others' word: first show the event to the cloud missing from
      // the certificate, so an origin that told it something else is caught before FINAL.
      for (const cloud of missingClouds(record.envelope.hash, record.confirmations)) {
        if (cloud === this.self || cloud === msg.from || !this.d.peers.clouds.includes(cloud)) continue;
        const out = await this.d.peers.confirm(cloud, { from: this.self, envelope: record.envelope, confirmations: record.confirmations }, "once");
        if (out.kind === "conflict") {
          record = await this.adoptConflictProof(record, out.envelope, cloud);
          if (record.status === "QUARANTINED") return { kind: "conflict", evidence: "equivocation", record };
        } else if (out.kind === "ok") {
          const more = await this.absorbRaw(record, out.confirmations, cloud);
          if (more.kind !== "ok") return more;
          record = more.record;
        }
      }
      record = await this.tryFinalize(record);
    }
    return { kind: "ok", record };
  }

  /** Sign our confirmation of the stored hash (the only hash this cloud will ever sign). */
  async ensureOwnConfirmation(record: EventRecord): Promise<EventRecord> {
    if (record.status === "QUARANTINED" || record.confirmations.some((c) => c.cloud === this.self)) return record;
    const own = signConfirmation(record.envelope.eventId, record.envelope.hash, this.d.keys, this.d.clock.now());
    if (await this.d.store.addConfirmation(record.envelope.eventId, own)) return { ...record, confirmations: [...record.confirmations, own] };
    return this.reload(record);
  }

  /** Confirmations straight off the wire: shape first, then `absorb`. */
  async absorbRaw(record: EventRecord, raw: unknown[], from: string): Promise<{ kind: "ok"; record: EventRecord } | Exclude<ReceiveResult, { kind: "ok" }>> {
    const parsed: Confirmation[] = [];
    for (const item of raw) {
      const r = confirmationSchema.safeParse(item);
      if (r.success) parsed.push(r.data);
      else this.d.log.warn({ from, eventId: record.envelope.eventId }, "ignoring a malformed confirmation");
    }
    return this.absorb(record, parsed, from);
  }

  /** Verify and store other clouds' confirmations; a bad or conflicting one condemns the event. */
  async absorb(record: EventRecord, incoming: readonly Confirmation[], from: string): Promise<{ kind: "ok"; record: EventRecord } | Exclude<ReceiveResult, { kind: "ok" }>> {
    const { eventId, hash, originCloud } = record.envelope;
    const verified: Confirmation[] = [];
    for (const [i, c] of incoming.entries()) {
      // Never take our own statement from someone else, and the first confirmation per cloud wins.
      if (c.cloud === this.self || record.confirmations.some((x) => x.cloud === c.cloud) || verified.some((x) => x.cloud === c.cloud)) continue;
      if (!verifyConfirmation(eventId, c, this.d.keys.publicKeys)) {
        await this.condemn(eventId, "bad-signature", from, { stored: record.envelope, confirmation: c }, `bad confirmation signature for ${c.cloud} from ${from}`);
        return { kind: "rejected", code: "BAD_SIGNATURE", field: `confirmations[${i}].signature`, message: `confirmation of ${c.cloud} does not verify` };
      }
      if (c.hash !== hash) {
        const kind: EvidenceKind = c.cloud === originCloud ? "equivocation" : "conflict";
        const updated = await this.condemn(eventId, kind, from, { stored: record.envelope, confirmation: c }, `${c.cloud} signed another hash`);
        return { kind: "conflict", evidence: kind, record: updated ?? record };
      }
      verified.push(c);
    }
    if (verified.length === 0) return { kind: "ok", record };
    const stored = await this.d.store.addConfirmations(eventId, verified);
    // All stored: we know the new state without asking; otherwise someone raced us, so re-read.
    if (stored.length === verified.length) return { kind: "ok", record: { ...record, confirmations: [...record.confirmations, ...stored] } };
    return { kind: "ok", record: await this.reload(record) };
  }

  /** A peer answered "I hold another envelope for this eventId": check its proof. */
  async adoptConflictProof(record: EventRecord, raw: unknown, from: Cloud): Promise<EventRecord> {
    const parsed = envelopeSchema.safeParse(raw);
    if (!parsed.success || parsed.data.eventId !== record.envelope.eventId) {
      this.d.log.warn({ from, eventId: record.envelope.eventId }, "peer reported a conflict without a usable envelope");
      return record;
    }
    const check = checkEnvelope(parsed.data, this.d.keys.publicKeys);
    if (!check.ok) {
      return (await this.condemn(record.envelope.eventId, check.kind, from, { stored: record.envelope, received: parsed.data, problem: check.message }, `${from} reported a conflict with a ${check.kind} envelope`)) ?? record;
    }
    const relation = compareEnvelopes(record.envelope, parsed.data);
    if (relation === "same") return record;
    return (await this.condemn(record.envelope.eventId, relation, from, { stored: record.envelope, received: parsed.data }, `${relation}: ${from} holds another hash`)) ?? record;
  }

  /** PENDING -> FINAL when a certificate exists; the store re-checks it in SQL. */
  async tryFinalize(record: EventRecord): Promise<EventRecord> {
    if (record.status !== "PENDING" || !certificateFor(record.envelope.hash, record.confirmations)) return record;
    const now = this.d.clock.now();
    if (await this.d.store.finalize(record.envelope.eventId, record.envelope.hash, now)) {
      this.d.onStatus?.(record.envelope.eventId, "FINAL", now);
      this.d.log.debug({ eventId: record.envelope.eventId }, "final");
      const final: EventRecord = { ...record, status: "FINAL" };
      // The certificate goes into this cloud's Merkle log; a failure here is repaired by the
      // publisher's catch-up (it appends every FINAL event missing from the log).
      if (this.d.onFinal) await this.d.onFinal(final).catch((err) => this.d.log.error({ err, eventId: record.envelope.eventId }, "appending the certificate to the ledger failed"));
      return final;
    }
    return this.reload(record);
  }

  /** Keep the evidence; quarantine the event if it is still PENDING (terminal states never move). */
  private async condemn(eventId: string, kind: EvidenceKind, reportedBy: string, detail: Record<string, unknown>, reason: string): Promise<EventRecord | undefined> {
    const now = this.d.clock.now();
    await this.d.store.recordEvidence({ eventId, kind, reportedBy, detail: detail as JsonValue }, now);
    if (await this.d.store.quarantine(eventId, reason, now)) {
      this.d.onStatus?.(eventId, "QUARANTINED", now);
      this.d.log.warn({ eventId, kind, reportedBy }, `quarantined: ${reason}`);
    }
    return this.d.store.getEvent(eventId);
  }

  private async reload(record: EventRecord): Promise<EventRecord> {
    return (await this.d.store.getEvent(record.envelope.eventId)) ?? record;
  }
}
