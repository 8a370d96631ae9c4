import type { Cloud } from "../functions/core/clouds";
import type { FaultRecord, HistoryData, Op } from "./history";

/**
 * The checker: a pure function over a run's full history that says, for every invariant of
 * the quorum (functions/README.md, "Guarantees and limits", and the HTTP API), whether
 * the history shows it held, with examples when it did not. It judges only what the history
 * proves: an operation whose outcome is unknown (info) neither convicts nor acquits.
 */

export interface CheckOptions {
  /** Liveness: p99 time to FINAL after the last fault that obstructed the event. */
  livenessBoundMs: number;
  maxExamples: number;
  /** An equivocation is exempt from "one FINAL hash" if a fault touched its honest receivers within this window. */
  equivocationWindowMs: number;
}

export const DEFAULT_CHECK: CheckOptions = { livenessBoundMs: 5_000, maxExamples: 5, equivocationWindowMs: 10_000 };

/** Every check the checker reports, in report order. */
export const INVARIANT_NAMES = [
  "acknowledged-not-lost",
  "one-final-hash",
  "duplicates-converge",
  "reuse-gets-409",
  "no-quarantine-without-proof",
  "forged-messages-refused",
  "replays-harmless",
  "quarantined-never-lends",
  "status-transitions",
  "final-has-certificate",
  "one-signature-per-cloud",
  "equivocation-detected",
  "liveness",
  "no-crash",
  "malformed-requests-refused",
  "witness-replays-harmless",
  "audit-verifies",
  "no-error-logs",
] as const;
export type InvariantName = (typeof INVARIANT_NAMES)[number];

export interface InvariantResult {
  name: string;
  description: string;
  /** An advisory is reported but does not make the run fail. */
  severity: "invariant" | "advisory";
  held: boolean;
  /** How many things were checked (events, operations, nodes). */
  checked: number;
  violations: number;
  examples: unknown[];
  note?: string;
}

export interface LivenessFigures {
  boundMs: number;
  events: number;
  finalized: number;
  unfinished: number;
  /** Time to FINAL after the last obstructing fault ended (or after submission if later). */
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** The same measured from the first submission, faults or not. */
  fromSubmitP50Ms: number | null;
  fromSubmitP99Ms: number | null;
  /** Split of the first figure: events sent only to healthy nodes while one cloud was out (from submission) ... */
  healthyWhileOneOut: { events: number; p50Ms: number | null; p99Ms: number | null };
  /** ... and events a fault obstructed (from the end of that fault). */
  afterObstruction: { events: number; p50Ms: number | null; p99Ms: number | null };
}

export interface CheckResult {
  valid: boolean;
  invariants: InvariantResult[];
  liveness: LivenessFigures;
}

type Read = Op & { f: "read"; node: Cloud; eventId: string };

const is2xx = (op: Op) => op.result?.http !== undefined && op.result.http >= 200 && op.result.http < 300;
const completed = (op: Op) => op.completeMs !== undefined;

class Findings {
  checked = 0;
  readonly all: unknown[] = [];
  add(example: unknown): void {
    this.all.push(example);
  }
}

