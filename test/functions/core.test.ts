import { describe, expect, it } from "vitest";
import { canonicalize, jsonProblem, MAX_JSON_DEPTH, type JsonValue } from "../../functions/core/canonical";
import { DOMAIN, domainHash } from "../../functions/core/hash";
import { checkEnvelope, envelopeSchema, eventHash, sealEnvelope } from "../../functions/core/envelope";
import { signConfirmation, verifyConfirmation } from "../../functions/core/confirmation";
import { canTransition, certificateFor, compareEnvelopes, missingClouds, STATUSES } from "../../functions/core/quorum";
import { observe, tick } from "../../functions/core/clock";
import { keyRings } from "./helpers/cluster";

const keys = keyRings();
const body = {
  eventId: "evt-1",
  tenantId: "acme",
  logicalClock: 7,
  region: "eu-west-1",
  payload: { amount: 10, items: ["a", "b"] },
  createdAt: "2025-01-01T00:00:00.000Z",
  originCloud: "aws" as const,
};

describe("canonical JSON (RFC 8785)", () => {
  it("matches the RFC's number and string vectors and sorts keys by UTF-16 code units", () => {
    const input = JSON.parse('{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}');
    expect(canonicalize(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
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
    for (const change of [{ logicalClock: 8 }, { region: "eu-west-2" }, { payload: { amount: 11, items: ["a", "b"] } }, { originCloud: "gcp" as const }, { tenantId: "acme2" }]) {
      expect(eventHash({ ...body, ...change })).not.toBe(eventHash(body));
    }
  });

  it("has no field-boundary ambiguity (the flaw of sha256(payload + metadata))", () => {
    expect(eventHash({ ...body, tenantId: "ab", region: "c" })).not.toBe(eventHash({ ...body, tenantId: "a", region: "bc" }));
  });
});

describe("envelopes and confirmations", () => {
  it("seals an envelope the schema accepts and any cloud can verify", () => {
    const env = sealEnvelope(body, keys.aws);
    expect(envelopeSchema.parse(env)).toEqual(env);
    expect(checkEnvelope(env, keys.gcp.publicKeys)).toEqual({ ok: true });
  });

  it("refuses to seal with another cloud's key", () => {
    expect(() => sealEnvelope(body, keys.gcp)).toThrow(/aws with the key of gcp/);
  });

  it("detects a changed payload (hash) and a changed hash (signature)", () => {
    const env = sealEnvelope(body, keys.aws);
    expect(checkEnvelope({ ...env, payload: { amount: 99 } }, keys.aws.publicKeys)).toMatchObject({ ok: false, kind: "bad-hash", field: "envelope.hash" });
    const resealed = sealEnvelope({ ...body, payload: 1 }, keys.aws);
    expect(checkEnvelope({ ...resealed, signature: env.signature }, keys.aws.publicKeys)).toMatchObject({ ok: false, kind: "bad-signature" });
    // Claiming another origin: aws's signature does not verify under gcp's key.
    const claimed = { ...env, originCloud: "gcp" as const };
    expect(checkEnvelope({ ...claimed, hash: eventHash(claimed) }, keys.aws.publicKeys)).toMatchObject({ ok: false, kind: "bad-signature" });
  });

  it("rejects unknown envelope fields, so nothing unhashed rides along", () => {
    const env = sealEnvelope(body, keys.aws);
    const r = envelopeSchema.safeParse({ ...env, extra: 1 });
    expect(r.success).toBe(false);
  });

  it("confirmations verify only for their own event, hash and cloud", () => {
    const env = sealEnvelope(body, keys.aws);
    const c = signConfirmation(env.eventId, env.hash, keys.azure, Date.parse("2025-01-01T00:00:01Z"));
    expect(verifyConfirmation(env.eventId, c, keys.aws.publicKeys)).toBe(true);
    expect(verifyConfirmation("evt-2", c, keys.aws.publicKeys)).toBe(false);
    expect(verifyConfirmation(env.eventId, { ...c, cloud: "gcp" }, keys.aws.publicKeys)).toBe(false);
    expect(verifyConfirmation(env.eventId, { ...c, hash: "0".repeat(64) }, keys.aws.publicKeys)).toBe(false);
    // An event signature can never pass as a confirmation (different domain).
    expect(verifyConfirmation(env.eventId, { ...c, cloud: "aws", signature: env.signature }, keys.aws.publicKeys)).toBe(false);
  });
});

describe("quorum rules", () => {
  const env = sealEnvelope(body, keys.aws);
  const conf = (cloud: "aws" | "azure" | "gcp", hash = env.hash) => signConfirmation(env.eventId, hash, keys[cloud], 0);

  it("needs two distinct clouds on the same hash for a certificate", () => {
    expect(certificateFor(env.hash, [conf("aws")])).toBeUndefined();
    expect(certificateFor(env.hash, [conf("aws"), conf("aws")])).toBeUndefined();
    expect(certificateFor(env.hash, [conf("aws"), conf("gcp", "f".repeat(64))])).toBeUndefined();
    expect(certificateFor(env.hash, [conf("gcp"), conf("aws")])?.map((c) => c.cloud)).toEqual(["aws", "gcp"]);
    expect(missingClouds(env.hash, [conf("gcp"), conf("aws")])).toEqual(["azure"]);
  });

  it("allows only PENDING -> FINAL and PENDING -> QUARANTINED", () => {
    const allowed = STATUSES.flatMap((from) => STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
    expect(allowed).toEqual(["PENDING->FINAL", "PENDING->QUARANTINED"]);
  });

  it("tells equivocation (one origin, two hashes) from a conflict between origins", () => {
    const other = sealEnvelope({ ...body, payload: 2 }, keys.aws);
    const fromGcp = sealEnvelope({ ...body, originCloud: "gcp" }, keys.gcp);
    expect(compareEnvelopes(env, env)).toBe("same");
    expect(compareEnvelopes(env, other)).toBe("equivocation");
    expect(compareEnvelopes(env, fromGcp)).toBe("conflict");
  });

  it("logical clock: tick moves forward, observe never goes back", () => {
    expect(tick(0)).toBe(1);
    expect(observe(5, 3)).toBe(5);
    expect(observe(5, 9)).toBe(9);
  });
});
