import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLOUDS, type Cloud } from "../../functions/core/clouds";
import {
  checkpointSigners,
  ledgerNames,
  parseSignedCheckpoint,
  signCheckpoint,
} from "../../functions/ledger/checkpoint";
import { entryLeafHash } from "../../functions/ledger/entry";
import { verifyInclusion } from "../../functions/ledger/proofs";
import type { Cluster } from "../helpers/cluster";
import { waitFor } from "../helpers/wait";
import { makeEnvelope } from "../../functions/core/envelope";
import { signConfirmation } from "../../functions/core/confirmation";
import { MemoryTree } from "../helpers/memory-tree";
import { audit, finalEvents, ledgerCluster, publishAll, sqlOf } from "../helpers/ledger-cluster";

describe("three clouds: logs, checkpoints, witnesses, audit", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await ledgerCluster();
    await finalEvents(cluster, ["inv-1", "inv-2", "inv-3", "inv-4", "inv-5"]);
  }, 60_000);
  afterAll(() => cluster.close());

  it("each cloud logs every FINAL certificate, signs a checkpoint and gets both other clouds' cosignatures", async () => {
    const published = await publishAll(cluster);
    for (const cloud of CLOUDS) {
      const r = published[cloud];
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ origin: `tricloud/ledger/${cloud}`, size: 5, counts: true });
      expect(r.body.witnesses.map((w: { ok: boolean }) => w.ok)).toEqual([true, true]);
      const s = parseSignedCheckpoint(r.body.checkpoint);
      // The C2SP text: body, blank line, the log's line and two cosignature lines (em dash).
      expect(r.body.checkpoint).toMatch(
        new RegExp(
          `^tricloud/ledger/${cloud}\\n5\\n[A-Za-z0-9+/]{43}=\\n\\n(\u2014 tricloud/(ledger|witness)/[a-z]+ [A-Za-z0-9+/=]+\\n){3}$`,
        ),
      );
      const who = checkpointSigners(s, cluster.keys.aws.publicKeys);
      expect(who).toMatchObject({ cloud, signed: true, counts: true });
      expect(who.cosigners.map((c) => c.cloud).sort()).toEqual(CLOUDS.filter((c) => c !== cloud));
    }
  });

  it("serves inclusion proofs by eventId that verify against the cosigned checkpoint", async () => {
    for (const cloud of CLOUDS) {
      const cp = (await cluster.get(cloud, "/v1/ledger/checkpoint")).body;
      const root = Buffer.from(cp.root, "base64");
      for (const id of ["inv-1", "inv-4"]) {
        const p = (await cluster.get(cloud, `/v1/ledger/proof/inclusion?eventId=${id}`)).body;
        expect(p).toMatchObject({ eventId: id, size: 5 });
        expect(JSON.parse(p.entry).envelope.eventId).toBe(id);
        const proof = p.proof.map((x: string) => Buffer.from(x, "base64"));
        expect(verifyInclusion(p.index, p.size, entryLeafHash(p.entry), proof, root)).toEqual({ ok: true });
      }
    }
    expect((await cluster.get("aws", "/v1/ledger/proof/inclusion?eventId=nope")).body.error.code).toBe("NOT_IN_LOG");
    expect((await cluster.get("aws", "/v1/ledger/proof/inclusion?eventId=inv-1&size=99")).body.error.message).toMatch(
      /^size: 99 is larger than the log/,
    );
    expect((await cluster.get("aws", "/v1/ledger/proof/consistency?from=3&to=2")).body.error.message).toMatch(
      /^from: 3 is larger than to/,
    );
    expect((await cluster.get("aws", "/v1/ledger/proof/consistency?from=x&to=2")).body.error.code).toBe(
      "VALIDATION_FAILED",
    );
  });

  it("the auditor passes a clean cluster, and again later from its saved state", async () => {
    const first = await audit(cluster);
    expect(first.failures).toEqual([]);
    expect(first.ok).toBe(true);
    expect(first.logs.map((l) => [l.cloud, l.size, l.entriesChecked, l.inclusionChecked])).toEqual(
      CLOUDS.map((c) => [c, 5, 5, 5]),
    );
    // 5 events in 3 logs, each certificate with 2 or 3 confirmations (the envelope itself is unsigned).
    expect(first.equivocationsChecked).toBeGreaterThanOrEqual(5 * 3 * 2);

    await finalEvents(cluster, ["inv-6", "inv-7"]);
    await publishAll(cluster);
    const second = await audit(cluster, { state: first.state, sample: 2 });
    expect(second.failures).toEqual([]);
    expect(second.logs.map((l) => l.size)).toEqual([7, 7, 7]);
    expect(second.logs.map((l) => l.inclusionChecked)).toEqual([2, 2, 2]);
  });

  it("a log that tries to sign an inconsistent checkpoint is refused by both witnesses, who keep their state", async () => {
    const keys = cluster.keys.aws;
    const entries = (await cluster.get("aws", "/v1/ledger/entries?limit=100")).body.entries as Array<{ entry: string }>;
    const size = entries.length;
    // A fork: aws rewrites entry 0 and appends one more entry, then signs that tree with its real key.
    const forked = MemoryTree.of([]);
    entries.forEach((e, i) =>
      forked.appendLeafHash(entryLeafHash(i === 0 ? e.entry.replace("acme", "evil") : e.entry)),
    );
    forked.appendData(Buffer.from("one more"));
    const fork = signCheckpoint(
      { origin: "tricloud/ledger/aws", size: size + 1, root: forked.root() },
      keys.privateKey,
      keys.publicKeys.aws,
    );
    const sameSize = signCheckpoint(
      { origin: "tricloud/ledger/aws", size, root: forked.root(size) },
      keys.privateKey,
      keys.publicKeys.aws,
    );

    for (const witness of ["azure", "gcp"] as Cloud[]) {
      const before = (await cluster.get(witness, "/v1/ledger/witnessed")).body.witnessed.find(
        (w: { origin: string }) => w.origin === "tricloud/ledger/aws",
      );
      expect(before.size).toBe(size);
      const consistency = forked.consistency(size, size + 1).map((b) => b.toString("base64"));
      const r = await cluster.post(witness, "/v1/peer/witness", { checkpoint: fork.text, oldSize: size, consistency });
      expect(r.status).toBe(422);
      expect(r.body.error).toMatchObject({
        code: "INCONSISTENT_CHECKPOINT",
        message: expect.stringMatching(/^consistency: checkpoint \d+ of tricloud\/ledger\/aws does not extend/),
      });
      const twin = await cluster.post(witness, "/v1/peer/witness", {
        checkpoint: sameSize.text,
        oldSize: size,
        consistency: [],
      });
      expect(twin.status).toBe(422);
      const stale = await cluster.post(witness, "/v1/peer/witness", { checkpoint: fork.text, oldSize: 1, consistency });
      expect(stale).toMatchObject({ status: 409, body: { error: { code: "OLD_SIZE_MISMATCH", details: { size } } } });
      const forged = await cluster.post(witness, "/v1/peer/witness", {
        checkpoint: fork.text.replace(/\n\n— .*\n$/s, "\n\n— tricloud/ledger/aws AAAAAAAA\n"),
        oldSize: size,
        consistency,
      });
      expect(forged).toMatchObject({ status: 422, body: { error: { code: "BAD_SIGNATURE" } } });
      const after = (await cluster.get(witness, "/v1/ledger/witnessed")).body;
      expect(after.witnessed.find((w: { origin: string }) => w.origin === "tricloud/ledger/aws")).toEqual(before);
      expect(after.refusals[0]).toMatchObject({ origin: "tricloud/ledger/aws", note: sameSize.text });
    }
    // Witnesses keep the refused checkpoints as evidence, and the auditor reports them.
    const report = await audit(cluster, { sample: 0 });
    expect(report.ok).toBe(false);
    expect(report.failures.filter((f) => f.check === "witness").map((f) => f.log)).toEqual(
      Array(4).fill("tricloud/ledger/aws"),
    );
  });
});

