import { z } from "zod";

/**
 * Pulumi hands every top-level config value to the program as a string
 * ("3", "true"); structured values arrive as JSON text. These helpers accept
 * both the string and the typed form so one schema serves `pulumi up`,
 * `tricloud plan` and `-c key=value` overrides alike.
 */
function toNumber(v: unknown): unknown {
  if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
  return v;
}

function toBoolean(v: unknown): unknown {
  if (v === "true") return true;
  if (v === "false") return false;
  return v;
}

export const int = (min: number, max: number) =>
  z.preprocess(
    toNumber,
    z
      .number({ error: `expected a whole number from ${min} to ${max}` })
      .int({ error: `expected a whole number from ${min} to ${max}` })
      .min(min, { error: `expected a whole number from ${min} to ${max}` })
      .max(max, { error: `expected a whole number from ${min} to ${max}` }),
  );

export const positiveNumber = (what: string) =>
  z.preprocess(toNumber, z.number({ error: `expected ${what}` }).positive({ error: `expected ${what}` }));

export const bool = () => z.preprocess(toBoolean, z.boolean({ error: "expected true or false" }));

/** Parses a config value that may be JSON text (objects, lists) as Pulumi stores it. */
export function parseStructured(value: string): unknown {
  const t = value.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t);
    } catch {
      return value; // left for the schema to reject with the key's name
    }
  }
  return value;
}
