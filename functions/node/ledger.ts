import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { JsonValue } from "../core/canonical";
import type { Clock } from "../core/clock";
import { isCloud, type Cloud } from "../core/clouds";
import { confirmationSchema, verifyConfirmation, type Confirmation } from "../core/confirmation";
import { ConfirmationSigner } from "../core/signer";
import { checkEnvelope, envelopeSchema, makeEnvelope, type Envelope } from "../core/envelope";
import type { KeyRing } from "../core/keys";
import {
  certificateFor,
  findEquivocation,
  missingClouds,
  type EquivocationProof,
  type EventStatus,
} from "../core/quorum";
import type { Peers, PeerMessage, PeerOutcome } from "../replication/peer-client";
import { afterAnswer } from "./after-answer";
import type { AttemptRecord, EventRecord, Store } from "../store/store";

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
  /** Proves nothing, changes nothing; recorded as an attempt. */
  | { kind: "refused"; status: 401 | 403 | 422; code: string; field: string; message: string }
  /** This cloud stores another hash under the eventId (a reused id, or a lie if the proof says so). */
  | { kind: "conflict"; record: EventRecord }
  /** This cloud quarantined the event: it lends no confirmation, and says why. */
  | { kind: "quarantined"; record: EventRecord; proof: EquivocationProof | undefined };

/** Where a peer message came from, for the attempt log. */
export interface Origin {
  address: string | null;
}

export interface LedgerDeps {
  keys: KeyRing;
  region: string;
  store: Store;
  clock: Clock;
  peers: Peers;
  log: Logger;
  /** Signs this cloud's confirmations (batched: one signature over a Merkle root per window; default DEFAULT_BATCH). */
  signer?: ConfirmationSigner;
  /** Called once per status change this node makes (benches time FINAL with it). */
  onStatus?: (eventId: string, status: EventStatus, atMs: number) => void;
  /** Called (and awaited) once this node turns an event FINAL, with its certificate: the ledger appends it. */
  onFinal?: (record: EventRecord) => Promise<void>;
  /** When set, finalizing is this: PENDING -> FINAL and the ledger append in one transaction
   * (TransparencyLog.finalizeAndAppend); onFinal is then not called for it. */
  finalizeAndLog?: (record: EventRecord, nowMs: number) => Promise<boolean>;
}

/**
 * One node's side of the quorum: storing events, confirming them, absorbing other clouds'
 * confirmations, finalizing, and quarantining on proof only. Every decision is one of the
 * pure rules in core/, every race is settled by a conditional write in the store.
 */
export class Ledger {
  private readonly signer: ConfirmationSigner;

  constructor(private readonly d: LedgerDeps) {
    this.signer = d.signer ?? new ConfirmationSigner(d.keys, d.clock);
  }

  get self(): Cloud {
    return this.d.keys.self;
  }

  /** A client's submission: the same {tenantId, eventId, payload} is the same event on every cloud. */
  async submit(input: SubmitInput): Promise<SubmitResult> {
    const { store, clock } = this.d;
    const envelope = makeEnvelope({
      eventId: input.eventId ?? randomUUID(),
      tenantId: input.tenantId,
      payload: input.payload,
    });
    if (input.eventId) {
      const existing = await store.getEvent(input.eventId);
      if (existing) return this.asResubmission(existing, envelope);
    }
    const { inserted, record } = await store.insertEvent(envelope, { origin: this.self, seenClock: 0 }, clock.now());
    // Lost a race with a concurrent submission of the same eventId: the stored one wins.
    if (!inserted) return this.asResubmission(record, envelope);
    return this.ownedAs("created", record, envelope);
  }

  private async asResubmission(record: EventRecord, envelope: Envelope): Promise<SubmitResult> {
    if (record.envelope.hash !== envelope.hash) return { kind: "conflict", record };
    return this.ownedAs("existing", record, envelope);
  }

  /** Signs the stored hash; if another payload's certificate was adopted meanwhile, the client's payload lost: 409. */
  private async ownedAs(kind: "created" | "existing", record: EventRecord, envelope: Envelope): Promise<SubmitResult> {
    const owned = await this.ensureOwnConfirmation(record);
    return owned.envelope.hash === envelope.hash ? { kind, record: owned } : { kind: "conflict", record: owned };
  }

