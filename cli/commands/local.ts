import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { CLOUDS, type Cloud } from "../../functions/core/clouds";
import { writeKeyFiles } from "../../functions/node/keyfiles";
import { integer, LOG_LEVELS, oneOf, UsageError, type FlagValues } from "../args";

const BIN = join(__dirname, "..", "..", "bin", "tricloud.cjs");
const HOST = "127.0.0.1";

/** Who holds a port: nobody, a tricloud node (its /health names the cloud), or another program. */
async function portHolder(port: number): Promise<"free" | { tricloud: string } | "other"> {
  const free = await new Promise<boolean>((done) => {
    const probe = createServer();
    probe.once("error", () => done(false));
    probe.listen(port, HOST, () => probe.close(() => done(true)));
  });
  if (free) return "free";
  try {
    const res = await fetch(`http://${HOST}:${port}/health`, { signal: AbortSignal.timeout(1_000) });
    const body = (await res.json()) as { cloud?: unknown; version?: unknown };
    if (typeof body.cloud === "string" && typeof body.version === "string") return { tricloud: body.cloud };
  } catch {
    // not HTTP, or not ours
  }
  return "other";
}

/** Refuses to start when any of the three ports is taken, saying by whom and which base port to try. */
async function checkPorts(base: number, explicit: boolean): Promise<void> {
  const holders = await Promise.all(CLOUDS.map((_, i) => portHolder(base + i)));
  const taken = holders.map((h, i) => ({ h, port: base + i })).filter((x) => x.h !== "free");
  if (taken.length === 0) return;
  const who = taken.map(
    ({ h, port }) =>
      `${HOST}:${port} (${typeof h === "object" ? `a tricloud ${h.tricloud} node answers there` : "another program"})`,
  );
  const another = taken.some(({ h }) => typeof h === "object")
    ? "; is another `tricloud local` running? Stop it (Ctrl-C) or"
    : ";";
  const suggestion = Math.min(base + 100, 65533);
  throw new UsageError(
    `--base-port${explicit ? "" : " (default 7101)"}: ${who.join(", ")} ${taken.length > 1 ? "are" : "is"} in use${another} pick a free range, e.g. --base-port ${suggestion}`,
  );
}

/**
 * `tricloud local`: the three nodes as child processes on 127.0.0.1, fresh keys, Ctrl-C stops all.
 * Their output is held back until all three answer, so the banner comes first; a node that fails
 * to start has its held-back lines printed with the failure.
 */
export async function main(flags: FlagValues): Promise<number> {
  const base = integer("base-port", flags["base-port"] ?? "7101", 1, 65533);
  const logLevel = oneOf("log-level", flags["log-level"], LOG_LEVELS);
  const checkpointMs = integer("checkpoint-interval-ms", flags["checkpoint-interval-ms"], 1);
  await checkPorts(base, flags["base-port"] !== undefined);

  const port = (c: Cloud) => base + CLOUDS.indexOf(c);
  const url = (c: Cloud) => `http://${HOST}:${port(c)}`;
  const workDir = flags["work-dir"] as string | undefined;
  const keysDir = workDir ? resolve(workDir) : await mkdtemp(join(tmpdir(), "tricloud-keys-"));
  await writeKeyFiles(keysDir);

  const children = new Map<Cloud, ChildProcess>();
  let held: string[] | null = [];
  const print = (line: string) => (held ? held.push(line) : process.stdout.write(`${line}\n`));
  let stopping = false;
  for (const cloud of CLOUDS) {
    const args = [
      BIN,
      "node",
      "--cloud",
      cloud,
      "--port",
      String(port(cloud)),
      "--keys",
      keysDir,
      "--log-level",
      logLevel,
      "--checkpoint-interval-ms",
      String(checkpointMs),
    ];
    for (const peer of CLOUDS) if (peer !== cloud) args.push("--peer", `${peer}=${url(peer)}`);
    if (flags["database-url"]) args.push("--database-url", flags["database-url"] as string);
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [child.stdout!, child.stderr!])
      createInterface({ input: stream }).on("line", (line) => print(`[${cloud}] ${line}`));
    child.on("exit", (code, signal) => {
      if (!stopping)
        print(`[${cloud}] exited (${signal ?? `code ${code}`})${held ? "" : "; the other two keep the quorum"}`);
    });
    children.set(cloud, child);
    // So one node can be stopped on its own: kill "$(cat <dir>/gcp.pid)".
    await writeFile(join(keysDir, `${cloud}.pid`), `${child.pid}\n`);
  }

  const ready = await Promise.all(CLOUDS.map((c) => waitHealthy(url(c), children.get(c)!, 60_000)));
  const up = ready.every(Boolean);
  if (up) {
    process.stdout.write(`tricloud local: three nodes up (keys${workDir ? " and pid files" : ""} in ${keysDir})\n`);
    for (const c of CLOUDS) process.stdout.write(`  ${c.padEnd(6)} ${url(c)}   pid ${children.get(c)!.pid}\n`);
    process.stdout.write(
      `Checkpoints every ${checkpointMs / 1000} s; logs below at level ${logLevel} (--log-level info for more). Ctrl-C stops all three.\n\n`,
    );
  } else {
    const failed = CLOUDS.filter((_, i) => !ready[i]);
    process.stderr.write(`tricloud local: ${failed.join(", ")} did not come up within 60 s; its output:\n`);
  }
  for (const line of held) process.stdout.write(`${line}\n`);
  held = null;

  if (up) {
    await new Promise<void>((done) => {
      process.once("SIGINT", done);
      process.once("SIGTERM", done);
    });
  }
  stopping = true;
  await Promise.all([...children.values()].map((child) => stop(child)));
  if (workDir) await Promise.all(CLOUDS.map((c) => rm(join(keysDir, `${c}.pid`), { force: true })));
  else await rm(keysDir, { recursive: true, force: true });
  process.stdout.write("tricloud local: stopped\n");
  return up ? 0 : 1;
}

/** Healthy means our child answers: a node that exited, or a port someone else answers on, is not. */
async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 200 && child.exitCode === null) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** SIGTERM, then SIGKILL if the child has not exited within 10 s. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(force);
      done();
    });
    child.kill("SIGTERM");
  });
}
