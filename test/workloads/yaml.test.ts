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

  it("leaves to yaml what only it writes: aliases of an object met twice, sets, multi-line strings", () => {
    const shared = { port: 8080 };
    const docs = [
      { a: shared, b: [shared] },
      { set: { a: null, b: null } },
      { script: "set -e\necho hi\n" },
      [undefined],
    ];
    for (const doc of docs) {
      expect(fastYaml(doc)).toBeUndefined();
      expect(manifestYaml(doc)).toBe(yaml(doc));
    }
    expect(manifestYaml(docs[0])).toContain("&a1");
  });
});
