import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";

export interface ServedNode {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves a node's app on loopback by default (port 0 picks a free port). */
export function serveApp(app: Hono, opts: { port: number; hostname?: string }): Promise<ServedNode> {
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
  });
}
