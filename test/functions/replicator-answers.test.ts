import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { Cloud } from "../../functions/core/clouds";
import { signConfirmation } from "../../functions/core/confirmation";
import { makeEnvelope } from "../../functions/core/envelope";
import { Ledger } from "../../functions/node/ledger";
import type { CallMode, PeerMessage, PeerOutcome } from "../../functions/replication/peer-client";
import { Replicator } from "../../functions/replication/replicator";
import type { Store } from "../../functions/store/store";
import { keyRings } from "../helpers/cluster";
import { StubPeers } from "../helpers/stub-peers";
import { disposeStore, freshStore, intercept } from "../helpers/store";
import { waitFor } from "../helpers/wait";

const keys = keyRings();
const stores: Store[] = [];
afterEach(async () => {
  while (stores.length) await disposeStore(stores.pop()!);
});

/** Both receivers answer in the same turn, each carrying both receivers' statements (as after their cross-checks). */
class TogetherPeers extends StubPeers {
  readonly clouds: readonly Cloud[] = ["aws", "gcp"];
  private gate: Promise<void>;
  private open!: () => void;
  constructor() {
    super();
    this.gate = new Promise<void>((r) => (this.open = r));
  }
  async confirm(cloud: Cloud, message: PeerMessage): Promise<PeerOutcome> {
    const { eventId, hash } = message.envelope;
    const meta = { origin: "azure" as Cloud, logicalClock: 1 };
    const both = (["aws", "gcp"] as const).map((c) => signConfirmation(eventId, hash, keys[c], 1_000, meta));
    // Round 1 sends to both at once; the second call opens the gate, so both answers resolve together.
    if (cloud === "gcp") this.open();
    await this.gate;
    return { kind: "ok", status: "FINAL", confirmations: [...message.confirmations, ...both] };
  }
}

describe("the origin folds its peers' answers one after another", () => {
  it("two answers arriving together store the receivers' statements once, with no re-read of the event", async () => {
    const base = await freshStore("pglite", "answers");
    stores.push(base);
    const calls = { addConfirmations: 0, getEvent: 0 };
    const counted =
      (name: keyof typeof calls) =>
      (original: (...args: unknown[]) => Promise<unknown>) =>
      (...args: unknown[]) => (calls[name]++, original(...args));
    const store = intercept(base, { addConfirmations: counted("addConfirmations"), getEvent: counted("getEvent") });
    const peers = new TogetherPeers();
    const log = pino({ level: "silent" });
    const ledger = new Ledger({ keys: keys.azure, region: "test", store, clock: { now: () => 2_000 }, peers, log });
    const replicator = new Replicator({ ledger, store, peers, log });
    const submitted = await ledger.submit({ tenantId: "acme", payload: { n: 1 }, eventId: "together-1" });
    expect(submitted.kind).toBe("created");
    const before = { ...calls };
    await replicator.drive("together-1", "retry", submitted.record);

    const record = await base.getEvent("together-1");
    expect(record?.status).toBe("FINAL");
    expect(record?.confirmations.map((c) => c.cloud).sort()).toEqual(["aws", "azure", "gcp"]);
    // The first answer stores aws's and gcp's statements; the second finds them in the record it
    // folds into and stores nothing. Before, both answers started from the same record: the second
    // insert found both rows taken and the event was read back.
    expect(calls.addConfirmations - before.addConfirmations).toBe(1);
    expect(calls.getEvent - before.getEvent).toBe(0);
  });
});