  /** What this node tells a peer about an event: the envelope and every confirmation it holds (its own first). */
  messageFor(record: EventRecord): PeerMessage {
    return {
      from: this.self,
      envelope: record.envelope,
      confirmations: record.status === "QUARANTINED" ? [] : record.confirmations,
    };
  }

  /**
   * A peer hands us an event. Checked before anything is written: the hash, every
   * signature, and that the sender's own valid confirmation of the hash is there (the
   * message's authentication). A message failing any of these is refused and recorded
   * as an attempt, and changes nothing about the event.
   */
  async receive(msg: PeerMessage, origin: Origin = { address: null }): Promise<ReceiveResult> {
    const { store, clock, keys } = this.d;
    const env = msg.envelope;
    const refuse = async (
      kind: AttemptRecord["kind"],
      status: 401 | 403 | 422,
      code: string,
      field: string,
      message: string,
    ): Promise<ReceiveResult> => {
      await this.recordAttempt({
        eventId: env.eventId,
        kind,
        reason: `${field}: ${message}`,
        source: origin.address,
        claimedFrom: String(msg.from),
        detail: summarize(msg),
      });
      return { kind: "refused", status, code, field, message };
    };
    if (!isCloud(msg.from) || msg.from === this.self)
      return refuse(
        "unknown-sender",
        403,
        "UNKNOWN_SENDER",
        "from",
        `"${String(msg.from)}" is not another cloud of this quorum`,
      );
    const check = checkEnvelope(env);
    if (!check.ok) return refuse("bad-hash", 422, "HASH_MISMATCH", check.field, check.message);

    let record = await store.getEvent(env.eventId);
    for (const [i, c] of msg.confirmations.entries()) {
      // Already verified when stored: the identical statement needs no second check.
      if (record?.confirmations.some((x) => sameStatement(x, c))) continue;
      if (!verifyConfirmation(env.eventId, c, keys.publicKeys))
        return refuse(
          "bad-signature",
          422,
          "BAD_SIGNATURE",
          `confirmations[${i}].signature`,
          `confirmation of ${c.cloud} does not verify`,
        );
    }
    const senders = msg.confirmations.filter((c) => c.cloud === msg.from && c.hash === env.hash);
    if (senders.length === 0)
      return refuse(
        "unauthenticated",
        401,
        "UNAUTHENTICATED",
        "confirmations",
        `expected ${msg.from}'s own signed confirmation of envelope.hash`,
      );

    const onHash = msg.confirmations.filter((c) => c.hash === env.hash);
    if (!record) {
      const seenClock = Math.max(0, ...onHash.map((c) => c.logicalClock));
      // The statements that came with the event are stored with it, atomically: a crash between
      // the two would keep the event without them, and they may be half of an equivocation proof.
      const came = onHash.filter((c) => c.cloud !== this.self);
      const stored = await store.insertEvent(env, { origin: senders[0]!.origin, seenClock }, clock.now(), came);
      record = stored.record;
      if (stored.inserted) {
        // Looked for after that write, in the store: a statement on another hash racing in may be there.
        const statements = await store.listStatements(env.eventId);
        if (statements.length > 0) record = await this.checkProof(record, msg.from, statements);
      }
    }
    if (record.status === "QUARANTINED") {
      await this.keepStatements(record, msg.confirmations, msg.from);
      return { kind: "quarantined", record, proof: await this.proofOf(record.envelope.eventId) };
    }
    if (record.envelope.hash !== env.hash) {
      // Another payload under a used eventId: a client error, not a proof. Keep the statements
      // (they may complete an equivocation proof), and if the other hash already won, adopt it.
      record = await this.keepStatements(record, msg.confirmations, msg.from);
      if (record.status === "QUARANTINED")
        return { kind: "quarantined", record, proof: await this.proofOf(record.envelope.eventId) };
      const adopted = await this.adoptIfCertified(record, env, onHash);
      return adopted ? { kind: "ok", record: adopted } : { kind: "conflict", record };
    }

    record = await this.ensureOwnConfirmation(record);
    // Valid statements on other hashes beside the envelope (signed, so genuine): kept, they may prove a lie.
    const offHash = msg.confirmations.filter((c) => c.hash !== env.hash);
    if (offHash.length > 0) record = await this.keepStatements(record, offHash, msg.from);
    if (record.status === "QUARANTINED")
      return { kind: "quarantined", record, proof: await this.proofOf(record.envelope.eventId) };
    record = await this.absorbVerified(record, onHash, msg.from);
    if (record.status === "QUARANTINED")
      return { kind: "quarantined", record, proof: await this.proofOf(record.envelope.eventId) };

    if (record.status === "PENDING" && certificateFor(record.envelope.hash, record.confirmations)) {
      // About to finalize on others' word: first show the event, for real, to every cloud missing
      // from the certificate, so a cloud that signed something else is caught before FINAL.
      for (const cloud of missingClouds(record.envelope.hash, record.confirmations)) {
        if (cloud === this.self || cloud === msg.from || !this.d.peers.clouds.includes(cloud)) continue;
        // Always a real call, even when a call failed a moment ago: a link may just have healed, and
        // finalizing on a stale "down" is how a stolen key gets two hashes FINAL.
        const out = await this.d.peers.confirm(cloud, this.messageFor(record), "direct");
        record = await this.takeAnswer(record, cloud, out);
        if (record.status === "QUARANTINED")
          return { kind: "quarantined", record, proof: await this.proofOf(record.envelope.eventId) };
        // A refusal (a 4xx: too large, malformed, unauthenticated) speaks of the message, not of the hash: that cloud
        // may hold another one. Only an answer on the hash or a failure to reach it lets the event go FINAL here.
        if (out.kind === "rejected") return { kind: "ok", record };
      }
      record = await this.tryFinalize(record);
    }
    return { kind: "ok", record };
  }

