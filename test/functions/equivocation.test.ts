import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { Cloud } from "../../functions/core/clouds";
import { signConfirmation, type Confirmation } from "../../functions/core/confirmation";
import { makeEnvelope, type Envelope } from "../../functions/core/envelope";
import type { EquivocationProof } from "../../functions/core/quorum";
import { Ledger } from "../../functions/node/ledger";
import type { PeerMessage, PeerOutcome } from "../../functions/replication/peer-client";
import type { Store } from "../../functions/store/store";
import { keyRings } from "../helpers/cluster";
import { StubPeers } from "../helpers/stub-peers";
import { disposeStore, freshStore, intercept } from "../helpers/store";

/**
 * Issue #16, chaos seed 41 (q41-2): a thief with aws's key sends hash H1 to azure and H2 to gcp
 * at once. Azure takes gcp's copy of H2 (carrying aws's signature on H2) and the thief's H1
 * concurrently. Each message was checked against a snapshot of the record that predated the
 * other's write, so neither saw aws's two signatures side by side: azure answered the thief 409
 * CONFLICTING_HASH and kept no evidence. These tests replay that interleaving deterministically
 * on azure's ledger (a real store, peers faked), and the other paths a statement can come in on.
 */
const keys = keyRings();
const stores: Store[] = [];
afterEach(async () => {
  while (stores.length) await disposeStore(stores.pop()!);
});

class FakePeers extends StubPeers {
  readonly clouds: readonly Cloud[] = ["aws", "gcp"];
  answer: (cloud: Cloud, message: PeerMessage) => PeerOutcome = () => ({
    kind: "unreachable",
    error: "fake",
    attempted: true,
  });
  async confirm(cloud: Cloud, message: PeerMessage): Promise<PeerOutcome> {
    return this.answer(cloud, message);
  }
}

const sign = (signer: Cloud, env: Envelope, origin: Cloud = signer): Confirmation =>
  signConfirmation(env.eventId, env.hash, keys[signer], Date.now(), { origin, logicalClock: 1 });

