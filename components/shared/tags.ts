/**
 * Tags (AWS, Azure) and labels (GCP) from one map. Keys and values are kept to
 * the strictest of the three vocabularies (GCP labels: lowercase letters,
 * digits, `_` and `-`, at most 63 characters) so the same map is valid everywhere.
 */
export type Tags = Readonly<Record<string, string>>;

export const LABEL_KEY_RE = /^[a-z][a-z0-9_-]{0,62}$/;
export const LABEL_VALUE_RE = /^[a-z0-9_-]{0,63}$/;

/** The tags every resource carries: the configured ones plus the stack's identity. */
export function standardTags(base: Tags, environment: string): Tags {
  return { ...base, "managed-by": "tricloud", environment };
}

/** Tag/label keys that a resource type must carry, used by tests and the policy packs. */
export function missingTagKeys(tags: unknown, required: readonly string[]): string[] {
  const present = tags && typeof tags === "object" ? Object.keys(tags as object) : [];
  return required.filter((k) => !present.includes(k));
}
