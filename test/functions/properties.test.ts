import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalize, jsonProblem, unsafeIntegerAt, type JsonValue } from "../../functions/core/canonical";
import { checkEnvelope, envelopeSchema, eventHash, makeEnvelope } from "../../functions/core/envelope";
import { observe, tick } from "../../functions/core/clock";

const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,30}$/);
// fast-check's JSON values are exactly JSON.parse output: finite numbers, plain objects.
const json = fc.jsonValue({ maxDepth: 5 }) as fc.Arbitrary<JsonValue>;
const body = fc.record({ eventId: id, tenantId: id, payload: json });

describe("property: envelope parsing", () => {
  it("never throws on arbitrary input; it parses or names a field", () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const r = envelopeSchema.safeParse(input);
        if (!r.success) expect(r.error.issues.length).toBeGreaterThan(0);
      }),
    );
  });

  it("every envelope survives JSON transport, parses and checks", () => {
    fc.assert(
      fc.property(body, (b) => {
        const env = makeEnvelope(b);
        const received = envelopeSchema.parse(JSON.parse(JSON.stringify(env)));
        expect(checkEnvelope(received)).toEqual({ ok: true });
      }),
      { numRuns: 60 },
    );
  });

  it("any change to the hashed fields is caught", () => {
    fc.assert(
      fc.property(body, json, (b, other) => {
        fc.pre(canonicalize(other) !== canonicalize(b.payload));
        const env = makeEnvelope(b);
        const check = checkEnvelope({ ...env, payload: other });
        expect(check.ok).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe("property: integers a JSON number cannot carry exactly", () => {
  it("are found wherever they stand in a submission, naming the path", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 2 ** 53, max: Number.MAX_VALUE, noNaN: true }).map(Math.floor),
        fc.boolean(),
        (n, negative) => {
          const v = negative ? -n : n;
          expect(unsafeIntegerAt({ a: [1, { b: v }] }, "payload")).toEqual({ path: "payload.a[1].b", value: v });
          // Still JSON that JCS encodes: an event holding one, stored or exchanged before the check, stays readable.
          expect(jsonProblem({ a: [1, { b: v }] })).toBeUndefined();
        },
      ),
    );
  });
});

describe("property: canonical hashing", () => {
  it("JCS is a fixed point: canonical text parses back to the same canonical text", () => {
    fc.assert(
      fc.property(json, (v) => {
        expect(jsonProblem(v)).toBeUndefined();
        const text = canonicalize(v);
        expect(canonicalize(JSON.parse(text) as JsonValue)).toBe(text);
      }),
    );
  });

  it("the event hash ignores object key order at every level", () => {
    const shuffle = (v: JsonValue, seed: number): JsonValue => {
      if (Array.isArray(v)) return v.map((x, i) => shuffle(x, seed + i));
      if (v && typeof v === "object") {
        const entries = Object.entries(v);
        if (seed % 2) entries.reverse();
        return Object.fromEntries(entries.map(([k, x], i) => [k, shuffle(x, seed + i + 1)]));
      }
      return v;
    };
    fc.assert(
      fc.property(body, fc.nat(), (b, seed) => {
        expect(eventHash({ ...b, payload: shuffle(b.payload, seed) })).toBe(eventHash(b));
      }),
    );
  });

  it("different payloads give different hashes", () => {
    fc.assert(
      fc.property(body, json, (b, other) => {
        fc.pre(canonicalize(other) !== canonicalize(b.payload));
        expect(eventHash({ ...b, payload: other })).not.toBe(eventHash(b));
      }),
    );
  });
});

describe("property: logical clock", () => {
  it("observe then tick always lands after everything seen", () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(fc.nat()), (start, seen) => {
        const c = seen.reduce(observe, start);
        for (const s of seen) expect(tick(c)).toBeGreaterThan(s);
        expect(tick(c)).toBeGreaterThan(start);
      }),
    );
  });
});
