import { afterEach, describe, expect, it } from "vitest";
import { CLOUDS, type Cloud } from "../../functions/core/clouds";
import { signConfirmation } from "../../functions/core/confirmation";
import { sealEnvelope, type Envelope } from "../../functions/core/envelope";
import { generateKeyPair, signDigest } from "../../functions/core/keys";
import { Cluster } from "./helpers/cluster";
import { waitFor } from "./helpers/wait";

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function statusOn(c: Cluster, cloud: Cloud, eventId: string): Promise<string | undefined> {
  const r = await c.get(cloud, `/v1/events/${eventId}`);
  return r.status === 200 ? r.body.status : undefined;
}

async function finalOn(c: Cluster, clouds: Cloud[], eventId: string) {
  return waitFor(`${eventId} FINAL on ${clouds.join(", ")}`, async () => {
    const views = await Promise.all(clouds.map((cloud) => c.get(cloud, `/v1/events/${eventId}`)));
    return views.every((v) => v.status === 200 && v.body.status === "FINAL") ? views.map((v) => v.body) : undefined;
  });
}

/** Builds an envelope as `origin` would, for tests that play a (possibly lying) origin. */
function envelopeFrom(c: Cluster, origin: Cloud, eventId: string, payload: unknown): Envelope {
  return sealEnvelope(
    { eventId, tenantId: "acme", logicalClock: 1, region: "test", payload: payload as never, createdAt: new Date().toISOString(), originCloud: origin },
    c.keys[origin],
  );
}