  /** A peer's answer to our message, folded into our record (every statement verified here). */
  async takeAnswer(record: EventRecord, cloud: Cloud, out: PeerOutcome): Promise<EventRecord> {
    const { eventId } = record.envelope;
    switch (out.kind) {
      case "ok":
        return this.absorbRaw(record, out.confirmations, cloud);
      case "conflict": {
        const env = envelopeSchema.safeParse(out.envelope);
        const statements = this.verifiedStatements(eventId, out.confirmations, cloud);
        const updated = await this.keepStatements(record, statements, cloud);
        if (env.success && env.data.eventId === eventId && checkEnvelope(env.data).ok && updated.status === "PENDING") {
          // The other hash may already have won (a reused eventId): adopt its certificate.
          const adopted = await this.adoptIfCertified(
            updated,
            env.data,
            statements.filter((c) => c.hash === env.data.hash),
          );
          if (adopted) return adopted;
        }
        return updated;
      }
      case "quarantined":
        return this.adoptProof(record, out.evidence, cloud);
      case "rejected":
        this.d.log.warn({ eventId, peer: cloud, code: out.code }, `peer refused the event: ${out.message}`);
        return record;
      case "unreachable":
        this.d.log.debug({ eventId, peer: cloud, error: out.error, attempted: out.attempted }, "peer unreachable");
        return record;
    }
  }

  /** Sign our confirmation of the stored hash (the only hash this cloud will ever sign). */
  async ensureOwnConfirmation(record: EventRecord): Promise<EventRecord> {
    if (record.status === "QUARANTINED" || record.confirmations.some((c) => c.cloud === this.self)) return record;
    // Adopted from a winning certificate: we signed the losing hash and sign nothing else.
    if (record.statusReason?.startsWith("eventId reused")) return record;
    const own = await this.signer.sign(record.envelope.eventId, record.envelope.hash, {
      origin: record.origin,
      logicalClock: record.logicalClock,
    });
    if (await this.d.store.addConfirmation(record.envelope.eventId, own))
      return { ...record, confirmations: [own, ...record.confirmations] };
    return this.reload(record);
  }

  /** Confirmations straight off the wire (a peer's reply): shape and signature, then in. */
  async absorbRaw(record: EventRecord, raw: unknown[], from: Cloud): Promise<EventRecord> {
    const verified = this.verifiedStatements(record.envelope.eventId, raw, from, record.confirmations);
    const onHash = verified.filter((c) => c.hash === record.envelope.hash);
    const off = verified.filter((c) => c.hash !== record.envelope.hash);
    if (off.length > 0) record = await this.keepStatements(record, off, from);
    return this.absorbVerified(record, onHash, from);
  }

  /** `held`: statements already stored here; an identical one in the answer (our own, echoed back) adds nothing. */
  private verifiedStatements(
    eventId: string,
    raw: unknown[],
    from: Cloud,
    held: readonly Confirmation[] = [],
  ): Confirmation[] {
    const out: Confirmation[] = [];
    for (const item of raw) {
      const r = confirmationSchema.safeParse(item);
      if (r.success && held.some((c) => sameStatement(c, r.data))) continue;
      if (r.success && verifyConfirmation(eventId, r.data, this.d.keys.publicKeys)) out.push(r.data);
      else this.d.log.warn({ from, eventId }, "ignoring a malformed or unverifiable confirmation in a peer's answer");
    }
    return out;
  }

