import type { AddressInfo, Socket } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import type { Logger } from "pino";

export interface ServedNode {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves a node's app on loopback by default (port 0 picks a free port). */
export function serveApp(app: Hono, opts: { port: number; hostname?: string; log?: Logger }): Promise<ServedNode> {
  const hostname = opts.hostname ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: opts.port, hostname }, (info: AddressInfo) => {
      resolve({
        url: `http://${hostname}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            (server as Server).closeAllConnections?.();
            server.close(() => done());
          }),
      });
    }) as Server;
    server.once("error", reject);
    // A request node's HTTP parser cannot read (bad chunk framing, broken headers) never reaches
    // the app: answer it in the API's one error shape, and log it as the client's fault.
    server.on("clientError", (err: Error & { code?: string }, socket: Socket) => {
      opts.log?.info(
        { code: err.code, source: socket.remoteAddress ?? null },
        `malformed HTTP request: ${err.message}`,
      );
      if (!socket.writable || err.code === "ECONNRESET") return void socket.destroy();
      const body = JSON.stringify({
        error: { code: "BAD_REQUEST", message: `request: not valid HTTP/1.1 (${err.code ?? err.message})` },
      });
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
  });
}