async function azureLedger(wrap: (s: Store) => Store = (s) => s) {
  const store = await freshStore("pglite", "equiv");
  stores.push(store);
  const peers = new FakePeers();
  const ledger = new Ledger({
    keys: keys.azure,
    region: "test",
    store: wrap(store),
    clock: { now: () => Date.now() },
    peers,
    log: pino({ level: "silent" }),
  });
  return { store, peers, ledger };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function expectProofKept(store: Store, peers: FakePeers, eventId: string, status: "QUARANTINED" | "FINAL") {
  const record = await store.getEvent(eventId);
  expect(record?.status).toBe(status);
  const evidence = await store.listEvidence({ eventId });
  // Two racing finders may both record it (the de-duplication is best effort): at least one, all sound.
  expect(evidence.length).toBeGreaterThanOrEqual(1);
  for (const e of evidence) {
    const proof = e.detail as unknown as EquivocationProof;
    expect(proof.cloud).toBe("aws");
    expect(new Set(proof.statements.map((s) => s.hash)).size).toBe(2);
  }
  // Pushed to both peers.
  expect([...new Set(peers.told.filter((t) => t.eventId === eventId).map((t) => t.cloud))].sort()).toEqual([
    "aws",
    "gcp",
  ]);
}

describe("equivocation proof, whatever path and interleaving the two statements come by", () => {
  it("a peer's copy of H2 and the thief's H1 racing on one node: the proof is found, kept, pushed, and the thief is refused", async () => {
    const h1 = makeEnvelope({ eventId: "q41-2", tenantId: "acme", payload: { pay: "alice" } });
    const h2 = makeEnvelope({ eventId: "q41-2", tenantId: "acme", payload: { pay: "mallory" } });
    // Hold gcp's message after it stored the envelope (its statements go in with it) and before it
    // looks for a proof, until the thief's message has read the record (the interleaving of seed
    // 41: each saw a snapshot without the other's write).
    const thiefRead = deferred();
    let thiefStarted = false;
    const { store, peers, ledger } = await azureLedger((s) =>
      intercept(s, {
        listStatements:
          (original) =>
          async (...args) => (await thiefRead.promise, original(...args)),
        getEvent:
          (original) =>
          async (...args) => {
            const r = await original(...args);
            if (thiefStarted && r) thiefRead.resolve();
            return r;
          },
      }),
    );
    const fromGcp = ledger.receive({
      from: "gcp",
      envelope: h2,
      confirmations: [sign("gcp", h2, "aws"), sign("aws", h2)],
    });
    // gcp's message has stored the envelope with aws's and gcp's statements (and is now held).
    // Bounded at 10 s: on a loaded machine the store can take well over a second.
    for (let i = 0; i < 2_000 && !(await store.getEvent(h2.eventId)); i++) await new Promise((r) => setTimeout(r, 5));
    expect(await store.getEvent(h2.eventId)).toBeDefined();
    thiefStarted = true;
    const fromThief = ledger.receive({ from: "aws", envelope: h1, confirmations: [sign("aws", h1)] });
    const [a, b] = await Promise.all([fromGcp, fromThief]);
    // The thief gets no 409 CONFLICTING_HASH ("another payload"): it is caught lying.
    expect(b.kind).toBe("quarantined");
    expect(["ok", "quarantined"]).toContain(a.kind);
    await expectProofKept(store, peers, h2.eventId, "QUARANTINED");
  });

  it("the second hash in a peer's answer (the cross-check before FINAL) proves it too", async () => {
    const { store, peers, ledger } = await azureLedger();
    const h1 = makeEnvelope({ eventId: "q-answer", tenantId: "acme", payload: { pay: "alice" } });
    const h2 = makeEnvelope({ eventId: "q-answer", tenantId: "acme", payload: { pay: "mallory" } });
    // Asked before FINAL, gcp answers 409 with what it holds: H2 signed by gcp and by aws.
    peers.answer = (cloud) =>
      cloud === "gcp"
        ? { kind: "conflict", envelope: h2, confirmations: [sign("gcp", h2, "aws"), sign("aws", h2)] }
        : { kind: "unreachable", error: "x", attempted: true };
    const out = await ledger.receive({ from: "aws", envelope: h1, confirmations: [sign("aws", h1)] });
    expect(out.kind).toBe("quarantined");
    await expectProofKept(store, peers, h1.eventId, "QUARANTINED");
  });

  it("already FINAL: the event stays FINAL, the proof is kept and pushed", async () => {
    const { store, peers, ledger } = await azureLedger();
    const h1 = makeEnvelope({ eventId: "q-final", tenantId: "acme", payload: { pay: "alice" } });
    const h2 = makeEnvelope({ eventId: "q-final", tenantId: "acme", payload: { pay: "mallory" } });
    peers.answer = (cloud) =>
      cloud === "gcp"
        ? { kind: "ok", status: "PENDING", confirmations: [] }
        : { kind: "unreachable", error: "x", attempted: true };
    const first = await ledger.receive({
      from: "aws",
      envelope: h1,
      confirmations: [sign("aws", h1), sign("gcp", h1, "aws")],
    });
    expect(first.kind === "ok" && first.record.status).toBe("FINAL");
    const late = await ledger.receive({ from: "aws", envelope: h2, confirmations: [sign("aws", h2)] });
    expect(late.kind).toBe("conflict");
    await expectProofKept(store, peers, h1.eventId, "FINAL");
  });

  it("a valid statement on another hash carried beside the envelope is kept and proves it", async () => {
    const { store, peers, ledger } = await azureLedger();
    const h1 = makeEnvelope({ eventId: "q-beside", tenantId: "acme", payload: { pay: "alice" } });
    const h2 = makeEnvelope({ eventId: "q-beside", tenantId: "acme", payload: { pay: "mallory" } });
    const out = await ledger.receive({ from: "aws", envelope: h1, confirmations: [sign("aws", h1), sign("aws", h2)] });
    expect(out.kind).toBe("quarantined");
    await expectProofKept(store, peers, h1.eventId, "QUARANTINED");
  });

  it("a receiver killed right after storing the thief's event still holds the thief's statement: the other hash's certificate proves the lie, nothing is adopted", async () => {
    const h1 = makeEnvelope({ eventId: "q-crash", tenantId: "acme", payload: { pay: "alice" } });
    const h2 = makeEnvelope({ eventId: "q-crash", tenantId: "acme", payload: { pay: "mallory" } });
    // The process dies at its next write after storing the event (here: its own confirmation).
    const killed = () => async () => {
      throw new Error("killed");
    };
    const { store, peers, ledger } = await azureLedger((s) =>
      intercept(s, { addConfirmation: killed, addConfirmations: killed }),
    );
    await expect(ledger.receive({ from: "aws", envelope: h1, confirmations: [sign("aws", h1)] })).rejects.toThrow(
      "killed",
    );
    const kept = await store.getEvent(h1.eventId);
    expect(kept?.envelope.hash).toBe(h1.hash);
    expect(kept?.confirmations.map((c) => c.cloud)).toEqual(["aws"]);
    // Restarted on the same store, it is shown H2 certified by gcp and aws (the thief's key again).
    const restarted = new Ledger({
      keys: keys.azure,
      region: "test",
      store,
      clock: { now: () => Date.now() },
      peers,
      log: pino({ level: "silent" }),
    });
    const out = await restarted.receive({
      from: "gcp",
      envelope: h2,
      confirmations: [sign("gcp", h2, "aws"), sign("aws", h2)],
    });
    expect(out.kind).toBe("quarantined");
    await expectProofKept(store, peers, h1.eventId, "QUARANTINED");
    expect((await store.getEvent(h1.eventId))?.envelope.hash).toBe(h1.hash);
  });

  it("a proof a crash kept from being acted on (a statement written, the look for its pair never made): no FINAL on it, and the node quarantines when it tries", async () => {
    const { store, peers, ledger } = await azureLedger();
    const h1 = makeEnvelope({ eventId: "q-unlooked", tenantId: "acme", payload: { pay: "alice" } });
    const h2 = makeEnvelope({ eventId: "q-unlooked", tenantId: "acme", payload: { pay: "mallory" } });
    await store.insertEvent(h1, { origin: "aws", seenClock: 1 }, Date.now(), [sign("aws", h1)]);
    const record = await ledger.ensureOwnConfirmation((await store.getEvent(h1.eventId))!);
    // aws's statement on H2 is on disk; the node stopped before looking for its pair.
    await store.addStatements(h1.eventId, [sign("aws", h2)], Date.now());
    expect(await store.finalize(h1.eventId, h1.hash, Date.now())).toBe(false);
    const after = await ledger.tryFinalize(record);
    expect(after.status).toBe("QUARANTINED");
    await expectProofKept(store, peers, h1.eventId, "QUARANTINED");
  });

  it("a submission whose event adopted another payload's certificate meanwhile is answered as a conflict, not created", async () => {
    const h1 = makeEnvelope({ eventId: "q-adopted", tenantId: "acme", payload: { pay: "alice" } });
    const h2 = makeEnvelope({ eventId: "q-adopted", tenantId: "acme", payload: { pay: "mallory" } });
    let adopt: (() => Promise<boolean>) | undefined;
    // Between storing the client's event and storing its own confirmation, H2's certificate is adopted.
    const { store, ledger } = await azureLedger((s) =>
      intercept(s, {
        addConfirmation:
          (original) =>
          async (...args) => {
            await adopt?.();
            adopt = undefined;
            return original(...args);
          },
      }),
    );
    adopt = async () =>
      store.adoptCertificate(h1.eventId, h1.hash, h2, [sign("aws", h2), sign("gcp", h2, "aws")], Date.now());
    const out = await ledger.submit({ tenantId: "acme", eventId: h1.eventId, payload: { pay: "alice" } });
    expect(out.kind).toBe("conflict");
    expect(out.record.envelope.hash).toBe(h2.hash);
    expect(out.record.status).toBe("FINAL");
  });
});
