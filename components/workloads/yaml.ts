import { stringify } from "yaml";

/**
 * `stringify(value, { lineWidth: 0 })` of the `yaml` package, the same bytes, several times faster
 * for the documents the program renders (plain objects of strings, numbers, booleans and null).
 * Hand-written because rendering the clusters' manifests with `yaml` took about a tenth of a
 * plan's run: `yaml` builds a node tree per document and decides each scalar's form anew.
 * Here the layout is written directly (block maps and sequences, two spaces, sequences indented
 * under their key, empty collections as `{}` and `[]`), and every scalar and key still gets its
 * form from `yaml` itself, once per distinct value. Anything else (a multi-line string, an
 * object met twice, which `yaml` writes as an alias, a map of only nulls, a class instance,
 * an undefined in a list, a document marker) makes the whole document go to `yaml` instead.
 * test/workloads/yaml.test.ts checks the bytes against `yaml` on random documents.
 */
export function manifestYaml(value: unknown): string {
  return fastYaml(value) ?? stringify(value, OPTIONS);
}

const OPTIONS = { lineWidth: 0 } as const;

/** The document, or undefined when it holds something only `yaml` writes (exported for the test). */
export function fastYaml(value: unknown): string | undefined {
  try {
    const seen = new Set<object>();
    if (isPlainArray(value)) return `${value.length === 0 ? "[]" : seqBody(value, "", seen)}\n`;
    if (isPlainObject(value)) {
      const body = mapBody(value, "", seen);
      return `${body === "" ? "{}" : body}\n`;
    }
    return undefined;
  } catch (err) {
    if (err === FALLBACK) return undefined;
    throw err;
  }
}

const FALLBACK = Symbol("fallback to yaml");
/** A line `yaml` treats as a document marker: its form depends on where it stands. */
const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function isPlainArray(v: unknown): v is unknown[] {
  return Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype;
}

// Each scalar's form as a map value or list item, and each key's form, as `yaml` writes them.
// One-line scalars read the same in every block position (no folding at lineWidth 0).
const scalarForms = new Map<unknown, string>();
const keyForms = new Map<string, string>();

function scalarForm(v: unknown): string {
  let form = scalarForms.get(v);
  if (form !== undefined) return form;
  if (typeof v === "string") {
    if (v.includes("\n") || DOCUMENT_MARKER.test(v)) throw FALLBACK;
  } else if (typeof v === "number") {
    if (Object.is(v, -0)) throw FALLBACK; // a Map key cannot tell -0 from 0
  } else if (v !== null && typeof v !== "boolean") {
    throw FALLBACK;
  }
  const text = stringify({ k: v }, OPTIONS);
  form = text.slice(3, -1);
  if (!text.startsWith("k: ") || form.includes("\n")) throw FALLBACK;
  scalarForms.set(v, form);
  return form;
}

function keyForm(k: string): string {
  let form = keyForms.get(k);
  if (form !== undefined) return form;
  // yaml writes a key past 1,024 characters as an explicit `? key`.
  if (k.includes("\n") || k.length > 1000 || DOCUMENT_MARKER.test(k)) throw FALLBACK;
  const text = stringify({ [k]: 1 }, OPTIONS);
  form = text.slice(0, -4);
  if (!text.endsWith(": 1\n") || form.includes("\n") || form.startsWith("?")) throw FALLBACK;
  keyForms.set(k, form);
  return form;
}

function enter(v: object, seen: Set<object>): void {
  if (seen.has(v)) throw FALLBACK; // yaml would write an anchor and an alias
  seen.add(v);
}

/** A map's entries, the first line unindented (the caller places it), the others at `indent`; "" when empty. */
function mapBody(obj: Record<string, unknown>, indent: string, seen: Set<object>): string {
  enter(obj, seen);
  let out = "";
  let allNull = true;
  let any = false;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (v === undefined) continue; // yaml leaves such a pair out
    if (v !== null) allNull = false;
    out += `${any ? `\n${indent}` : ""}${keyForm(k)}:${valuePart(v, indent, seen)}`;
    any = true;
  }
  // yaml writes a map of only nulls as a set (`? key`).
  if (any && allNull) throw FALLBACK;
  return out;
}

/** What follows `key:`: the scalar on the same line, or the collection on the next lines. */
function valuePart(v: unknown, indent: string, seen: Set<object>): string {
  const inner = `${indent}  `;
  if (isPlainArray(v)) return v.length === 0 ? " []" : `\n${inner}${seqBody(v, inner, seen)}`;
  if (isPlainObject(v)) {
    const body = mapBody(v, inner, seen);
    return body === "" ? " {}" : `\n${inner}${body}`;
  }
  return ` ${scalarForm(v)}`;
}

/** A list's items (`- item`), the first line unindented, the others at `indent`. */
function seqBody(items: readonly unknown[], indent: string, seen: Set<object>): string {
  enter(items, seen);
  const inner = `${indent}  `;
  let out = "";
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    let item: string;
    if (isPlainArray(v)) item = v.length === 0 ? "[]" : seqBody(v, inner, seen);
    else if (isPlainObject(v)) item = mapBody(v, inner, seen) || "{}";
    else if (v === undefined) throw FALLBACK;
    else item = scalarForm(v);
    out += `${i > 0 ? `\n${indent}` : ""}- ${item}`;
  }
  return out;
}
