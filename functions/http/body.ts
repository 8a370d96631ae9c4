import type { Context } from "hono";
import type { z } from "zod";
import { errorResponse, validationError } from "./errors";

/** Reads a JSON body: 415 unless application/json, 400 for bad JSON or a schema miss. */
export async function readJson<T>(c: Context, schema: z.ZodType<T>): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    return { ok: false, response: errorResponse(c, 415, "UNSUPPORTED_MEDIA_TYPE", `content-type: expected application/json, got ${type ? `"${type}"` : "none"}`) };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch (err) {
    return { ok: false, response: errorResponse(c, 400, "INVALID_JSON", `body: not valid JSON (${err instanceof Error ? err.message : String(err)})`) };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, response: validationError(c, parsed.error) };
  return { ok: true, value: parsed.data };
}
