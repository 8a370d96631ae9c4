import type { Cloud } from "../core/clouds";

/** What a client knows of one cloud: its /health status, and latency as the client measured it. */
export interface CloudReport {
  cloud: Cloud;
  status: "healthy" | "degraded" | "unhealthy" | "unreachable";
  latencyMs: number;
  /** 0..1 as reported by /health. */
  load: number;
}

/** A fully loaded node counts as this much farther away (routing weighs latency and load). */
export const LOAD_WEIGHT_MS = 100;

const STATUS_RANK = { healthy: 0, degraded: 1 } as const;

/** Usable clouds, best first: healthy before degraded, then latency + weighted load,
 * then cloud name so equal reports always rank the same way. */
export function rankClouds(reports: readonly CloudReport[]): Cloud[] {
  return reports
    .filter(
      (r): r is CloudReport & { status: "healthy" | "degraded" } => r.status === "healthy" || r.status === "degraded",
    )
    .map((r) => ({ r, score: r.latencyMs + LOAD_WEIGHT_MS * Math.min(Math.max(r.load, 0), 1) }))
    .sort(
      (a, b) =>
        STATUS_RANK[a.r.status] - STATUS_RANK[b.r.status] ||
        a.score - b.score ||
        (a.r.cloud < b.r.cloud ? -1 : a.r.cloud > b.r.cloud ? 1 : 0),
    )
    .map((x) => x.r.cloud);
}

/** The cloud to send to, or undefined when none is usable. */
export function selectCloud(reports: readonly CloudReport[]): Cloud | undefined {
  return rankClouds(reports)[0];
}
