import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CLOUDS, type Cloud } from "../../functions/core/clouds";
import { signConfirmation, type Confirmation } from "../../functions/core/confirmation";
import { makeEnvelope, type Envelope } from "../../functions/core/envelope";
import { generateKeyPair, signDigest } from "../../functions/core/keys";
import { PEER_MESSAGE_ROOM } from "../../functions/http/app";
import { Cluster } from "../helpers/cluster";
import { waitFor } from "../helpers/wait";

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function statusOn(c: Cluster, cloud: Cloud, eventId: string): Promise<string | undefined> {
  const r = await c.get(cloud, `/v1/events/${eventId}`);
  return r.status === 200 ? r.body.status : undefined;
}

async function finalOn(c: Cluster, clouds: Cloud[], eventId: string, timeoutMs = 15_000) {
  return waitFor(
    `${eventId} FINAL on ${clouds.join(", ")}`,
    async () => {
      const views = await Promise.all(clouds.map((cloud) => c.get(cloud, `/v1/events/${eventId}`)));
      return views.every((v) => v.status === 200 && v.body.status === "FINAL") ? views.map((v) => v.body) : undefined;
    },
    timeoutMs,
  );
}

/** A cloud's signed statement, as a node holding `signer`'s key (honest or stolen) would make it. */
function statement(c: Cluster, signer: Cloud, env: Envelope, origin: Cloud = signer, logicalClock = 1): Confirmation {
  return signConfirmation(env.eventId, env.hash, c.keys[signer], Date.now(), { origin, logicalClock });
}

const event = (eventId: string, payload: unknown) =>
  makeEnvelope({ eventId, tenantId: "acme", payload: payload as never });

