/**
 * The vocabulary every layer shares: cloud names, which cloud a type token
 * belongs to, the cost line and the what-if. This folder imports nothing of
 * the project, so pricing/, policies/, components/, stacks/ and cli/ can all
 * depend on it (the import rule in eslint.config.mjs keeps it so).
 */
export const CLOUD_NAMES = ["aws", "azure", "gcp", "cloudflare", "vercel", "none"] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

export interface CostLine {
  readonly urn: string;
  readonly cloud: CloudName;
  readonly component: string;
  readonly name: string;
  readonly unit: string;
  readonly quantity: number | null;
  readonly unitPriceUsd: number | null;
  readonly monthlyUsd: number | null;
  readonly note?: string;
  /** The resource type the line prices (pricing/model.ts). */
  readonly resourceType?: string;
  /** The catalog entry the unit price came from, and how firm it is. */
  readonly priceId?: string;
  readonly priceStatus?: string;
  /** "fixed" lines are always counted; "usage" lines only when a usage profile gives a quantity. */
  readonly basis?: "fixed" | "usage";
  /** The what-if adjustment applied to this line's unit price, in percent. */
  readonly whatIfPct?: number;
}

/** One `--what-if <provider>=<+/-pct>`: every price of that provider scaled by (1 + percent/100). */
export interface WhatIf {
  readonly provider: CloudName;
  readonly percent: number;
}

/** Which cloud a type token belongs to: provider packages directly, tricloud components by module. */
export function cloudOf(type: string): CloudName {
  const parts = type.split(":");
  const pkg =
    parts[0] === "pulumi" && parts[1] === "providers" ? parts[2] : parts[0] === "tricloud" ? parts[1] : parts[0];
  switch (pkg) {
    case "aws":
      return "aws";
    case "azure-native":
    case "azure":
      return "azure";
    case "gcp":
      return "gcp";
    case "cloudflare":
      return "cloudflare";
    case "vercel":
      return "vercel";
    default:
      return "none";
  }
}
