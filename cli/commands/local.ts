import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { CLOUDS, type Cloud } from "../../functions/core/clouds";
import { writeKeyFiles } from "../../functions/node/keyfiles";

const USAGE = "usage: tricloud local [--base-port 7101] [--database-url URL] [--log-level warn]\n";
const BIN = join(__dirname, "..", "..", "bin", "tricloud.cjs");

/** `tricloud local`: the three nodes as child processes on 127.0.0.1, fresh keys, Ctrl-C stops all. */
export async function main(argv: string[]): Promise<number> {
  let values: { "base-port"?: string; "database-url"?: string; "log-level"?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: { "base-port": { type: "string" }, "database-url": { type: "string" }, "log-level": { type: "string" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (err) {
    process.stderr.write(`tricloud local: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const base = Number(values["base-port"] ?? 7101);
  if (!Number.isInteger(base) || base < 1 || base > 65533) {
    process.stderr.write(`tricloud local: --base-port: expected an integer from 1 to 65533, got "${values["base-port"]}"\n`);
    return 2;
  }
  const port = (c: Cloud) => base + CLOUDS.indexOf(c);
  const url = (c: Cloud) => `http://127.0.0.1:${port(c)}`;
  const keysDir = await mkdtemp(join(tmpdir(), "tricloud-keys-"));
  await writeKeyFiles(keysDir);

  const children = new Map<Cloud, ChildProcess>();
  let stopping = false;
  for (const cloud of CLOUDS) {
    const args = [BIN, "node", "--cloud", cloud, "--port", String(port(cloud)), "--keys", keysDir, "--log-level", values["log-level"] ?? "warn"];
    for (const peer of CLOUDS) if (peer !== cloud) args.push("--peer", `${peer}=${url(peer)}`);
    if (values["database-url"]) args.push("--database-url", values["database-url"]);
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on("line", (line) => process.stdout.write(`[${cloud}] ${line}\n`));
    child.on("exit", (code, signal) => {
      if (!stopping) process.stdout.write(`[${cloud}] exited (${signal ?? `code ${code}`}); the other two keep the quorum\n`);
    });
    children.set(cloud, child);
  }

  const ready = await Promise.all(CLOUDS.map((c) => waitHealthy(url(c), 60_000)));
  if (ready.every(Boolean)) {
    process.stdout.write(`\ntricloud local: three nodes up (keys in ${keysDir})\n`);
    for (const c of CLOUDS) process.stdout.write(`  ${c.padEnd(6)} ${url(c)}   pid ${children.get(c)!.pid}\n`);
    process.stdout.write("Ctrl-C stops all three.\n");
  } else {
    process.stderr.write("tricloud local: not every node came up within 60 s; see the lines above\n");
  }

  if (ready.every(Boolean)) {
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
  }
  stopping = true;
  await Promise.all([...children.values()].map((child) => stop(child)));
  await rm(keysDir, { recursive: true, force: true });
  process.stdout.write("tricloud local: stopped\n");
  return ready.every(Boolean) ? 0 : 1;
}

async function waitHealthy(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 200) return true;
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
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
