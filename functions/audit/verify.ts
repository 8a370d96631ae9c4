import { randomInt, type KeyObject } from "node:crypto";
import { z } from "zod";
import type { Anchor } from "../anchor/anchor";
import type { Cloud } from "../core/clouds";
import {
  checkpointDigest,
  checkpointSigners,
  parseSignedCheckpoint,
  type SignedCheckpoint,
} from "../ledger/checkpoint";
import { checkEntry, entryLeafHash } from "../ledger/entry";
import { CompactRange } from "../ledger/merkle";
import { verifyConsistency, verifyInclusion } from "../ledger/proofs";
import type { FetchJson } from "./fetch";
import { findEquivocations, statementsOf, type Statement } from "./join";
import type { AuditState } from "./state";

export interface AuditOptions {
  nodes: readonly string[];
  publicKeys: Readonly<Record<Cloud, KeyObject>>;
  fetchJson: FetchJson;
  /** Inclusion proofs to check per log (all entries when >= the size). */
  sample: number;
  namespace?: string;
  /** Checkpoints accepted in an earlier run. */
  state?: AuditState;
  /** Verifiers for anchor receipts, by the anchor's name prefix (e.g. "rfc3161:"). */
  anchorVerifiers?: ReadonlyArray<{ prefix: string; anchor: Pick<Anchor, "verify"> }>;
  /** Deterministic sampling in tests. */
  pick?: (size: number, n: number) => number[];
}

export interface Finding {
  check:
    | "fetch"
    | "signature"
    | "cosignature"
    | "consistency"
    | "state"
    | "entries"
    | "certificate"
    | "inclusion"
    | "anchor"
    | "equivocation"
    | "witness";
  log: string;
  message: string;
  evidence?: unknown;
}

export interface LogSummary {
  node: string;
  origin: string | undefined;
  cloud: Cloud | undefined;
  size: number | undefined;
  root: string | undefined;
  cosigners: Cloud[];
  checkpoints: number;
  entriesChecked: number;
  inclusionChecked: number;
  anchorsChecked: number;
  anchorsSkipped: number;
}

export interface AuditReport {
  ok: boolean;
  logs: LogSummary[];
  equivocationsChecked: number;
  failures: Finding[];
  notes: string[];
  /** The state to remember (only meaningful when ok). */
  state: AuditState;
}

const checkpointList = z.object({ checkpoints: z.array(z.object({ checkpoint: z.string() })) });
const proofReply = z.object({ proof: z.array(z.string()) });
const entriesReply = z.object({
  entries: z.array(z.object({ index: z.number(), eventId: z.string(), entry: z.string() })),
});
const inclusionReply = z.object({ index: z.number(), size: z.number(), entry: z.string(), proof: z.array(z.string()) });
const anchorsReply = z.object({
  anchors: z.array(
    z.object({
      anchor: z.string(),
      period: z.string().nullable(),
      size: z.number(),
      digest: z.string(),
      receipt: z.string(),
    }),
  ),
});
const witnessedReply = z.object({
  witnessed: z.array(z.object({ origin: z.string(), size: z.number(), root: z.string(), checkpoint: z.string() })),
  refusals: z.array(
    z.object({ origin: z.string(), note: z.string(), seenNote: z.string().nullable(), reason: z.string() }),
  ),
});

const b64 = (xs: string[]) => xs.map((x) => Buffer.from(x, "base64"));

function defaultPick(size: number, n: number): number[] {
  if (n >= size) return Array.from({ length: size }, (_, i) => i);
  const out = new Set<number>([size - 1]);
  while (out.size < n) out.add(randomInt(size));
  return [...out].sort((a, b) => a - b);
}

interface LogView {
  node: string;
  summary: LogSummary;
  /** Checkpoints with a valid own signature, ascending by size. */
  signed: SignedCheckpoint[];
  latest: SignedCheckpoint | undefined;
  statements: Statement[];
}

/**
 * Audits the ledgers of the given nodes. Everything a node says is checked against
 * signatures made with keys the auditor brought; any failure comes with its evidence.
 */
