import { Hono, type Context, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { Logger } from "pino";
import type { HealthProbe } from "../node/health";
import type { Ledger } from "../node/ledger";
import type { SafeMode } from "../node/safe-mode";
import type { Replicator } from "../replication/replicator";
import type { Store } from "../store/store";
import { bodyReadProblem } from "./body";
import { errorResponse, sourceAddress } from "./errors";
import { eventRoutes } from "./events";
import { peerRoutes } from "./peer";
import { ledgerRoutes, witnessRoutes, type LedgerHttpDeps } from "./ledger";

/**
 * What a peer message may carry beyond a client's largest submission: the envelope's hash and the signed statements
 * on it (three confirmations with their batch proofs are under 4 KiB; statements on other hashes ride along too).
 */
export const PEER_MESSAGE_ROOM = 32 * 1024;

export interface AppDeps {
  ledger: Ledger;
  replicator: Replicator;
  store: Store;
  health: HealthProbe;
  safeMode: SafeMode;
  log: Logger;
  /** Largest accepted client request body, bytes (peer messages get PEER_MESSAGE_ROOM more). */
  bodyLimitBytes: number;
  /** The Merkle log, its publisher and this cloud's witness (mounts /v1/ledger and /v1/peer/witness). */
  transparency?: Omit<LedgerHttpDeps, "writeGuard">;
  /** Browser origins allowed to call the public API (events, health, ledger reads); others get no CORS headers. */
  corsOrigins?: readonly string[];
}

/**
 * The runtime's HTTP API as a host-agnostic hono app: `app.fetch(Request)` is all a
 * host (node server, Lambda, Azure Functions, Cloud Functions) needs to call.
 */
export function createApp(d: AppDeps): Hono {
  const app = new Hono();

  // Emergency control: writes refused with the reason; reads and /health keep working.
  const writeGuard: MiddlewareHandler = async (c, next) => {
    const reason = await d.safeMode.reason();
    if (reason !== null) return errorResponse(c, 503, "SAFE_MODE", `safe mode is on: ${reason}`, { reason });
    await next();
  };

  // The frontend (www.<domain>) calls api.<domain> from the browser. Peer routes are server-to-server: no CORS.
  const origins = [...(d.corsOrigins ?? [])];
  if (origins.length) {
    const allow = cors({
      origin: origins,
      allowMethods: ["GET", "POST", "OPTIONS"],
      allowHeaders: ["Content-Type"],
      maxAge: 600,
    });
    for (const path of ["/health", "/v1/events", "/v1/events/*", "/v1/ledger/*"]) app.use(path, allow);
  }

  const tooLarge = (c: Context, maxSize: number) =>
    errorResponse(c, 413, "PAYLOAD_TOO_LARGE", `body: larger than the limit of ${maxSize} bytes`, {
      limitBytes: maxSize,
    });
  const limitOf = (maxSize: number) => bodyLimit({ maxSize, onError: (c) => tooLarge(c, maxSize) });
  // A peer message carries a client's submission (up to the limit) with its hash and the signed statements on it:
  // it gets PEER_MESSAGE_ROOM more, so an event a client could submit always reaches the other clouds.
  const peerBytes = d.bodyLimitBytes + PEER_MESSAGE_ROOM;
  // A peer's batch carries up to MAX_BATCH_MESSAGES messages: 16 times a peer message's limit.
  const batchBytes = 16 * peerBytes;
  const single = limitOf(d.bodyLimitBytes);
  const peer = limitOf(peerBytes);
  const batch = limitOf(batchBytes);
  // The limit reads a chunked body itself; a body that breaks while it reads (bad chunk
  // framing, an aborted upload) is the client's fault: a 400, logged as such, not a 500.
  app.use("/v1/*", async (c, next) => {
    const batched = c.req.path === "/v1/peer/confirm-batch";
    const fromPeer = c.req.path.startsWith("/v1/peer/");
    // What hono's bodyLimit decides from the request line and headers alone, decided here without
    // touching `c.req.raw.body`: on Node's server that builds a web Request and stream around the
    // socket (about a tenth of a lone event's CPU in the profile), where the route's own read of
    // the body then goes straight to the socket. Chunked bodies still go through bodyLimit.
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      const maxSize = batched ? batchBytes : fromPeer ? peerBytes : d.bodyLimitBytes;
      if (parseInt(length, 10) > maxSize) return tooLarge(c, maxSize);
      return next();
    }
    let passed = false;
    try {
      const limit = batched ? batch : fromPeer ? peer : single;
      return await limit(c, async () => {
        passed = true;
        await next();
      });
    } catch (err) {
      if (passed) throw err;
      const reason = bodyReadProblem(err);
      d.log.info({ path: c.req.path, source: sourceAddress(c) }, reason);
      return errorResponse(c, 400, "BAD_BODY", reason);
    }
  });

  app.get("/health", async (c) => {
    const report = await d.health.report();
    return c.json(report, report.status === "unhealthy" ? 503 : 200);
  });
  app.route("/v1/events", eventRoutes({ ...d, writeGuard }));
  app.route("/v1/peer", peerRoutes({ ...d, writeGuard, peerMessageLimitBytes: peerBytes }));
  if (d.transparency) {
    app.route("/v1/ledger", ledgerRoutes({ ...d.transparency, writeGuard }));
    app.route("/v1/peer", witnessRoutes({ ...d.transparency, writeGuard }));
  }

  app.notFound((c) => errorResponse(c, 404, "NOT_FOUND", `${c.req.method} ${c.req.path}: no such endpoint`));
  app.onError((err, c) => {
    d.log.error({ err, path: c.req.path }, "request failed");
    return errorResponse(c, 500, "INTERNAL", "internal error; see the node log");
  });
  return app;
}
