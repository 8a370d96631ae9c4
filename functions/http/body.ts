import type { Context } from "hono";
import type { z } from "zod";
import { errorResponse, validationError } from "./errors";

/** Reads a JSON body: 415 unless application/json, 400 for bad JSON or a schema miss. */
export async function readJson<T>(
  c: Context,
  schema: z.ZodType<T>,
): Promise<{ ok: true; value: T } | { ok: false; response: Response; reason: string; raw?: unknown }> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    const reason = `content-type: expected application/json, got ${type ? `"${type}"` : "none"}`;
    return { ok: false, reason, response: errorResponse(c, 415, "UNSUPPORTED_MEDIA_TYPE", reason) };
  }
  let text: string;
  try {
    text = await c.req.text();
  } catch (err) {
    // The body stream broke (aborted upload, bad chunk framing): the client's fault, not ours.
    const reason = bodyReadProblem(err);
    return { ok: false, reason, response: errorResponse(c, 400, "BAD_BODY", reason) };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const reason = `body: not valid JSON (${err instanceof Error ? err.message : String(err)})`;
    return { ok: false, reason, response: errorResponse(c, 400, "INVALID_JSON", reason) };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return {
      ok: false,
      raw,
      reason: i ? `${i.path.join(".") || "body"}: ${i.message}` : "body: invalid",
      response: validationError(c, parsed.error),
    };
  }
  return { ok: true, value: parsed.data };
}

/** "body: could not be read (...)" for a broken request body stream. */
export function bodyReadProblem(err: unknown): string {
  const cause = err instanceof Error ? ((err as { code?: string }).code ?? err.message) : String(err);
  return `body: could not be read (${cause}); expected a complete JSON body`;
}
