import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  confirmationSchema,
  signConfirmation,
  signConfirmations,
  verifyConfirmation,
  type Confirmation,
} from "../../functions/core/confirmation";
import { makeEnvelope, type Envelope } from "../../functions/core/envelope";
import { CLOUDS, type Cloud } from "../../functions/core/clouds";
import { findEquivocation } from "../../functions/core/quorum";
import { ConfirmationSigner } from "../../functions/core/signer";
import { Replicator } from "../../functions/replication/replicator";
import { checkEntry, certificateEntry } from "../../functions/ledger/entry";
import type { Store } from "../../functions/store/store";
import { Cluster, keyRings } from "../helpers/cluster";
import { waitFor } from "../helpers/wait";
import { DATABASE_URL, disposeStore, freshStore } from "../helpers/store";

const keys = keyRings();
const env = (i: number, payload: unknown = { n: i }): Envelope =>
  makeEnvelope({ eventId: `b-${i}`, tenantId: "acme", payload: payload as never });
const items = (n: number, from = 0) =>
  Array.from({ length: n }, (_, k) => {
    const e = env(from + k);
    return { eventId: e.eventId, hash: e.hash, meta: { origin: "aws" as Cloud, logicalClock: from + k + 1 } };
  });

describe("batched confirmations (one signature over a Merkle root, one inclusion proof each)", () => {
  it.each([2, 3, 5, 8, 13, 64, 100])("a batch of %i: every confirmation verifies on its own", (n) => {
    const signed = signConfirmations(items(n), keys.azure, 1_700_000_000_000);
    expect(new Set(signed.map((c) => c.signature)).size).toBe(1);
    signed.forEach((c, i) => {
      expect(confirmationSchema.safeParse(c).success).toBe(true);
      expect(c.batch).toMatchObject({ size: n, index: i });
      expect(verifyConfirmation(`b-${i}`, c, keys.aws.publicKeys)).toBe(true);
    });
  });

  it("a single confirmation is signed on its own, without a batch proof", () => {
    const [only] = signConfirmations(items(1), keys.gcp, 0);
    expect(only!.batch).toBeUndefined();
    expect(verifyConfirmation("b-0", only!, keys.aws.publicKeys)).toBe(true);
  });

  it("refuses a statement moved to another event, another hash, another position or another cloud's key", () => {
    const signed = signConfirmations(items(5), keys.azure, 0);
    const c = signed[2]!;
    // Verified first, so every variant below meets a node that has this exact statement in its
    // cache of verified statements: each must still be refused.
    expect(verifyConfirmation("b-2", c, keys.aws.publicKeys)).toBe(true);
    expect(verifyConfirmation("b-2", { ...c }, keys.aws.publicKeys)).toBe(true);
    expect(verifyConfirmation("b-3", c, keys.aws.publicKeys)).toBe(false);
    expect(verifyConfirmation("b-2", { ...c, hash: signed[3]!.hash }, keys.aws.publicKeys)).toBe(false);
    expect(verifyConfirmation("b-2", { ...c, logicalClock: c.logicalClock + 1 }, keys.aws.publicKeys)).toBe(false);
    expect(verifyConfirmation("b-2", { ...c, batch: { ...c.batch!, index: 3 } }, keys.aws.publicKeys)).toBe(false);
    expect(verifyConfirmation("b-2", { ...c, batch: { ...c.batch!, size: 6 } }, keys.aws.publicKeys)).toBe(false);
    const path = [...c.batch!.path];
    path[0] = path[0]!.replace(/^./, (x) => (x === "0" ? "1" : "0"));
    expect(verifyConfirmation("b-2", { ...c, batch: { ...c.batch!, path } }, keys.aws.publicKeys)).toBe(false);
    expect(
      verifyConfirmation("b-2", { ...c, batch: { ...c.batch!, path: c.batch!.path.slice(1) } }, keys.aws.publicKeys),
    ).toBe(false);
    // The same root signed by another cloud is not this cloud's statement.
    expect(verifyConfirmation("b-2", { ...c, cloud: "gcp" }, keys.aws.publicKeys)).toBe(false);
    // A plain signature presented as a batch one (and the reverse) does not verify.
    const plain = signConfirmation("b-2", c.hash, keys.azure, 0, { origin: "aws", logicalClock: 3 });
    expect(verifyConfirmation("b-2", { ...plain, batch: c.batch }, keys.aws.publicKeys)).toBe(false);
    const { batch: _dropped, ...unbatched } = c;
    expect(verifyConfirmation("b-2", unbatched, keys.aws.publicKeys)).toBe(false);
  });

  it("the schema bounds the proof: size from 2, index below size, at most 12 path hashes", () => {
    const c = signConfirmations(items(3), keys.aws, 0)[0]!;
    const bad = (batch: unknown) => confirmationSchema.safeParse({ ...c, batch }).success;
    expect(bad({ ...c.batch, size: 1 })).toBe(false);
    expect(bad({ ...c.batch, index: 3 })).toBe(false);
    expect(bad({ ...c.batch, path: Array(13).fill("0".repeat(64)) })).toBe(false);
    expect(bad({ ...c.batch, extra: 1 })).toBe(false);
    expect(bad(c.batch)).toBe(true);
  });

  it("two batched statements of one cloud on two hashes for one eventId are an equivocation proof", () => {
    const a = signConfirmations(items(4), keys.gcp, 0)[1]!;
    const other = env(1, { n: "other" });
    const b = signConfirmations(
      [{ eventId: "b-1", hash: other.hash, meta: { origin: "gcp", logicalClock: 9 } }, ...items(2, 10)],
      keys.gcp,
      0,
    )[0]!;
    expect(verifyConfirmation("b-1", b, keys.aws.publicKeys)).toBe(true);
    expect(findEquivocation([a, b])).toMatchObject({ cloud: "gcp" });
  });

  it("a ledger entry with batched confirmations is a certificate the auditor's check accepts", () => {
    const e = env(0);
    const confs: Confirmation[] = [
      signConfirmations(items(3), keys.aws, 0)[0]!,
      signConfirmations(items(2), keys.azure, 0)[0]!,
    ];
    const text = certificateEntry(e, confs);
    expect(checkEntry(text, keys.aws.publicKeys)).toMatchObject({ ok: true });
    const forged = text.replace(confs[1]!.batch!.path[0]!, "f".repeat(64));
    expect(checkEntry(forged, keys.aws.publicKeys)).toMatchObject({ ok: false });
  });

  it("the signer gives confirmations asked for in one turn one signature, at most maxEvents each", async () => {
    const signer = new ConfirmationSigner(keys.aws, { now: () => 0 }, { maxEvents: 4, windowMs: 0 });
    const signed = await Promise.all(items(10).map((i) => signer.sign(i.eventId, i.hash, i.meta)));
    signed.forEach((c, i) => expect(verifyConfirmation(`b-${i}`, c, keys.gcp.publicKeys)).toBe(true));
    expect(signed.map((c) => c.batch?.size)).toEqual([4, 4, 4, 4, 4, 4, 4, 4, 2, 2]);
    expect(new Set(signed.map((c) => c.signature)).size).toBe(3);
  });

  it("the signer refuses bad options with the field named", () => {
    expect(() => new ConfirmationSigner(keys.aws, { now: () => 0 }, { maxEvents: 0, windowMs: 0 })).toThrow(
      /batch\.maxEvents/,
    );
    expect(() => new ConfirmationSigner(keys.aws, { now: () => 0 }, { maxEvents: 8, windowMs: -1 })).toThrow(
      /batch\.windowMs/,
    );
  });

  it("the replicator refuses a bad maxPasses with the option named and the range expected", () => {
    for (const bad of [0, 1.5, 5000, Number.NaN])
      expect(() => new Replicator({} as never, bad)).toThrow(/maxPasses: expected an integer from 1 to 4096/);
    expect(() => new Replicator({} as never, 1)).not.toThrow();
  });
});