  /** Stores verified confirmations on the stored hash (first per cloud wins), then looks for a proof. */
  private async absorbVerified(
    record: EventRecord,
    verified: readonly Confirmation[],
    from: Cloud,
  ): Promise<EventRecord> {
    const { eventId, hash } = record.envelope;
    const fresh = verified.filter((c) => c.hash === hash && !record.confirmations.some((x) => x.cloud === c.cloud));
    // Our own key on our own hash, signed again: not news (we may have crashed between signing and storing).
    const others = fresh.filter((c) => c.cloud !== this.self);
    if (others.length === 0) return record;
    const stored = await this.d.store.addConfirmations(eventId, others);
    record =
      stored.length === others.length
        ? { ...record, confirmations: [...record.confirmations, ...stored] }
        : await this.reload(record);
    // A statement on another hash, kept earlier or by a concurrent message this very moment, may
    // pair up with one of these. Read from the store *after* our write, never from the snapshot:
    // of two racing writers (a confirmation here, a statement there) the later reader sees both.
    const statements = await this.d.store.listStatements(eventId);
    if (statements.length === 0) return record;
    return this.checkProof(record, from, statements);
  }

  /** Keeps verified statements on other hashes than ours, and quarantines if they prove an equivocation. */
  private async keepStatements(
    record: EventRecord,
    statements: readonly Confirmation[],
    from: Cloud,
  ): Promise<EventRecord> {
    const off = statements.filter((c) => c.hash !== record.envelope.hash);
    if (off.length === 0) return record;
    await this.d.store.addStatements(record.envelope.eventId, off, this.d.clock.now());
    return this.checkProof({ ...record, statements: record.statements + off.length }, from);
  }

  /**
   * Two validly signed hashes of one cloud for this eventId, among everything we keep: quarantine
   * (or, if already FINAL, keep the proof and pass it on). Everything is re-read from the store
   * after the caller's write: the record in hand may predate a concurrent message's confirmations.
   */
  private async checkProof(record: EventRecord, reportedBy: Cloud, statements?: Confirmation[]): Promise<EventRecord> {
    const { eventId } = record.envelope;
    const [stored, kept] = await Promise.all([
      this.d.store.getEvent(eventId),
      statements ?? this.d.store.listStatements(eventId),
    ]);
    const current = stored ?? record;
    const proof = findEquivocation([...current.confirmations, ...record.confirmations, ...kept]);
    return proof ? this.condemn(current, proof, reportedBy) : current;
  }

  /** A peer says it quarantined the event; believe only the signatures it shows. */
  private async adoptProof(record: EventRecord, raw: unknown, from: Cloud): Promise<EventRecord> {
    const proof = this.parseProof(record.envelope.eventId, raw);
    if (!proof) {
      this.d.log.warn(
        { eventId: record.envelope.eventId, peer: from },
        "peer reported a quarantine without a valid proof; ignored",
      );
      return record;
    }
    return this.condemn(record, proof, from);
  }

  /** Checks an equivocation proof: two statements of one cloud, both valid, on different hashes. */
  parseProof(eventId: string, raw: unknown): EquivocationProof | undefined {
    if (!raw || typeof raw !== "object") return undefined;
    const statements = (raw as { statements?: unknown }).statements;
    if (!Array.isArray(statements) || statements.length !== 2) return undefined;
    const parsed = statements.map((s) => confirmationSchema.safeParse(s));
    if (!parsed.every((p) => p.success)) return undefined;
    const [a, b] = parsed.map((p) => p.data!) as [Confirmation, Confirmation];
    if (a.cloud !== b.cloud || a.hash === b.hash) return undefined;
    if (
      !verifyConfirmation(eventId, a, this.d.keys.publicKeys) ||
      !verifyConfirmation(eventId, b, this.d.keys.publicKeys)
    )
      return undefined;
    return { cloud: a.cloud, statements: [a, b] };
  }