describe("tampering with a log's rows in PostgreSQL", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await ledgerCluster();
    await finalEvents(cluster, ["t-1", "t-2", "t-3", "t-4", "t-5", "t-6"]);
    await publishAll(cluster);
  }, 60_000);
  afterAll(() => cluster.close());

  it("the append-only trigger refuses a plain UPDATE", async () => {
    const { sql, schema } = sqlOf(cluster, "gcp");
    await expect(sql.query(`UPDATE ${schema}.ledger_leaves SET entry = entry WHERE idx = 0`)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql.query(`DELETE FROM ${schema}.ledger_nodes WHERE level = 0`)).rejects.toThrow(/append-only/);
  });

  it("an entry rewritten by a database superuser is detected by the auditor, with evidence", async () => {
    expect((await audit(cluster)).failures).toEqual([]);
    const { sql, schema } = sqlOf(cluster, "gcp");
    await sql.exec(`ALTER TABLE ${schema}.ledger_leaves DISABLE TRIGGER ledger_leaves_append_only`);
    await sql.query(
      `UPDATE ${schema}.ledger_leaves SET entry = replace(entry, '"n":1', '"n":1000') WHERE event_id = 't-2'`,
    );
    const report = await audit(cluster);
    expect(report.ok).toBe(false);
    const gcp = report.failures.filter((f) => f.log === "tricloud/ledger/gcp");
    expect(gcp.map((f) => f.check)).toEqual(expect.arrayContaining(["certificate", "entries", "inclusion"]));
    expect(gcp.find((f) => f.check === "certificate")!.message).toMatch(
      /^entry \d+ \(t-2\): entry\.envelope\.hash: hash does not match/,
    );
    expect(report.failures.filter((f) => f.log !== "tricloud/ledger/gcp")).toEqual([]);
  });

  it("a tree node rewritten in the database: the auditor's proofs fail and the log refuses to sign again", async () => {
    const { sql, schema } = sqlOf(cluster, "azure");
    await sql.exec(`ALTER TABLE ${schema}.ledger_nodes DISABLE TRIGGER ledger_nodes_append_only`);
    await sql.query(`UPDATE ${schema}.ledger_nodes SET hash = sha256(hash) WHERE level = 2 AND idx = 0`);
    const report = await audit(cluster);
    const azure = report.failures.filter((f) => f.log === "tricloud/ledger/azure");
    expect(azure.length).toBeGreaterThan(0);
    expect(azure.every((f) => f.check === "inclusion" || f.check === "consistency")).toBe(true);
    // New events arrive, but azure's storage no longer extends what it signed: it signs nothing.
    await finalEvents(cluster, ["t-7"]);
    const r = await cluster.post("azure", "/v1/ledger/checkpoint", {});
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({
      code: "INCONSISTENT_LOG",
      message: expect.stringMatching(
        /^checkpoint: refusing to sign size 7: not consistent with the signed checkpoint 6/,
      ),
    });
    expect(
      (await cluster.get("azure", "/v1/ledger/checkpoints")).body.checkpoints.map((c: { size: number }) => c.size),
    ).toEqual([6]);
  });
});