const kinds = DATABASE_URL ? (["pglite", "pg"] as const) : (["pglite"] as const);

describe.each(kinds)("coalesced store statements on %s", (kind) => {
  let store: Store;
  const now = 1_700_000_000_000;
  beforeAll(async () => {
    store = await freshStore(kind, "batch");
  });
  afterAll(async () => {
    await disposeStore(store);
  });

  it("batched confirmations are stored and read back with their proofs, and still verify", async () => {
    const envs = [0, 1, 2].map((i) => env(100 + i));
    for (const e of envs) await store.insertEvent(e, { origin: "aws", seenClock: 0 }, now);
    const signed = signConfirmations(
      envs.map((e) => ({ eventId: e.eventId, hash: e.hash, meta: { origin: "aws" as Cloud, logicalClock: 1 } })),
      keys.azure,
      now,
    );
    const stored = await Promise.all(envs.map((e, i) => store.addConfirmation(e.eventId, signed[i]!)));
    expect(stored).toEqual([true, true, true]);
    const back = await Promise.all(envs.map((e) => store.getEvent(e.eventId)));
    back.forEach((r, i) => {
      expect(r!.confirmations).toEqual([signed[i]]);
      expect(verifyConfirmation(envs[i]!.eventId, r!.confirmations[0]!, keys.aws.publicKeys)).toBe(true);
    });
    // Kept as statements (another hash under the id), the proof survives too.
    await store.addStatements(envs[0]!.eventId, [{ ...signed[1]!, hash: envs[1]!.hash }], now);
    expect((await store.listStatements(envs[0]!.eventId))[0]!.batch).toEqual(signed[1]!.batch);
  });

  it("concurrent calls in one turn: first confirmation per cloud wins, one finalize wins, reads are per caller", async () => {
    const e = env(200);
    await store.insertEvent(e, { origin: "aws", seenClock: 0 }, now);
    const first = signConfirmation(e.eventId, e.hash, keys.gcp, now, { origin: "aws", logicalClock: 1 });
    const second = signConfirmation(e.eventId, e.hash, keys.gcp, now + 1, { origin: "aws", logicalClock: 1 });
    const wrongHash = signConfirmation(e.eventId, env(201).hash, keys.azure, now, { origin: "aws", logicalClock: 1 });
    const [a, b, c] = await Promise.all([
      store.addConfirmations(e.eventId, [first]),
      store.addConfirmations(e.eventId, [second]),
      store.addConfirmations(e.eventId, [wrongHash]),
    ]);
    expect([a, b, c]).toEqual([[first], [], []]);
    // Not final with one cloud; then with two, exactly one of three concurrent finalizes wins.
    expect(await store.finalize(e.eventId, e.hash, now)).toBe(false);
    await store.addConfirmation(
      e.eventId,
      signConfirmation(e.eventId, e.hash, keys.aws, now, { origin: "aws", logicalClock: 1 }),
    );
    const won = await Promise.all([1, 2, 3].map(() => store.finalize(e.eventId, e.hash, now)));
    expect(won.filter(Boolean)).toHaveLength(1);
    const [r1, r2] = await Promise.all([store.getEvent(e.eventId), store.getEvent(e.eventId)]);
    expect(r1).toEqual(r2);
    expect(r1).not.toBe(r2);
    expect(r1!.status).toBe("FINAL");
    expect(await store.getEvent("b-missing")).toBeUndefined();
  });
});

