import type { Cloud } from "../core/clouds";
import type { Entry } from "../ledger/entry";

/** One signed statement "for eventId, I hold hash", as found in a log. */
export interface Statement {
  signer: Cloud;
  eventId: string;
  hash: string;
  kind: "confirmation";
  signature: string;
  log: string;
  index: number;
}

export interface Equivocation {
  signer: Cloud;
  eventId: string;
  statements: Statement[];
}

/** The statements a verified certificate carries: each confirmation (the envelope itself is unsigned). */
export function statementsOf(entry: Entry, log: string, index: number): Statement[] {
  const { envelope } = entry;
  return entry.confirmations.map((c) => ({
    signer: c.cloud,
    eventId: envelope.eventId,
    hash: c.hash,
    kind: "confirmation" as const,
    signature: c.signature,
    log,
    index,
  }));
}

/**
 * Joins the statements of all logs: a signer with two different hashes for one eventId
 * has equivocated, and the two signed statements prove it. Pure; O(statements).
 */
export function findEquivocations(statements: Iterable<Statement>): Equivocation[] {
  const seen = new Map<string, Statement[]>();
  for (const s of statements) {
    const key = `${s.signer}\u0000${s.eventId}`;
    const list = seen.get(key);
    if (!list) seen.set(key, [s]);
    else if (!list.some((x) => x.hash === s.hash)) list.push(s);
  }
  const out: Equivocation[] = [];
  for (const list of seen.values())
    if (list.length > 1) out.push({ signer: list[0]!.signer, eventId: list[0]!.eventId, statements: list });
  return out;
}
