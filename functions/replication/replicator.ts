import type { Logger } from "pino";
import type { Cloud } from "../core/clouds";
import type { Ledger } from "../node/ledger";
import type { EventRecord, Store } from "../store/store";
import type { PeerOutcome, Peers } from "./peer-client";

/**
 * Drives one event towards FINAL. Round 1 shows the envelope to every cloud that has not
 * confirmed it and collects their confirmations; once this node holds a certificate,
 * round 2 hands it to the clouds not yet known to be FINAL. Idempotent by eventId: a
 * second drive of an event already in flight joins the first.
 */
export class Replicator {
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(
    private readonly d: { ledger: Ledger; store: Store; peers: Peers; log: Logger },
    /** How long a FINAL origin waits for the other peers' answers before sending certificates. */
    private readonly certificateWaitMs = 250,
    private readonly maxConcurrent = 32,
  ) {}

  /** `retry`: the origin's first pass (backoff 1-2-4-8 s). `once`: reconciler passes. */
  drive(eventId: string, mode: "retry" | "once"): Promise<void> {
    const running = this.inflight.get(eventId);
    if (running) return running;
    const run = this.limited(() => this.run(eventId, mode))
      .catch((err: unknown) => this.d.log.warn({ eventId, err: String(err) }, "replication pass failed; the reconciler will retry"))
      .finally(() => this.inflight.delete(eventId));
    this.inflight.set(eventId, run);
    return run;
  }

  /** Bounded concurrency: under a burst, passes queue here instead of flooding peers until
   * their calls time out (which would trip the breakers of perfectly healthy peers). */
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.maxConcurrent) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  /** Passes still running (close() waits for none of them; benches and tests may). */
  get busy(): number {
    return this.inflight.size;
  }

  private async run(eventId: string, mode: "retry" | "once"): Promise<void> {
    const { ledger, store, peers } = this.d;
    const first = await store.getEvent(eventId);
    if (!first || first.status === "QUARANTINED") return;
    const finalPeers = new Set<Cloud>();
    const isOrigin = first.envelope.originCloud === ledger.self;
    const round1 = new Map<Cloud, Promise<void>>();
    // What this pass knows, merged as answers arrive (saves re-reading the row after each one).
    let current = first;
    const learn = (r: EventRecord | undefined): EventRecord => (current = r ? mergeRecords(current, r) : current);

    if (first.status === "PENDING") {
      let markFinal: () => void = () => undefined;
      const becameFinal = new Promise<void>((resolve) => (markFinal = resolve));
      for (const cloud of peers.clouds.filter((c) => !has(first, c))) {
        round1.set(
          cloud,
          (async () => {
            const out = await peers.confirm(cloud, { from: ledger.self, envelope: first.envelope, confirmations: [] }, mode);
            if (out.kind === "ok" && out.status === "FINAL") finalPeers.add(cloud);
            const after = learn(await this.take(current, cloud, out));
            // The origin cannot be the equivocator in its own view, so it finalizes as soon as
            // it can; anyone else waits for every answer first, so a conflict is seen in time.
            if (isOrigin && after.status === "PENDING" && learn(await ledger.tryFinalize(after)).status === "FINAL") markFinal();
          })(),
        );
      }
      const all = Promise.all(round1.values());
      // A slow or dead peer (retrying for seconds) must not hold back the certificate for the
      // others: once FINAL, the origin waits only briefly for the remaining answers.
      await (isOrigin ? Promise.race([all, becameFinal.then(() => delay(this.certificateWaitMs))]) : all);
      if (learn(await ledger.tryFinalize(current)).status !== "FINAL") return;
    }

    // Round 2: the certificate. Just finalized: to every peer not known FINAL, each after its
    // own round-1 call is over. Already FINAL (a reconciler pass): to peers still missing from it.
    const targets = peers.clouds.filter((c) => !finalPeers.has(c) && (first.status === "PENDING" || !has(first, c)));
    await Promise.all(
      targets.map(async (cloud) => {
        await round1.get(cloud);
        if (finalPeers.has(cloud)) return;
        const out = await peers.confirm(cloud, { from: ledger.self, envelope: current.envelope, confirmations: current.confirmations }, mode);
        learn(await this.take(current, cloud, out));
      }),
    );
  }

  /** Fold one peer's answer into our record; returns the record, or undefined if condemned. */
  private async take(record: EventRecord, cloud: Cloud, out: PeerOutcome): Promise<EventRecord | undefined> {
    switch (out.kind) {
      case "ok": {
        const r = await this.d.ledger.absorbRaw(record, out.confirmations, cloud);
        return r.kind === "ok" ? r.record : undefined;
      }
      case "conflict": {
        const r = await this.d.ledger.adoptConflictProof(record, out.envelope, cloud);
        return r.status === "QUARANTINED" ? undefined : r;
      }
      case "rejected":
        this.d.log.warn({ eventId: record.envelope.eventId, peer: cloud, code: out.code }, `peer rejected the event: ${out.message}`);
        return record;
      case "unreachable":
        this.d.log.debug({ eventId: record.envelope.eventId, peer: cloud, error: out.error }, "peer unreachable");
        return record;
    }
  }
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** Terminal status wins; confirmations are the union by cloud (first one kept). */
function mergeRecords(a: EventRecord, b: EventRecord): EventRecord {
  const confirmations = [...a.confirmations];
  for (const c of b.confirmations) if (!confirmations.some((x) => x.cloud === c.cloud)) confirmations.push(c);
  const status = a.status !== "PENDING" ? a.status : b.status;
  return { ...a, status, statusReason: a.statusReason ?? b.statusReason, confirmations };
}

function has(record: EventRecord, cloud: Cloud): boolean {
  return record.confirmations.some((c) => c.cloud === cloud);
}
