import { rmSync } from "node:fs";

/** Removes the run's plan-capture folder (vitest.config.mts) unless the caller supplied their own. */
export function teardown(): void {
  const owned = process.env.TRICLOUD_PLAN_CACHE_OWNED;
  if (owned) rmSync(owned, { recursive: true, force: true });
}