describe("2-of-3 quorum over real HTTP", () => {
  it("happy path: an event becomes FINAL on all three clouds with one certificate", async () => {
    cluster = await Cluster.start();
    const submitted = await cluster.post("aws", "/v1/events", {
      tenantId: "acme",
      payload: { amount: 42, currency: "EUR" },
    });
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ status: "PENDING", hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const views = await finalOn(cluster, [...CLOUDS], submitted.body.eventId);
    for (const view of views) {
      expect(view.hash).toBe(submitted.body.hash);
      expect(view.envelope).toEqual({
        eventId: submitted.body.eventId,
        tenantId: "acme",
        payload: { amount: 42, currency: "EUR" },
        hash: submitted.body.hash,
      });
      expect(view.origin).toBe("aws");
      expect(new Set(view.confirmations.map((c: { cloud: string }) => c.cloud)).size).toBeGreaterThanOrEqual(2);
      expect(view.confirmations.every((c: Confirmation) => c.hash === submitted.body.hash && c.origin === "aws")).toBe(
        true,
      );
    }
    const health = await cluster.get("aws", "/health");
    expect(health.body.status).toBe("healthy");
    expect(health.body.checks.peers.azure).toMatchObject({
      state: "up",
      breaker: "closed",
      probe: { failures: 0, nextAtMs: null },
    });
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

  it("an acknowledged event survives its origin crashing before replication", async () => {
    cluster = await Cluster.start();
    cluster.isolate("aws");
    const r = await cluster.post("aws", "/v1/events", { tenantId: "acme", payload: { n: 1 } });
    expect(r.status).toBe(202);
    // Hand the event to azure by hand, as a half-finished replication would have.
    const { envelope, confirmations } = (await cluster.get("aws", `/v1/events/${r.body.eventId}`)).body;
    await cluster.kill("aws");
    const direct = await cluster.post("azure", "/v1/peer/confirm", { from: "aws", envelope, confirmations });
    expect(direct.status).toBe(200);
    // azure's reconciler carries it to gcp; the two of them finalize without the origin.
    await finalOn(cluster, ["azure", "gcp"], r.body.eventId);
  });
});

describe("one event per {tenantId, eventId} across clouds", () => {
  it("the same submission sent concurrently to all three nodes ends FINAL with one hash everywhere, never QUARANTINED", async () => {
    cluster = await Cluster.start();
    const ids = Array.from({ length: 6 }, (_, i) => `dup-${i}`);
    const answers = await Promise.all(
      ids.flatMap((eventId) =>
        CLOUDS.map((cloud) =>
          cluster!.post(cloud, "/v1/events", { tenantId: "acme", eventId, payload: { eventId, amount: 7 } }),
        ),
      ),
    );
    for (const a of answers) expect([200, 202]).toContain(a.status);
    for (const eventId of ids) {
      const views = await finalOn(cluster, [...CLOUDS], eventId);
      expect(new Set(views.map((v) => v.hash)).size).toBe(1);
      expect(new Set(answers.filter((a) => a.body.eventId === eventId).map((a) => a.body.hash))).toEqual(
        new Set([views[0].hash]),
      );
      expect(new Set(views.flatMap((v) => v.confirmations.map((c: Confirmation) => c.cloud)))).toEqual(new Set(CLOUDS));
    }
    for (const cloud of CLOUDS) {
      expect(await cluster.member(cloud).store.countByStatus()).toMatchObject({ QUARANTINED: 0, PENDING: 0 });
      expect(await cluster.member(cloud).store.listEvidence({})).toEqual([]);
    }
  });

  it("a failover retry on another cloud joins the first event (200 or 202, same hash); a different payload under the id is 409 naming it", async () => {
    cluster = await Cluster.start();
    const body = { tenantId: "acme", eventId: "inv-9", payload: { amount: 9 } };
    const first = await cluster.post("aws", "/v1/events", body);
    expect(first.status).toBe(202);
    await finalOn(cluster, [...CLOUDS], "inv-9");
    // The client timed out on aws and retries on gcp: the stored state, not a second event.
    const retry = await cluster.post("gcp", "/v1/events", body);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ eventId: "inv-9", status: "FINAL", hash: first.body.hash });
    // The id reused with another payload (it reached azure through a peer before this client did).
    const reused = await cluster.post("azure", "/v1/events", { ...body, payload: { amount: 10 } });
    expect(reused.status).toBe(409);
    expect(reused.body.error).toMatchObject({
      code: "EVENT_ID_CONFLICT",
      message: expect.stringContaining('"inv-9"'),
      details: { eventId: "inv-9", hash: first.body.hash },
    });
    for (const cloud of CLOUDS) expect(await statusOn(cluster, cloud, "inv-9")).toBe("FINAL");
  });

  it("a conflicting copy arriving through a peer after a client's submission is a 409, never a quarantine; the id converges to the winner", async () => {
    cluster = await Cluster.start();
    // azure, cut off, takes payload B from one client; aws and gcp take payload A from another.
    cluster.isolate("azure");
    const b = await cluster.post("azure", "/v1/events", { tenantId: "acme", eventId: "reused", payload: { v: "B" } });
    expect(b.status).toBe(202);
    const a = await cluster.post("aws", "/v1/events", { tenantId: "acme", eventId: "reused", payload: { v: "A" } });
    expect(a.status).toBe(202);
    await finalOn(cluster, ["aws", "gcp"], "reused");
    // aws's copy, handed to azure by a peer, meets azure's B: 409, and nothing is quarantined.
    const viewA = (await cluster.get("aws", "/v1/events/reused")).body;
    const viaPeer = await cluster.post("azure", "/v1/peer/confirm", {
      from: "aws",
      envelope: viewA.envelope,
      confirmations: viewA.confirmations.filter((c: Confirmation) => c.cloud === "aws"),
    });
    expect(viaPeer.status).toBe(409);
    expect(viaPeer.body.error).toMatchObject({
      code: "CONFLICTING_HASH",
      message: expect.stringContaining('"reused"'),
      details: { hash: b.body.hash, status: "PENDING" },
    });
    expect(await statusOn(cluster, "azure", "reused")).toBe("PENDING");
    // Healed: azure learns that A holds a certificate of the other two and adopts it. One FINAL hash, no quarantine.
    cluster.isolate("azure", false);
    const views = await finalOn(cluster, [...CLOUDS], "reused");
    expect(views.map((v) => v.hash)).toEqual([a.body.hash, a.body.hash, a.body.hash]);
    for (const cloud of CLOUDS)
      expect(await cluster.member(cloud).store.listEvidence({ eventId: "reused" })).toEqual([]);
    // azure never signed A; what it signed on B stays on record as a statement.
    expect(views[1].confirmations.map((c: Confirmation) => c.cloud)).toEqual(["aws", "gcp"]);
    expect((await cluster.member("azure").store.listStatements("reused")).map((s) => [s.cloud, s.hash])).toContainEqual(
      ["azure", b.body.hash],
    );
    // The client of B, retrying, is told the id is taken.
    expect(
      (await cluster.post("azure", "/v1/events", { tenantId: "acme", eventId: "reused", payload: { v: "B" } })).status,
    ).toBe(409);
  });
});

