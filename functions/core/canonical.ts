/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) for the JSON values we accept.
 * Hand-written because no JCS package is installed (dependencies are pinned) and
 * the RFC's algorithm is small: ECMAScript number and string serialisation
 * (which JSON.stringify already implements) plus keys sorted by UTF-16 code units.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export const MAX_JSON_DEPTH = 32;

/** Matches a lone surrogate: I-JSON (and so JCS) forbids them. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Checks that `value` is plain JSON that JCS can encode: finite numbers, well-formed
 * strings, plain objects, at most MAX_JSON_DEPTH levels. Iterative, so a hostile,
 * deeply nested body cannot overflow the stack. Returns a problem or undefined.
 */
export function jsonProblem(value: unknown): { path: string; message: string } | undefined {
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path: "", depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (depth > MAX_JSON_DEPTH) return { path, message: `nested deeper than ${MAX_JSON_DEPTH} levels` };
    if (v === null || typeof v === "boolean") continue;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return { path, message: "expected a finite number" };
      continue;
    }
    if (typeof v === "string") {
      if (LONE_SURROGATE.test(v)) return { path, message: "string contains a lone UTF-16 surrogate" };
      continue;
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ v: item, path: `${path}[${i}]`, depth: depth + 1 }));
      continue;
    }
    if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      for (const [k, item] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) return { path: `${path}.${k}`, message: "key contains a lone UTF-16 surrogate" };
        stack.push({ v: item, path: `${path}.${k}`, depth: depth + 1 });
      }
      continue;
    }
    return { path, message: `expected a JSON value, got ${typeof v}` };
  }
  return undefined;
}

/**
 * Where a client's payload holds a number of magnitude 2^53 or more (every such double is an integer): JSON read it
 * as a double, which past 2^53 - 1 has already lost digits of an integer,
 * so two different submissions (12345678901234567891 and ...67999) would be one event holding neither (RFC 7493,
 * I-JSON 2.2). Checked where clients submit only: events stored or exchanged before this check (runtime 0.4.3 took
 * them) stay readable, and every cloud still agrees on their hash.
 */
export function unsafeIntegerAt(value: unknown, path = ""): { path: string; value: number } | undefined {
  if (typeof value === "number")
    return Number.isInteger(value) && !Number.isSafeInteger(value) ? { path, value } : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = unsafeIntegerAt(item, `${path}[${i}]`);
      if (found) return found;
    }
  } else if (value && typeof value === "object")
    for (const [k, item] of Object.entries(value)) {
      const found = unsafeIntegerAt(item, `${path}.${k}`);
      if (found) return found;
    }
  return undefined;
}

/** The canonical JCS text of a value already accepted by jsonProblem. */
export function canonicalize(value: JsonValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalize).join(",")}]`;
  // Default sort compares UTF-16 code units, which is exactly JCS's key order.
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalize(value[k] as JsonValue)}`).join(",")}}`;
}
