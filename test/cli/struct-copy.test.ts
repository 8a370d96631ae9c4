import fc from "fast-check";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { plainStructsForMocks, structCopy } from "../../cli/plan/capture";

// The Struct the SDK itself uses (google-protobuf, a dependency of @pulumi/pulumi).
const { Struct } = createRequire(require.resolve("@pulumi/pulumi"))(
  "google-protobuf/google/protobuf/struct_pb",
) as typeof import("google-protobuf/google/protobuf/struct_pb");

/** The trip the capture no longer makes: through protobuf's Struct and back. */
const throughStruct = (value: Record<string, unknown>) =>
  Struct.fromJavaScript(value as Parameters<typeof Struct.fromJavaScript>[0]).toJavaScript();

describe("structCopy: what a value becomes through protobuf's Struct and back", () => {
  it("gives the same values, with the keys in the same order, as a fresh copy", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const copy = structCopy(value);
        const expected = throughStruct(value);
        expect(JSON.stringify(copy)).toBe(JSON.stringify(expected));
        expect(copy).toEqual(expected);
        if (Object.keys(value).length > 0) expect(copy).not.toBe(value);
      }),
      { numRuns: 300 },
    );
  });

  it("sorts keys as protobuf's map does (by code unit), integer-like keys first as every object has them", () => {
    const value = { b: 1, B: 2, "10": 3, "2": 4, a: { z: [{ y: 1, x: 2 }], é: null, e: true } };
    expect(JSON.stringify(structCopy(value))).toBe(JSON.stringify(throughStruct(value)));
    expect(Object.keys(structCopy(value) as object)).toEqual(["2", "10", "B", "a", "b"]);
  });

  it("refuses what a Struct cannot hold, as protobuf does", () => {
    for (const bad of [{ a: undefined }, { a: () => 1 }, { a: [1, undefined] }, { a: 1n }]) {
      expect(() => throughStruct(bad)).toThrow("Unexpected struct type.");
      expect(() => structCopy(bad)).toThrow("Unexpected struct type.");
    }
  });

  it("plainStructsForMocks: a Struct made meanwhile gives back what protobuf's would, fresh each time; the SDK's own comes back after", () => {
    const value = { b: [1, { d: "x", c: null }], a: true, "10": "ten" };
    const expected = JSON.stringify(throughStruct(value));
    const restore = plainStructsForMocks();
    let made;
    try {
      made = Struct.fromJavaScript(value);
    } finally {
      restore();
    }
    value.a = false; // what the Struct holds was copied when it was made
    expect(JSON.stringify(made.toJavaScript())).toBe(expected);
    expect(made.toJavaScript()).not.toBe(made.toJavaScript());
    // The SDK's own again: a tree of protobuf messages.
    expect(Struct.fromJavaScript(value).getFieldsMap().getLength()).toBe(3);
    expect(made.getFieldsMap().getLength()).toBe(0);
  });
});
