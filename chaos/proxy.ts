import { createServer, connect, type Server, type Socket } from "node:net";
import type { Rng } from "./rng";

/**
 * One directed peer link (say aws -> gcp) as a TCP proxy on 127.0.0.1 that can cut,
 * black-hole, delay, drop requests or drop answers. Hand-written on node:net: the faults act
 * on raw connections (a reset, a socket that never answers, bytes that arrive late), which an
 * HTTP-level proxy library cannot express, and no TCP fault-proxy package is installed.
 */

export interface LinkFaults {
  /** New connections are reset and open ones torn down: a partition or a dead host. */
  cut: boolean;
  /** Connections are accepted and bytes swallowed both ways; nothing ever answers. */
  blackhole: boolean;
  /** Every chunk in either direction waits this long (order kept). */
  delayMs: number;
  /** Share of requests (client chunks) dropped before the target sees them; the connection is reset. */
  dropRequests: number;
  /** Share of requests the target handles whose answer is dropped; the connection is reset. */
  dropAnswers: number;
  /** Share of whole requests delivered twice: the copy on a connection of its own, its answer discarded. */
  duplicate: number;
}

/** A request seen on the link: method, path and JSON body (what a replay re-sends). */
export interface CapturedRequest {
  path: string;
  body: string;
  atMs: number;
}

export const HEALTHY: LinkFaults = {
  cut: false,
  blackhole: false,
  delayMs: 0,
  dropRequests: 0,
  dropAnswers: 0,
  duplicate: 0,
};

export interface LinkStats {
  connections: number;
  refused: number;
  droppedRequests: number;
  droppedAnswers: number;
  blackholedChunks: number;
  forwardedChunks: number;
  duplicated: number;
}

interface Pair {
  client: Socket;
  upstream?: Socket;
  dropNextAnswer: boolean;
  /** Bytes were swallowed while black-holed: the HTTP stream is broken for good. */
  silenced: boolean;
  /** Earliest time the next delayed chunk may go out, per direction (keeps order when the delay changes). */
  nextUp: number;
  nextDown: number;
}

const LOOPBACK = "127.0.0.1";

export class LinkProxy {
  faults: LinkFaults = { ...HEALTHY };
  readonly stats: LinkStats = {
    connections: 0,
    refused: 0,
    droppedRequests: 0,
    droppedAnswers: 0,
    blackholedChunks: 0,
    forwardedChunks: 0,
    duplicated: 0,
  };
  private readonly pairs = new Set<Pair>();
  /** The last few POST /v1/peer/... requests that crossed this link whole in one chunk. */
  readonly captured: CapturedRequest[] = [];
  captureLimit = 64;
  private server!: Server;
  port = 0;

  constructor(
    readonly name: string,
    /** Port of the target node on 127.0.0.1 (never any other host). */
    public targetPort: number,
    private readonly rng: Rng,
  ) {}

  get url(): string {
    return `http://${LOOPBACK}:${this.port}`;
  }

