import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "tricloud-readme-"));

/** The ```sh blocks under one README heading, up to the next heading. */
function shellBlocks(markdown: string, heading: string): string[] {
  const lines = markdown.split("\n");
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README has no heading "${heading}"`);
  let fenced = false; // a "# comment" inside a code block is not a heading
  const end = lines.findIndex((l, i) => {
    if (l.startsWith("```")) fenced = !fenced;
    return i > start && !fenced && /^#+ /.test(l);
  });
  const section = lines.slice(start, end < 0 ? undefined : end).join("\n");
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

async function freeBase(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((done) => {
      const s = createServer();
      s.once("error", () => done(false));
      s.listen(port, "127.0.0.1", () => s.close(() => done(true)));
    });
  for (let base = 7300 + Math.floor(Math.random() * 500) * 3, tries = 0; tries < 50; tries++, base += 3) {
    if ((await free(base)) && (await free(base + 1)) && (await free(base + 2))) return base;
  }
  throw new Error("no three free ports in a row");
}

afterAll(() => {
  // Whatever the script left running (it was killed at its time limit): only the pids it wrote.
  for (const cloud of ["aws", "azure", "gcp"]) {
    const pidFile = join(dir, "local", `${cloud}.pid`);
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("the README's quorum and audit walk-through, pasted into bash", () => {
  it("starts the nodes, finalizes an event, audits the logs, and names the log a killed node leaves unaudited", async () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const blocks = [
      ...shellBlocks(readme, "## The quorum runtime"),
      ...shellBlocks(readme, "### The ledger and the auditor"),
    ];
    expect(blocks.length).toBe(2);
    const base = await freeBase();
    // Two substitutions only: the bin by its path (what `npx tricloud` runs) and free loopback ports.
    const script = blocks
      .join("\n")
      .replaceAll("npx tricloud local", `node ${join(root, "bin", "tricloud.cjs")} local --base-port ${base}`)
      .replaceAll("npx tricloud", `node ${join(root, "bin", "tricloud.cjs")}`)
      .replace(/\b710([123])\b/g, (_, i: string) => String(base + Number(i) - 1));
    // If the time limit kills the shell, its EXIT trap still stops tricloud local.
    const guarded = `trap 'exit 1' TERM\ntrap 'kill %1 2>/dev/null; wait' EXIT\n${script}\nwait\n`;
    const r = spawnSync("bash", ["-c", guarded], {
      cwd: dir,
      encoding: "utf8",
      timeout: 170_000,
      killSignal: "SIGTERM",
    });
    const out = r.stdout;
    const ctx = `stdout:\n${out}\nstderr:\n${r.stderr}`;
    expect(r.status, ctx).toBe(0);

    // The banner comes before any node's log line.
    const banner = out.indexOf("tricloud local: three nodes up (keys and pid files in");
    expect(banner, ctx).toBeGreaterThanOrEqual(0);
    const firstLog = out.search(/^\[(aws|azure|gcp)\] /m);
    expect(firstLog === -1 || firstLog > banner, ctx).toBe(true);
    expect(out).toMatch(new RegExp(`^  gcp    http://127\\.0\\.0\\.1:${base + 2}   pid \\d+$`, "m"));

    // curl prints no newline after a body: the answers run on into the next output.
    expect(out).toMatch(/\{"eventId":"inv-1","status":"PENDING","hash":"[0-9a-f]{64}"\}/);
    expect(out).toMatch(/\{"eventId":"inv-1","status":"FINAL",/);
    expect(out).toContain(
      '{"error":{"code":"UNSUPPORTED_MEDIA_TYPE","message":"content-type: expected application/json, got \\"text/plain\\""}}',
    );

    // The first audit: all three logs, cosigned, OK.
    expect(out).toMatch(/tricloud\/ledger\/gcp \(gcp\)\s+size 1 .* cosigned by aws, azure/);
    expect(out).toMatch(/^audit: OK$/m);
    expect(out.indexOf("audit: OK")).toBeLessThan(out.indexOf('{"status":"degraded"'));

    // gcp killed: the health of aws says so, with the time since the last contact as a duration.
    const health = JSON.parse(out.match(/\{"status":"degraded".*?"version":"[^"]+"\}/)![0]);
    expect(health.checks.peers.gcp.state).toBe("down");
    expect(health.checks.peers.azure.lastContactMs).toBeGreaterThanOrEqual(0);
    expect(health.checks.peers.azure.lastContactMs).toBeLessThan(60_000);

    // The second audit names the unaudited log and exits 1.
    expect(out).toContain("not audited: the log of gcp (no --node served a signed checkpoint of it)");
    expect(out).toContain(
      `- [fetch] http://127.0.0.1:${base + 2}: did not answer (connection refused): the log it serves was not audited`,
    );
    expect(out).toMatch(/^exit 1$/m);
    expect(out.trimEnd().endsWith("tricloud local: stopped")).toBe(true);
  }, 200_000);
});