describe("2-of-3 quorum over real HTTP", () => {
  it("happy path: an event becomes FINAL on all three clouds with one certificate", async () => {
    cluster = await Cluster.start();
    const submitted = await cluster.post("aws", "/v1/events", { tenantId: "acme", payload: { amount: 42, currency: "EUR" } });
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ status: "PENDING", hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const views = await finalOn(cluster, [...CLOUDS], submitted.body.eventId);
    for (const view of views) {
      expect(view.hash).toBe(submitted.body.hash);
      expect(view.envelope.originCloud).toBe("aws");
      expect(new Set(view.confirmations.map((c: { cloud: string }) => c.cloud)).size).toBeGreaterThanOrEqual(2);
      expect(view.confirmations.every((c: { hash: string }) => c.hash === submitted.body.hash)).toBe(true);
    }
    const health = await cluster.get("aws", "/health");
    expect(health.body.status).toBe("healthy");
  });

  it("one node killed: the other two still finalize, and /health says degraded", async () => {
    cluster = await Cluster.start();
    await cluster.kill("gcp");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await cluster.post(i % 2 ? "azure" : "aws", "/v1/events", { tenantId: "acme", payload: { i } });
      expect(r.status).toBe(202);
      ids.push(r.body.eventId);
    }
    for (const id of ids) await finalOn(cluster, ["aws", "azure"], id);
    const health = await waitFor("aws degraded", async () => {
      const h = await cluster!.get("aws", "/health");
      return h.body.status === "degraded" ? h : undefined;
    });
    expect(health.status).toBe(200);
    expect(health.body.checks.peers.gcp.state).toBe("down");
    expect(health.body.checks.peers.azure.state).toBe("up");
  });

  it("origin cut off from both peers stays PENDING, then becomes FINAL once it heals", async () => {
    cluster = await Cluster.start();
    cluster.isolate("aws");
    const r = await cluster.post("aws", "/v1/events", { tenantId: "acme", payload: { note: "partitioned" } });
    expect(r.status).toBe(202);
    // Give replication and several reconciler passes time to fail against the partition.
    await waitFor("aws to see both peers down", async () => {
      const h = await cluster!.get("aws", "/health");
      return h.body.checks.peers.azure.state === "down" && h.body.checks.peers.gcp.state === "down";
    });
    await cluster.member("aws").node.reconciler.runOnce();
    expect(await statusOn(cluster, "aws", r.body.eventId)).toBe("PENDING");
    expect(await statusOn(cluster, "azure", r.body.eventId)).toBeUndefined();
    cluster.isolate("aws", false);
    await finalOn(cluster, [...CLOUDS], r.body.eventId);
  });

  it("a tampered payload, a tampered hash and a forged signature are rejected and recorded", async () => {
    cluster = await Cluster.start({ run: ["azure"] });
    const good = envelopeFrom(cluster, "aws", "evt-tamper", { amount: 1 });

    const tamperedPayload = { ...good, payload: { amount: 1_000_000 } };
    const a = await cluster.post("azure", "/v1/peer/confirm", { from: "aws", envelope: tamperedPayload, confirmations: [] });
    expect(a.status).toBe(422);
    expect(a.body.error).toMatchObject({ code: "HASH_MISMATCH", details: { field: "envelope.hash" } });

    // Hash recomputed to match the new payload: now the origin's signature no longer fits.
    const rehashed = sealEnvelope({ ...tamperedPayload, originCloud: "aws" }, cluster.keys.aws);
    const tamperedHash = { ...rehashed, signature: good.signature };
    const b = await cluster.post("azure", "/v1/peer/confirm", { from: "aws", envelope: tamperedHash, confirmations: [] });
    expect(b.status).toBe(422);
    expect(b.body.error.code).toBe("BAD_SIGNATURE");

    // Signed with a key that is not aws's.
    const stranger = generateKeyPair();
    const forged = { ...good, signature: signDigest(stranger.privateKey, good.hash) };
    const c = await cluster.post("azure", "/v1/peer/confirm", { from: "gcp", envelope: forged, confirmations: [] });
    expect(c.status).toBe(422);
    expect(c.body.error).toMatchObject({ code: "BAD_SIGNATURE", details: { field: "envelope.signature" } });

    // Nothing was stored as the event, and all three attempts are on record.
    expect(await statusOn(cluster, "azure", "evt-tamper")).toBeUndefined();
    const evidence = await cluster.get("azure", "/v1/peer/evidence?eventId=evt-tamper");
    expect(evidence.body.evidence.map((e: { kind: string }) => e.kind).sort()).toEqual(["bad-hash", "bad-signature", "bad-signature"]);
    expect(evidence.body.evidence.map((e: { reportedBy: string }) => e.reportedBy).sort()).toEqual(["aws", "aws", "gcp"]);

    // The genuine envelope is still accepted afterwards.
    const ok = await cluster.post("azure", "/v1/peer/confirm", { from: "aws", envelope: good, confirmations: [] });
    expect(ok.status).toBe(200);
    expect(ok.body.confirmations.map((x: { cloud: string }) => x.cloud)).toEqual(["azure"]);
  });

  it("a forged envelope for an event a node holds as PENDING quarantines it, keeping the evidence", async () => {
    cluster = await Cluster.start({ run: ["azure"] });
    const good = envelopeFrom(cluster, "aws", "evt-known", { amount: 5 });
    expect((await cluster.post("azure", "/v1/peer/confirm", { from: "aws", envelope: good, confirmations: [] })).status).toBe(200);
    const forged = { ...good, payload: { amount: 6 } };
    expect((await cluster.post("azure", "/v1/peer/confirm", { from: "aws", envelope: forged, confirmations: [] })).status).toBe(422);
    const view = await cluster.get("azure", "/v1/events/evt-known");
    expect(view.body.status).toBe("QUARANTINED");
    expect(view.body.evidence[0]).toMatchObject({ kind: "bad-hash", detail: { received: { payload: { amount: 6 } } } });
  });

  it("equivocating origin (different payloads to the two peers) ends QUARANTINED with evidence, never two FINALs", async () => {
    // aws is the liar: the test holds its key and no honest aws node runs.
    cluster = await Cluster.start({ run: ["azure", "gcp"] });
    const toAzure = envelopeFrom(cluster, "aws", "evt-equivocate", { pay: "alice" });
    const toGcp = envelopeFrom(cluster, "aws", "evt-equivocate", { pay: "mallory" });
    const [a, g] = await Promise.all([
      cluster.post("azure", "/v1/peer/confirm", { from: "aws", envelope: toAzure, confirmations: [] }),
      cluster.post("gcp", "/v1/peer/confirm", { from: "aws", envelope: toGcp, confirmations: [] }),
    ]);
    // Whichever reached its peer first, each answer is either a confirmation or a conflict.
    expect([200, 409]).toContain(a.status);
    expect([200, 409]).toContain(g.status);
    const statuses = await waitFor("both peers QUARANTINED", async () => {
      const s = await Promise.all((["azure", "gcp"] as const).map((c) => statusOn(cluster!, c, "evt-equivocate")));
      return s.every((x) => x === "QUARANTINED") ? s : undefined;
    });
    expect(statuses).toEqual(["QUARANTINED", "QUARANTINED"]);
    for (const cloud of ["azure", "gcp"] as const) {
      const view = await cluster.get(cloud, "/v1/events/evt-equivocate");
      const proof = view.body.evidence.find((e: { kind: string }) => e.kind === "equivocation");
      // The proof: two envelopes for one eventId, both validly signed by aws, different hashes.
      expect(proof).toBeDefined();
      const hashes = new Set([proof.detail.stored.hash, proof.detail.received.hash]);
      expect(hashes).toEqual(new Set([toAzure.hash, toGcp.hash]));
    }
  });

  it("an equivocating origin that also hands out certificates still gets no two FINALs", async () => {
    cluster = await Cluster.start({ run: ["azure", "gcp"] });
    const toAzure = envelopeFrom(cluster, "aws", "evt-cert-lie", { pay: "alice" });
    const toGcp = envelopeFrom(cluster, "aws", "evt-cert-lie", { pay: "mallory" });
    const a = await cluster.post("azure", "/v1/peer/confirm", { from: "aws", envelope: toAzure, confirmations: [] });
    const g = await cluster.post("gcp", "/v1/peer/confirm", { from: "aws", envelope: toGcp, confirmations: [] });
    expect(a.status).toBe(200);
    // gcp may already have heard of azure's version from azure's reconciler.
    expect([200, 409]).toContain(g.status);
    const now = Date.now();
    const certAzure = [signConfirmation("evt-cert-lie", toAzure.hash, cluster.keys.aws, now), ...a.body.confirmations];
    const certGcp = [signConfirmation("evt-cert-lie", toGcp.hash, cluster.keys.aws, now), ...(g.status === 200 ? g.body.confirmations : [])];
    await Promise.all([
      cluster.post("azure", "/v1/peer/confirm", { from: "aws", envelope: toAzure, confirmations: certAzure }),
      cluster.post("gcp", "/v1/peer/confirm", { from: "aws", envelope: toGcp, confirmations: certGcp }),
    ]);
    const statuses = await waitFor("both settled", async () => {
      const s = await Promise.all((["azure", "gcp"] as const).map((c) => statusOn(cluster!, c, "evt-cert-lie")));
      return s.every((x) => x !== "PENDING") ? s : undefined;
    });
    const views = await Promise.all((["azure", "gcp"] as const).map(async (c) => (await cluster!.get(c, "/v1/events/evt-cert-lie")).body));
    const finals = views.filter((v) => v.status === "FINAL").map((v) => v.hash);
    expect(new Set(finals).size).toBeLessThanOrEqual(1);
    expect(statuses).toContain("QUARANTINED");
  });

  it("an acknowledged event survives its origin crashing before replication", async () => {
    // Only aws and azure run; aws is killed right after answering 202 with all links cut.
    cluster = await Cluster.start({ run: ["aws", "azure", "gcp"] });
    cluster.isolate("aws");
    const r = await cluster.post("aws", "/v1/events", { tenantId: "acme", payload: { n: 1 } });
    expect(r.status).toBe(202);
    // Hand the envelope to azure by hand, as a half-finished replication would have.
    const { envelope } = (await cluster.get("aws", `/v1/events/${r.body.eventId}`)).body;
    await cluster.kill("aws");
    const direct = await cluster.post("azure", "/v1/peer/confirm", { from: "aws", envelope, confirmations: [] });
    expect(direct.status).toBe(200);
    // azure's reconciler carries it to gcp; the two of them finalize without the origin.
    await finalOn(cluster, ["azure", "gcp"], r.body.eventId);
  });
});
