import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { fastYaml, manifestYaml } from "../../components/workloads/yaml";

const yaml = (v: unknown) => stringify(v, { lineWidth: 0 });

/** Strings YAML reads as something else, or must quote, or writes in another form. */
const TRICKY = [
  "",
  " ",
  "true",
  "False",
  "null",
  "~",
  "1",
  "-1",
  "+1",
  "0o17",
  "0x1F",
  "1e3",
  "1.5",
  ".inf",
  "-.Inf",
  ".nan",
  "-",
  "- a",
  "?",
  "? a",
  "a: b",
  "a:",
  ":a",
  "#x",
  "a #b",
  "a#b",
  "*x",
  "&y",
  "!tag",
  "%x",
  "@x",
  "`x",
  "'q'",
  '"q"',
  "it's",
  'say "hi"',
  "a\tb",
  " lead",
  "trail ",
  "---",
  "--- x",
  "...",
  "a\nb",
  "a\n",
  "\n",
  "{{ .token }}",
  "[x]",
  "{x}",
  "a,b",
  "é",
  "\u0085",
  "\u2028",
  "x".repeat(1100),
  "*.local",
  "istio/multiCluster",
  "service.beta.kubernetes.io/azure-load-balancer-internal",
  "a:b",
  "1:2",
  "12:30",
  "a=b",
  "x y",
  "a  b",
  "a# b",
  "0.5",
  "1_000",
  "0b1",
  "08",
  "0o8",
  "0x",
  "0xg",
  "+12",
  ".5",
  "5.",
  "1e",
  "Yes",
  "on",
  "y",
  "NaN",
  "Infinity",
  "NULL",
  "Null",
  "TRUE",
  "tRUE",
  "a.b.",
  "_a",
  "1.2.3",
  "arn:aws:iam::123456789012:role/x",
  "user@example.com",
  "a+b",
  "a:",
  "a :b",
  "x=",
  "-a",
  "@a",
];

const key = fc.oneof(fc.constantFrom(...TRICKY), fc.string(), fc.constantFrom("apiVersion", "kind", "name", "spec"));
const scalar = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4 }),
  ),
}));

/** Documents like the rendered manifests: plain one-line strings, numbers, booleans, nested maps and lists. */
const plainString = fc.stringMatching(/^[a-z][a-z0-9./-]{0,20}$/);
const { manifest } = fc.letrec<{ manifest: unknown }>((tie) => ({
  manifest: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    plainString,
    fc.integer(),
    fc.boolean(),
    fc.array(tie("manifest"), { maxLength: 4 }),
    fc.dictionary(plainString, tie("manifest"), { minKeys: 1, maxKeys: 4 }),
  ),
}));

describe("manifestYaml: the bytes of yaml's stringify(value, { lineWidth: 0 }), faster", () => {
  it("writes every document exactly as yaml does, tricky keys and scalars included", () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), (doc) => {
        expect(manifestYaml(doc)).toBe(yaml(doc));
      }),
      { numRuns: 2000 },
    );
    for (const s of TRICKY) {
      expect(manifestYaml({ k: s, [s]: [s, { [s]: s }], l: [[s], []], e: {} })).toBe(
        yaml({ k: s, [s]: [s, { [s]: s }], l: [[s], []], e: {} }),
      );
    }
  });

  it("writes manifest-like documents itself, not through yaml, with the same bytes", () => {
    fc.assert(
      fc.property(fc.dictionary(plainString, manifest, { minKeys: 1, maxKeys: 6 }), (doc) => {
        const fast = fastYaml(doc);
        // A map of nothing but null would be a YAML set: not generated here.
        expect(fast).toBeDefined();
        expect(fast).toBe(yaml(doc));
      }),
      { numRuns: 1000 },
    );
  });

  it("writes an object met more than once as yaml does: an anchor where first met, aliases after", () => {
    // Placeholders in a generated document, each replaced by one shared object wherever it stands.
    const A = "\u0000shared-a";
    const B = "\u0000shared-b";
    const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
      tree: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        plainString,
        fc.constantFrom(A, B, A, B),
        fc.array(tie("tree"), { maxLength: 4 }),
        fc.dictionary(plainString, tie("tree"), { minKeys: 1, maxKeys: 4 }),
      ),
    }));
    const shared = fc.oneof(
      fc.constant([]),
      fc.constant({}),
      fc.dictionary(plainString, manifest, { minKeys: 1, maxKeys: 3 }),
      fc.array(manifest, { minLength: 1, maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.dictionary(plainString, tree, { minKeys: 1, maxKeys: 5 }), shared, shared, (doc, a, b) => {
        // b holds a: an alias inside an anchored object.
        const bWithA = Array.isArray(b) ? [...b, a] : { ...b, withA: a };
        const place = (v: unknown): unknown =>
          v === A
            ? a
            : v === B
              ? bWithA
              : Array.isArray(v)
                ? v.map(place)
                : v !== null && typeof v === "object"
                  ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, place(x)]))
                  : v;
        const placed = place(doc);
        const fast = fastYaml(placed);
        expect(fast).toBeDefined();
        expect(fast).toBe(yaml(placed));
      }),
      { numRuns: 1000 },
    );
    // As the mesh's DestinationRules share one `to` between their `distribute` entries.
    const to = { "us-west-2/*": 60, "eastus/*": 30 };
    const rule = {
      distribute: [
        { from: "a/*", to },
        { from: "b/*", to },
      ],
    };
    expect(fastYaml(rule)).toBe(yaml(rule));
    expect(fastYaml(rule)).toContain("to: &a1\n");
  });

  it("leaves to yaml what only it writes: sets, multi-line strings, cycles, undefined in a list", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const docs = [{ set: { a: null, b: null } }, { script: "set -e\necho hi\n" }, cyclic, [undefined]];
    for (const doc of docs) {
      expect(fastYaml(doc)).toBeUndefined();
      expect(manifestYaml(doc)).toBe(yaml(doc));
    }
  });
});