export async function auditLedgers(o: AuditOptions): Promise<AuditReport> {
  const failures: Finding[] = [];
  const notes: string[] = [];
  const namespace = o.namespace ?? "tricloud";
  const pick = o.pick ?? defaultPick;

  const get = async <T>(node: string, path: string, schema: z.ZodType<T>, log: string): Promise<T | undefined> => {
    try {
      const r = await o.fetchJson(`${node.replace(/\/$/, "")}${path}`);
      const parsed = schema.safeParse(r.body);
      if (r.status === 200 && parsed.success) return parsed.data;
      const err = (r.body as { error?: { code?: string; message?: string } } | undefined)?.error;
      failures.push({
        check: "fetch",
        log,
        message: `GET ${path}: answered ${r.status}${err ? ` ${err.code}: ${err.message}` : " with an unexpected body"}`,
      });
    } catch (err) {
      failures.push({ check: "fetch", log, message: err instanceof Error ? err.message : String(err) });
    }
    return undefined;
  };

  const views: LogView[] = [];
  for (const node of o.nodes) views.push(await auditOne(node));

  async function auditOne(node: string): Promise<LogView> {
    const summary: LogSummary = {
      node,
      origin: undefined,
      cloud: undefined,
      size: undefined,
      root: undefined,
      cosigners: [],
      checkpoints: 0,
      entriesChecked: 0,
      inclusionChecked: 0,
      anchorsChecked: 0,
      anchorsSkipped: 0,
    };
    const view: LogView = { node, summary, signed: [], latest: undefined, statements: [] };
    const list = await get(node, "/v1/ledger/checkpoints?limit=1000", checkpointList, node);
    if (!list) return view;

    // 1. Signatures: every checkpoint signed by its log; the newest counting one is the audit's anchor.
    const bySize = new Map<number, SignedCheckpoint>();
    for (const { checkpoint: text } of list.checkpoints) {
      let s: SignedCheckpoint;
      try {
        s = parseSignedCheckpoint(text);
      } catch (err) {
        failures.push({
          check: "signature",
          log: node,
          message: `checkpoint is malformed: ${(err as Error).message}`,
          evidence: { checkpoint: text },
        });
        continue;
      }
      const who = checkpointSigners(s, o.publicKeys, namespace);
      const label = s.checkpoint.origin;
      if (summary.origin && label !== summary.origin) {
        failures.push({
          check: "signature",
          log: node,
          message: `checkpoints of two origins (${summary.origin}, ${label}) from one node`,
          evidence: { checkpoint: text },
        });
        continue;
      }
      summary.origin = label;
      summary.cloud = who.cloud;
      if (!who.cloud) {
        failures.push({
          check: "signature",
          log: node,
          message: `origin "${label}" is not a log of namespace "${namespace}"`,
          evidence: { checkpoint: text },
        });
        continue;
      }
      if (!who.signed) {
        failures.push({
          check: "signature",
          log: label,
          message: `checkpoint ${s.checkpoint.size}: no valid signature by ${who.cloud}'s key`,
          evidence: { checkpoint: text },
        });
        continue;
      }
      const twin = bySize.get(s.checkpoint.size);
      if (twin && !twin.checkpoint.root.equals(s.checkpoint.root)) {
        failures.push({
          check: "consistency",
          log: label,
          message: `two signed checkpoints of size ${s.checkpoint.size} with different roots (a fork)`,
          evidence: { first: twin.text, second: text },
        });
        continue;
      }
      bySize.set(s.checkpoint.size, s);
      if (who.counts && (!view.latest || s.checkpoint.size > view.latest.checkpoint.size)) {
        view.latest = s;
        summary.cosigners = who.cosigners.map((c) => c.cloud);
      }
    }
    view.signed = [...bySize.values()].sort((a, b) => a.checkpoint.size - b.checkpoint.size);
    summary.checkpoints = view.signed.length;
    const label = summary.origin ?? node;
    const latest = view.latest;
    if (!latest) {
      failures.push({
        check: "cosignature",
        log: label,
        message:
          "no checkpoint carries the log's signature and a cosignature of another cloud; nothing to audit against",
      });
      return view;
    }
    summary.size = latest.checkpoint.size;
    summary.root = latest.checkpoint.root.toString("base64");
    const unsigned = view.signed.filter((s) => s.checkpoint.size > latest.checkpoint.size).length;
    if (unsigned) notes.push(`${label}: ${unsigned} newer checkpoint(s) not cosigned yet`);

    // 2. Consistency between successive signed checkpoints.
    for (let i = 1; i < view.signed.length; i++) {
      await checkConsistency(node, label, view.signed[i - 1]!, view.signed[i]!, "successive checkpoints");
    }

    // 3. Consistency with what this auditor accepted before.
    const before = o.state?.logs[label];
    if (before) {
      let prev: SignedCheckpoint | undefined;
      try {
        prev = parseSignedCheckpoint(before.checkpoint);
      } catch (err) {
        failures.push({
          check: "state",
          log: label,
          message: `state file: the remembered checkpoint is malformed (${(err as Error).message})`,
        });
      }
      if (prev) {
        if (prev.checkpoint.size > latest.checkpoint.size) {
          failures.push({
            check: "state",
            log: label,
            message: `the log now shows size ${latest.checkpoint.size}, below the size ${prev.checkpoint.size} accepted in an earlier audit (rolled back)`,
            evidence: { earlier: prev.text, now: latest.text },
          });
        } else {
          await checkConsistency(node, label, prev, latest, "the checkpoint accepted in an earlier audit");
        }
      }
    }

    // 4. Every entry up to the latest checkpoint: a valid certificate, and together they hash to the signed roots.
    let range = new CompactRange();
    const checkpointsAt = new Map(view.signed.map((s) => [s.checkpoint.size, s]));
    const entries = new Map<number, { eventId: string; entry: string }>();
    let at = 0;
    while (at < latest.checkpoint.size) {
      const page = await get(
        node,
        `/v1/ledger/entries?start=${at}&limit=${Math.min(1000, latest.checkpoint.size - at)}`,
        entriesReply,
        label,
      );
      if (!page) break;
      if (page.entries.length === 0) {
        failures.push({
          check: "entries",
          log: label,
          message: `the log serves no entry ${at}, but its checkpoint has ${latest.checkpoint.size}`,
        });
        break;
      }
      for (const e of page.entries) {
        if (e.index !== at) {
          failures.push({
            check: "entries",
            log: label,
            message: `expected entry ${at}, the log served entry ${e.index}`,
          });
          at = latest.checkpoint.size;
          break;
        }
        entries.set(at, e);
        const check = checkEntry(e.entry, o.publicKeys);
        if (!check.ok)
          failures.push({
            check: "certificate",
            log: label,
            message: `entry ${at} (${e.eventId}): ${check.reason}`,
            evidence: { index: at, eventId: e.eventId, entry: e.entry },
          });
        else if (check.entry.envelope.eventId !== e.eventId)
          failures.push({
            check: "entries",
            log: label,
            message: `entry ${at} is listed as ${e.eventId} but certifies ${check.entry.envelope.eventId}`,
          });
        else view.statements.push(...statementsOf(check.entry, label, at));
        range = range.append(entryLeafHash(e.entry)).range;
        at++;
        summary.entriesChecked = at;
        const cp = checkpointsAt.get(at);
        if (cp && !range.root().equals(cp.checkpoint.root)) {
          failures.push({
            check: "entries",
            log: label,
            message: `the entries 0..${at - 1} served now hash to ${range.root().toString("base64")}, not to the root of the signed checkpoint ${at}`,
            evidence: { checkpoint: cp.text, computedRoot: range.root().toString("base64") },
          });
        }
        if (at >= latest.checkpoint.size) break;
      }
    }

    // 5. Inclusion proofs of sampled events, looked up by eventId, against the latest counting checkpoint.
    for (const index of pick(latest.checkpoint.size, o.sample)) {
      const listed = entries.get(index);
      if (!listed) continue;
      const r = await get(
        node,
        `/v1/ledger/proof/inclusion?eventId=${encodeURIComponent(listed.eventId)}&size=${latest.checkpoint.size}`,
        inclusionReply,
        label,
      );
      if (!r) continue;
      summary.inclusionChecked++;
      const verdict =
        r.index !== index
          ? { ok: false as const, reason: `the log places ${listed.eventId} at ${r.index}, its entry list at ${index}` }
          : r.entry !== listed.entry
            ? { ok: false as const, reason: "the proof's entry differs from the listed entry" }
            : verifyInclusion(
                r.index,
                latest.checkpoint.size,
                entryLeafHash(r.entry),
                b64(r.proof),
                latest.checkpoint.root,
              );
      if (!verdict.ok) {
        failures.push({
          check: "inclusion",
          log: label,
          message: `${listed.eventId} (entry ${index}): ${verdict.reason}`,
          evidence: { checkpoint: latest.text, index: r.index, entry: r.entry, proof: r.proof },
        });
      }
    }

    // 6. Anchors: the anchored digest is a signed checkpoint's, and the receipt verifies.
    const anchors = await get(node, "/v1/ledger/anchors", anchorsReply, label);
    for (const a of anchors?.anchors ?? []) {
      const cp = checkpointsAt.get(a.size);
      if (!cp) {
        failures.push({
          check: "anchor",
          log: label,
          message: `anchor ${a.anchor} (${a.period ?? "-"}) is for size ${a.size}, which no signed checkpoint has`,
          evidence: a,
        });
        continue;
      }
      if (checkpointDigest(cp.checkpoint).toString("hex") !== a.digest) {
        failures.push({
          check: "anchor",
          log: label,
          message: `anchor ${a.anchor} (${a.period ?? "-"}): digest ${a.digest} is not the digest of checkpoint ${a.size}`,
          evidence: { anchor: a, checkpoint: cp.text },
        });
        continue;
      }
      const verifier = o.anchorVerifiers?.find((v) => a.anchor.startsWith(v.prefix));
      if (!verifier) {
        summary.anchorsSkipped++;
        continue;
      }
      const verdict = await verifier.anchor.verify(Buffer.from(cp.note.body, "utf8"), a.receipt);
      summary.anchorsChecked++;
      if (!verdict.ok)
        failures.push({
          check: "anchor",
          log: label,
          message: `anchor ${a.anchor} (${a.period ?? "-"}) of size ${a.size}: ${verdict.reason}`,
          evidence: { anchor: a, checkpoint: cp.text },
        });
    }
    if (summary.anchorsSkipped)
      notes.push(
        `${label}: ${summary.anchorsSkipped} anchor receipt(s) not verified (no trusted certificate given for their kind; see --tsa-cert)`,
      );
    return view;
  }

  async function checkConsistency(
    node: string,
    label: string,
    a: SignedCheckpoint,
    b: SignedCheckpoint,
    what: string,
  ): Promise<void> {
    const r = await get(
      node,
      `/v1/ledger/proof/consistency?from=${a.checkpoint.size}&to=${b.checkpoint.size}`,
      proofReply,
      label,
    );
    if (!r) return;
    const verdict = verifyConsistency(
      a.checkpoint.size,
      b.checkpoint.size,
      b64(r.proof),
      a.checkpoint.root,
      b.checkpoint.root,
    );
    if (!verdict.ok) {
      failures.push({
        check: "consistency",
        log: label,
        message: `checkpoint ${b.checkpoint.size} is not consistent with ${what} (${a.checkpoint.size}): ${verdict.reason}`,
        evidence: { from: a.text, to: b.text, proof: r.proof },
      });
    }
  }

  // 7. Witness views: what each cloud cosigned for the others must fit the logs' own checkpoints.
  const byOrigin = new Map(views.filter((v) => v.summary.origin).map((v) => [v.summary.origin!, v]));
  for (const v of views) {
    if (!v.summary.origin) continue;
    const w = await get(v.node, "/v1/ledger/witnessed", witnessedReply, v.summary.origin);
    for (const seen of w?.witnessed ?? []) {
      const target = byOrigin.get(seen.origin);
      if (!target?.latest) continue;
      let s: SignedCheckpoint;
      try {
        s = parseSignedCheckpoint(seen.checkpoint);
      } catch {
        continue;
      }
      if (!checkpointSigners(s, o.publicKeys, namespace).signed) continue;
      const latest = target.latest;
      const [a, b] = s.checkpoint.size <= latest.checkpoint.size ? [s, latest] : [latest, s];
      await checkConsistency(target.node, seen.origin, a, b, `the checkpoint ${v.summary.cloud} witnessed`);
    }
    for (const r of w?.refusals ?? []) {
      const verdict = await recheckRefusal(r, byOrigin.get(r.origin)?.node);
      if (verdict.real)
        failures.push({
          check: "witness",
          log: r.origin,
          message: `${v.summary.cloud} refused a checkpoint signed by ${r.origin}: ${verdict.why}`,
          evidence: { refused: r.note, lastCosigned: r.seenNote },
        });
      else
        notes.push(
          `${r.origin}: a refusal kept by ${v.summary.cloud} does not hold up (${verdict.why}); not a failure`,
        );
    }
  }

  /**
   * A witness's refusal is only a claim: it counts when the two checkpoints are both signed by
   * the log and really do not fit together (same size, different roots; or no valid proof from
   * the log itself joins them). A replayed or forged request the witness kept proves nothing.
   */
  async function recheckRefusal(
    r: { origin: string; note: string; seenNote: string | null; reason: string },
    logNode: string | undefined,
  ): Promise<{ real: boolean; why: string }> {
    const parse = (text: string | null): SignedCheckpoint | undefined => {
      if (text === null) return undefined;
      try {
        const s = parseSignedCheckpoint(text);
        const who = checkpointSigners(s, o.publicKeys, namespace);
        return who.signed && s.checkpoint.origin === r.origin ? s : undefined;
      } catch {
        return undefined;
      }
    };
    const refused = parse(r.note);
    const seen = parse(r.seenNote);
    if (!refused) return { real: false, why: "the refused checkpoint carries no valid signature of the log" };
    if (!seen) return { real: false, why: "the witness kept no checkpoint signed by the log to compare with" };
    const [a, b] = seen.checkpoint.size <= refused.checkpoint.size ? [seen, refused] : [refused, seen];
    if (a.checkpoint.size === b.checkpoint.size) {
      return a.checkpoint.root.equals(b.checkpoint.root)
        ? { real: false, why: "the two checkpoints are the same" }
        : {
            real: true,
            why: `two checkpoints of size ${a.checkpoint.size} with different roots, both signed by the log (a fork)`,
          };
    }
    if (!logNode)
      return { real: true, why: `${r.reason} (the log was not audited, so its proof could not be asked for)` };
    try {
      const res = await o.fetchJson(
        `${logNode.replace(/\/$/, "")}/v1/ledger/proof/consistency?from=${a.checkpoint.size}&to=${b.checkpoint.size}`,
      );
      const proof = proofReply.safeParse(res.body);
      if (
        res.status === 200 &&
        proof.success &&
        verifyConsistency(
          a.checkpoint.size,
          b.checkpoint.size,
          b64(proof.data.proof),
          a.checkpoint.root,
          b.checkpoint.root,
        ).ok
      ) {
        return {
          real: false,
          why: `the log proves checkpoint ${b.checkpoint.size} consistent with ${a.checkpoint.size}`,
        };
      }
    } catch {
      // Falls through: no proof from the log.
    }
    return {
      real: true,
      why: `${r.reason}; the log gives no valid consistency proof between ${a.checkpoint.size} and ${b.checkpoint.size}`,
    };
  }

  // 8. The join: no signer ever signed two hashes for one eventId, across all logs.
  const all = views.flatMap((v) => v.statements);
  for (const e of findEquivocations(all)) {
    failures.push({
      check: "equivocation",
      log: e.statements.map((s) => s.log).join(", "),
      message: `${e.signer} signed ${e.statements.length} different hashes for event ${e.eventId}`,
      evidence: e.statements,
    });
  }

  const state: AuditState = { version: 1, logs: { ...(o.state?.logs ?? {}) } };
  for (const v of views) {
    if (v.latest)
      state.logs[v.latest.checkpoint.origin] = {
        size: v.latest.checkpoint.size,
        root: v.latest.checkpoint.root.toString("base64"),
        checkpoint: v.latest.text,
      };
  }
  return {
    ok: failures.length === 0,
    logs: views.map((v) => v.summary),
    equivocationsChecked: all.length,
    failures,
    notes,
    state,
  };
}