describe("quarantine only on proof", () => {
  it("bad hash, bad signature, unknown key, unauthenticated and malformed peer messages are refused, recorded with their source, and change nothing", async () => {
    cluster = await Cluster.start({ run: ["azure"] });
    // A client's event on azure, PENDING: its peers are absent, so nobody has confirmed it yet.
    const good = event("evt-tamper", { amount: 1 });
    expect(
      (await cluster.post("azure", "/v1/events", { tenantId: "acme", eventId: "evt-tamper", payload: { amount: 1 } }))
        .body,
    ).toMatchObject({ status: "PENDING", hash: good.hash });
    const awsSays = statement(cluster, "aws", good);

    const tampered = await cluster.post("azure", "/v1/peer/confirm", {
      from: "aws",
      envelope: { ...good, payload: { amount: 1_000_000 } },
      confirmations: [awsSays],
    });
    expect(tampered).toMatchObject({
      status: 422,
      body: { error: { code: "HASH_MISMATCH", details: { field: "envelope.hash" } } },
    });
    const other = event("evt-tamper", { amount: 2 });
    const forgedSig = await cluster.post("azure", "/v1/peer/confirm", {
      from: "aws",
      envelope: other,
      confirmations: [{ ...statement(cluster, "aws", other), signature: awsSays.signature }],
    });
    expect(forgedSig).toMatchObject({
      status: 422,
      body: { error: { code: "BAD_SIGNATURE", details: { field: "confirmations[0].signature" } } },
    });
    const stranger = generateKeyPair();
    const unknownKey = { ...statement(cluster, "gcp", other), signature: signDigest(stranger.privateKey, other.hash) };
    expect(
      (await cluster.post("azure", "/v1/peer/confirm", { from: "gcp", envelope: other, confirmations: [unknownKey] }))
        .status,
    ).toBe(422);
    const unauthenticated = await cluster.post("azure", "/v1/peer/confirm", {
      from: "gcp",
      envelope: other,
      confirmations: [],
    });
    expect(unauthenticated).toMatchObject({ status: 401, body: { error: { code: "UNAUTHENTICATED" } } });
    // Someone else's statement does not authenticate the sender.
    expect(
      (await cluster.post("azure", "/v1/peer/confirm", { from: "gcp", envelope: good, confirmations: [awsSays] }))
        .status,
    ).toBe(401);
    expect(
      (await cluster.post("azure", "/v1/peer/confirm", { from: "oracle", envelope: good, confirmations: [awsSays] }))
        .status,
    ).toBe(403);
    const malformed = await cluster.post("azure", "/v1/peer/confirm", {
      from: "aws",
      envelope: { eventId: "evt-tamper" },
      confirmations: [],
    });
    expect(malformed.status).toBe(400);

    // Nothing moved: still PENDING on the genuine hash, with only its own confirmation; no evidence.
    const view = (await cluster.get("azure", "/v1/events/evt-tamper")).body;
    expect(view).toMatchObject({ status: "PENDING", hash: good.hash });
    expect(view.confirmations.map((c: Confirmation) => c.cloud)).toEqual(["azure"]);
    expect(view.evidence).toBeUndefined();
    expect(await cluster.member("azure").store.listStatements("evt-tamper")).toEqual([]);
    // Every refusal is on record, with where it came from.
    const attempts = (await cluster.get("azure", "/v1/peer/attempts?eventId=evt-tamper")).body.attempts;
    expect(attempts.map((a: { kind: string }) => a.kind).sort()).toEqual([
      "bad-hash",
      "bad-signature",
      "bad-signature",
      "malformed",
      "unauthenticated",
      "unauthenticated",
      "unknown-sender",
    ]);
    for (const a of attempts) expect(a.source).toMatch(/^(::ffff:)?127\.0\.0\.1:\d+$/);

    // A genuine confirmation still finalizes it (the third cloud, asked for real, is down).
    const ok = await cluster.post("azure", "/v1/peer/confirm", {
      from: "aws",
      envelope: good,
      confirmations: [awsSays],
    });
    expect(ok.body.status).toBe("FINAL");
  });

  it("a stolen origin key equivocating to the two others ends with evidence and at most one FINAL hash", async () => {
    // aws is the liar: the test holds its key and no honest aws node runs.
    cluster = await Cluster.start({ run: ["azure", "gcp"] });
    const toAzure = event("evt-equivocate", { pay: "alice" });
    const toGcp = event("evt-equivocate", { pay: "mallory" });
    const [a, g] = await Promise.all([
      cluster.post("azure", "/v1/peer/confirm", {
        from: "aws",
        envelope: toAzure,
        confirmations: [statement(cluster, "aws", toAzure)],
      }),
      cluster.post("gcp", "/v1/peer/confirm", {
        from: "aws",
        envelope: toGcp,
        confirmations: [statement(cluster, "aws", toGcp)],
      }),
    ]);
    for (const r of [a, g]) expect([200, 409]).toContain(r.status);
    const views = await waitFor("evidence on both", async () => {
      const vs = await Promise.all(
        (["azure", "gcp"] as const).map(async (c) => (await cluster!.get(c, "/v1/events/evt-equivocate")).body),
      );
      return vs.every((v) => v.evidence && v.status !== "PENDING") ? vs : undefined;
    });
    expect(new Set(views.filter((v) => v.status === "FINAL").map((v) => v.hash)).size).toBeLessThanOrEqual(1);
    for (const view of views) {
      const proof = view.evidence.find((e: { kind: string }) => e.kind === "equivocation");
      // The proof: two statements for one eventId, both validly signed by aws, on different hashes.
      expect(proof.detail.cloud).toBe("aws");
      expect(new Set(proof.detail.statements.map((s: Confirmation) => s.hash))).toEqual(
        new Set([toAzure.hash, toGcp.hash]),
      );
      if (view.status === "QUARANTINED") expect(view.confirmations).toEqual([]);
    }
  });

  it("a refused cross-check is no answer: envelopes a stolen key pads to the peer limit get no two FINALs", async () => {
    cluster = await Cluster.start({ node: { reconcile: { autoStart: false } } });
    // Each thief's message fits the peer limit (the client limit, 64 KiB, plus PEER_MESSAGE_ROOM); the honest cloud's
    // cross-check carries the same envelope and one more confirmation, and is refused with 413.
    const limit = 64 * 1024 + PEER_MESSAGE_ROOM;
    const padded = (fill: string) => {
      const message = (pad: number) => {
        const env = event("evt-padded", { fill: fill.repeat(pad) });
        return { from: "aws", envelope: env, confirmations: [statement(cluster!, "aws", env)] };
      };
      const base = JSON.stringify(message(0)).length;
      return message(limit - base - 100);
    };
    const toAzure = padded("a");
    const toGcp = padded("b");
    expect(JSON.stringify(toAzure).length).toBeLessThan(limit);
    const answers = await Promise.all([
      cluster.post("azure", "/v1/peer/confirm", toAzure),
      cluster.post("gcp", "/v1/peer/confirm", toGcp),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const views = await Promise.all(
      (["azure", "gcp"] as const).map(async (c) => (await cluster!.get(c, "/v1/events/evt-padded")).body),
    );
    // Each asked the other before FINAL and got 413: neither took that for "the other holds nothing else".
    expect(views.map((v) => v.status)).toEqual(["PENDING", "PENDING"]);
  });

  it("a stolen key cannot make the two honest clouds adopt each other's hash: adopting asks the certificate's clouds first", async () => {
    cluster = await Cluster.start();
    const c = cluster;
    c.isolate("aws");
    // The thief, as a plain client, submits two payloads under one eventId, one to each honest cloud (their link cut
    // meanwhile, so that each takes its own: otherwise whichever is first reaches the other and the second is a 409).
    const id = "evt-crossed";
    c.link("azure", "gcp").cut = true;
    c.link("gcp", "azure").cut = true;
    for (const [cloud, who] of [
      ["azure", "alice"],
      ["gcp", "mallory"],
    ] as const)
      expect((await c.post(cloud, "/v1/events", { tenantId: "acme", eventId: id, payload: { pay: who } })).status).toBe(
        202,
      );
    const [a, b] = await Promise.all(
      (["azure", "gcp"] as const).map(async (cloud) => (await c.get(cloud, `/v1/events/${id}`)).body),
    );
    c.link("azure", "gcp").cut = false;
    c.link("gcp", "azure").cut = false;
    // Each honest cloud's own signature is public; the stolen key signs both hashes. Each honest cloud is shown the
    // other's hash with a certificate of {aws, the other honest cloud}.
    const own = (view: { confirmations: Confirmation[] }, cloud: Cloud) =>
      view.confirmations.find((x) => x.cloud === cloud)!;
    await Promise.all([
      c.post("azure", "/v1/peer/confirm", {
        from: "aws",
        envelope: b.envelope,
        confirmations: [statement(c, "aws", b.envelope), own(b, "gcp")],
      }),
      c.post("gcp", "/v1/peer/confirm", {
        from: "aws",
        envelope: a.envelope,
        confirmations: [statement(c, "aws", a.envelope), own(a, "azure")],
      }),
    ]);
    const finals = async () => {
      const views = await Promise.all(CLOUDS.map(async (cloud) => (await c.get(cloud, `/v1/events/${id}`)).body));
      return new Set(views.filter((v) => v.status === "FINAL").map((v) => v.hash as string));
    };
    // Neither honest cloud took the other's hash: each still holds its own, and neither is FINAL.
    const [afterA, afterB] = await Promise.all(
      (["azure", "gcp"] as const).map(async (cloud) => (await c.get(cloud, `/v1/events/${id}`)).body),
    );
    expect([afterA.hash, afterB.hash]).toEqual([a.hash, b.hash]);
    expect([afterA.status, afterB.status]).not.toContain("FINAL");
    expect((await finals()).size).toBeLessThanOrEqual(1);
    c.isolate("aws", false);
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await finals()).size).toBeLessThanOrEqual(1);
  });

  it("a submission whose exchanged form is over the limit is refused with 413 (JSON.stringify writes 9e15 as 16 digits)", async () => {
    cluster = await Cluster.start({ run: ["aws"], node: { reconcile: { autoStart: false } } });
    const text = `{"tenantId":"acme","eventId":"evt-expands","payload":[${Array(12_900).fill("9e15").join(",")}]}`;
    expect(Buffer.byteLength(text)).toBeLessThan(64 * 1024);
    const res = await fetch(`${cluster.url("aws")}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: text,
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(body.error.message).toMatch(/^payload: \d+ bytes as the clouds exchange it/);
    expect((await cluster.get("aws", "/v1/events/evt-expands")).status).toBe(404);
  });

  it("an integer a JSON number cannot carry exactly is refused, naming it: two such payloads were one event holding neither", async () => {
    cluster = await Cluster.start({ run: ["aws"], node: { reconcile: { autoStart: false } } });
    const res = await fetch(`${cluster.url("aws")}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"tenantId":"acme","eventId":"pay-1","payload":{"amountMicros":12345678901234567891}}',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("VALIDATION_FAILED");
    expect(body.error.message).toMatch(/^payload\.amountMicros: .*magnitude 2\^53 or more.*send it as a string/);
    // Every double of magnitude 2^53 or more is an integer to JavaScript, 6.02e23 too: refused the same way.
    const avogadro = await cluster.post("aws", "/v1/events", {
      tenantId: "acme",
      eventId: "mol-1",
      payload: { n: 6.02e23 },
    });
    expect(avogadro.status).toBe(400);
    expect(avogadro.body.error.message).toMatch(/^payload\.n: .*magnitude 2\^53 or more/);
    // An event a 0.4.3 node took with such a number, stored here: its resubmission is answered as the stored event.
    const legacy = JSON.parse('{"tenantId":"acme","eventId":"pay-0","payload":{"amountMicros":12345678901234567891}}');
    await cluster.member("aws").store.insertEvent(makeEnvelope(legacy), { origin: "azure", seenClock: 1 }, Date.now());
    const again = await fetch(`${cluster.url("aws")}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"tenantId":"acme","eventId":"pay-0","payload":{"amountMicros":12345678901234567891}}',
    });
    expect(again.status).toBe(200);
    const safe = await cluster.post("aws", "/v1/events", {
      tenantId: "acme",
      eventId: "pay-2",
      payload: { amountMicros: Number.MAX_SAFE_INTEGER, ratio: 1.5e-300, big: 1.5 },
    });
    expect(safe.status).toBe(202);
  });

  it("a peer whose front end answers 4xx in no shape of the runtime (a throttle's 429) counts as unreachable: the other two finalize", async () => {
    const throttle = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(429).end());
    });
    await new Promise<void>((r) => throttle.listen(0, "127.0.0.1", r));
    try {
      cluster = await Cluster.start();
      const url = `http://127.0.0.1:${(throttle.address() as AddressInfo).port}`;
      for (const from of ["aws", "azure"] as const) cluster.link(from, "gcp").target = url;
      const submitted = await cluster.post("aws", "/v1/events", { tenantId: "acme", payload: { n: 1 } });
      expect(submitted.status).toBe(202);
      await finalOn(cluster, ["aws", "azure"], submitted.body.eventId, 5_000);
    } finally {
      throttle.close();
    }
  });

  it("a stolen key's statement with the largest Lamport stamp does not stall its tenant: the clock stops at the cap", async () => {
    cluster = await Cluster.start();
    const c = cluster;
    const env = event("evt-max-clock", { n: 0 });
    const maxed = signConfirmation(env.eventId, env.hash, c.keys.aws, Date.now(), {
      origin: "aws",
      logicalClock: Number.MAX_SAFE_INTEGER,
    });
    for (const cloud of ["azure", "gcp"] as const)
      expect(
        (await c.post(cloud, "/v1/peer/confirm", { from: "aws", envelope: env, confirmations: [maxed] })).status,
      ).toBe(200);
    // The tenant's next events, on every cloud, still reach FINAL: their stamps stay within what the schema accepts.
    for (const origin of CLOUDS) {
      const submitted = await c.post(origin, "/v1/events", { tenantId: "acme", payload: { after: origin } });
      expect(submitted.status).toBe(202);
      const views = await finalOn(c, [...CLOUDS], submitted.body.eventId, 5_000);
      for (const v of views)
        for (const x of v.confirmations as Confirmation[])
          expect(x.logicalClock).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
    }
  });

  it("a refused peer message carrying a NUL is still a 4xx and still recorded (PostgreSQL's text refuses NUL)", async () => {
    cluster = await Cluster.start({ run: ["azure"], node: { reconcile: { autoStart: false } } });
    const env = event("evt-nul", { n: 1 });
    for (const from of ["\u0000", "aws\u0000"]) {
      const res = await cluster.post("azure", "/v1/peer/confirm", { from, envelope: env, confirmations: [] });
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    const attempts = await cluster.get("azure", "/v1/peer/attempts?limit=10");
    expect(attempts.body.attempts.length).toBe(2);
  });

  it("an event held by a stolen key's third hash is still driven once its cloud is back: the lie becomes a proof", async () => {
    cluster = await Cluster.start();
    const c = cluster;
    const id = "evt-third-hash";
    c.isolate("aws");
    // An honest client's payload to azure, another under the same id to gcp: each keeps the other's statement.
    await Promise.all([
      c.post("azure", "/v1/events", { tenantId: "acme", eventId: id, payload: { pay: "alice" } }),
      c.post("gcp", "/v1/events", { tenantId: "acme", eventId: id, payload: { pay: "mallory" } }),
    ]);
    await new Promise((r) => setTimeout(r, 500));
    // The thief signs a third hash with aws's key: now each honest cloud holds two others' statements on two hashes.
    const third = event(id, { pay: "x" });
    for (const target of ["azure", "gcp"] as const)
      await c.post(target, "/v1/peer/confirm", {
        from: "aws",
        envelope: third,
        confirmations: [statement(c, "aws", third)],
      });
    c.isolate("aws", false);
    // aws's real node, asked once it is back, signs what it is shown: its key then signed two hashes.
    await waitFor(
      "the event quarantined on proof on azure and gcp",
      async () => {
        const views = await Promise.all(
          (["azure", "gcp"] as const).map(async (cloud) => (await c.get(cloud, `/v1/events/${id}`)).body),
        );
        return views.every((v) => v.status === "QUARANTINED" && v.evidence?.length > 0) || undefined;
      },
      12_000,
    );
  });

  it("an event of the largest size a client may submit reaches FINAL on every cloud", async () => {
    cluster = await Cluster.start();
    const eventId = "evt-largest";
    const body = (pad: number) => ({ tenantId: "acme", eventId, payload: { fill: "x".repeat(pad) } });
    const pad = 64 * 1024 - JSON.stringify(body(0)).length - 16;
    const submitted = await cluster.post("aws", "/v1/events", body(pad));
    expect(submitted.status).toBe(202);
    const views = await finalOn(cluster, [...CLOUDS], eventId);
    expect(new Set(views.map((v) => v.hash))).toEqual(new Set([submitted.body.hash]));
  });

  it("an open breaker between the honest clouds is not taken as 'peer down': a stolen-key equivocation gets no two FINALs", async () => {
    // Breakers that, once open, stay open for a minute: only a direct call can reach the peer.
    cluster = await Cluster.start({
      run: ["azure", "gcp"],
      node: {
        policy: {
          breakerThreshold: 1,
          halfOpenAfterMs: 60_000,
          probeCapMs: 60_000,
          retries: 0,
          backoffBaseMs: 1,
          backoffCapMs: 1,
          random: () => 0.5,
        },
        reconcile: { autoStart: false },
      },
    });
    cluster.link("azure", "gcp").cut = true;
    cluster.link("gcp", "azure").cut = true;
    for (const cloud of ["azure", "gcp"] as const)
      await cluster.post(cloud, "/v1/events", { tenantId: "acme", payload: { trip: cloud } });
    await waitFor("both breakers open", async () =>
      (["azure", "gcp"] as const).every((c) =>
        cluster!
          .member(c)
          .node.peers.states()
          .every((s) => s.breaker === "open"),
      ),
    );
    // All links are up again; the breakers still say open.
    cluster.link("azure", "gcp").cut = false;
    cluster.link("gcp", "azure").cut = false;
    const toAzure = event("evt-breaker", { pay: "alice" });
    const toGcp = event("evt-breaker", { pay: "mallory" });
    await Promise.all([
      cluster.post("azure", "/v1/peer/confirm", {
        from: "aws",
        envelope: toAzure,
        confirmations: [statement(cluster, "aws", toAzure)],
      }),
      cluster.post("gcp", "/v1/peer/confirm", {
        from: "aws",
        envelope: toGcp,
        confirmations: [statement(cluster, "aws", toGcp)],
      }),
    ]);
    // Each honest cloud, about to finalize on {aws, itself}, asked the other past its open breaker.
    const views = await Promise.all(
      (["azure", "gcp"] as const).map(async (c) => (await cluster!.get(c, "/v1/events/evt-breaker")).body),
    );
    expect(new Set(views.filter((v) => v.status === "FINAL").map((v) => v.hash)).size).toBeLessThanOrEqual(1);
    expect(views.some((v) => v.evidence?.some((e: { kind: string }) => e.kind === "equivocation"))).toBe(true);
  });

  it("a quarantined node never lends its confirmation, and a node shown the proof stops finalizing", async () => {
    cluster = await Cluster.start({ run: ["azure"] });
    const env = event("evt-q", { n: 1 });
    expect(
      (await cluster.post("azure", "/v1/events", { tenantId: "acme", eventId: "evt-q", payload: { n: 1 } })).body
        .status,
    ).toBe("PENDING");
    // A proof that does not hold (one statement twice, or a forged signature) is refused and changes nothing.
    const bogus = await cluster.post("azure", "/v1/peer/equivocation", {
      from: "gcp",
      eventId: "evt-q",
      proof: { cloud: "aws", statements: [statement(cluster, "aws", env), statement(cluster, "aws", env)] },
    });
    expect(bogus).toMatchObject({ status: 422, body: { error: { code: "BAD_PROOF" } } });
    expect(await statusOn(cluster, "azure", "evt-q")).toBe("PENDING");
    // gcp shows azure a real proof: aws signed two hashes for evt-q.
    const other = event("evt-q", { n: 2 });
    const proof = { cloud: "aws", statements: [statement(cluster, "aws", env), statement(cluster, "aws", other)] };
    const shown = await cluster.post("azure", "/v1/peer/equivocation", { from: "gcp", eventId: "evt-q", proof });
    expect(shown).toMatchObject({ status: 200, body: { status: "QUARANTINED" } });
    // A full certificate now changes nothing: no FINAL on that evidence.
    const late = await cluster.post("azure", "/v1/peer/confirm", {
      from: "gcp",
      envelope: env,
      confirmations: [statement(cluster, "gcp", env, "aws"), statement(cluster, "aws", env)],
    });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({
      code: "EVENT_QUARANTINED",
      details: { status: "QUARANTINED", evidence: { cloud: "aws" } },
    });
    expect(late.body.error.details.confirmations).toBeUndefined();
    const view = (await cluster.get("azure", "/v1/events/evt-q")).body;
    expect(view).toMatchObject({
      status: "QUARANTINED",
      confirmations: [],
      statusReason: expect.stringMatching(/^equivocation: aws/),
    });
    expect(view.evidence[0]).toMatchObject({ kind: "equivocation", reportedBy: "gcp", detail: { cloud: "aws" } });
    expect((await cluster.get("azure", "/v1/peer/attempts?eventId=evt-q")).body.attempts).toHaveLength(1);
    // Proof that arrives before the event: the event, when it comes, is quarantined on arrival.
    const early = event("evt-q2", { n: 1 });
    const early2 = event("evt-q2", { n: 2 });
    const proof2 = { cloud: "gcp", statements: [statement(cluster, "gcp", early), statement(cluster, "gcp", early2)] };
    expect(
      (await cluster.post("azure", "/v1/peer/equivocation", { from: "aws", eventId: "evt-q2", proof: proof2 })).body,
    ).toMatchObject({ status: null });
    const arrives = await cluster.post("azure", "/v1/peer/confirm", {
      from: "aws",
      envelope: early,
      confirmations: [statement(cluster, "aws", early), statement(cluster, "gcp", early, "aws")],
    });
    expect(arrives.body.error?.code).toBe("EVENT_QUARANTINED");
    expect(await statusOn(cluster, "azure", "evt-q2")).toBe("QUARANTINED");
  });
});
