import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Client } from "pg";
import { CLOUDS, type Cloud } from "../functions/core/clouds";
import type { History } from "./history";
import { LinkProxy } from "./proxy";
import type { Rng } from "./rng";

const BIN = join(__dirname, "..", "bin", "tricloud.cjs");
export const LOOPBACK = "127.0.0.1";

export interface ClusterOptions {
  history: History;
  rng: Rng;
  /** Where keys, logs and PGlite data dirs go. */
  workDir: string;
  /** "pg": one database per node on the server at `databaseUrl`; "pglite": one data dir per node. */
  store: "pg" | "pglite";
  /** Maintenance connection to the local server (database postgres); loopback only. */
  databaseUrl: string;
  logLevel: string;
}

interface NodeProc {
  cloud: Cloud;
  port: number;
  store: string;
  proc?: ChildProcess;
  /** The harness is killing or stopping it: its exit is not a crash. */
  expectExit: boolean;
  paused: boolean;
  log: WriteStream;
}

/** Refuses any address but 127.0.0.1: the suite never talks to anything off this machine. */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== LOOPBACK) throw new Error(`${url}: the chaos suite only talks to ${LOOPBACK}, not "${host}"`);
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, LOOPBACK, r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * Three real `tricloud node` processes on 127.0.0.1, each with its own store and key, and
 * each directed peer link (a -> b: how a reaches b) through its own LinkProxy. Clients talk to
 * the nodes directly. Kill -9 and restart keep the store; pause is SIGSTOP/SIGCONT.
 */
export class ChaosCluster {
  readonly nodes = new Map<Cloud, NodeProc>();
  readonly links = new Map<string, LinkProxy>();
  private databases: string[] = [];

  private constructor(
    private readonly o: ClusterOptions,
    readonly keysDir: string,
  ) {}

  static async start(o: ClusterOptions): Promise<ChaosCluster> {
    assertLoopback(o.databaseUrl);
    const keysDir = join(o.workDir, "keys");
    await mkdir(o.workDir, { recursive: true });
    await runCli(["keygen", "--out", keysDir]);
    const c = new ChaosCluster(o, keysDir);
    try {
      const ports = new Map<Cloud, number>();
      for (const cloud of CLOUDS) ports.set(cloud, await freePort());
      for (const from of CLOUDS) {
        for (const to of CLOUDS) {
          if (from === to) continue;
          const name = `${from}->${to}`;
          c.links.set(name, await new LinkProxy(name, ports.get(to)!, o.rng.fork(`link ${name}`)).listen());
        }
      }
      const run = `chaos_${o.history.seed}_${process.pid}_${o.rng.fork("run-id").hex(3)}_${Date.now().toString(36)}`;
      for (const cloud of CLOUDS) {
        let store: string;
        if (o.store === "pg") {
          const db = `${run}_${cloud}`;
          await c.admin(`CREATE DATABASE ${db}`);
          c.databases.push(db);
          const u = new URL(o.databaseUrl);
          u.pathname = `/${db}`;
          store = u.toString();
        } else {
          store = join(o.workDir, `pglite-${cloud}`);
        }
        c.nodes.set(cloud, {
          cloud,
          port: ports.get(cloud)!,
          store,
          expectExit: false,
          paused: false,
          log: createWriteStream(join(o.workDir, `${cloud}.log`), { flags: "a" }),
        });
      }
      for (const cloud of CLOUDS) c.spawn(cloud);
      const up = await Promise.all(CLOUDS.map((cloud) => c.waitHealthy(cloud, 60_000)));
      if (!up.every(Boolean))
        throw new Error(
          `nodes did not come up within 60 s: ${CLOUDS.filter((_, i) => !up[i]).join(", ")} (logs in ${o.workDir})`,
        );
      return c;
    } catch (err) {
      await c.stop(false);
      throw err;
    }
  }

  url(cloud: Cloud): string {
    return `http://${LOOPBACK}:${this.nodes.get(cloud)!.port}`;
  }

  link(from: Cloud, to: Cloud): LinkProxy {
    return this.links.get(`${from}->${to}`)!;
  }

  /** Every directed link into or out of `cloud`. */
  linksOf(cloud: Cloud): LinkProxy[] {
    return [...this.links.values()].filter((l) => l.name.startsWith(`${cloud}->`) || l.name.endsWith(`->${cloud}`));
  }

  isRunning(cloud: Cloud): boolean {
    const n = this.nodes.get(cloud)!;
    return n.proc !== undefined && n.proc.exitCode === null && n.proc.signalCode === null;
  }

  isServing(cloud: Cloud): boolean {
    return this.isRunning(cloud) && !this.nodes.get(cloud)!.paused;
  }

  async kill(cloud: Cloud): Promise<void> {
    const n = this.nodes.get(cloud)!;
    if (!this.isRunning(cloud)) return;
    n.expectExit = true;
    const exited = new Promise<void>((r) => n.proc!.once("exit", () => r()));
    n.proc!.kill("SIGKILL");
    await exited;
    n.paused = false;
  }

  async restart(cloud: Cloud): Promise<boolean> {
    if (this.isRunning(cloud)) return true;
    this.spawn(cloud);
    return this.waitHealthy(cloud, 60_000);
  }

