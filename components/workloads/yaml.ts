import { Document, stringify } from "yaml";

/**
 * `stringify(value, { lineWidth: 0 })` of the `yaml` package, the same bytes, several times faster
 * for the documents the program renders (plain objects of strings, numbers, booleans and null).
 * Hand-written because rendering the clusters' manifests with `yaml` took about a tenth of a
 * plan's run: `yaml` builds a node tree per document and decides each scalar's form anew.
 * Here the layout is written directly (block maps and sequences, two spaces, sequences indented
 * under their key, empty collections as `{}` and `[]`, an object met again as an alias of its
 * first place, `&a1` ... `*a1`); a scalar or key is written as it is when it is plainly a string
 * to `yaml` (see plainForm), else in the form `yaml` itself gives it, asked once per value.
 * Anything else (a multi-line string, a map of only nulls, which `yaml` writes as a set, a class
 * instance, an undefined in a list, a document marker, a cycle) makes the whole document go to
 * `yaml` instead. test/workloads/yaml.test.ts checks the bytes against `yaml` on random documents.
 */
export function manifestYaml(value: unknown): string {
  return fastYaml(value) ?? stringify(value, OPTIONS);
}

const OPTIONS = { lineWidth: 0 } as const;

/** The document, or undefined when it holds something only `yaml` writes (exported for the test). */
export function fastYaml(value: unknown): string | undefined {
  if (!isPlainArray(value) && !isPlainObject(value)) return undefined;
  try {
    // Anchors are known only once each shared object is met a second time: a document with
    // any is written again, knowing them (a1, a2, ... in the order of those second meetings).
    let doc: Doc = { anchors: new Map(), written: new Set(), path: new Set(), found: new Map() };
    let text = top(value, doc);
    if (doc.found.size > 0) {
      doc = { anchors: doc.found, written: new Set(), path: new Set(), found: new Map() };
      text = top(value, doc);
    }
    return text;
  } catch (err) {
    if (err === FALLBACK) return undefined;
    throw err;
  }
}

function top(value: unknown[] | Record<string, unknown>, doc: Doc): string {
  const body = isPlainArray(value) ? seqBody(value, "", doc) : mapBody(value, "", doc);
  return `${body === "" ? (isPlainArray(value) ? "[]" : "{}") : body}\n`;
}

const FALLBACK = Symbol("fallback to yaml");

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function isPlainArray(v: unknown): v is unknown[] {
  return Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype;
}

/** One writing of a document. */
interface Doc {
  /** The anchor of each object the document holds more than once (known on the second writing). */
  readonly anchors: ReadonlyMap<object, string>;
  /** The objects written so far (an anchored one is an alias after its first place). */
  readonly written: Set<object>;
  /** The collections being written, to tell a cycle. */
  readonly path: Set<object>;
  /** Objects met a second time that have no anchor yet, with the anchor `yaml` gives them. */
  readonly found: Map<object, string>;
}

/** A line `yaml` treats as a document marker: its form depends on where it stands. */
const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/;
/** Strings of only these, a single space between words, not ending in `:` and with no `: `, are plain to `yaml`. */
const PLAIN = /^[A-Za-z0-9_][A-Za-z0-9_./:=+@-]*(?: [A-Za-z0-9_./:=+@-]+)*$/;
/** ... unless `yaml` would read them back as another type (null, bool, int, float): its own tests. */
const OTHER_TYPES = new Document().schema.tags.flatMap((t) =>
  t.default && t.tag !== "tag:yaml.org,2002:str" && t.test ? [t.test] : [],
);

/** The form `yaml` writes a one-line string in (as a key or in block context) when it needs no quotes; else undefined. */
function plainForm(s: string): string | undefined {
  if (!PLAIN.test(s) || s.endsWith(":") || s.includes(": ") || OTHER_TYPES.some((re) => re.test(s))) return undefined;
  return s;
}

// Each other scalar's form as a map value or list item, and each other key's form, as `yaml`
// writes them, asked once. One-line scalars read the same in every block position (no folding
// at lineWidth 0).
const scalarForms = new Map<unknown, string>();
const keyForms = new Map<string, string>();

function scalarForm(v: unknown): string {
  if (typeof v === "string") {
    const plain = plainForm(v);
    if (plain !== undefined) return plain;
  } else if (typeof v === "number") {
    // yaml writes a finite number as JSON does (stringifyNumber), -0 apart.
    if (Number.isFinite(v) && !Object.is(v, -0)) return JSON.stringify(v);
  } else if (typeof v === "boolean") return v ? "true" : "false";
  else if (v === null) return "null";
  let form = scalarForms.get(v);
  if (form !== undefined) return form;
  if (typeof v === "string" ? v.includes("\n") || DOCUMENT_MARKER.test(v) : typeof v !== "number" || Object.is(v, -0))
    throw FALLBACK;
  const text = stringify({ k: v }, OPTIONS);
  form = text.slice(3, -1);
  if (!text.startsWith("k: ") || form.includes("\n")) throw FALLBACK;
  scalarForms.set(v, form);
  return form;
}

function keyForm(k: string): string {
  // yaml writes a key past 1,024 characters as an explicit `? key`.
  if (k.length > 1000) throw FALLBACK;
  const plain = plainForm(k);
  if (plain !== undefined) return plain;
  let form = keyForms.get(k);
  if (form !== undefined) return form;
  if (k.includes("\n") || DOCUMENT_MARKER.test(k)) throw FALLBACK;
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
  if (doc.path.has(v)) throw FALLBACK; // a cycle
  const anchor = doc.anchors.get(v);
  if (doc.written.has(v)) {
    if (anchor !== undefined) return { head: `*${anchor}`, body: "" };
    // First writing: remember the anchor yaml gives it; the document is written again.
    if (!doc.found.has(v)) doc.found.set(v, `a${doc.found.size + 1}`);
    return { head: "", body: "" };
  }
  doc.written.add(v);
  doc.path.add(v);
  const head = anchor === undefined ? "" : `&${anchor}`;
  const body = Array.isArray(v) ? seqBody(v, indent, doc) : mapBody(v, indent, doc);
  doc.path.delete(v);
  return { head, body: body === "" ? (Array.isArray(v) ? "[]" : "{}") : body };
}

/** Whether a collection's body is written inline (`{}`, `[]`, an alias) rather than on lines of its own. */
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
