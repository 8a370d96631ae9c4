import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A one-way network link between two nodes: a loopback HTTP proxy that can be cut.
 * Cut (or pointing at a dead node) it drops the connection, which is what a partition
 * or a crashed host looks like to the caller.
 */
export class Link {
  cut = false;
  /** Accept and read requests but never answer: a host that hangs, or a black-holed route. */
  blackhole = false;
  target: string | undefined;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async open(): Promise<Link> {
    let link: Link | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const l = link!;
        if (l.blackhole) return; // the caller's timeout is all it will get
        if (l.cut || !l.target) return void req.socket.destroy();
        fetch(`${l.target}${req.url}`, {
          method: req.method,
          headers: req.headers["content-type"] ? { "content-type": req.headers["content-type"] } : undefined,
          body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
        })
          .then(async (r) => {
            const body = Buffer.from(await r.arrayBuffer());
            if (l.cut) return void req.socket.destroy();
            res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json" });
            res.end(body);
          })
          .catch(() => req.socket.destroy());
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    link = new Link(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return link;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
