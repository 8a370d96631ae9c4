import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signConfirmation } from "../../functions/core/confirmation";
import { makeEnvelope } from "../../functions/core/envelope";
import { certificateEntry, entryLeafHash } from "../../functions/ledger/entry";
import { verifyInclusion } from "../../functions/ledger/proofs";
import type { Cluster } from "../helpers/cluster";
import { audit, ledgerCluster, publishAll } from "../helpers/ledger-cluster";

/** Concurrent FINALs share one append transaction; each caller still learns its own index. */
describe("group commit of certificate appends", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await ledgerCluster();
  }, 60_000);
  afterAll(() => cluster.close());

  const certificate = (i: number) => {
    const keys = cluster.keys.aws;
    const env = makeEnvelope({ eventId: `burst-${i}`, tenantId: "acme", payload: { n: i } });
    const meta = { origin: "aws" as const, logicalClock: i + 1 };
    return {
      env,
      confirmations: [
        signConfirmation(env.eventId, env.hash, keys, 0, meta),
        signConfirmation(env.eventId, env.hash, cluster.keys.azure, 0, meta),
      ],
    };
  };

  it("a burst of concurrent appends gets distinct, contiguous indices, and a repeated eventId joins its first append", async () => {
    const log = cluster.member("aws").node.merkleLog;
    const certs = Array.from({ length: 120 }, (_, i) => certificate(i));
    const indices = await Promise.all([
      ...certs.map((c) => log.appendCertificate(c.env, c.confirmations)),
      log.appendCertificate(certs[7]!.env, certs[7]!.confirmations),
    ]);
    const [repeat] = indices.splice(120, 1);
    expect([...indices].sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(repeat).toBe(indices[7]);
  });

  it("what the burst wrote is what the signed checkpoint commits to", async () => {
    const published = await publishAll(cluster);
    expect(published.aws.status).toBe(200);
    expect(published.aws.body).toMatchObject({ size: 120, counts: true });
    const root = Buffer.from(published.aws.body.root, "base64");
    const c = certificate(42);
    const p = (await cluster.get("aws", "/v1/ledger/proof/inclusion?eventId=burst-42")).body;
    expect(p.entry).toBe(certificateEntry(c.env, c.confirmations));
    expect(
      verifyInclusion(
        p.index,
        p.size,
        entryLeafHash(p.entry),
        p.proof.map((x: string) => Buffer.from(x, "base64")),
        root,
      ),
    ).toEqual({ ok: true });
    expect((await audit(cluster)).failures).toEqual([]);
  });
});

/** The quorum's finalization and the ledger append share one transaction. */
describe("finalize and append in one transaction", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await ledgerCluster();
  }, 60_000);
  afterAll(() => cluster.close());

  const pending = async (eventId: string, signers: Array<"aws" | "azure" | "gcp">) => {
    const { store } = cluster.member("aws").node;
    const env = makeEnvelope({ eventId, tenantId: "acme", payload: { eventId } });
    await store.insertEvent(env, { origin: "aws", seenClock: 0 }, 0);
    const meta = { origin: "aws" as const, logicalClock: 1 };
    const confirmations = signers.map((c) => signConfirmation(eventId, env.hash, cluster.keys[c], 0, meta));
    await store.addConfirmations(eventId, confirmations);
    return { env, confirmations };
  };

  it("with a certificate: FINAL and logged together, once; without: neither", async () => {
    const { node } = cluster.member("aws");
    const a = await pending("fin-a", ["aws", "azure"]);
    const won = await Promise.all([1, 2, 3].map(() => node.merkleLog.finalizeAndAppend(a.env, a.confirmations, 5)));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect((await node.store.getEvent("fin-a"))!.status).toBe("FINAL");
    const leaf = await node.merkleLog.leaf({ eventId: "fin-a" });
    expect(leaf!.entry).toBe(certificateEntry(a.env, a.confirmations));

    // The store holds one confirmation only: the conditional finalize refuses, so nothing is logged.
    const b = await pending("fin-b", ["aws"]);
    const claimed = [
      ...b.confirmations,
      signConfirmation("fin-b", b.env.hash, cluster.keys.gcp, 0, b.confirmations[0]!),
    ];
    expect(await node.merkleLog.finalizeAndAppend(b.env, claimed, 5)).toBe(false);
    expect((await node.store.getEvent("fin-b"))!.status).toBe("PENDING");
    expect(await node.merkleLog.leaf({ eventId: "fin-b" })).toBeUndefined();
    expect(await node.merkleLog.storage.unloggedFinal(10)).toEqual([]);
  });
});