  /** POST /v1/peer/equivocation: a proof pushed by a peer that quarantined. */
  async learnProof(
    eventId: string,
    raw: unknown,
    from: string,
    origin: Origin,
  ): Promise<{ ok: true; status: EventStatus | null } | { ok: false; message: string }> {
    const proof = this.parseProof(eventId, raw);
    if (!proof) {
      await this.recordAttempt({
        eventId,
        kind: "bad-signature",
        reason: "proof: not two valid statements of one cloud on different hashes",
        source: origin.address,
        claimedFrom: from,
        detail: { proof: raw as JsonValue },
      });
      return {
        ok: false,
        message: "proof: expected two valid signed statements of one cloud on different hashes for this eventId",
      };
    }
    const record = await this.d.store.getEvent(eventId);
    if (!record) {
      // Nothing stored yet: keep the statements, so the event can never finalize here on that evidence.
      await this.d.store.addStatements(eventId, proof.statements, this.d.clock.now());
      await this.recordProof(eventId, proof, from);
      return { ok: true, status: null };
    }
    return { ok: true, status: (await this.condemn(record, proof, from)).status };
  }

  /** The other hash of a reused eventId holds a certificate: it has won, so take it (PENDING only). */
  private async adoptIfCertified(
    record: EventRecord,
    envelope: Envelope,
    verifiedOnHash: readonly Confirmation[],
  ): Promise<EventRecord | undefined> {
    if (record.status !== "PENDING") return undefined;
    const cert = certificateFor(envelope.hash, verifiedOnHash);
    if (!cert || cert.some((c) => c.cloud === this.self)) return undefined;
    // A certificate alone is not enough: one of its two statements may come from a stolen key, which can hand each
    // honest cloud the other's hash certified with it. Each cloud of the certificate is asked, for real, with our own
    // statement; adopting needs every one of them to answer that it holds that hash FINAL. An honest cloud says so
    // only after its own cross-check (or adoption), so two honest clouds never end FINAL on two hashes this way.
    for (const c of cert) {
      if (!this.d.peers.clouds.includes(c.cloud)) return undefined;
      const out = await this.d.peers.confirm(c.cloud, this.messageFor(record), "direct");
      // What it answers with is evidence too: a proof it holds, or statements that pair up with ours.
      if (out.kind === "quarantined") {
        await this.adoptProof(record, out.evidence, c.cloud);
        return undefined;
      }
      if (out.kind === "conflict") {
        const kept = await this.keepStatements(
          record,
          this.verifiedStatements(record.envelope.eventId, out.confirmations, c.cloud),
          c.cloud,
        );
        if (kept.status !== "PENDING") return undefined;
      }
      const held = out.kind === "conflict" ? envelopeSchema.safeParse(out.envelope) : undefined;
      if (!(out.kind === "conflict" && out.status === "FINAL" && held?.success && held.data.hash === envelope.hash))
        return undefined;
    }
    const now = this.d.clock.now();
    if (!(await this.d.store.adoptCertificate(record.envelope.eventId, record.envelope.hash, envelope, cert, now)))
      return undefined;
    const final = await this.reload(record);
    this.d.log.info(
      { eventId: envelope.eventId, lost: record.envelope.hash, won: envelope.hash },
      "eventId reused with another payload; adopted the winner's certificate",
    );
    this.d.onStatus?.(envelope.eventId, "FINAL", now);
    if (this.d.onFinal)
      await this.d
        .onFinal(final)
        .catch((err) =>
          this.d.log.error({ err, eventId: envelope.eventId }, "appending the certificate to the ledger failed"),
        );
    return final;
  }

  /** PENDING -> FINAL when a certificate exists; the store re-checks it (and the absence of evidence) in SQL. */
  async tryFinalize(record: EventRecord): Promise<EventRecord> {
    if (record.status !== "PENDING" || !certificateFor(record.envelope.hash, record.confirmations)) return record;
    const now = this.d.clock.now();
    if (this.d.finalizeAndLog) {
      if (!(await this.d.finalizeAndLog(record, now))) return this.refusedFinal(record);
      this.d.onStatus?.(record.envelope.eventId, "FINAL", now);
      this.d.log.debug({ eventId: record.envelope.eventId }, "final (certificate logged in the same transaction)");
      return { ...record, status: "FINAL" };
    }
    if (await this.d.store.finalize(record.envelope.eventId, record.envelope.hash, now)) {
      this.d.onStatus?.(record.envelope.eventId, "FINAL", now);
      this.d.log.debug({ eventId: record.envelope.eventId }, "final");
      const final: EventRecord = { ...record, status: "FINAL" };
      // The certificate goes into this cloud's Merkle log; a failure here is repaired by the
      // publisher's catch-up (it appends every FINAL event missing from the log).
      if (this.d.onFinal)
        await this.d
          .onFinal(final)
          .catch((err) =>
            this.d.log.error(
              { err, eventId: record.envelope.eventId },
              "appending the certificate to the ledger failed",
            ),
          );
      return final;
    }
    return this.refusedFinal(record);
  }

