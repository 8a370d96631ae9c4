import { CLOUDS, QUORUM, type Cloud } from "./clouds";
import type { Confirmation } from "./confirmation";
import type { Envelope } from "./envelope";

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

export type EvidenceKind = "bad-hash" | "bad-signature" | "equivocation" | "conflict";

/**
 * Two validly signed envelopes for one eventId. Same hash: the same event.
 * Different hashes from one origin: equivocation, and the pair proves who lied.
 * Different origins: the eventId was reused across clouds (a conflict, not a proof).
 */
export function compareEnvelopes(stored: Envelope, incoming: Envelope): "same" | "equivocation" | "conflict" {
  if (stored.hash === incoming.hash) return "same";
  return stored.originCloud === incoming.originCloud ? "equivocation" : "conflict";
}
