import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rfc3161Anchor, rfc3161Verifier } from "../../functions/anchor/rfc3161";
import { CLOUDS } from "../../functions/core/clouds";
import { checkpointDigest, parseSignedCheckpoint } from "../../functions/ledger/checkpoint";
import { snapshotPeriod } from "../../functions/ledger/snapshot";
import type { Cluster } from "../helpers/cluster";
import { TestTsa } from "../helpers/tsa";
import { audit, finalEvents, ledgerCluster, publishAll, sqlOf } from "../helpers/ledger-cluster";

const ROOT = join(__dirname, "..", "..");
// Asynchronous: the nodes under audit live in this very process and must keep answering.
const run = (args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "bin", "tricloud.cjs"), ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });

describe("tricloud audit verify (the CLI, end to end) with monthly snapshots anchored at a test TSA", () => {
  let cluster: Cluster;
  let tsa: TestTsa;
  let dir: string;
  let base: string[];
  beforeAll(async () => {
    tsa = await TestTsa.create();
    const url = await tsa.serve();
    cluster = await ledgerCluster({ ledger: { anchors: [new Rfc3161Anchor({ url, trusted: [tsa.caPem] })] } });
    await finalEvents(cluster, ["c-1", "c-2", "c-3"]);
    await publishAll(cluster); // signs and gets cosignatures; the first counting checkpoint exists now
    await publishAll(cluster); // ... so this round anchors it as the snapshot of the month that closed
    dir = mkdtempSync(join(tmpdir(), "tricloud-audit-"));
    const pub = Object.fromEntries(
      CLOUDS.map((c) => [c, cluster.keys.aws.publicKeys[c].export({ type: "spki", format: "pem" }).toString()]),
    );
    writeFileSync(join(dir, "public-keys.json"), JSON.stringify(pub));
    writeFileSync(join(dir, "tsa-ca.pem"), tsa.caPem);
    base = ["audit", "verify", ...CLOUDS.flatMap((c) => ["--node", cluster.url(c)]), "--keys", dir];
  }, 60_000);
  afterAll(async () => {
    await cluster.close();
    await tsa.close();
  });

  it("each cloud anchored its monthly snapshot: the digest of a cosigned checkpoint, with a verifiable RFC 3161 receipt", async () => {
    for (const cloud of CLOUDS) {
      const { anchors } = (await cluster.get(cloud, "/v1/ledger/anchors")).body;
      expect(anchors).toHaveLength(1);
      expect(anchors[0]).toMatchObject({
        anchor: expect.stringMatching(/^rfc3161:http:\/\/127\.0\.0\.1:\d+\/tsr$/),
        period: snapshotPeriod(Date.now()),
        size: 3,
      });
      const cp = parseSignedCheckpoint((await cluster.get(cloud, "/v1/ledger/checkpoint?size=3")).body.checkpoint);
      expect(anchors[0].digest).toBe(checkpointDigest(cp.checkpoint).toString("hex"));
      expect(await rfc3161Verifier([tsa.caPem]).verify(Buffer.from(cp.note.body), anchors[0].receipt)).toMatchObject({
        ok: true,
      });
    }
  });

  it("exits 0 on a clean cluster, verifies the anchors with --tsa-cert and saves its state", async () => {
    const state = join(dir, "state.json");
    const r = await run([...base, "--tsa-cert", join(dir, "tsa-ca.pem"), "--state", state]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tricloud\/ledger\/aws \(aws\)\s+size 3 .* cosigned by azure, gcp .* 1 anchors verified/);
    expect(r.stdout).toMatch(/audit: OK\n$/);
    expect(Object.keys(JSON.parse(readFileSync(state, "utf8")).logs).sort()).toEqual(
      CLOUDS.map((c) => `tricloud/ledger/${c}`),
    );
    // Without --tsa-cert the receipts are not verified, and the report says so.
    expect((await run(base)).stdout).toMatch(/note: tricloud\/ledger\/aws: 1 anchor receipt\(s\) not verified/);
  });

  it("JSON output", async () => {
    const r = await run([...base, "--format", "json", "--sample", "1"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, failures: [] });
    expect(report.logs.map((l: { inclusionChecked: number }) => l.inclusionChecked)).toEqual([1, 1, 1]);
  });

  it("bad usage exits 2 and names the flag", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["audit", "verify", "--keys", dir], /^tricloud audit: --node: required/],
      [
        ["audit", "verify", "--node", "localhost:7101", "--keys", dir],
        /^tricloud audit: --node: expected an http\(s\) URL, got "localhost:7101"/,
      ],
      [["audit", "verify", "--node", "http://127.0.0.1:1"], /^tricloud audit: --keys: required/],
      [[...base, "--sample", "many"], /^tricloud audit: --sample: expected a whole number/],
      [[...base, "--format", "yaml"], /^tricloud audit: --format: expected one of text, json, got "yaml"/],
      [[...base, "--tsa-cert", join(dir, "nope.pem")], /^tricloud audit: --tsa-cert: cannot read/],
      [[...base, "--bogus"], /^tricloud audit: --bogus: unknown flag; expected one of --node, /],
      [["audit", "inspect"], /^tricloud audit: unknown subcommand "inspect"; expected verify/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it("exits 1 and prints the evidence when a row was altered, and when an anchor receipt does not verify", async () => {
    const { sql, schema } = sqlOf(cluster, "aws");
    await sql.exec(`ALTER TABLE ${schema}.ledger_anchors DISABLE TRIGGER ledger_anchors_append_only`);
    await sql.query(`UPDATE ${schema}.ledger_anchors SET receipt = replace(receipt, substr(receipt, 200, 4), 'AAAA')`);
    const other = await TestTsa.create("an untrusted CA");
    writeFileSync(join(dir, "other-ca.pem"), other.caPem);
    const r = await run([...base, "--tsa-cert", join(dir, "tsa-ca.pem")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /audit: FAILED \(1 finding\)\n- \[anchor\] tricloud\/ledger\/aws: anchor rfc3161:\S+ \(\d{4}-\d{2}\) of size 3: /,
    );
    expect(r.stdout).toMatch(/"checkpoint": "tricloud\/ledger\/aws\\n3\\n/);
    // Receipts from an authority the auditor does not trust fail too.
    const gcp = (
      await audit(cluster, {
        nodes: [cluster.url("gcp")],
        anchorVerifiers: [{ prefix: "rfc3161:", anchor: rfc3161Verifier([other.caPem]) }],
      })
    ).failures;
    expect(gcp.map((f) => f.check)).toEqual(["anchor"]);
  });
});
