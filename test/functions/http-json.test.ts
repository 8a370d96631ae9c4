import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agents, requestJson } from "../../functions/replication/http-json";
import { waitFor } from "../helpers/wait";

/** Idle pooled sockets to `port` that the agent keeps for reuse. */
const idleTo = (port: number) =>
  Object.entries(agents.http.freeSockets)
    .filter(([name]) => name.startsWith(`127.0.0.1:${port}:`))
    .reduce((n, [, list]) => n + (list?.length ?? 0), 0);

const ANSWER = '{"ok":true}';

describe("the peers' keep-alive pool", () => {
  // A server that announces "Keep-Alive: timeout=2" but never closes an idle connection itself:
  // only the client can let the socket go, so the test cannot pass by the server's doing.
  let server: Server;
  let port: number;
  const open = new Set<Socket>();
  beforeAll(async () => {
    server = createServer((socket) => {
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      socket.on("data", () =>
        socket.write(
          `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${ANSWER.length}\r\n` +
            `connection: keep-alive\r\nkeep-alive: timeout=2\r\n\r\n${ANSWER}`,
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of open) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("lets an idle socket go a second before the server's announced keep-alive timeout", async () => {
    expect(await requestJson(`http://127.0.0.1:${port}/`, "GET", undefined, 1_000)).toEqual({
      status: 200,
      text: ANSWER,
    });
    expect(idleTo(port)).toBe(1);
    // Closed by the agent after 2 - 1 s idle; without a timeout of its own the agent ignores the hint
    // and keeps the socket for as long as the server does.
    await waitFor("the agent to close the idle socket", async () => idleTo(port) === 0 && open.size === 0, 5_000);
    // And the next request simply opens a new connection.
    expect((await requestJson(`http://127.0.0.1:${port}/`, "GET", undefined, 1_000)).status).toBe(200);
  });
});
