import { stringify } from "yaml";

/**
 * `stringify(value, { lineWidth: 0 })` of the `yaml` package, the same bytes, several times faster
 * for the documents the program renders (plain objects of strings, numbers, booleans and null).
 * Hand-written because rendering the clusters' manifests with `yaml` took about a tenth of a
 * plan's run: `yaml` builds a node tree per document and decides each scalar's form anew.
 * Here the layout is written directly (block maps and sequences, two spaces, sequences indented
 * under their key, empty collections as `{}` and `[]`, an object met again as an alias of its
 * first place, `&a1` ... `*a1`), and every scalar and key still gets its form from `yaml`
 * itself, once per distinct value. Anything else (a multi-line string, a map of only nulls,
 * which `yaml` writes as a set, a class instance, an undefined in a list, a document marker,
 * a cycle) makes the whole document go to `yaml` instead.
 * test/workloads/yaml.test.ts checks the bytes against `yaml` on random documents.
 */
export function manifestYaml(value: unknown): string {
  return fastYaml(value) ?? stringify(value, OPTIONS);
}

const OPTIONS = { lineWidth: 0 } as const;

/** The document, or undefined when it holds something only `yaml` writes (exported for the test). */
export function fastYaml(value: unknown): string | undefined {
  try {
    if (!isPlainArray(value) && !isPlainObject(value)) return undefined;
    const doc: Doc = { anchors: survey(value), written: new Set() };
    const body = isPlainArray(value) ? seqBody(value, "", doc) : mapBody(value, "", doc);
    return `${body === "" ? (isPlainArray(value) ? "[]" : "{}") : body}\n`;
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

/** One document being written: the anchor of each object it holds more than once, and the objects written so far. */
interface Doc {
  readonly anchors: ReadonlyMap<object, string>;
  readonly written: Set<object>;
}

// Each scalar's form as a map value or list item, and each key's form, as `yaml` writes them.
// One-line scalars read the same in every block position (no folding at lineWidth 0).
const scalarForms = new Map<unknown, string>();
const keyForms = new Map<string, string>();

// Not -0 either: a Map key cannot tell it from 0.
const formable = (v: unknown) =>
  typeof v === "string"
    ? !v.includes("\n") && !DOCUMENT_MARKER.test(v)
    : typeof v === "boolean" || v === null || (typeof v === "number" && !Object.is(v, -0));
// yaml writes a key past 1,024 characters as an explicit `? key`.
const keyFormable = (k: string) => !k.includes("\n") && k.length <= 1000 && !DOCUMENT_MARKER.test(k);

/**
 * Walks the document in the order `yaml` builds its nodes, and returns the anchors `yaml` would
 * give: a1, a2, ... to the objects met more than once, in the order each is met a second time.
 * On the way, asks `yaml` the forms of the scalars and keys it has not seen yet, all in two
 * calls (a list of the scalars, a map of the keys), as one call per value costs ~50 µs of fixed
 * work; what the answers do not give line by line is left to scalarForm and keyForm.
 */
function survey(root: unknown): Map<object, string> {
  const scalars = new Set<unknown>();
  const keys = new Set<string>();
  const met = new Set<object>();
  const anchors = new Map<object, string>();
  const path = new Set<object>();
  const walk = (v: unknown): void => {
    if (!isPlainArray(v) && !isPlainObject(v)) {
      if (!scalarForms.has(v) && formable(v)) scalars.add(v);
      return;
    }
    if (path.has(v)) throw FALLBACK; // a cycle
    if (met.has(v)) {
      if (!anchors.has(v)) anchors.set(v, `a${anchors.size + 1}`);
      return;
    }
    met.add(v);
    path.add(v);
    if (Array.isArray(v)) for (const item of v) walk(item);
    else
      for (const k of Object.keys(v)) {
        if (v[k] === undefined) continue;
        if (!keyForms.has(k) && keyFormable(k)) keys.add(k);
        walk(v[k]);
      }
    path.delete(v);
  };
  walk(root);
  if (scalars.size > 1) {
    const list = [...scalars];
    const lines = stringify(list, OPTIONS).split("\n");
    if (lines.length === list.length + 1 && lines.every((l, i) => i === list.length || l.startsWith("- ")))
      list.forEach((v, i) => scalarForms.set(v, lines[i]!.slice(2)));
  }
  if (keys.size > 1) {
    const list = [...keys];
    // A Map keeps the keys in this order (an object would put integer-like keys first).
    const lines = stringify(new Map(list.map((k) => [k, 1])), OPTIONS).split("\n");
    if (lines.length === list.length + 1 && lines.every((l, i) => i === list.length || l.endsWith(": 1")))
      list.forEach((k, i) => keyForms.set(k, lines[i]!.slice(0, -3)));
  }
  return anchors;
}

function scalarForm(v: unknown): string {
  let form = scalarForms.get(v);
  if (form !== undefined) return form;
  if (!formable(v)) throw FALLBACK;
  const text = stringify({ k: v }, OPTIONS);
  form = text.slice(3, -1);
  if (!text.startsWith("k: ") || form.includes("\n")) throw FALLBACK;
  scalarForms.set(v, form);
  return form;
}

function keyForm(k: string): string {
  let form = keyForms.get(k);
  if (form !== undefined) return form;
  if (!keyFormable(k)) throw FALLBACK;
  const text = stringify({ [k]: 1 }, OPTIONS);
  form = text.slice(0, -4);
  if (!text.endsWith(": 1\n") || form.includes("\n") || form.startsWith("?")) throw FALLBACK;
  keyForms.set(k, form);
  return form;
}

/**
 * A collection as a map value or list item at `indent` (its own lines): `*a1` alone for an
 * object written before, else `&a1` (when it is met again later) and its body; an empty one's
 * body is `{}` or `[]`, on the same line.
 */
function collection(v: unknown[] | Record<string, unknown>, indent: string, doc: Doc): { head: string; body: string } {
  const anchor = doc.anchors.get(v);
  if (anchor !== undefined) {
    if (doc.written.has(v)) return { head: `*${anchor}`, body: "" };
    doc.written.add(v);
  }
  const head = anchor === undefined ? "" : `&${anchor}`;
  const body = Array.isArray(v) ? seqBody(v, indent, doc) : mapBody(v, indent, doc);
  return { head, body: body === "" ? (Array.isArray(v) ? "[]" : "{}") : body };
}

/** Whether a collection's body is written inline (`{}`, `[]`) rather than on lines of its own. */
const inline = (body: string) => body === "{}" || body === "[]" || body === "";

/** A map's entries, the first line unindented (the caller places it), the others at `indent`; "" when empty. */
function mapBody(obj: Record<string, unknown>, indent: string, doc: Doc): string {
  const inner = `${indent}  `;
  let out = "";
  let allNull = true;
  let any = false;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (v === undefined) continue; // yaml leaves such a pair out
    if (v !== null) allNull = false;
    let value: string;
    if (isPlainArray(v) || isPlainObject(v)) {
      const { head, body } = collection(v, inner, doc);
      // `key: *a1`, `key: {}`, `key: &a1 {}`, or the body on the next lines (`key: &a1` first).
      value = inline(body) ? ` ${[head, body].filter(Boolean).join(" ")}` : `${head && ` ${head}`}\n${inner}${body}`;
    } else value = ` ${scalarForm(v)}`;
    out += `${any ? `\n${indent}` : ""}${keyForm(k)}:${value}`;
    any = true;
  }
  // yaml writes a map of only nulls as a set (`? key`).
  if (any && allNull) throw FALLBACK;
  return out;
}

/** A list's items (`- item`), the first line unindented, the others at `indent`. */
function seqBody(items: readonly unknown[], indent: string, doc: Doc): string {
  const inner = `${indent}  `;
  let out = "";
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    if (v === undefined) throw FALLBACK;
    let item: string;
    if (isPlainArray(v) || isPlainObject(v)) {
      const { head, body } = collection(v, inner, doc);
      // `- *a1`, `- {}`, `- &a1 {}`, `- &a1` and the body on the next lines, or its first line right after `- `.
      item = inline(body) ? [head, body].filter(Boolean).join(" ") : head ? `${head}\n${inner}${body}` : body;
    } else item = scalarForm(v);
    out += `${i > 0 ? `\n${indent}` : ""}- ${item}`;
  }
  return out;
}