describe("the cross-check before FINAL shows the certificate", () => {
  it("a round-1 answer given before the certificate formed does not count: that cloud is asked again, with it", async () => {
    const store = await freshStore("pglite", "stale");
    stores.push(store);
    const log = pino({ level: "silent" });
    const sent: Array<{ cloud: Cloud; clouds: Cloud[] }> = [];
    let otherHash: { eventId: string; hash: string } | undefined;
    const meta = { origin: "aws" as Cloud, logicalClock: 1 };
    // The thief holds aws's key. aws's node is down; gcp holds another payload under the eventId, which aws's key
    // signed too. During round 1, aws's statement on azure's hash arrives by another message and is stored.
    class ThiefPeers extends StubPeers {
      readonly clouds: readonly Cloud[] = ["aws", "gcp"];
      async confirm(cloud: Cloud, message: PeerMessage): Promise<PeerOutcome> {
        const { eventId, hash } = message.envelope;
        sent.push({ cloud, clouds: message.confirmations.map((c) => c.cloud) });
        if (cloud === "aws") return { kind: "unreachable", error: "down", attempted: true };
        const other = makeEnvelope({ eventId, tenantId: "acme", payload: { pay: "mallory" } });
        otherHash = { eventId, hash: other.hash };
        if (sent.filter((s) => s.cloud === "gcp").length === 1)
          await store.addConfirmations(eventId, [signConfirmation(eventId, hash, keys.aws, 1_000, meta)]);
        // gcp answers with what it holds: its own statement, and aws's on its hash once it has seen aws's on ours.
        const theirs = [signConfirmation(eventId, other.hash, keys.gcp, 1_000, meta)];
        if (message.confirmations.some((c) => c.cloud === "aws"))
          theirs.push(signConfirmation(eventId, other.hash, keys.aws, 1_000, meta));
        return { kind: "conflict", envelope: other, confirmations: theirs, status: "PENDING" };
      }
    }
    const peers = new ThiefPeers();
    const ledger = new Ledger({ keys: keys.azure, region: "test", store, clock: { now: () => 2_000 }, peers, log });
    const replicator = new Replicator({ ledger, store, peers, log });
    const submitted = await ledger.submit({ tenantId: "acme", payload: { pay: "alice" }, eventId: "stale-1" });
    await replicator.drive("stale-1", "retry", submitted.record);
    // gcp answered round 1 without seeing aws's statement; it was asked again with the certificate {azure, aws}.
    expect(sent.filter((s) => s.cloud === "gcp").map((s) => s.clouds.sort())).toEqual([["azure"], ["aws", "azure"]]);
    expect(otherHash).toBeDefined();
    const record = await store.getEvent("stale-1");
    expect(record?.status).toBe("QUARANTINED");
    expect((await store.listEvidence({ eventId: "stale-1" })).length).toBeGreaterThanOrEqual(1);
  });
});

describe("a pass past an open breaker waits outside its slot", () => {
  it("while one event's cross-check waits on a hung cloud, another event's pass starts (one slot in all)", async () => {
    const store = await freshStore("pglite", "slot");
    stores.push(store);
    const log = pino({ level: "silent" });
    const rounds: Array<{ cloud: Cloud; eventId: string; mode: string }> = [];
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    // aws answers; gcp's breaker is open (round 1 refused without a call), and the call past it hangs until released.
    class HungGcp extends StubPeers {
      readonly clouds: readonly Cloud[] = ["aws", "gcp"];
      async confirm(cloud: Cloud, message: PeerMessage, mode?: CallMode): Promise<PeerOutcome> {
        const { eventId, hash } = message.envelope;
        rounds.push({ cloud, eventId, mode: mode ?? "once" });
        if (cloud === "aws") {
          const own = signConfirmation(eventId, hash, keys.aws, 1_000, { origin: "azure", logicalClock: 1 });
          return { kind: "ok", status: "PENDING", confirmations: [...message.confirmations, own] };
        }
        if (mode !== "direct") return { kind: "unreachable", error: "breaker open", attempted: false };
        await hung;
        return { kind: "unreachable", error: "timed out after 1000 ms", attempted: true };
      }
    }
    const peers = new HungGcp();
    const ledger = new Ledger({ keys: keys.azure, region: "test", store, clock: { now: () => 2_000 }, peers, log });
    const replicator = new Replicator({ ledger, store, peers, log }, 1);
    const drives: Array<Promise<void>> = [];
    for (const eventId of ["slot-a", "slot-b"]) {
      const submitted = await ledger.submit({ tenantId: "acme", payload: { eventId }, eventId });
      drives.push(replicator.drive(eventId, "retry", submitted.record));
    }
    // Before: the first pass kept the only slot through its call past the breaker, and the second waited behind it.
    await waitFor(
      "both passes waiting on gcp past its breaker",
      async () =>
        ["slot-a", "slot-b"].every((id) =>
          rounds.some((r) => r.eventId === id && r.cloud === "gcp" && r.mode === "direct"),
        ),
      2_000,
    );
    release();
    await Promise.all(drives);
    for (const eventId of ["slot-a", "slot-b"]) expect((await store.getEvent(eventId))?.status).toBe("FINAL");
  });
});
