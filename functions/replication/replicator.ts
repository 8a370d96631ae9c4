import type { Logger } from "pino";
import type { Cloud } from "../core/clouds";
import { certificateFor, missingClouds } from "../core/quorum";
import { afterAnswer } from "../node/after-answer";
import type { Ledger } from "../node/ledger";
import type { EventRecord, Store } from "../store/store";
import type { PeerOutcome, Peers } from "./peer-client";

/**
 * Replication passes one node runs at once (NodeOptions.maxPasses), measured with `npm run bench:quorum` (README):
 * 128 against 48 gave 435 and 308 against 383 and 287 events/s at 256 clients in two alternated pairs. A pass waits
 * about a second in round 1 when a cloud hangs (the receiver's own cross-check with it), so this is also about what
 * a node takes in per second with one cloud black-holed.
 */
export const DEFAULT_MAX_PASSES = 128;

/**
 * Drives one event towards FINAL. Round 1 shows the event (with this cloud's confirmation)
 * to every cloud that has not confirmed it, one attempt each, concurrently. FINAL needs a
 * certificate and a real answer (or a real failure) from every cloud missing from it: a
 * breaker that refused without calling says nothing, so that cloud is then asked directly.
 * Round 2 hands the certificate to the clouds not yet known FINAL; deliveries that fail
 * are retried in the background (1-2-4-8 s, woken when the peer answers again) and by the
 * reconciler, never inside the pass. Idempotent by eventId: a second drive joins the first.
 */
export class Replicator {
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly deliveries = new Set<Promise<void>>();

