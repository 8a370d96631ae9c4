import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../functions/core/clock";
import {
  cosignCheckpoint,
  ledgerNames,
  parseSignedCheckpoint,
  signCheckpoint,
  verifyCheckpointCosignature,
  withSignatures,
} from "../../functions/ledger/checkpoint";
import { InconsistentLogError, TransparencyLog } from "../../functions/ledger/log";
import { LogStore } from "../../functions/ledger/log-store";
import { leafHash } from "../../functions/ledger/merkle";
import { parseNote, parseSignatureLine } from "../../functions/ledger/note";
import { Witness } from "../../functions/ledger/witness";
import { SqlStore } from "../../functions/store/sql-store";
import type { Store } from "../../functions/store/store";
import { keyRings } from "../helpers/cluster";
import { DATABASE_URL, disposeStore, freshStore } from "../helpers/store";
import { MemoryTree } from "../helpers/memory-tree";

const VECTOR_LEAVES = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map((h) => Buffer.from(h, "hex"));
const ROOT_8 = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";
const entry = (i: number, data = Buffer.from(`leaf-${i}`)) => ({
  eventId: `e-${i}`,
  entry: data.toString("hex"),
  leafHash: leafHash(data),
});
const log = pino({ level: "silent" });

const engines: Array<"pglite" | "pg"> = DATABASE_URL ? ["pglite", "pg"] : ["pglite"];

