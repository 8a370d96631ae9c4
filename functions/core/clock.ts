/** Wall time is injected everywhere so tests and benches control it. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/**
 * Per-tenant Lamport clock: an origin ticks before stamping a new event, and every
 * node observes the clocks it receives, so a tenant's next event orders after every
 * event of that tenant the node has seen. The stores apply the same rules atomically
 * in SQL; these are the reference definitions the tests hold them to.
 */
export function tick(current: number): number {
  return current + 1;
}
export function observe(current: number, seen: number): number {
  return Math.max(current, seen);
}