  constructor(
    private readonly d: { ledger: Ledger; store: Store; peers: Peers; log: Logger },
    private readonly maxConcurrent = DEFAULT_MAX_PASSES,
  ) {
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1 || maxConcurrent > 4096)
      throw new RangeError(`maxPasses: expected an integer from 1 to 4096, got ${maxConcurrent}`);
  }

  /** `retry`: the first pass after a submission (failed certificate deliveries are retried in
   * the background). `once`: reconciler passes. `known`: the record as the caller just stored
   * it (a submission), so the pass starts from it instead of reading it again. */
  drive(eventId: string, mode: "retry" | "once", known?: EventRecord): Promise<void> {
    const running = this.inflight.get(eventId);
    if (running) return running;
    // The slot is held until the event is decided; handing the certificate over (round 2) runs
    // outside it, so deliveries to a slow peer never keep new events from starting.
    const run = this.limited(() => this.run(eventId, mode, known))
      .then((roundTwo) => roundTwo?.())
      .catch((err: unknown) =>
        this.d.log.warn({ eventId, err: String(err) }, "replication pass failed; the reconciler will retry"),
      )
      .finally(() => this.inflight.delete(eventId));
    this.inflight.set(eventId, run);
    return run;
  }

  /** Bounded concurrency: under a burst, passes queue here instead of flooding peers until
   * their calls time out (which would trip the breakers of perfectly healthy peers). */
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.active >= this.maxConcurrent) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  /**
   * A call to a cloud whose breaker is open (the cross-check past the breaker) is made outside the pass's slot: it
   * floods no healthy peer, and with a hung cloud it takes its whole timeout. Held in the slot, those waits (a second
   * on top of the peer's own cross-check in round 1) capped a node at about 24 new events a second with one cloud
   * black-holed, and events past that waited longer than 5 s.
   */
  private async outsideSlot<T>(fn: () => Promise<T>): Promise<T> {
    this.release();
    try {
      return await fn();
    } finally {
      await this.acquire();
    }
  }

  /** Passes and background deliveries still running (close() waits for none of them; tests may). */
  get busy(): number {
    return this.inflight.size + this.deliveries.size;
  }

  /** Decides the event as far as it can; resolves with round 2 (the certificate's delivery) when there is one. */
  private async run(
    eventId: string,
    mode: "retry" | "once",
    known?: EventRecord,
  ): Promise<(() => Promise<void>) | undefined> {
    const { ledger, store, peers } = this.d;
    const first = known?.envelope.eventId === eventId ? known : await store.getEvent(eventId);
    if (!first || first.status === "QUARANTINED") return undefined;
    // What this pass knows, merged as answers arrive (saves re-reading the row after each one).
    let current: EventRecord = await ledger.ensureOwnConfirmation(first);
    const learn = (r: EventRecord): EventRecord => (current = mergeRecords(current, r));
    const finalPeers = new Set<Cloud>();
    const answers = new Map<Cloud, PeerOutcome>();
    // Answers are folded in one after another: two arriving together (each receiver's carrying
    // both receivers' confirmations, after their cross-checks) would otherwise both start from
    // the same record, and the second would store again what the first just stored, then re-read.
    let folding: Promise<void> = Promise.resolve();
    const take = (cloud: Cloud, out: PeerOutcome): Promise<void> =>
      (folding = folding
        .catch(() => undefined) // a failed fold is its own caller's error; the next answer still goes in
        .then(async () => {
          answers.set(cloud, out);
          if (out.kind === "ok" && out.status === "FINAL") finalPeers.add(cloud);
          learn(await ledger.takeAnswer(current, cloud, out));
        }));

    if (current.status === "PENDING") {
      const message = ledger.messageFor(current);
      await Promise.all(
        peers.clouds
          .filter((c) => !has(current, c))
          .map(async (cloud) => take(cloud, await peers.confirm(cloud, message, "once"))),
      );
      if (statusOf(current) !== "PENDING") return () => this.afterFinal(current, first, finalPeers, mode);
      if (!certificateFor(current.envelope.hash, current.confirmations)) return undefined;
      // Cross-check: every cloud missing from the certificate must have been asked for real, and shown it: an answer
      // to round 1 counts only if round 1 already carried the certificate (or the cloud could not be reached). The
      // certificate may have formed meanwhile, from a statement another message stored here; a cloud that answered
      // a round 1 without it never saw that statement, and may hold another hash it would prove a lie with.
      const shown = certificateFor(current.envelope.hash, message.confirmations) !== undefined;
      for (const cloud of missingClouds(current.envelope.hash, current.confirmations)) {
        if (cloud === ledger.self || !peers.clouds.includes(cloud)) continue;
        const out = answers.get(cloud);
        // Refused by the breaker without a call: that says nothing, so ask for real. Answered without the
        // certificate: ask again with it.
        const reached = out?.kind === "unreachable" && out.attempted;
        if ((out?.kind === "unreachable" && !out.attempted) || (!shown && !reached)) {
          const direct = () => peers.confirm(cloud, ledger.messageFor(current), "direct");
          // Past an open breaker: outside the slot. A cloud that answered round 1 is asked again inside it.
          await take(cloud, await (out?.kind === "unreachable" ? this.outsideSlot(direct) : direct()));
        }
        if (statusOf(current) === "QUARANTINED") return undefined;
        // Refused (a 4xx): an answer about the message, not the hash; that cloud may hold another. Not FINAL on it.
        if (answers.get(cloud)?.kind === "rejected") return undefined;
      }
      learn(await ledger.tryFinalize(current));
      if (statusOf(current) !== "FINAL") return undefined;
    }
    return () => this.afterFinal(current, first, finalPeers, mode);
  }

  /** Round 2: the certificate to every peer not known FINAL (just finalized) or missing from it (a later pass). */
  private async afterFinal(
    current: EventRecord,
    first: EventRecord,
    finalPeers: Set<Cloud>,
    mode: "retry" | "once",
  ): Promise<void> {
    if (current.status !== "FINAL") return;
    const { ledger, peers } = this.d;
    const targets = peers.clouds.filter((c) => !finalPeers.has(c) && (first.status === "PENDING" || !has(first, c)));
    const message = ledger.messageFor(current);
    // Adopted certificates carry no statement of ours: nothing to authenticate a message with.
    if (!message.confirmations.some((c) => c.cloud === ledger.self)) return;
    await Promise.all(
      targets.map(async (cloud) => {
        const out = await peers.confirm(cloud, message, "once");
        if (out.kind === "unreachable" && out.attempted && mode === "retry") this.deliverLater(cloud, current);
        else await ledger.takeAnswer(current, cloud, out);
      }),
    );
  }

  /** Background retries of one certificate delivery; the event itself is FINAL already. */
  private deliverLater(cloud: Cloud, record: EventRecord): void {
    const task = this.d.peers
      .confirm(cloud, this.d.ledger.messageFor(record), "retry")
      .then((out) => this.d.ledger.takeAnswer(record, cloud, out))
      .then(() => undefined)
      .catch((err: unknown) =>
        this.d.log.debug(
          { eventId: record.envelope.eventId, peer: cloud, err: String(err) },
          "certificate delivery failed; the reconciler will offer it again",
        ),
      )
      .finally(() => this.deliveries.delete(task));
    this.deliveries.add(task);
    void afterAnswer(task);
  }
}

/** Terminal status wins; confirmations are the union by cloud (first one kept). */
function mergeRecords(a: EventRecord, b: EventRecord): EventRecord {
  if (b.envelope.hash !== a.envelope.hash) return b; // an adopted certificate replaced the event
  const confirmations = [...a.confirmations];
  for (const c of b.confirmations) if (!confirmations.some((x) => x.cloud === c.cloud)) confirmations.push(c);
  const status = a.status !== "PENDING" ? a.status : b.status;
  return {
    ...a,
    status,
    statusReason: a.statusReason ?? b.statusReason,
    confirmations,
    statements: Math.max(a.statements, b.statements),
  };
}

/** Read through a call: TypeScript narrows `current.status` and misses the updates made by `learn`. */
function statusOf(record: EventRecord): EventRecord["status"] {
  return record.status;
}

function has(record: EventRecord, cloud: Cloud): boolean {
  return record.confirmations.some((c) => c.cloud === cloud);
}