describe("the join across logs", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await ledgerCluster({ reconcile: { autoStart: false } });
  }, 60_000);
  afterAll(() => cluster.close());

  it("finds a cloud that signed two hashes for one eventId in different logs", async () => {
    // gcp is cut off while aws and azure finalize e-1 ...
    cluster.isolate("gcp");
    const r = await cluster.post("aws", "/v1/events", { tenantId: "acme", payload: { amount: 10 }, eventId: "e-1" });
    expect(r.status).toBe(202);
    for (const c of ["aws", "azure"] as Cloud[])
      await waitFor(`e-1 FINAL on ${c}`, async () => (await cluster.get(c, "/v1/events/e-1")).body.status === "FINAL");
    cluster.isolate("gcp", false);
    // ... and a certificate for another e-1, signed by aws (its key stolen) and gcp, lands in gcp's log.
    const env = makeEnvelope({ eventId: "e-1", tenantId: "acme", payload: { amount: 1_000_000 } });
    const meta = { origin: "aws" as const, logicalClock: 1 };
    const confirmations = [
      signConfirmation("e-1", env.hash, cluster.keys.aws, Date.now(), meta),
      signConfirmation("e-1", env.hash, cluster.keys.gcp, Date.now(), meta),
    ];
    await cluster.member("gcp").node.merkleLog.appendCertificate(env, confirmations);
    await publishAll(cluster);

    const report = await audit(cluster);
    const eq = report.failures.filter((f) => f.check === "equivocation");
    expect(eq.map((f) => f.message)).toEqual(["aws signed 2 different hashes for event e-1"]);
    const evidence = eq[0]!.evidence as Array<{ log: string; hash: string; signer: string }>;
    expect(new Set(evidence.map((s) => s.hash)).size).toBe(2);
    expect(evidence.map((s) => s.log)).toEqual(expect.arrayContaining(["tricloud/ledger/gcp"]));
    expect(ledgerNames("gcp").witness).toBe("tricloud/witness/gcp");
  });
});

