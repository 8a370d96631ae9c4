import { createPublicKey, type KeyObject } from "node:crypto";
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { rfc3161Verifier } from "../../functions/anchor/rfc3161";
import { httpFetchJson } from "../../functions/audit/fetch";
import { renderAuditText } from "../../functions/audit/report";
import { auditStateSchema, type AuditState } from "../../functions/audit/state";
import { auditLedgers } from "../../functions/audit/verify";
import { CLOUDS, type Cloud } from "../../functions/core/clouds";
import { PUBLIC_KEYS_FILE } from "../../functions/node/keyfiles";
import { UsageError } from "../plan/stackfile";

/**
 * `tricloud audit verify --node URL ...`: fetches the ledgers of running nodes and
 * verifies them (see functions/ledger/README.md). Exit codes: 0 all checks passed,
 * 1 a check failed (the evidence is printed), 2 bad usage.
 */
export const AUDIT_USAGE = `usage: tricloud audit verify --node <URL> [--node <URL> ...] --keys <public-keys.json | keygen dir>
                             [--sample N] [--state FILE] [--tsa-cert PEM ...] [--namespace NS] [--format text|json]

Checks each node's ledger against the clouds' public keys you bring (--keys):
checkpoint signatures and cosignatures, consistency between successive checkpoints
(and with those accepted before, when --state names a file, which is updated after a
clean run), every entry is a valid FINAL certificate and the entries hash to the signed
roots, inclusion proofs of N sampled events (default 16), anchors (RFC 3161 receipts
verified against --tsa-cert), what each witness cosigned, and, across all logs, that no
cloud ever signed two hashes for one eventId.
Exit codes: 0 clean, 1 a check failed (evidence printed), 2 bad usage.
`;

const FORMATS = ["text", "json"] as const;

function readKeys(path: string): Record<Cloud, KeyObject> {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, PUBLIC_KEYS_FILE);
  } catch {
    throw new UsageError(`--keys: cannot read ${path}`);
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`--keys: ${file} is not readable JSON (${(err as Error).message}); expected the ${PUBLIC_KEYS_FILE} tricloud keygen writes`);
  }
  const out = {} as Record<Cloud, KeyObject>;
  for (const cloud of CLOUDS) {
    const pem = json[cloud];
    if (typeof pem !== "string") throw new UsageError(`--keys: ${file} has no PEM public key for "${cloud}"`);
    try {
      out[cloud] = createPublicKey(pem);
    } catch (err) {
      throw new UsageError(`--keys: the key for "${cloud}" in ${file} is not a public key (${(err as Error).message})`);
    }
  }
  return out;
}

function readState(path: string | undefined): AuditState | undefined {
  if (!path || !existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UsageError(`--state: ${path} is not readable JSON (${(err as Error).message})`);
  }
  const parsed = auditStateSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`--state: ${path} is not an audit state file (${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const [sub, ...rest] = argv;
    if (!sub || sub === "--help" || sub === "-h" || sub === "help") {
      process.stdout.write(AUDIT_USAGE);
      return sub ? 0 : 2;
    }
    if (sub !== "verify") throw new UsageError(`unknown subcommand "${sub}"; expected verify\n\n${AUDIT_USAGE}`);
    let flags;
    try {
      flags = parseArgs({
        args: rest,
        options: {
          node: { type: "string", multiple: true },
          keys: { type: "string" },
          sample: { type: "string", default: "16" },
          state: { type: "string" },
          "tsa-cert": { type: "string", multiple: true },
          namespace: { type: "string", default: "tricloud" },
          format: { type: "string", default: "text" },
          "timeout-ms": { type: "string", default: "10000" },
          help: { type: "boolean", short: "h" },
        },
        allowPositionals: false,
        strict: true,
      }).values;
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\n\n${AUDIT_USAGE}`);
    }
    if (flags.help) {
      process.stdout.write(AUDIT_USAGE);
      return 0;
    }
    const nodes = flags.node ?? [];
    if (nodes.length === 0) throw new UsageError(`--node: required (a node's base URL, e.g. http://127.0.0.1:7101; repeat for each cloud)\n\n${AUDIT_USAGE}`);
    for (const n of nodes) {
      let u: URL | undefined;
      try {
        u = new URL(n);
      } catch {
        u = undefined;
      }
      if (!u || (u.protocol !== "http:" && u.protocol !== "https:")) throw new UsageError(`--node: expected an http(s) URL, got "${n}"`);
    }
    if (!flags.keys) throw new UsageError(`--keys: required (the clouds' public keys: ${PUBLIC_KEYS_FILE} or the directory tricloud keygen wrote)\n\n${AUDIT_USAGE}`);
    if (!/^(0|[1-9][0-9]{0,8})$/.test(flags.sample!)) throw new UsageError(`--sample: expected a whole number of events, got "${flags.sample}"`);
    if (!/^[1-9][0-9]{0,6}$/.test(flags["timeout-ms"]!)) throw new UsageError(`--timeout-ms: expected a positive whole number, got "${flags["timeout-ms"]}"`);
    const format = flags.format as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new UsageError(`--format: expected one of ${FORMATS.join(", ")}, got "${flags.format}"`);
    const tsaCerts = (flags["tsa-cert"] ?? []).map((f) => {
      try {
        return readFileSync(f, "utf8");
      } catch {
        throw new UsageError(`--tsa-cert: cannot read ${f}`);
      }
    });
    let anchorVerifiers;
    try {
      anchorVerifiers = tsaCerts.length ? [{ prefix: "rfc3161:", anchor: rfc3161Verifier(tsaCerts) }] : [];
    } catch (err) {
      throw new UsageError(`--tsa-cert: ${(err as Error).message}`);
    }
    const publicKeys = readKeys(flags.keys);
    const state = readState(flags.state);

    const report = await auditLedgers({
      nodes,
      publicKeys,
      fetchJson: httpFetchJson(Number(flags["timeout-ms"])),
      sample: Number(flags.sample),
      namespace: flags.namespace,
      state,
      anchorVerifiers,
    });
    process.stdout.write(format === "json" ? `${JSON.stringify(report, null, 2)}\n` : renderAuditText(report));
    if (report.ok && flags.state) {
      const tmp = `${flags.state}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(report.state, null, 2)}\n`);
      renameSync(tmp, flags.state);
    }
    return report.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`tricloud audit: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
