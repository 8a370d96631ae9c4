import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Sample {
  readonly wallMs: number;
  readonly peakRssMiB: number;
}

const RSS_HOOK = join(__dirname, "report-rss.cjs");

/** Runs `node <args>` once in a fresh process and returns its wall time and peak RSS. */
export function runNode(args: readonly string[], cwd: string, env: Record<string, string> = {}): Sample {
  const rssFile = join(mkdtempSync(join(tmpdir(), "tricloud-bench-")), "rss");
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["-r", RSS_HOOK, ...args], {
    cwd,
    env: { ...process.env, ...env, TRICLOUD_RSS_FILE: rssFile },
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { wallMs, peakRssMiB: Number(readFileSync(rssFile, "utf8")) / 1024 };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