describe("witness replays are harmless", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await ledgerCluster({ reconcile: { autoStart: false } });
    await finalEvents(cluster, ["w-1", "w-2"]);
    await publishAll(cluster);
    await finalEvents(cluster, ["w-3"]);
    await publishAll(cluster);
  }, 60_000);
  afterAll(() => cluster.close());

  const witnessed = async (witness: Cloud) => (await cluster.get(witness, "/v1/ledger/witnessed")).body;

  it("an old consistent checkpoint with a forged oldSize stores nothing; the same checkpoint again is re-cosigned", async () => {
    const list = (await cluster.get("aws", "/v1/ledger/checkpoints")).body.checkpoints as Array<{
      size: number;
      checkpoint: string;
    }>;
    const latest = list.find((c) => c.size === 3)!;
    const old = list.find((c) => c.size === 2)!;
    const before = await witnessed("azure");
    expect(before.witnessed.find((w: { origin: string }) => w.origin === "tricloud/ledger/aws").size).toBe(3);
    // Replayed: the old checkpoint, with oldSize set to what the witness holds, and with the old one.
    for (const oldSize of [3, 2, 0]) {
      const r = await cluster.post("azure", "/v1/peer/witness", {
        checkpoint: old.checkpoint,
        oldSize,
        consistency: [],
      });
      expect(r).toMatchObject({ status: 409, body: { error: { code: "OLD_SIZE_MISMATCH", details: { size: 3 } } } });
    }
    // The checkpoint it already cosigned, again: the same answer, no state change.
    const again = await cluster.post("azure", "/v1/peer/witness", {
      checkpoint: latest.checkpoint,
      oldSize: 1,
      consistency: ["A".repeat(43) + "="],
    });
    expect(again).toMatchObject({
      status: 200,
      body: { size: 3, cosignature: expect.stringMatching(/^— tricloud\/witness\/azure /) },
    });
    expect(await witnessed("azure")).toEqual(before);
    expect(before.refusals).toEqual([]);
    expect((await audit(cluster, { sample: 0 })).failures).toEqual([]);
  });

  it("a genuine newer checkpoint sent with a garbage proof is refused; the auditor re-checks the refusal against the log's proof and does not report it", async () => {
    await finalEvents(cluster, ["w-4"]);
    // What aws will sign at size 4 (Ed25519 is deterministic: the very same note), sent by someone else with a bad proof.
    const entries = (await cluster.get("aws", "/v1/ledger/entries?limit=10")).body.entries as Array<{ entry: string }>;
    expect(entries).toHaveLength(4);
    const tree = MemoryTree.of([]);
    for (const e of entries) tree.appendLeafHash(entryLeafHash(e.entry));
    const keys = cluster.keys.aws;
    const genuine = signCheckpoint(
      { origin: "tricloud/ledger/aws", size: 4, root: tree.root() },
      keys.privateKey,
      keys.publicKeys.aws,
    );
    const r = await cluster.post("gcp", "/v1/peer/witness", {
      checkpoint: genuine.text,
      oldSize: 3,
      consistency: ["A".repeat(43) + "="],
    });
    expect(r).toMatchObject({ status: 422, body: { error: { code: "INCONSISTENT_CHECKPOINT" } } });
    // Sent twice: kept once.
    await cluster.post("gcp", "/v1/peer/witness", {
      checkpoint: genuine.text,
      oldSize: 3,
      consistency: ["A".repeat(43) + "="],
    });
    expect((await witnessed("gcp")).refusals).toHaveLength(1);
    // The log itself then publishes size 4 with a real proof; both witnesses cosign it.
    const published = await publishAll(cluster);
    expect(published.aws.body).toMatchObject({ size: 4, counts: true });
    const report = await audit(cluster, { sample: 0 });
    expect(report.failures).toEqual([]);
    expect(report.notes.join("\n")).toMatch(
      /a refusal kept by gcp does not hold up \(the log proves checkpoint 4 consistent with 3\)/,
    );
  });
});
