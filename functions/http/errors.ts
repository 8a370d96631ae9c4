import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

/** The one error shape of the API: { error: { code, message, details? } }. */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details?: unknown,
): Response {
  return c.json(errorBody(code, message, details), status);
}

/** The error shape as a value (a batch answer carries one per message). */
export function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/** "field: what was expected" for the first issue, all issues in details. */
export function validationError(c: Context, error: z.ZodError, prefix = ""): Response {
  return c.json(validationBody(error, prefix), 400);
}

/** validationError's body: VALIDATION_FAILED naming the first field at fault. */
export function validationBody(error: z.ZodError, prefix = "") {
  const issues = error.issues.map((i) => ({ field: fieldName(prefix, i.path), message: i.message }));
  const first = issues[0]!;
  return errorBody("VALIDATION_FAILED", `${first.field}: ${first.message}`, { issues });
}

function fieldName(prefix: string, path: readonly PropertyKey[]): string {
  const joined = path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
  const name = `${prefix}${joined}`.replace(/^\./, "");
  return name || "body";
}

/** The network address a request came from, as the host saw it (node server), or a proxy's
 * X-Forwarded-For (serverless hosts), or null. Recorded with refused peer messages. The header is
 * kept whole (its end when long): its first entries are whatever the client wrote, and the entries
 * the platform's front ends append, the ones to trust, come last. */
export function sourceAddress(c: Context): string | null {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string; remotePort?: number } } } | undefined)
    ?.incoming;
  const socket = incoming?.socket;
  if (socket?.remoteAddress) return `${socket.remoteAddress}${socket.remotePort ? `:${socket.remotePort}` : ""}`;
  const forwarded = c.req.header("x-forwarded-for");
  if (!forwarded) return null;
  const hops = forwarded
    .split(",")
    .map((h) => h.trim())
    .join(", ");
  return hops.length > 128 ? `…${hops.slice(-127)}` : hops;
}
