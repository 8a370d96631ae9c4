import { describe, expect, it } from "vitest";
import { canonicalize, jsonProblem, MAX_JSON_DEPTH, type JsonValue } from "../../functions/core/canonical";
import { DOMAIN, domainHash } from "../../functions/core/hash";
import { checkEnvelope, envelopeSchema, eventHash, makeEnvelope } from "../../functions/core/envelope";
import { confirmationSchema, signConfirmation, verifyConfirmation } from "../../functions/core/confirmation";
import { canTransition, certificateFor, findEquivocation, missingClouds, STATUSES } from "../../functions/core/quorum";
import { observe, tick } from "../../functions/core/clock";
import { keyRings } from "../helpers/cluster";

const keys = keyRings();
const body = {
  eventId: "evt-1",
  tenantId: "acme",
  payload: { amount: 10, items: ["a", "b"] },
};
const meta = { origin: "aws" as const, logicalClock: 7 };

describe("canonical JSON (RFC 8785)", () => {
  it("matches the RFC's number and string vectors and sorts keys by UTF-16 code units", () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
    // RFC 8785 3.2.3: "\u20ac" (€) sorts before "\ud83d\ude00" (😀) by code units, after "\r" and "1".
    expect(canonicalize({ "😀": 1, "€": 2, "\r": 3, "1": 4 } as JsonValue)).toBe('{"\\r":3,"1":4,"€":2,"😀":1}');
  });

  it("refuses what JCS cannot encode: non-finite numbers, lone surrogates, non-plain objects, deep nesting", () => {
    expect(jsonProblem(Number.NaN)?.message).toMatch(/finite/);
    expect(jsonProblem({ a: "\ud800" })?.path).toBe(".a");
    expect(jsonProblem(new Date())?.message).toMatch(/JSON value/);
    let deep: unknown = 1;
    for (let i = 0; i <= MAX_JSON_DEPTH; i++) deep = [deep];
    expect(jsonProblem(deep)?.message).toMatch(/nested deeper/);
    expect(jsonProblem({ ok: [1, "x", null, true, { y: -0.5 }] })).toBeUndefined();
  });
});