  async listen(port = 0): Promise<this> {
    this.server = createServer({ pauseOnConnect: false }, (client) => this.accept(client));
    this.server.on("error", () => undefined);
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, LOOPBACK, () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Replace the faults; cutting tears down open connections, black-holing silences them. */
  set(faults: Partial<LinkFaults>): void {
    this.faults = { ...this.faults, ...faults };
    if (this.faults.cut) for (const p of this.pairs) this.teardown(p);
  }

  heal(): void {
    this.faults = { ...HEALTHY };
    // Connections silenced while black-holed hold half-sent requests: drop them so callers reconnect.
    for (const p of this.pairs) if (p.upstream === undefined || p.silenced) this.teardown(p);
  }

  async close(): Promise<void> {
    for (const p of this.pairs) this.teardown(p);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.stats.connections++;
    client.on("error", () => undefined);
    if (this.faults.cut) {
      this.stats.refused++;
      reset(client);
      return;
    }
    const pair: Pair = { client, dropNextAnswer: false, silenced: false, nextUp: 0, nextDown: 0 };
    this.pairs.add(pair);
    client.on("close", () => this.closeGracefully(pair));
    if (this.faults.blackhole) {
      // Accept and never answer: the caller's own timeout is all that saves it.
      client.on("data", () => void this.stats.blackholedChunks++);
      return;
    }
    const upstream = connect({ host: LOOPBACK, port: this.targetPort });
    pair.upstream = upstream;
    upstream.on("error", () => this.teardown(pair));
    upstream.on("close", () => this.closeGracefully(pair));
    client.on("data", (chunk: Buffer) => this.fromClient(pair, chunk));
    upstream.on("data", (chunk: Buffer) => this.fromTarget(pair, chunk));
  }

  private fromClient(p: Pair, chunk: Buffer): void {
    const f = this.faults;
    if (f.cut) return this.teardown(p);
    if (f.blackhole) return this.swallow(p);
    if (f.dropRequests > 0 && this.rng.chance(f.dropRequests)) {
      this.stats.droppedRequests++;
      return this.teardown(p);
    }
    if (f.dropAnswers > 0 && this.rng.chance(f.dropAnswers)) p.dropNextAnswer = true;
    const whole = this.capture(chunk);
    if (whole && f.duplicate > 0 && this.rng.chance(f.duplicate)) this.duplicateRequest(chunk);
    p.nextUp = this.send(p.upstream!, chunk, p.nextUp);
  }

  private fromTarget(p: Pair, chunk: Buffer): void {
    const f = this.faults;
    if (f.cut) return this.teardown(p);
    if (f.blackhole) return this.swallow(p);
    if (p.dropNextAnswer) {
      // The target has done the work; the caller never learns it.
      this.stats.droppedAnswers++;
      return this.teardown(p);
    }
    p.nextDown = this.send(p.client, chunk, p.nextDown);
  }

  /** Keeps a whole POST /v1/peer/... request that came in one chunk; true when it was one. */
  private capture(chunk: Buffer): boolean {
    if (chunk.length > 256 * 1024 || chunk.toString("latin1", 0, 14) !== "POST /v1/peer/") return false;
    const text = chunk.toString("utf8");
    const split = text.indexOf("\r\n\r\n");
    const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, split));
    if (split < 0 || !length || Buffer.byteLength(text.slice(split + 4)) !== Number(length[1])) return false;
    if (this.captureLimit > 0) {
      this.captured.push({ path: text.slice(5, text.indexOf(" ", 5)), body: text.slice(split + 4), atMs: Date.now() });
      if (this.captured.length > this.captureLimit) this.captured.shift();
    }
    return true;
  }

  /** The same request once more, as a network that duplicates would deliver it; nobody reads the answer. */
  private duplicateRequest(chunk: Buffer): void {
    this.stats.duplicated++;
    const copy = connect({ host: LOOPBACK, port: this.targetPort });
    copy.on("error", () => undefined);
    copy.setTimeout(5_000, () => copy.destroy());
    copy.on("data", () => copy.end());
    copy.write(chunk);
  }

  private swallow(p: Pair): void {
    p.silenced = true;
    this.stats.blackholedChunks++;
  }

  private send(to: Socket, chunk: Buffer, notBefore: number): number {
    this.stats.forwardedChunks++;
    const delay = this.faults.delayMs;
    if (delay <= 0 && notBefore <= Date.now()) {
      if (!to.destroyed) to.write(chunk);
      return 0;
    }
    const at = Math.max(Date.now() + delay, notBefore);
    setTimeout(() => void (!to.destroyed && to.write(chunk)), at - Date.now());
    return at;
  }

  /** One side closed normally: deliver what is still delayed, then close the other side with a FIN. */
  private closeGracefully(p: Pair): void {
    if (!this.pairs.has(p)) return;
    const wait = Math.max(p.nextUp, p.nextDown) - Date.now();
    if (wait > 0) return void setTimeout(() => this.closeGracefully(p), wait + 1);
    this.pairs.delete(p);
    p.client.end();
    p.upstream?.end();
  }

  private teardown(p: Pair): void {
    if (!this.pairs.delete(p)) return;
    reset(p.client);
    if (p.upstream) reset(p.upstream);
  }
}

function reset(s: Socket): void {
  if (s.destroyed) return;
  // RST rather than FIN where the socket allows it: what a cut link looks like to the caller.
  try {
    if (typeof s.resetAndDestroy === "function" && !s.connecting) s.resetAndDestroy();
    else s.destroy();
  } catch {
    s.destroy();
  }
}
