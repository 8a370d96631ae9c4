/**
 * The monthly audit snapshot: at the first publishing round after a month ends,
 * the newest counting checkpoint (own signature + a foreign cosignature) is that month's
 * snapshot, and its digest (SHA-256 of the checkpoint body) is anchored outside.
 */
export function snapshotPeriod(nowMs: number): string {
  const d = new Date(nowMs);
  const prev = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1));
  return `${prev.getUTCFullYear()}-${String(prev.getUTCMonth() + 1).padStart(2, "0")}`;
}