describe.each(engines)("the log in PostgreSQL (%s)", (engine) => {
  let store: Store;
  let logStore: LogStore;
  const open = async () => {
    const s = await freshStore(engine, "ledger");
    return { s, ls: await LogStore.open((s as SqlStore).sql, s.schema) };
  };
  beforeAll(async () => {
    ({ s: store, ls: logStore } = await open());
  });
  afterAll(() => disposeStore(store));

  it("stored subtrees give the RFC 6962 roots of the known-answer leaves", async () => {
    await logStore.append(
      VECTOR_LEAVES.map((d, i) => entry(i, d)),
      1,
    );
    expect((await logStore.root(8)).toString("hex")).toBe(ROOT_8);
    expect((await logStore.root(3)).toString("hex")).toBe(
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    );
    expect(await logStore.size()).toBe(8);
    // Every stored complete subtree, no more: 8 leaves -> 8 + 4 + 2 + 1 rows.
    const { sql, schema } = store as SqlStore;
    expect((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.ledger_nodes`))[0]!.n).toBe(15);
  });

  it("appends are idempotent per eventId, and proofs read from storage equal the reference ones at every size", async () => {
    const again = await logStore.append([entry(3, VECTOR_LEAVES[3]!), entry(100)], 2);
    expect(again).toEqual([
      { eventId: "e-3", index: 3, appended: false },
      { eventId: "e-100", index: 8, appended: true },
    ]);
    for (let i = 9; i < 41; i++) await logStore.append([entry(1000 + i)], 3);
    const ref = MemoryTree.of([
      ...VECTOR_LEAVES,
      Buffer.from("leaf-100"),
      ...Array.from({ length: 32 }, (_, k) => Buffer.from(`leaf-${1009 + k}`)),
    ]);
    expect(await logStore.size()).toBe(41);
    for (let size = 1; size <= 41; size += 5) {
      expect((await logStore.root(size)).equals(ref.root(size))).toBe(true);
      for (let i = 0; i < size; i += 3) expect(await logStore.inclusionProof(i, size)).toEqual(ref.inclusion(i, size));
      for (let m = 1; m <= size; m += 4)
        expect(await logStore.consistencyProof(m, size)).toEqual(ref.consistency(m, size));
    }
  });

  it("concurrent appends are serialised: distinct indices, one tree", async () => {
    const { s, ls } = await open();
    try {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ls.append([entry(i)], 1)));
      const byIndex = results.map((r) => r[0]!).sort((a, b) => a.index - b.index);
      expect(byIndex.map((r) => r.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      const ref = MemoryTree.of(byIndex.map((r) => Buffer.from(`leaf-${r.eventId.slice(2)}`)));
      expect((await ls.root(20)).equals(ref.root())).toBe(true);
    } finally {
      await disposeStore(s);
    }
  });

  it("signs checkpoints only while consistent with the previous signed one", async () => {
    const { s, ls } = await open();
    const keys = keyRings().aws;
    const tlog = new TransparencyLog({
      logStore: ls,
      store: s,
      keys,
      origin: "tricloud/ledger/aws",
      clock: systemClock,
      log,
    });
    try {
      const empty = await tlog.signCheckpoint();
      expect(empty.checkpoint.size).toBe(0);
      await ls.append([entry(1), entry(2), entry(3)], 1);
      const three = await tlog.signCheckpoint();
      expect(three.checkpoint.size).toBe(3);
      expect((await tlog.signCheckpoint()).text).toBe(three.text); // nothing new: the same checkpoint
      // The stored previous checkpoint replaced by one this log did not sign: refused.
      const { sql, schema } = s as SqlStore;
      await sql.exec(`ALTER TABLE ${schema}.ledger_checkpoints DISABLE TRIGGER ledger_checkpoints_append_only`);
      const stranger = signCheckpoint(three.checkpoint, keyRings().aws.privateKey, keyRings().aws.publicKeys.aws);
      await sql.query(`UPDATE ${schema}.ledger_checkpoints SET note = $1 WHERE size = 3`, [stranger.text]);
      await ls.append([entry(4)], 2);
      await expect(tlog.signCheckpoint()).rejects.toThrow(InconsistentLogError);
      await expect(tlog.signCheckpoint()).rejects.toThrow(
        /^checkpoint 3: the stored previous checkpoint is not one this log signed/,
      );
      expect((await ls.checkpoints(10)).map((c) => c.size)).toEqual([3, 0]);
    } finally {
      await disposeStore(s);
    }
  });

  it("a witness state moves by compare-and-swap: of two racing cosign requests from one state, one wins", async () => {
    const { s, ls } = await open();
    const rings = keyRings();
    const witness = new Witness({
      logStore: ls,
      keys: rings.azure,
      name: ledgerNames("azure").witness,
      namespace: "tricloud",
      clock: systemClock,
      log,
    });
    try {
      const tree = MemoryTree.of(Array.from({ length: 6 }, (_, i) => Buffer.from(`w-${i}`)));
      const at = (n: number) =>
        signCheckpoint(
          { origin: "tricloud/ledger/aws", size: n, root: tree.root(n) },
          rings.aws.privateKey,
          rings.aws.publicKeys.aws,
        );
      const first = await witness.cosign({ checkpoint: at(2).text, oldSize: 0, consistency: [] });
      expect(first.kind).toBe("cosigned");
      const proof = (n: number) => tree.consistency(2, n).map((b) => b.toString("base64"));
      const [a, b] = await Promise.all([
        witness.cosign({ checkpoint: at(4).text, oldSize: 2, consistency: proof(4) }),
        witness.cosign({ checkpoint: at(6).text, oldSize: 2, consistency: proof(6) }),
      ]);
      expect([a.kind, b.kind].sort()).toEqual(["conflict", "cosigned"]);
      const state = await ls.witnessState("tricloud/ledger/aws");
      expect([4, 6]).toContain(state!.size);
      // The cosignature it returned is a valid cosignature/v1 of the witness key over that checkpoint.
      const won = a.kind === "cosigned" ? a : (b as Extract<typeof b, { kind: "cosigned" }>);
      const signed = withSignatures(parseSignedCheckpoint(at(won.size).text), [
        parseSignatureLine(won.cosignature.trimEnd()),
      ]);
      expect(
        verifyCheckpointCosignature(signed, "tricloud/witness/azure", rings.azure.publicKeys.azure),
      ).toBeGreaterThan(1_700_000_000);
      // Its own log, or a log signed by the wrong key, is refused.
      const own = signCheckpoint(
        { origin: "tricloud/ledger/azure", size: 1, root: tree.root(1) },
        rings.azure.privateKey,
        rings.azure.publicKeys.azure,
      );
      expect(await witness.cosign({ checkpoint: own.text, oldSize: 0, consistency: [] })).toMatchObject({
        kind: "refused",
        code: "UNKNOWN_LOG",
      });
      const wrongKey = signCheckpoint(
        { origin: "tricloud/ledger/gcp", size: 1, root: tree.root(1) },
        rings.aws.privateKey,
        rings.aws.publicKeys.aws,
      );
      expect(await witness.cosign({ checkpoint: wrongKey.text, oldSize: 0, consistency: [] })).toMatchObject({
        kind: "refused",
        code: "BAD_SIGNATURE",
      });
    } finally {
      await disposeStore(s);
    }
  });
});

describe("C2SP notes and checkpoints", () => {
  it("parses the tlog-cosignature example note (a log signature and a cosignature line)", () => {
    const text =
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n" +
      "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n" +
      "\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";
    const s = parseSignedCheckpoint(text);
    expect(s.checkpoint).toMatchObject({ origin: "example.com/behind-the-sofa", size: 20852163 });
    expect(s.note.signatures.map((x) => [x.name, x.signature.length])).toEqual([
      ["example.com/behind-the-sofa", 64],
      ["witness.example.com/w1", 72],
    ]);
    // The cosignature's timestamp is the u64 after the key ID: 1679315147 (the spec's example time).
    expect(Number(s.note.signatures[1]!.signature.readBigUInt64BE(0))).toBe(1679315147);
  });

  it("rejects malformed notes and checkpoints, naming what is wrong", () => {
    expect(() => parseNote("origin\n1\nroot\n")).toThrow(/no blank line/);
    expect(() => parseNote("a\n\n- name AAAAAAAA\n")).toThrow(/signature line 1 is not/);
    expect(() =>
      parseSignedCheckpoint("o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u2014 o AAAAAAAA\n"),
    ).toThrow(/checkpoint size: expected a decimal without leading zeros/);
    expect(() => parseSignedCheckpoint("o\n1\nAAAA\n\n\u2014 o AAAAAAAA\n")).toThrow(
      /checkpoint root: expected base64 of 32 bytes/,
    );
    expect(() =>
      parseSignedCheckpoint("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\nextra\n\n\u2014 o AAAAAAAA\n"),
    ).toThrow(/extension lines/);
  });

  it("a cosignature binds the witness key, the time and the exact checkpoint body", () => {
    const rings = keyRings();
    const tree = MemoryTree.of([Buffer.from("x")]);
    const cp = signCheckpoint(
      { origin: "tricloud/ledger/aws", size: 1, root: tree.root() },
      rings.aws.privateKey,
      rings.aws.publicKeys.aws,
    );
    const cos = cosignCheckpoint(
      cp,
      "tricloud/witness/gcp",
      rings.gcp.privateKey,
      rings.gcp.publicKeys.gcp,
      1_800_000_000,
    );
    const both = withSignatures(cp, [cos]);
    expect(verifyCheckpointCosignature(both, "tricloud/witness/gcp", rings.gcp.publicKeys.gcp)).toBe(1_800_000_000);
    expect(verifyCheckpointCosignature(both, "tricloud/witness/gcp", rings.azure.publicKeys.azure)).toBeUndefined();
    const moved = Buffer.from(cos.signature);
    moved.writeBigUInt64BE(1_800_000_001n);
    expect(
      verifyCheckpointCosignature(
        withSignatures(cp, [{ ...cos, signature: moved }]),
        "tricloud/witness/gcp",
        rings.gcp.publicKeys.gcp,
      ),
    ).toBeUndefined();
    const other = signCheckpoint(
      { origin: "tricloud/ledger/aws", size: 1, root: Buffer.alloc(32) },
      rings.aws.privateKey,
      rings.aws.publicKeys.aws,
    );
    expect(
      verifyCheckpointCosignature(withSignatures(other, [cos]), "tricloud/witness/gcp", rings.gcp.publicKeys.gcp),
    ).toBeUndefined();
  });
});