describe("domain-separated hashing", () => {
  it("gives different digests for the same value under different domains", () => {
    const v = { eventId: "e", hash: "00" };
    expect(domainHash(DOMAIN.event, v)).not.toBe(domainHash(DOMAIN.confirmation, v));
    expect(domainHash(DOMAIN.event, v)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is independent of key order and sensitive to every field", () => {
    const reordered = Object.fromEntries(Object.entries(body).reverse()) as typeof body;
    expect(eventHash(reordered)).toBe(eventHash(body));
    for (const change of [
      { eventId: "evt-2" },
      { payload: { amount: 11, items: ["a", "b"] } },
      { tenantId: "acme2" },
    ]) {
      expect(eventHash({ ...body, ...change })).not.toBe(eventHash(body));
    }
  });

  it("covers only tenant, id and payload: the same submission on any cloud, at any time, is one hash", () => {
    // Whatever a cloud might add (its name, its clock, the time) is not part of the event.
    const seenByGcpLater = {
      ...body,
      originCloud: "gcp",
      createdAt: "2030-01-01T00:00:00.000Z",
      logicalClock: 99,
    } as unknown as typeof body;
    expect(eventHash(seenByGcpLater)).toBe(eventHash(body));
    expect(makeEnvelope(seenByGcpLater)).toEqual(makeEnvelope(body));
    // Pinned vector: a change of the hashed fields or of the domain tag changes this.
    expect(eventHash({ eventId: "evt-1", tenantId: "acme", payload: { amount: 10 } })).toBe(
      domainHash(DOMAIN.event, { eventId: "evt-1", payload: { amount: 10 }, tenantId: "acme" }),
    );
    expect(DOMAIN.event).toBe("tricloud/event/v2");
  });

  it("has no field-boundary ambiguity (the flaw of sha256(payload + metadata))", () => {
    expect(eventHash({ ...body, tenantId: "ab", eventId: "c" })).not.toBe(
      eventHash({ ...body, tenantId: "a", eventId: "bc" }),
    );
  });
});

describe("envelopes and confirmations", () => {
  it("makes an envelope the schema accepts and anyone can check (it carries no signature)", () => {
    const env = makeEnvelope(body);
    expect(envelopeSchema.parse(env)).toEqual(env);
    expect(checkEnvelope(env)).toEqual({ ok: true });
  });

  it("detects a changed payload, tenant or id (bad hash)", () => {
    const env = makeEnvelope(body);
    expect(checkEnvelope({ ...env, payload: { amount: 99 } })).toMatchObject({
      ok: false,
      kind: "bad-hash",
      field: "envelope.hash",
    });
    expect(checkEnvelope({ ...env, tenantId: "other" })).toMatchObject({ ok: false, kind: "bad-hash" });
    expect(checkEnvelope({ ...env, eventId: "evt-9" })).toMatchObject({ ok: false, kind: "bad-hash" });
  });

  it("rejects unknown envelope fields, so nothing unhashed rides along (the v1 fields included)", () => {
    const env = makeEnvelope(body);
    expect(envelopeSchema.safeParse({ ...env, extra: 1 }).success).toBe(false);
    expect(envelopeSchema.safeParse({ ...env, originCloud: "aws" }).success).toBe(false);
  });

  it("confirmations verify only for their own event, hash, cloud and metadata", () => {
    const env = makeEnvelope(body);
    const c = signConfirmation(env.eventId, env.hash, keys.azure, Date.parse("2025-01-01T00:00:01Z"), meta);
    expect(verifyConfirmation(env.eventId, c, keys.aws.publicKeys)).toBe(true);
    expect(verifyConfirmation("evt-2", c, keys.aws.publicKeys)).toBe(false);
    expect(verifyConfirmation(env.eventId, { ...c, cloud: "gcp" }, keys.aws.publicKeys)).toBe(false);
    expect(verifyConfirmation(env.eventId, { ...c, hash: "0".repeat(64) }, keys.aws.publicKeys)).toBe(false);
    // Origin, clock and time are signed: none can be changed on the way.
    expect(verifyConfirmation(env.eventId, { ...c, origin: "gcp" }, keys.aws.publicKeys)).toBe(false);
    expect(verifyConfirmation(env.eventId, { ...c, logicalClock: 8 }, keys.aws.publicKeys)).toBe(false);
    expect(
      verifyConfirmation(env.eventId, { ...c, confirmedAt: "2025-01-01T00:00:02.000Z" }, keys.aws.publicKeys),
    ).toBe(false);
    // A confirmation signature over the event hash alone (another domain) never passes.
    const bare = {
      ...c,
      signature: signConfirmation(env.eventId, env.hash, keys.azure, 0, meta).signature.replace(/^./, (x) =>
        x === "A" ? "B" : "A",
      ),
    };
    expect(verifyConfirmation(env.eventId, bare, keys.aws.publicKeys)).toBe(false);
  });

  it("takes confirmedAt only as toISOString writes it: a fraction of any length would let a signer pad a statement", () => {
    const env = makeEnvelope(body);
    const c = signConfirmation(env.eventId, env.hash, keys.azure, Date.parse("2025-01-01T00:00:01Z"), meta);
    expect(confirmationSchema.safeParse(c).success).toBe(true);
    for (const confirmedAt of [
      "2025-01-01T00:00:01Z",
      "2025-01-01T00:00:01.0001Z",
      `2025-01-01T00:00:01.${"0".repeat(30_000)}Z`,
    ]) {
      const r = confirmationSchema.safeParse({ ...c, confirmedAt });
      expect(r.success, confirmedAt.slice(0, 30)).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(["confirmedAt"]);
    }
  });
});

describe("quorum rules", () => {
  const env = makeEnvelope(body);
  const conf = (cloud: "aws" | "azure" | "gcp", hash = env.hash) =>
    signConfirmation(env.eventId, hash, keys[cloud], 0, meta);

  it("needs two distinct clouds on the same hash for a certificate", () => {
    expect(certificateFor(env.hash, [conf("aws")])).toBeUndefined();
    expect(certificateFor(env.hash, [conf("aws"), conf("aws")])).toBeUndefined();
    expect(certificateFor(env.hash, [conf("aws"), conf("gcp", "f".repeat(64))])).toBeUndefined();
    expect(certificateFor(env.hash, [conf("gcp"), conf("aws")])?.map((c) => c.cloud)).toEqual(["aws", "gcp"]);
    expect(missingClouds(env.hash, [conf("gcp"), conf("aws")])).toEqual(["azure"]);
  });

  it("allows only PENDING -> FINAL and PENDING -> QUARANTINED", () => {
    const allowed = STATUSES.flatMap((from) =>
      STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed).toEqual(["PENDING->FINAL", "PENDING->QUARANTINED"]);
  });

  it("equivocation is one cloud signing two hashes; two clouds on two hashes (a reused id) is not", () => {
    const other = "f".repeat(64);
    expect(findEquivocation([conf("aws"), conf("azure")])).toBeUndefined();
    expect(findEquivocation([conf("aws"), conf("azure", other)])).toBeUndefined();
    expect(findEquivocation([conf("aws"), conf("aws")])).toBeUndefined(); // the same hash twice
    const proof = findEquivocation([conf("gcp"), conf("aws"), conf("aws", other)]);
    expect(proof?.cloud).toBe("aws");
    expect(proof?.statements.map((s) => s.hash)).toEqual([env.hash, other]);
  });

  it("logical clock: tick moves forward, observe never goes back", () => {
    expect(tick(0)).toBe(1);
    expect(observe(5, 3)).toBe(5);
    expect(observe(5, 9)).toBe(9);
  });
});