  pause(cloud: Cloud): void {
    const n = this.nodes.get(cloud)!;
    if (!this.isRunning(cloud) || n.paused) return;
    n.proc!.kill("SIGSTOP");
    n.paused = true;
  }

  resume(cloud: Cloud): void {
    const n = this.nodes.get(cloud)!;
    if (!n.paused) return;
    if (this.isRunning(cloud)) n.proc!.kill("SIGCONT");
    n.paused = false;
  }

  healLinks(): void {
    for (const l of this.links.values()) l.heal();
  }

  /** Everything back to normal: links healed, paused nodes resumed, killed nodes restarted. */
  async healAll(): Promise<void> {
    this.healLinks();
    for (const cloud of CLOUDS) this.resume(cloud);
    await Promise.all(CLOUDS.map((cloud) => this.restart(cloud)));
  }

  async waitHealthy(cloud: Cloud, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.isRunning(cloud)) return false;
      try {
        const res = await fetch(`${this.url(cloud)}/health`, { signal: AbortSignal.timeout(1_000) });
        await res.arrayBuffer();
        if (res.status === 200) return true;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  /** Stops every node (SIGTERM, then SIGKILL after 10 s), closes the links, drops the databases unless `keep`. */
  async stop(keep: boolean): Promise<void> {
    await Promise.all(
      [...this.nodes.values()].map(async (n) => {
        if (!n.proc || n.proc.exitCode !== null || n.proc.signalCode !== null) return;
        n.expectExit = true;
        if (n.paused) n.proc.kill("SIGCONT");
        const exited = new Promise<void>((r) => n.proc!.once("exit", () => r()));
        n.proc.kill("SIGTERM");
        const force = setTimeout(() => n.proc!.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(force);
      }),
    );
    for (const n of this.nodes.values()) await new Promise<void>((r) => n.log.end(() => r()));
    await Promise.all([...this.links.values()].map((l) => l.close()));
    if (!keep) {
      for (const db of this.databases)
        await this.admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
      await rm(this.o.workDir, { recursive: true, force: true });
    }
  }

  /** `tricloud audit verify` over the three nodes with the clouds' public keys: its exit code and findings. */
  audit(
    timeoutMs: number,
  ): Promise<{ code: number | null; failures: { check: string; log: string; message: string }[]; error?: string }> {
    const args = [
      BIN,
      "audit",
      "verify",
      ...CLOUDS.flatMap((c) => ["--node", this.url(c)]),
      "--keys",
      this.keysDir,
      "--format",
      "json",
    ];
    return new Promise((resolve) => {
      const p = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      p.stdout!.on("data", (c: Buffer) => (out += c.toString()));
      p.stderr!.on("data", (c: Buffer) => (err += c.toString()));
      const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
      p.on("exit", (code) => {
        clearTimeout(timer);
        let failures: { check: string; log: string; message: string }[] = [];
        try {
          const report = JSON.parse(out) as { failures?: { check: string; log: string; message: string }[] };
          failures = (report.failures ?? []).map((f) => ({
            check: f.check,
            log: f.log,
            message: String(f.message).slice(0, 400),
          }));
        } catch {
          // not JSON: keep stderr
        }
        resolve({
          code,
          failures,
          ...(code !== 0 && code !== 1 ? { error: err.slice(0, 1_000) || out.slice(0, 1_000) } : {}),
        });
      });
    });
  }

  private spawn(cloud: Cloud): void {
    const n = this.nodes.get(cloud)!;
    const args = [
      BIN,
      "node",
      "--cloud",
      cloud,
      "--port",
      String(n.port),
      "--host",
      LOOPBACK,
      "--keys",
      this.keysDir,
      "--log-level",
      this.o.logLevel,
    ];
    for (const peer of CLOUDS) if (peer !== cloud) args.push("--peer", `${peer}=${this.link(cloud, peer).url}`);
    args.push(this.o.store === "pg" ? "--database-url" : "--data-dir", n.store);
    const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    n.proc = proc;
    n.expectExit = false;
    n.paused = false;
    const h = this.o.history;
    for (const stream of [proc.stdout!, proc.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        n.log.write(`${line}\n`);
        // pino: level 50 = error, 60 = fatal. Anything on stderr that is not JSON counts as an error too.
        let level: number;
        let msg = line;
        try {
          const j = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
          level = j.level ?? 0;
          msg = `${j.msg ?? ""}${j.err?.message ? `: ${j.err.message}` : ""}`;
        } catch {
          level = stream === proc.stderr ? 50 : 0;
        }
        if (level >= 50) h.logErrors.push({ node: cloud, atMs: h.now(), level, msg: msg.slice(0, 500) });
      });
    }
    proc.on("exit", (code, signal) => {
      h.exits.push({ node: cloud, atMs: h.now(), code, signal, expected: n.expectExit });
    });
  }

  private async admin(sql: string): Promise<void> {
    const client = new Client({ connectionString: this.o.databaseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}

/** Is the PostgreSQL server at `url` reachable? (Decides the default store.) */
export async function pgReachable(url: string): Promise<boolean> {
  assertLoopback(url);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function runCli(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    p.stderr!.on("data", (c: Buffer) => (err += c.toString()));
    p.stdout!.resume();
    p.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`tricloud ${args.join(" ")} exited ${code}: ${err}`)),
    );
  });
}