/** Nearest-rank percentile; Infinity (never finished) sorts last. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

function groupBy<T, K>(items: readonly T[], key: (t: T) => K | undefined): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const it of items) {
    const k = key(it);
    if (k === undefined) continue;
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

const overlaps = (f: FaultRecord, from: number, to: number) => f.startMs < to && (f.stopMs ?? Infinity) > from;

export function check(h: HistoryData, options: Partial<CheckOptions> = {}): CheckResult {
  const o = { ...DEFAULT_CHECK, ...options };
  const ops = h.ops;
  const reads = ops.filter(
    (op): op is Read =>
      op.f === "read" &&
      op.node !== undefined &&
      op.eventId !== undefined &&
      completed(op) &&
      op.result?.http !== undefined &&
      (op.result.http === 200 || op.result.http === 404),
  );
  const readsById = groupBy(reads, (r) => r.eventId);
  const submits = ops.filter((op) => op.f === "submit" && op.eventId !== undefined);
  const submitsById = groupBy(submits, (s) => s.eventId);
  const equivocations = ops.filter((op) => op.f === "equivocate" && op.eventId !== undefined);
  const equivocated = new Set(equivocations.map((e) => e.eventId!));
  const honestIds = [...submitsById.keys()].filter((id) => !equivocated.has(id));
  const results: InvariantResult[] = [];

  const emit = (
    name: InvariantName,
    description: string,
    f: Findings,
    severity: InvariantResult["severity"] = "invariant",
    note?: string,
  ) => {
    results.push({
      name,
      description,
      severity,
      held: f.all.length === 0,
      checked: f.checked,
      violations: f.all.length,
      examples: f.all.slice(0, o.maxExamples),
      ...(note ? { note } : {}),
    });
  };

  /** The last completed read of each node for an event: its final state as far as the run saw. */
  const lastReads = (id: string): Map<Cloud, Read> => {
    const m = new Map<Cloud, Read>();
    for (const r of readsById.get(id) ?? []) {
      const prev = m.get(r.node);
      if (!prev || r.completeMs! > prev.completeMs!) m.set(r.node, r);
    }
    return m;
  };

  // 1. No acknowledged event is lost: the node that acknowledged a hash still holds it.
  {
    const f = new Findings();
    for (const s of submits) {
      if (!is2xx(s) || !s.result?.hash || !s.node) continue;
      f.checked++;
      const last = lastReads(s.eventId!).get(s.node);
      if (!last) continue; // never read back: nothing to judge
      if (last.result!.http === 404)
        f.add({
          eventId: s.eventId,
          node: s.node,
          acked: s.result.hash,
          ackedAtMs: s.completeMs,
          finally: "not found",
          readAtMs: last.completeMs,
        });
      else if (last.result!.hash !== s.result.hash)
        f.add({
          eventId: s.eventId,
          node: s.node,
          acked: s.result.hash,
          finally: last.result!.hash,
          readAtMs: last.completeMs,
        });
    }
    emit(
      "acknowledged-not-lost",
      "No acknowledged event is lost: a node that answered 2xx with a hash still holds that event with that hash at the end (kills and restarts included).",
      f,
    );
  }

  // 2. At most one FINAL hash per eventId across nodes.
  const exemptEquivocations = new Map<string, FaultRecord[]>();
  for (const e of equivocations) {
    const receivers = (e.value?.receivers as Cloud[] | undefined) ?? [];
    const end = (e.completeMs ?? e.invokeMs) + o.equivocationWindowMs;
    const touching = h.faults.filter(
      (ft) =>
        overlaps(ft, e.invokeMs, end) &&
        (ft.kind === "partition-all" ||
          ft.victims.some((v) => receivers.includes(v)) ||
          ft.links.some((l) => receivers.every((r) => l.includes(r)))),
    );
    if (touching.length > 0) exemptEquivocations.set(e.eventId!, touching);
  }
  {
    const f = new Findings();
    const exempt: unknown[] = [];
    for (const [id, rs] of readsById) {
      f.checked++;
      const finals = new Map<string, Read[]>();
      for (const r of rs)
        if (r.result!.status === "FINAL") finals.set(r.result!.hash!, [...(finals.get(r.result!.hash!) ?? []), r]);
      if (finals.size <= 1) continue;
      const example = {
        eventId: id,
        finalHashes: [...finals].map(([hash, list]) => ({
          hash,
          nodes: [...new Set(list.map((r) => r.node))],
          firstSeenMs: Math.min(...list.map((r) => r.completeMs!)),
        })),
      };
      if (exemptEquivocations.has(id))
        exempt.push({
          ...example,
          faults: exemptEquivocations.get(id)!.map((ft) => `${ft.kind}(${ft.victims.join(",")})#${ft.id}`),
        });
      else f.add(example);
    }
    emit(
      "one-final-hash",
      "At most one FINAL hash per eventId across all nodes and all reads.",
      f,
      "invariant",
      exempt.length > 0
        ? `${exempt.length} stolen-key equivocation(s) launched while a fault cut the honest receivers apart are exempt (the documented limit: detection, not prevention): ${JSON.stringify(exempt.slice(0, o.maxExamples))}`
        : undefined,
    );
  }

  // 3. Duplicates across nodes converge to one hash and are never quarantined.
  {
    const f = new Findings();
    for (const id of honestIds) {
      const subs = submitsById.get(id)!;
      if (new Set(subs.map((s) => s.node)).size < 2) continue;
      f.checked++;
      const ackHashes = new Set(subs.filter((s) => is2xx(s) && s.result?.hash).map((s) => s.result!.hash!));
      const stored = new Map<string, Cloud[]>();
      for (const r of readsById.get(id) ?? [])
        if (r.result!.http === 200 && r.result!.hash)
          stored.set(r.result!.hash, [...new Set([...(stored.get(r.result!.hash) ?? []), r.node])]);
      const quarantined = [
        ...new Set((readsById.get(id) ?? []).filter((r) => r.result!.status === "QUARANTINED").map((r) => r.node)),
      ];
      const lasts = lastReads(id);
      const final = [...lasts.values()].some((r) => r.result!.status === "FINAL");
      if (ackHashes.size > 1 || stored.size > 1 || quarantined.length > 0 || !final) {
        f.add({
          eventId: id,
          sentTo: subs.map((s) => `${s.node}@${s.invokeMs}ms:${s.result?.http ?? s.type}`),
          ackedHashes: [...ackHashes],
          storedHashes: Object.fromEntries(stored),
          quarantinedOn: quarantined,
          finally: Object.fromEntries([...lasts].map(([n, r]) => [n, r.result!.status ?? "absent"])),
        });
      }
    }
    emit(
      "duplicates-converge",
      "The same {tenantId, eventId, payload} sent to several nodes (failover, concurrent duplicates) converges to one hash, ends FINAL and is never QUARANTINED.",
      f,
    );
  }

  // 4. A different payload (or tenant) under a used eventId is a client error: 409.
  {
    const f = new Findings();
    for (const op of ops) {
      if (op.f !== "reuse" || op.result?.http === undefined) continue;
      f.checked++;
      if (op.result.http !== 409)
        f.add({
          eventId: op.eventId,
          node: op.node,
          answered: op.result.http,
          hash: op.result.hash,
          changed: op.value?.changed,
          atMs: op.invokeMs,
        });
    }
    emit(
      "reuse-gets-409",
      "A different payload or tenant under an eventId the node already holds is answered 409 (and never quarantines the event).",
      f,
    );
  }

  // 5. No QUARANTINE without a valid equivocation proof: honest events never quarantined.
  {
    const f = new Findings();
    for (const id of honestIds) {
      f.checked++;
      const q = (readsById.get(id) ?? []).filter((r) => r.result!.status === "QUARANTINED");
      if (q.length === 0) continue;
      const attacks = ops
        .filter((op) => op.eventId === id && (op.f === "forge" || op.f === "replay" || op.f === "reuse"))
        .map((op) => `${op.f}:${op.value?.kind ?? op.value?.changed ?? ""}@${op.invokeMs}ms`);
      f.add({
        eventId: id,
        quarantinedOn: [...new Set(q.map((r) => r.node))],
        firstSeenMs: Math.min(...q.map((r) => r.completeMs!)),
        reason: q[0]!.result!.detail?.statusReason,
        submittedTo: submitsById.get(id)!.map((s) => s.node),
        attacksOnIt: attacks,
      });
    }
    emit(
      "no-quarantine-without-proof",
      "Only two validly signed different hashes from one cloud quarantine an event: honest events (duplicates, forged or replayed messages, id reuse included) are never QUARANTINED.",
      f,
    );
  }

  // 6. Forged and unauthenticated messages are refused and change nothing.
  {
    const f = new Findings();
    const forgedHashes = new Map<string, Op>();
    for (const op of ops) {
      if (op.f !== "forge") continue;
      if (typeof op.value?.forgedHash === "string") forgedHashes.set(`${op.eventId}/${op.value.forgedHash}`, op);
      if (op.result?.http === undefined) continue;
      f.checked++;
      const http = op.result.http;
      if (http >= 500 || (op.value?.expect === "4xx" && (http < 400 || http >= 500)))
        f.add({
          kind: op.value?.kind,
          eventId: op.eventId,
          node: op.node,
          answered: http,
          code: op.result.errorCode,
          atMs: op.invokeMs,
        });
    }
    for (const r of reads) {
      const forged = r.result!.hash && forgedHashes.get(`${r.eventId}/${r.result!.hash}`);
      if (forged)
        f.add({
          kind: forged.value?.kind,
          eventId: r.eventId,
          node: r.node,
          problem: "a forged hash was stored",
          status: r.result!.status,
        });
    }
    emit(
      "forged-messages-refused",
      "A peer message with a bad hash, a bad or random signature or an unknown key is refused (4xx, never 2xx or 5xx) and its hash is never stored.",
      f,
    );
  }

  // 7. Replayed valid messages change nothing.
  {
    const f = new Findings();
    for (const op of ops) {
      if (op.f !== "replay" || op.result?.http === undefined) continue;
      f.checked++;
      if (op.result.http >= 500)
        f.add({ eventId: op.eventId, node: op.node, answered: op.result.http, kind: op.value?.kind });
      const before = op.value?.hash as string | undefined;
      // The replayed message is one the clouds signed: the event may move on (PENDING -> FINAL), never to QUARANTINED
      // or another hash. Blamed on the replay only if this node was seen holding it unquarantined just before, and
      // no node had quarantined it yet (else the replay met an event something else had already condemned).
      const rs = readsById.get(op.eventId!) ?? [];
      const onNode = rs.filter((r) => r.node === op.node && r.result!.http === 200);
      const lastBefore = onNode
        .filter((r) => r.completeMs! < op.invokeMs)
        .sort((a, b) => b.completeMs! - a.completeMs!)[0];
      const firstAfter = onNode.filter((r) => r.invokeMs > op.completeMs!).sort((a, b) => a.invokeMs - b.invokeMs)[0];
      const condemnedBefore = rs.some((r) => r.result!.status === "QUARANTINED" && r.completeMs! < op.invokeMs);
      if (
        equivocated.has(op.eventId!) ||
        !lastBefore ||
        !firstAfter ||
        condemnedBefore ||
        lastBefore.result!.status === "QUARANTINED"
      )
        continue;
      if (firstAfter.result!.status === "QUARANTINED" || firstAfter.result!.hash !== lastBefore.result!.hash) {
        f.add({
          eventId: op.eventId,
          node: op.node,
          kind: op.value?.kind,
          replayedHash: before,
          before: { status: lastBefore.result!.status, hash: lastBefore.result!.hash },
          after: { status: firstAfter.result!.status, hash: firstAfter.result!.hash },
        });
      }
    }
    emit(
      "replays-harmless",
      "An old, validly signed peer message sent again (captured on a link, or rebuilt from a certificate, to any node, from any claimed sender) is not a 5xx and never quarantines the event or changes its hash.",
      f,
    );
  }

  // 8. A cloud that quarantined an event never lends its confirmation to a FINAL.
  {
    const f = new Findings();
    for (const [id, rs] of readsById) {
      const quarantinedAt = new Map<Cloud, number>();
      for (const r of rs)
        if (r.result!.status === "QUARANTINED")
          quarantinedAt.set(r.node, Math.min(quarantinedAt.get(r.node) ?? Infinity, r.completeMs!));
      if (quarantinedAt.size === 0) continue;
      for (const fin of rs) {
        if (fin.result!.status !== "FINAL") continue;
        f.checked++;
        for (const [c, tq] of quarantinedAt) {
          if (c === fin.node || !fin.result!.certClouds?.includes(c)) continue;
          // The finalizing node was seen not FINAL after the co-signer had quarantined ...
          const laterNotFinal = rs.find(
            (r) =>
              r.node === fin.node && r.invokeMs > tq && r.completeMs! < fin.invokeMs && r.result!.status !== "FINAL",
          );
          // ... or the co-signer signed its confirmation after it had quarantined.
          const signed = fin.result!.signers?.find((s) => s.cloud === c && s.hash === fin.result!.hash);
          const signedAfter = signed?.confirmedAtMs !== undefined && signed.confirmedAtMs - h.startWallMs > tq;
          if (laterNotFinal || signedAfter) {
            f.add({
              eventId: id,
              final: fin.node,
              finalSeenMs: fin.completeMs,
              coSigner: c,
              coSignerQuarantinedBy: tq,
              ...(laterNotFinal ? { stillNotFinalAtMs: laterNotFinal.completeMs } : {}),
              ...(signedAfter ? { coSignerSignedAtMs: signed!.confirmedAtMs! - h.startWallMs } : {}),
            });
          }
        }
      }
    }
    emit(
      "quarantined-never-lends",
      "A cloud seen QUARANTINED on an event is not in the certificate of a FINAL reached (or signed) after that.",
      f,
    );
  }

  // 9. Status only PENDING -> FINAL or PENDING -> QUARANTINED; a stored event never vanishes or changes hash.
  {
    const f = new Findings();
    for (const [id, rs] of readsById) {
      const byNode = groupBy(rs, (r) => r.node);
      for (const [node, list] of byNode) {
        f.checked++;
        const sorted = [...list].sort((a, b) => a.invokeMs - b.invokeMs);
        let flagged = false;
        for (let j = 1; j < sorted.length && !flagged; j++) {
          const r2 = sorted[j]!;
          for (let i = 0; i < j && !flagged; i++) {
            const r1 = sorted[i]!;
            if (r1.completeMs! >= r2.invokeMs) continue; // concurrent reads order nothing
            const a = r1.result!;
            const b = r2.result!;
            let problem: string | undefined;
            if (a.http === 200 && b.http === 404) problem = "vanished";
            else if (a.http === 200 && b.http === 200 && a.hash !== b.hash) problem = "stored hash changed";
            else if (
              a.http === 200 &&
              (a.status === "FINAL" || a.status === "QUARANTINED") &&
              b.http === 200 &&
              b.status !== a.status
            )
              problem = `${a.status} -> ${b.status}`;
            if (problem) {
              flagged = true;
              f.add({
                eventId: id,
                node,
                problem,
                first: { atMs: r1.completeMs, status: a.status ?? "absent", hash: a.hash },
                then: { atMs: r2.invokeMs, status: b.status ?? "absent", hash: b.hash },
              });
            }
          }
        }
      }
    }
    emit(
      "status-transitions",
      "Per node, status only moves PENDING -> FINAL or PENDING -> QUARANTINED, and a stored event never vanishes or changes hash.",
      f,
    );
  }

  // 10. FINAL is backed by a certificate: valid confirmations of two distinct clouds on its hash.
  {
    const f = new Findings();
    for (const r of reads) {
      if (r.result!.status !== "FINAL") continue;
      f.checked++;
      if ((r.result!.certClouds?.length ?? 0) < 2)
        f.add({
          eventId: r.eventId,
          node: r.node,
          hash: r.result!.hash,
          validSigners: r.result!.certClouds ?? [],
          atMs: r.completeMs,
        });
    }
    emit(
      "final-has-certificate",
      "Every FINAL read shows valid signed confirmations from at least two distinct clouds on its hash.",
      f,
    );
  }

  // 11. An honest cloud signs at most one hash per eventId.
  {
    const f = new Findings();
    for (const [id, rs] of readsById) {
      const byCloud = new Map<Cloud, Set<string>>();
      for (const r of rs)
        for (const s of r.result!.signers ?? [])
          byCloud.set(s.cloud, new Set([...(byCloud.get(s.cloud) ?? []), s.hash]));
      for (const [cloud, hashes] of byCloud) {
        if (equivocated.has(id) && cloud === h.stolenKey) continue; // the attacker signs with that key
        f.checked++;
        if (hashes.size > 1) f.add({ eventId: id, cloud, hashes: [...hashes] });
      }
    }
    emit(
      "one-signature-per-cloud",
      "No honest cloud's valid confirmation appears on two different hashes of one eventId.",
      f,
    );
  }

  // 12. A stolen-key equivocation is detected: quarantined somewhere or kept as evidence.
  {
    const f = new Findings();
    for (const e of equivocations) {
      const delivered = (e.result?.detail?.delivered as number | undefined) ?? 0;
      if (delivered < 2) continue;
      f.checked++;
      const q = (readsById.get(e.eventId!) ?? []).some((r) => r.result!.status === "QUARANTINED");
      const ev = ops.some(
        (op) =>
          op.f === "evidence" &&
          op.eventId === e.eventId &&
          (op.result?.evidenceKinds ?? []).some((k) => /equivoc/i.test(k)),
      );
      // Where 2-of-3 could not prevent two FINALs, both certificates carrying the thief's signature are the proof an auditor finds.
      const certs = new Set(
        (readsById.get(e.eventId!) ?? [])
          .filter((r) => r.result!.status === "FINAL" && h.stolenKey && r.result!.certClouds?.includes(h.stolenKey))
          .map((r) => r.result!.hash),
      );
      const twoCertificates = exemptEquivocations.has(e.eventId!) && certs.size >= 2;
      if (!q && !ev && !twoCertificates)
        f.add({
          eventId: e.eventId,
          receivers: e.value?.receivers,
          atMs: e.invokeMs,
          finally: Object.fromEntries([...lastReads(e.eventId!)].map(([n, r]) => [n, r.result!.status ?? "absent"])),
        });
    }
    emit(
      "equivocation-detected",
      "Two validly signed different hashes for one eventId from the stolen-key cloud, delivered to both honest clouds, leave the event QUARANTINED somewhere or an equivocation in some node's evidence.",
      f,
    );
  }

  // 13. Liveness with one cloud out.
  const liveness = livenessFigures(h, honestIds, submitsById, readsById, o.livenessBoundMs);
  {
    const f = new Findings();
    f.checked = liveness.figures.events;
    if (liveness.figures.events > 0 && (liveness.figures.p99Ms === null || liveness.figures.p99Ms > o.livenessBoundMs))
      for (const s of liveness.slowest) f.add(s);
    emit(
      "liveness",
      `Honest acknowledged events reach FINAL on some node with p99 under ${o.livenessBoundMs} ms, measured from the end of the last fault that took out a node they were sent to (or any partition of two or more clouds), or from submission if later.`,
      f,
      "invariant",
      `p50 ${fmt(liveness.figures.p50Ms)}, p99 ${fmt(liveness.figures.p99Ms)}, max ${fmt(liveness.figures.maxMs)} over ${liveness.figures.events} events (${liveness.figures.unfinished} never FINAL)`,
    );
  }

  // 14. No node crashes.
  {
    const f = new Findings();
    f.checked = h.exits.length;
    for (const x of h.exits) if (!x.expected) f.add(x);
    for (const op of ops) {
      if (op.f !== "health") continue;
      f.checked++;
      if (op.result?.http !== 200)
        f.add({ node: op.node, health: op.result?.http ?? op.result?.error ?? op.type, atMs: op.invokeMs });
    }
    emit(
      "no-crash",
      "No node exits unless the harness killed it, and every node answers /health with 200 at the end.",
      f,
    );
  }

  // 15. Nothing a client sends gets a 5xx, and a malformed request gets a 4xx.
  {
    const f = new Findings();
    for (const op of ops) {
      if (op.f !== "malformed" || !completed(op)) continue;
      const http = op.result?.http;
      // No answer from a node the nemesis killed or paused meanwhile proves nothing.
      if (
        http === undefined &&
        h.faults.some(
          (ft) =>
            (ft.kind === "kill" || ft.kind === "pause") &&
            ft.victims.includes(op.node!) &&
            overlaps(ft, op.invokeMs, op.completeMs!),
        )
      )
        continue;
      f.checked++;
      const expect = op.value?.expect as "4xx" | "4xx-json" | "no-5xx" | undefined;
      let problem: string | undefined;
      if (http !== undefined && http >= 500) problem = `answered ${http}`;
      else if ((expect === "4xx" || expect === "4xx-json") && (http === undefined || http < 400 || http >= 500))
        problem = http === undefined ? `no answer (${op.result?.error ?? op.type})` : `answered ${http}`;
      else if (expect === "4xx-json" && !op.result?.jsonError)
        problem = `answered ${http} without the JSON error shape`;
      if (problem) f.add({ kind: op.value?.kind, node: op.node, problem, atMs: op.invokeMs });
    }
    emit(
      "malformed-requests-refused",
      "Malformed requests (bad JSON, wrong content type, huge or broken bodies, malformed chunked encoding) get a 4xx (a JSON error where the app answers), never a 5xx.",
      f,
    );
  }

  // 16. Witness replays are harmless.
  {
    const f = new Findings();
    for (const op of ops) {
      if (op.f === "witness-replay" && op.result?.http !== undefined) {
        f.checked++;
        const http = op.result.http;
        if (http >= 500 || (op.value?.expect !== "no-5xx" && (http < 400 || http >= 500)))
          f.add({
            witness: op.node,
            kind: op.value?.kind,
            origin: op.value?.origin,
            answered: http,
            atMs: op.invokeMs,
          });
      }
      if (op.f === "witnessed" && op.result?.refusals !== undefined) {
        f.checked++;
        if (op.result.refusals > 0)
          f.add({ witness: op.node, refusalsStored: op.result.refusals, detail: op.result.detail });
      }
    }
    emit(
      "witness-replays-harmless",
      "An old checkpoint re-sent to a witness with a forged oldSize is refused (4xx), a captured witness request re-sent as it was is not a 5xx, and no witness stores a refusal (honest logs never give it a reason to).",
      f,
    );
  }

  // 17. The auditor agrees: clean, unless the documented limit produced two FINALs, which it must report.
  {
    const f = new Findings();
    const limitIds = [...readsById.keys()].filter(
      (id) =>
        exemptEquivocations.has(id) &&
        new Set((readsById.get(id) ?? []).filter((r) => r.result!.status === "FINAL").map((r) => r.result!.hash))
          .size >= 2,
    );
    for (const op of ops) {
      if (op.f !== "audit" || op.result?.http === undefined) continue;
      f.checked++;
      const failures =
        (op.result.detail?.failures as { check: string; log: string; message: string }[] | undefined) ?? [];
      const unexplained = failures.filter((x) => !limitIds.some((id) => x.message.includes(id)));
      const missed = limitIds.filter((id) => !failures.some((x) => x.message.includes(id)));
      if (op.result.http > 1) f.add({ problem: `audit exited ${op.result.http}`, error: op.result.detail?.error });
      if (unexplained.length > 0)
        f.add({ problem: "the audit failed", exit: op.result.http, findings: unexplained.slice(0, o.maxExamples) });
      if (missed.length > 0) f.add({ problem: "the audit missed a stolen-key double FINAL", eventIds: missed });
    }
    emit(
      "audit-verifies",
      "`tricloud audit verify` over the three nodes at the end finds nothing, except a stolen-key double FINAL made while the honest clouds were cut apart, which it must report.",
      f,
    );
  }

  // Advisory: error-level log lines.
  {
    const f = new Findings();
    f.checked = h.logErrors.length;
    for (const l of h.logErrors) f.add(l);
    emit(
      "no-error-logs",
      "Nodes log nothing at error level (a client's input is handled, not an internal error).",
      f,
      "advisory",
    );
  }

  return {
    valid: results.every((r) => r.held || r.severity === "advisory"),
    invariants: results,
    liveness: liveness.figures,
  };
}

