/**
 * What the three clouds' observability components share: the availability
 * SLO and its multi-window burn-rate alerts (Google SRE workbook, chapter
 * "Alerting on SLOs"), the thresholds every cloud alerts on, the dashboard
 * every cloud draws, and how the stack's cost ceiling is split into budgets.
 * Pure numbers only; each cloud turns them into its own alarm resources.
 */
import type { Cloud } from "@tricloud/vocabulary/sizes";

/** The availability objective in percent: 99.9 % is the platform's baseline; production promises more. */
export const DEFAULT_SLO_TARGET = { dev: 99.9, staging: 99.9, prod: 99.95 } as const;

/** The SLO's compliance period: budgets and burn rates are relative to 30 days. */
export const SLO_PERIOD_DAYS = 30;

/** One multi-window burn-rate alert: fire when both windows burn faster than `burnRate`. */
export interface BurnRateWindow {
  readonly name: "fast" | "slow";
  /** Multiple of the rate that would spend exactly the whole budget in the period. */
  readonly burnRate: number;
  readonly longWindowMinutes: number;
  /** 1/12 of the long window: lets the alert reset soon after the burn stops. */
  readonly shortWindowMinutes: number;
}

/**
 * The workbook's paging pair: 2 % of the budget in 1 hour (14.4x) and 5 % in
 * 6 hours (6x), each confirmed by a short window so a burn that has already
 * stopped does not page.
 */
export const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
  { name: "fast", burnRate: 14.4, longWindowMinutes: 60, shortWindowMinutes: 5 },
  { name: "slow", burnRate: 6, longWindowMinutes: 360, shortWindowMinutes: 30 },
];

/** The share of requests allowed to fail: 1 - target (0.001 for 99.9 %). */
export function errorBudget(targetPercent: number): number {
  if (!(targetPercent > 0 && targetPercent < 100))
    throw new RangeError(`expected an SLO target between 0 and 100 percent, got ${targetPercent}`);
  // Rounded to 12 digits so 100 - 99.9 reads 0.001, not 0.0009999999999990905.
  return round12((100 - targetPercent) / 100);
}

/** The error ratio over a window above which the budget burns `burnRate` times too fast. */
export function burnRateThreshold(targetPercent: number, burnRate: number): number {
  return round12(burnRate * errorBudget(targetPercent));
}

/** The share of the period's budget a burn at `burnRate` spends in `windowMinutes`. */
export function budgetConsumed(burnRate: number, windowMinutes: number, periodDays = SLO_PERIOD_DAYS): number {
  return round12((burnRate * windowMinutes) / (periodDays * 24 * 60));
}

/** The burn rate that spends `budgetShare` of the period's budget in `windowMinutes` (the inverse). */
export function burnRateFor(budgetShare: number, windowMinutes: number, periodDays = SLO_PERIOD_DAYS): number {
  return round12((budgetShare * periodDays * 24 * 60) / windowMinutes);
}

/** Every cloud's alerting thresholds, in one place so the three clouds agree. */
export const ALERT_THRESHOLDS = {
  /** Average database CPU over the evaluation window. */
  databaseCpuPercent: 80,
  /** Allocated storage in use (storage also grows automatically; this warns before it must). */
  databaseStoragePercent: 80,
  /** Connections as a share of the server's max_connections. */
  databaseConnectionsPercent: 80,
  /** Function requests failing (5xx or unhandled errors) over the window. */
  functionErrorPercent: 1,
  /** Minutes a resource condition must hold before it alerts (3 x 5 min periods). */
  evaluationMinutes: 15,
  periodMinutes: 5,
} as const;

/**
 * The panels of every cloud's dashboard, in order. The three dashboards show
 * the same things under the same titles, so an operator switching clouds in
 * an incident finds each graph in the same place.
 */
export const DASHBOARD_PANELS = [
  "API uptime (api and origin /health)",
  "Availability SLI (share of passing probes)",
  "Function errors",
  "Function p99 latency (ms)",
  "Database CPU (%)",
  "Database storage used",
  "Database connections",
  "Cluster nodes not ready",
] as const;
export type DashboardPanel = (typeof DASHBOARD_PANELS)[number];

/** Text shown in a function panel while the cloud has no function host wired. */
export const NO_FUNCTIONS_TEXT =
  "No function host is wired to this cloud's observability yet (see docs/observability.md).";

/** Each cloud's share of the stack's cost ceiling, as relative weights (percentages in config). */
export type BudgetSplit = Readonly<Record<Cloud, number>>;
export const EQUAL_SPLIT: BudgetSplit = { aws: 1, azure: 1, gcp: 1 };
/** Budgets alert on forecast spend at these percentages of each cloud's share. */
export const BUDGET_ALERT_PERCENTS = [80, 100] as const;

/**
 * Splits a ceiling in US dollars into whole cents per cloud, proportional to
 * the weights, so that the parts add up to the ceiling exactly: each cloud
 * gets its share rounded down, then the left-over cents go one by one to the
 * largest remainders (ties in aws, azure, gcp order).
 */
export function splitBudgetCents(ceilingUsd: number, split: BudgetSplit = EQUAL_SPLIT): Record<Cloud, number> {
  const totalCents = Math.round(ceilingUsd * 100);
  if (
    !Number.isFinite(ceilingUsd) ||
    ceilingUsd <= 0 ||
    Math.abs(totalCents - ceilingUsd * 100) > 1e-6 * Math.max(1, ceilingUsd)
  ) {
    throw new RangeError(`expected a positive ceiling in whole cents, got ${ceilingUsd}`);
  }
  const clouds: Cloud[] = ["aws", "azure", "gcp"];
  const weightSum = clouds.reduce((s, c) => s + split[c], 0);
  if (clouds.some((c) => !(split[c] >= 0)) || !(weightSum > 0))
    throw new RangeError(`expected non-negative budget weights with a positive sum, got ${JSON.stringify(split)}`);
  const exact = clouds.map((c) => (totalCents * split[c]) / weightSum);
  const parts = exact.map(Math.floor);
  let left = totalCents - parts.reduce((s, p) => s + p, 0);
  const byRemainder = clouds.map((_, i) => i).sort((a, b) => exact[b]! - parts[b]! - (exact[a]! - parts[a]!) || a - b);
  for (const i of byRemainder) {
    if (left === 0) break;
    parts[i]!++;
    left--;
  }
  return { aws: parts[0]!, azure: parts[1]!, gcp: parts[2]! };
}

/** Cents as the decimal string AWS Budgets takes ("300.00"). */
export function centsToDecimal(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

function round12(x: number): number {
  return Math.round(x * 1e12) / 1e12;
}
