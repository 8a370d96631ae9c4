import { readFileSync } from "node:fs";
import { z } from "zod";
import high from "./usage-profiles/high.json";
import low from "./usage-profiles/low.json";
import medium from "./usage-profiles/medium.json";

/**
 * Usage profiles: quantities for usage-priced cost components (data
 * processed, storage, seats, requests), per resource type with per-resource
 * overrides by name, in the manner of an Infracost usage file. Without a
 * profile those components say "depends on usage" and are left out of totals.
 */

const quantities = z.record(z.string(), z.number().min(0, { error: "expected a quantity of 0 or more" }));
const profileSchema = z.strictObject({
  $comment: z.string().optional(),
  description: z.string(),
  defaults: z.record(z.string(), quantities).default({}),
  resources: z.record(z.string(), quantities).default({}),
});

export interface UsageProfile {
  /** "low", "medium", "high" or the file it was read from. */
  readonly name: string;
  readonly defaults: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly resources: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export const BUILT_IN_PROFILES = { low, medium, high } as const;

export class UsageProfileError extends Error {
  override name = "UsageProfileError";
}

function parse(json: unknown, name: string, flag: string): UsageProfile {
  const parsed = profileSchema.safeParse(json);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new UsageProfileError(`${flag}: ${name}: ${why}`);
  }
  return { name, defaults: parsed.data.defaults, resources: parsed.data.resources };
}

/** A built-in profile by name, or a JSON file of the same shape. `flag` names where the value came from, for errors. */
export function loadUsageProfile(nameOrPath: string, flag = "--usage"): UsageProfile {
  if (nameOrPath in BUILT_IN_PROFILES)
    return parse(BUILT_IN_PROFILES[nameOrPath as keyof typeof BUILT_IN_PROFILES], nameOrPath, flag);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(nameOrPath, "utf8"));
  } catch (err) {
    throw new UsageProfileError(
      `${flag}: expected ${Object.keys(BUILT_IN_PROFILES).join(", ")} or a usage file, but cannot read "${nameOrPath}": ${(err as Error).message}`,
    );
  }
  return parse(json, nameOrPath, flag);
}

/** The quantity for one resource: its own entry first, then its type's default. */
export function usageOf(
  profile: UsageProfile | null | undefined,
  type: string,
  name: string,
  key: string,
): number | undefined {
  if (!profile) return undefined;
  return profile.resources[name]?.[key] ?? profile.defaults[type]?.[key];
}
