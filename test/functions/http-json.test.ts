import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agents, requestJson } from "../../functions/replication/http-json";

/** Idle pooled sockets to `port` that the agent keeps for reuse. */
const idleTo = (port: number) =>
  Object.entries(agents.http.freeSockets)
    .filter(([name]) => name.startsWith(`127.0.0.1:${port}:`))
    .reduce((n, [, list]) => n + (list?.length ?? 0), 0);

describe("the peers' keep-alive pool", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((_req, res) => res.setHeader("content-type", "application/json").end('{"ok":true}'));
    // The server announces "Keep-Alive: timeout=2" and closes idle connections after 2 s.
    server.keepAliveTimeout = 2_000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("closes an idle socket a second before the server's announced keep-alive timeout, never racing its close", async () => {
    expect(await requestJson(`http://127.0.0.1:${port}/`, "GET", undefined, 1_000)).toEqual({
      status: 200,
      text: '{"ok":true}',
    });
    expect(idleTo(port)).toBe(1);
    // 1.3 s on: the agent has let the socket go (at 2 - 1 s); the server would only close it at 2 s.
    await new Promise((r) => setTimeout(r, 1_300));
    expect(idleTo(port)).toBe(0);
    // And the next request simply opens a new connection.
    expect((await requestJson(`http://127.0.0.1:${port}/`, "GET", undefined, 1_000)).status).toBe(200);
  });
});