describe("batched confirmations over real HTTP", () => {
  let cluster: Cluster | undefined;
  afterAll(async () => {
    await cluster?.close();
  });

  it("events submitted together are FINAL everywhere, and GET /v1/events/{id} shows confirmations that verify alone", async () => {
    // A window of 25 ms: on a loaded machine the burst's requests may each arrive in a turn of their own, and the
    // default window (the same turn) would then sign each alone.
    cluster = await Cluster.start({ node: { batch: { windowMs: 25, maxEvents: 256 } } });
    const c = cluster;
    const ids = Array.from({ length: 20 }, (_, i) => `together-${i}`);
    const submitted = await Promise.all(
      ids.map((eventId, i) => c.post("aws", "/v1/events", { tenantId: "acme", eventId, payload: { i } })),
    );
    expect(submitted.map((s) => s.status)).toEqual(ids.map(() => 202));
    let batched = 0;
    for (const id of ids) {
      const views = await waitFor(
        `${id} FINAL on all three`,
        async () => {
          const vs = await Promise.all(CLOUDS.map((cloud) => c.get(cloud, `/v1/events/${id}`)));
          return vs.every((v) => v.status === 200 && v.body.status === "FINAL") ? vs.map((v) => v.body) : undefined;
        },
        15_000,
      );
      for (const view of views) {
        const valid = (view.confirmations as Confirmation[]).filter(
          (x) => x.hash === view.hash && verifyConfirmation(id, x, c.keys.aws.publicKeys),
        );
        expect(new Set(valid.map((x) => x.cloud)).size).toBeGreaterThanOrEqual(2);
        batched += (view.confirmations as Confirmation[]).filter((x) => x.batch !== undefined).length;
      }
    }
    // Twenty submissions in one burst: aws signs at least some of them together.
    expect(batched).toBeGreaterThan(0);
  });
});
