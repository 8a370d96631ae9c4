import { readFileSync } from "node:fs";
import { z } from "zod";
import catalogJson from "./price-catalog.json";

/**
 * The price catalog (price-catalog.json) and the user's overrides. Every price
 * carries its source, the date it was seen and how firm it is, so a report
 * can say which part of an estimate rests on weak figures.
 */

export const PRICE_STATUSES = [
  "firm",
  "secondary",
  "partial",
  "third-party",
  "derived",
  "weak",
  "unverified",
  "user",
] as const;
export const PRICE_UNITS = [
  "hour",
  "day",
  "month",
  "GB-month",
  "GB",
  "1M requests",
  "10K requests",
  "GB-second",
  "GHz-second",
  "vCPU-second",
  "vCPU-hour",
  "GB-hour",
  "execution",
] as const;
export type PriceUnit = (typeof PRICE_UNITS)[number];

const price = z.strictObject({
  usd: z.number().min(0, { error: "expected a price of 0 or more US dollars" }),
  per: z.enum(PRICE_UNITS, { error: `expected one of ${PRICE_UNITS.join(", ")}` }),
  description: z.string().min(1),
  region: z.string().min(1),
  source: z.string().min(1, { error: "expected where the price was read (a page, a dataset, 'our contract')" }),
  seenAt: z
    .string()
    .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, { error: "expected the date the price was seen: YYYY, YYYY-MM or YYYY-MM-DD" }),
  status: z.enum(PRICE_STATUSES, { error: `expected one of ${PRICE_STATUSES.join(", ")}` }),
});
export type Price = z.infer<typeof price>;

const catalogSchema = z.strictObject({
  $comment: z.string().optional(),
  currency: z.literal("USD"),
  hoursPerMonth: z.literal(730),
  prices: z.record(z.string(), price),
});

/** An override file: only the entries it changes; a new id adds a price. Status defaults to "user". */
const overrideSchema = z.strictObject({
  $comment: z.string().optional(),
  prices: z.record(z.string(), price.partial({ description: true, region: true, status: true, per: true })),
});
export type PriceOverrides = z.infer<typeof overrideSchema>["prices"];

export interface Catalog {
  readonly hoursPerMonth: number;
  readonly prices: Readonly<Record<string, Price>>;
  /** The override file's path, or the name given to inline overrides (pack config). */
  readonly overrides: string | null;
}

export class PriceCatalogError extends Error {
  override name = "PriceCatalogError";
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}

const base = catalogSchema.parse(catalogJson);

/** The shipped catalog with the given overrides applied (an entry's fields replace the shipped ones). */
export function catalogWith(overrides: PriceOverrides | undefined, label: string | null = null): Catalog {
  const prices: Record<string, Price> = { ...base.prices };
  for (const [id, o] of Object.entries(overrides ?? {})) {
    const shipped = prices[id];
    if (!shipped && (o.per === undefined || o.description === undefined)) {
      throw new PriceCatalogError(
        `${label ?? "price overrides"}: prices.${id}: a new price needs "per" and "description" (it is not in pricing/price-catalog.json)`,
      );
    }
    prices[id] = {
      region: "as given",
      status: "user",
      ...shipped,
      ...o,
      ...(o.status ? {} : { status: "user" }),
    } as Price;
  }
  return { hoursPerMonth: base.hoursPerMonth, prices, overrides: label };
}

/** Validates override entries that came from somewhere other than a file (the cost pack's config). */
export function parseOverrides(value: unknown, label: string): PriceOverrides {
  const parsed = overrideSchema.safeParse({ prices: value });
  if (!parsed.success) throw new PriceCatalogError(`${label}: ${issuesText(parsed.error)}`);
  return parsed.data.prices;
}

/** Reads a user's override file (`tricloud plan --prices <file>`), naming the file and the entry on any error. */
export function readOverrideFile(path: string): PriceOverrides {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new PriceCatalogError(`--prices: cannot read ${path} as JSON: ${(err as Error).message}`);
  }
  const parsed = overrideSchema.safeParse(json);
  if (!parsed.success)
    throw new PriceCatalogError(
      `--prices: ${path}: ${issuesText(parsed.error)} (expected { "prices": { "<id>": { "usd": ..., "source": ..., "seenAt": ... } } })`,
    );
  return parsed.data.prices;
}

export const SHIPPED_CATALOG: Catalog = catalogWith(undefined);
