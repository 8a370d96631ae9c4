import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/**
 * How long an idle pooled socket is kept. The agent closes it a second before the server's
 * announced `Keep-Alive: timeout=N` when that comes sooner (node's own server says 5 s). Without
 * a timeout the agent ignores that hint: it kept idle sockets until the server closed them, and a
 * request that picked one up just then failed with "socket hang up".
 */
export const IDLE_SOCKET_MS = 30_000;

// Keep-alive pools: peers talk constantly, and node:http costs a fraction of fetch's CPU per call.
export const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 64, timeout: IDLE_SOCKET_MS }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 64, timeout: IDLE_SOCKET_MS }),
};

/** One JSON request; rejects on connection errors and timeouts, resolves with status and raw text otherwise. */
export function requestJson(
  url: string,
  method: "GET" | "POST",
  body: string | undefined,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === "https:";
    const req = (secure ? httpsRequest : httpRequest)(
      target,
      {
        method,
        agent: secure ? agents.https : agents.http,
        headers:
          body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** An error as one line: its message, with its code (ECONNRESET, ...) when the message lacks it. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code =
      (err as { code?: string; cause?: { code?: string } }).code ?? (err as { cause?: { code?: string } }).cause?.code;
    return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}

/**
 * A JSON answer read: its status and parsed body (undefined when empty). A 5xx whose body is not
 * JSON (a proxy's error page) keeps its status with no body; any other unreadable body throws.
 */
export function readAnswer(res: { status: number; text: string }): { status: number; body: unknown } {
  try {
    return { status: res.status, body: res.text ? JSON.parse(res.text) : undefined };
  } catch (err) {
    if (res.status >= 500) return { status: res.status, body: undefined };
    throw new Error(`unreadable body (${describeError(err)})`, { cause: err });
  }
}
