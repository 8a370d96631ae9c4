import { createPublicKey, type KeyObject } from "node:crypto";
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rfc3161Verifier } from "../../functions/anchor/rfc3161";
import { httpFetchJson } from "../../functions/audit/fetch";
import { renderAuditText } from "../../functions/audit/report";
import { auditStateSchema, type AuditState } from "../../functions/audit/state";
import { auditLedgers, type AuditReport } from "../../functions/audit/verify";
import { CLOUDS, type Cloud } from "../../functions/core/clouds";
import { PUBLIC_KEYS_FILE } from "../../functions/node/keyfiles";
import { integer, oneOf, required, UsageError, type FlagValues } from "../args";
import { AUDIT_VERIFY } from "../specs";

/**
 * `tricloud audit verify --node URL ...`: fetches the ledgers of running nodes and
 * verifies them (see functions/ledger/README.md). Flags, help and exit codes: cli/specs.ts.
 */
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
    throw new UsageError(
      `--keys: ${file} is not readable JSON (${(err as Error).message}); expected the ${PUBLIC_KEYS_FILE} tricloud keygen writes`,
    );
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
  if (!parsed.success)
    throw new UsageError(`--state: ${path} is not an audit state file (${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

/** null when the node answers HTTP at all; else why not ("connection refused", "timed out after 10000 ms"). */
async function reachable(node: string, timeoutMs: number): Promise<string | null> {
  try {
    await fetch(`${node.replace(/\/$/, "")}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return null;
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    if ((err as Error).name === "TimeoutError") return `timed out after ${timeoutMs} ms`;
    return cause?.code === "ECONNREFUSED"
      ? "connection refused"
      : (cause?.code ?? cause?.message ?? (err as Error).message);
  }
}

/** States which clouds' logs the run did not audit, so a partial audit never reads as a plain OK. */
function withCoverage(text: string, notAudited: readonly Cloud[]): string {
  if (notAudited.length === 0) return text;
  const line = `not audited: the log of ${notAudited.join(", ")} (no --node served a signed checkpoint of ${notAudited.length === 1 ? "it" : "them"}); the join covers the others only`;
  return text
    .replace(
      /audit: OK\n$/,
      `${line}\naudit: OK for ${CLOUDS.filter((c) => !notAudited.includes(c)).join(", ") || "no log"}, partial (${notAudited.join(", ")} not audited)\n`,
    )
    .replace(/(audit: FAILED[^\n]*\n)/, `${line}\n$1`);
}

export async function main(flags: FlagValues): Promise<number> {
  const nodes = (flags.node as string[] | undefined) ?? [];
  if (nodes.length === 0)
    required(AUDIT_VERIFY, flags, "node", "a node's base URL, e.g. http://127.0.0.1:7101; repeat for each cloud");
  for (const n of nodes) {
    let u: URL | undefined;
    try {
      u = new URL(n);
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== "http:" && u.protocol !== "https:"))
      throw new UsageError(`--node: expected an http(s) URL, got "${n}"`);
  }
  const keys = required(
    AUDIT_VERIFY,
    flags,
    "keys",
    `the clouds' public keys: ${PUBLIC_KEYS_FILE} or the directory tricloud keygen wrote`,
  );
  if (!/^(0|[1-9][0-9]{0,8})$/.test(String(flags.sample)))
    throw new UsageError(`--sample: expected a whole number of events, got "${String(flags.sample)}"`);
  const sample = Number(flags.sample);
  const timeoutMs = integer("timeout-ms", flags["timeout-ms"], 1, 9_999_999);
  const format = oneOf("format", flags.format, FORMATS);
  const tsaCerts = ((flags["tsa-cert"] as string[] | undefined) ?? []).map((f) => {
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
  const publicKeys = readKeys(keys);
  const statePath = flags.state as string | undefined;
  const state = readState(statePath);

  // A node that does not answer is reported by name, and its log as not audited, rather than
  // as a bare "fetch failed" from deep inside the audit.
  const answers = await Promise.all(nodes.map((n) => reachable(n, timeoutMs)));
  const down = nodes
    .map((node, i) => ({ node, why: answers[i] }))
    .filter((x): x is { node: string; why: string } => x.why !== null);
  const up = nodes.filter((_, i) => answers[i] === null);
  const audited = up.length
    ? await auditLedgers({
        nodes: up,
        publicKeys,
        fetchJson: httpFetchJson(timeoutMs),
        sample,
        namespace: flags.namespace as string,
        state,
        anchorVerifiers,
      })
    : ({
        ok: true,
        logs: [],
        equivocationsChecked: 0,
        failures: [],
        notes: [],
        state: state ?? { version: 1, logs: {} },
      } satisfies AuditReport);
  const unreached = down.map(({ node, why }) => ({
    check: "fetch" as const,
    log: node,
    message: `did not answer (${why}): the log it serves was not audited`,
  }));
  const seen = new Set(audited.logs.map((l) => l.cloud));
  const notAudited = CLOUDS.filter((c) => !seen.has(c));
  const report = {
    ...audited,
    ok: audited.ok && unreached.length === 0,
    failures: [...unreached, ...audited.failures],
    notAudited,
  };
  process.stdout.write(
    format === "json" ? `${JSON.stringify(report, null, 2)}\n` : withCoverage(renderAuditText(report), notAudited),
  );
  if (report.ok && statePath) {
    const tmp = `${statePath}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(report.state, null, 2)}\n`);
    renameSync(tmp, statePath);
  }
  return report.ok ? 0 : 1;
}
