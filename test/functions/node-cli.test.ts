import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "bin", "tricloud.cjs");
const dir = mkdtempSync(join(tmpdir(), "tricloud-node-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("tricloud node: tuning flags", () => {
  it("documents every tuning flag in --help and refuses bad values with exit 2, naming the flag", () => {
    const help = spawnSync(process.execPath, [BIN, "node", "--help"], { cwd: ROOT, encoding: "utf8" });
    expect(help.status).toBe(0);
    for (const flag of [
      "--reconcile-interval-ms",
      "--reconcile-grace-ms",
      "--breaker-threshold",
      "--probe-base-ms",
      "--probe-cap-ms",
      "--peer-timeout-ms",
      "--direct-timeout-ms",
      "--retry-base-ms",
      "--checkpoint-interval-ms",
    ]) {
      expect(help.stdout).toContain(flag);
    }
    const base = ["node", "--cloud", "aws", "--port", "0", "--keys", dir];
    for (const [args, message] of [
      [["--reconcile-interval-ms", "0"], /--reconcile-interval-ms: expected an integer >= 1, got "0"/],
      [["--probe-base-ms", "1.5"], /--probe-base-ms: expected an integer >= 1, got "1.5"/],
      [
        ["--probe-base-ms", "500", "--probe-cap-ms", "100"],
        /--probe-cap-ms: expected at least --probe-base-ms \(500\), got 100/,
      ],
    ] as const) {
      const r = spawnSync(process.execPath, [BIN, ...base, ...args], { cwd: ROOT, encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it("a real node process takes the flags and reports its peers, breakers and probes on /health", async () => {
    expect(
      spawnSync(process.execPath, [BIN, "keygen", "--out", join(dir, "keys")], { cwd: ROOT, encoding: "utf8" }).status,
    ).toBe(0);
    const child = spawn(
      process.execPath,
      [
        BIN,
        "node",
        "--cloud",
        "aws",
        "--port",
        "0",
        "--keys",
        join(dir, "keys"),
        "--peer",
        "azure=http://127.0.0.1:9",
        "--peer",
        "gcp=http://127.0.0.1:9",
        "--reconcile-interval-ms",
        "100",
        "--reconcile-grace-ms",
        "100",
        "--probe-base-ms",
        "50",
        "--probe-cap-ms",
        "200",
        "--breaker-threshold",
        "2",
        "--log-level",
        "info",
      ],
      { cwd: ROOT },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout });
        lines.on("line", (line) => {
          const m = /listening on (http:\/\/[0-9.:]+)/.exec(line);
          if (m) resolve(m[1]!);
        });
        child.on("exit", (code) => reject(new Error(`node exited with ${code}`)));
      });
      const submitted = await (
        await fetch(`${url}/v1/events`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ tenantId: "acme", eventId: "cli-1", payload: 1 }),
        })
      ).json();
      expect(submitted).toMatchObject({ eventId: "cli-1", status: "PENDING" });
      // Both peers are unreachable: with threshold 2 their breakers open, and probes run past them.
      let health: any;
      for (let i = 0; i < 100; i++) {
        health = await (await fetch(`${url}/health`)).json();
        if (health.checks.peers.azure.breaker === "open" && health.checks.peers.azure.probe.failures > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(health).toMatchObject({
        status: "degraded",
        version: "0.4.5",
        checks: { peers: { azure: { state: "down", breaker: "open" }, gcp: { state: "down" } } },
      });
      expect(health.checks.peers.azure.probe.failures).toBeGreaterThan(0);
      const view = await (await fetch(`${url}/v1/events/cli-1`)).json();
      expect(view).toMatchObject({
        status: "PENDING",
        origin: "aws",
        confirmations: [{ cloud: "aws", origin: "aws" }],
      });
    } finally {
      child.kill("SIGTERM");
    }
  }, 60_000);
});