const fmt = (ms: number | null) => (ms === null ? "n/a" : Number.isFinite(ms) ? `${Math.round(ms)} ms` : "never");

function livenessFigures(
  h: HistoryData,
  honestIds: string[],
  submitsById: Map<string, Op[]>,
  readsById: Map<string, Read[]>,
  boundMs: number,
) {
  const fromFault: number[] = [];
  const fromSubmit: number[] = [];
  const slow: { eventId: string; ms: number; detail: Record<string, unknown> }[] = [];
  const healthy: number[] = [];
  const obstructed: number[] = [];
  for (const id of honestIds) {
    const subs = submitsById.get(id)!;
    if (!subs.some(is2xx)) continue;
    const start = Math.min(...subs.map((s) => s.invokeMs));
    const nodes = new Set(subs.map((s) => s.node));
    const finalAt = Math.min(
      Infinity,
      ...(readsById.get(id) ?? []).filter((r) => r.result!.status === "FINAL").map((r) => r.completeMs!),
    );
    let ref = start;
    const obstructing: string[] = [];
    for (const f of h.faults) {
      if (f.stopMs === undefined || f.stopMs > finalAt || !overlaps(f, start, finalAt)) continue;
      if (f.victims.length >= 2 || f.victims.some((v) => nodes.has(v))) {
        ref = Math.max(ref, f.stopMs);
        obstructing.push(`${f.kind}(${f.victims.join(",")})#${f.id}`);
      }
    }
    // Still obstructed at the end (a fault never healed): measure from the end of that fault's life.
    const ms = finalAt - ref;
    fromFault.push(ms);
    fromSubmit.push(finalAt - start);
    if (obstructing.length > 0) obstructed.push(ms);
    else if (h.faults.some((f) => f.victims.length === 1 && f.startMs <= start && (f.stopMs ?? Infinity) > start))
      healthy.push(ms);
    slow.push({
      eventId: id,
      ms,
      detail: {
        submittedAtMs: start,
        sentTo: [...nodes],
        measuredFromMs: ref,
        finalSeenMs: Number.isFinite(finalAt) ? finalAt : null,
        obstructedBy: obstructing,
      },
    });
  }
  const split = (xs: number[]) => {
    xs.sort((a, b) => a - b);
    return { events: xs.length, p50Ms: percentile(xs, 50), p99Ms: percentile(xs, 99) };
  };
  fromFault.sort((a, b) => a - b);
  fromSubmit.sort((a, b) => a - b);
  slow.sort((a, b) => b.ms - a.ms);
  const figures: LivenessFigures = {
    boundMs,
    events: fromFault.length,
    finalized: fromFault.filter(Number.isFinite).length,
    unfinished: fromFault.filter((x) => !Number.isFinite(x)).length,
    p50Ms: percentile(fromFault, 50),
    p90Ms: percentile(fromFault, 90),
    p99Ms: percentile(fromFault, 99),
    maxMs: fromFault.length ? fromFault[fromFault.length - 1]! : null,
    fromSubmitP50Ms: percentile(fromSubmit, 50),
    fromSubmitP99Ms: percentile(fromSubmit, 99),
    healthyWhileOneOut: split(healthy),
    afterObstruction: split(obstructed),
  };
  const slowest = slow
    .filter((s) => s.ms > boundMs)
    .map((s) => ({ eventId: s.eventId, ms: Number.isFinite(s.ms) ? Math.round(s.ms) : "never FINAL", ...s.detail }));
  return { figures, slowest };
}