  /**
   * The store refused FINAL. If it keeps statements on other hashes, they may pair up with a confirmation into a proof
   * that a crash kept from being acted on (written, then the node stopped before looking): look now.
   */
  private async refusedFinal(record: EventRecord): Promise<EventRecord> {
    const current = await this.reload(record);
    return current.status === "PENDING" && current.statements > 0 ? this.checkProof(current, this.self) : current;
  }

  /** The equivocation proof kept for an event, if any. */
  async proofOf(eventId: string): Promise<EquivocationProof | undefined> {
    const rows = await this.d.store.listEvidence({ eventId, limit: 1 });
    const detail = rows[0]?.detail as { cloud?: Cloud; statements?: [Confirmation, Confirmation] } | undefined;
    return detail?.cloud && detail.statements ? { cloud: detail.cloud, statements: detail.statements } : undefined;
  }

  private async recordProof(eventId: string, proof: EquivocationProof, reportedBy: string): Promise<boolean> {
    const existing = await this.d.store.listEvidence({ eventId, limit: 10 });
    if (existing.some((e) => e.kind === "equivocation" && (e.detail as { cloud?: string }).cloud === proof.cloud))
      return false;
    await this.d.store.recordEvidence(
      { eventId, kind: "equivocation", reportedBy, detail: proof as unknown as JsonValue },
      this.d.clock.now(),
    );
    return true;
  }

  /** Keep the proof; quarantine the event if it is still PENDING (terminal states never move); tell the peers. */
  private async condemn(record: EventRecord, proof: EquivocationProof, reportedBy: string): Promise<EventRecord> {
    const { eventId } = record.envelope;
    const fresh = await this.recordProof(eventId, proof, reportedBy);
    const now = this.d.clock.now();
    const reason = `equivocation: ${proof.cloud} signed two hashes for this eventId`;
    if (await this.d.store.quarantine(eventId, reason, now)) {
      this.d.onStatus?.(eventId, "QUARANTINED", now);
      this.d.log.warn({ eventId, equivocator: proof.cloud, reportedBy }, `quarantined: ${reason}`);
    }
    if (fresh) for (const cloud of this.d.peers.clouds) void afterAnswer(this.d.peers.tell(cloud, eventId, proof));
    return this.reload(record);
  }

  private async recordAttempt(a: Omit<AttemptRecord, "recordedAtMs">): Promise<void> {
    this.d.log.info(
      { eventId: a.eventId, kind: a.kind, source: a.source, claimedFrom: a.claimedFrom },
      `refused a peer message: ${a.reason}`,
    );
    await this.d.store.recordAttempt(a, this.d.clock.now());
  }

  private async reload(record: EventRecord): Promise<EventRecord> {
    return (await this.d.store.getEvent(record.envelope.eventId)) ?? record;
  }
}

function sameStatement(a: Confirmation, b: Confirmation): boolean {
  return (
    a.cloud === b.cloud &&
    a.hash === b.hash &&
    a.signature === b.signature &&
    a.confirmedAt === b.confirmedAt &&
    a.origin === b.origin &&
    a.logicalClock === b.logicalClock &&
    sameBatch(a.batch, b.batch)
  );
}

/** Field by field: this runs for every statement of every message, and serialising both proofs cost more. */
function sameBatch(a: Confirmation["batch"], b: Confirmation["batch"]): boolean {
  if (!a || !b) return a === b;
  return (
    a.size === b.size &&
    a.index === b.index &&
    a.path.length === b.path.length &&
    a.path.every((h, i) => h === b.path[i])
  );
}

/** What an attempt keeps of a refused message: enough to see what it tried, not the payload. */
function summarize(msg: PeerMessage): JsonValue {
  return {
    envelope: { eventId: msg.envelope.eventId, tenantId: msg.envelope.tenantId, hash: msg.envelope.hash },
    confirmations: msg.confirmations.map((c) => ({ cloud: c.cloud, hash: c.hash, signature: c.signature })),
  };
}
