import { CLOUDS, QUORUM, type Cloud } from "./clouds";
import type { Confirmation } from "./confirmation";

export const STATUSES = ["PENDING", "FINAL", "QUARANTINED"] as const;
export type EventStatus = (typeof STATUSES)[number];

/** The only moves: PENDING -> FINAL and PENDING -> QUARANTINED. Both end states are terminal. */
export function canTransition(from: EventStatus, to: EventStatus): boolean {
  return from === "PENDING" && to !== "PENDING";
}

/**
 * The certificate for `hash`: one verified confirmation per distinct cloud on that
 * hash, if there are at least QUORUM of them. Callers pass only verified confirmations.
 */
export function certificateFor(hash: string, verified: readonly Confirmation[]): Confirmation[] | undefined {
  const byCloud = new Map<Cloud, Confirmation>();
  for (const c of verified) if (c.hash === hash && !byCloud.has(c.cloud)) byCloud.set(c.cloud, c);
  if (byCloud.size < QUORUM) return undefined;
  return CLOUDS.flatMap((cloud) => (byCloud.has(cloud) ? [byCloud.get(cloud)!] : []));
}

/** Clouds that have not (yet) confirmed `hash` in this set. */
export function missingClouds(hash: string, confirmations: readonly Confirmation[]): Cloud[] {
  const have = new Set(confirmations.filter((c) => c.hash === hash).map((c) => c.cloud));
  return CLOUDS.filter((c) => !have.has(c));
}

/** Only proof is evidence: two validly signed statements of one cloud on different hashes. */
export type EvidenceKind = "equivocation";

/** The proof that `cloud` signed two hashes for one eventId. */
export interface EquivocationProof {
  cloud: Cloud;
  statements: [Confirmation, Confirmation];
}

/**
 * Among verified statements (confirmations, on any hash) for one eventId, the first
 * cloud that signed two different hashes, with the two statements. A different payload
 * under a used eventId is not this: it is two clouds each signing what they stored.
 */
export function findEquivocation(verified: readonly Confirmation[]): EquivocationProof | undefined {
  const first = new Map<Cloud, Confirmation>();
  for (const c of verified) {
    const seen = first.get(c.cloud);
    if (!seen) first.set(c.cloud, c);
    else if (seen.hash !== c.hash) return { cloud: c.cloud, statements: [seen, c] };
  }
  return undefined;
}
