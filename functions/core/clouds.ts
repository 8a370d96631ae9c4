/** The three clouds of the quorum; their names double as node identities. */
export const CLOUDS = ["aws", "azure", "gcp"] as const;
export type Cloud = (typeof CLOUDS)[number];

/** Two of three: the smallest set that any two quorums must share a member of. */
export const QUORUM = 2;

export function isCloud(value: unknown): value is Cloud {
  return typeof value === "string" && (CLOUDS as readonly string[]).includes(value);
}

export function otherClouds(self: Cloud): Cloud[] {
  return CLOUDS.filter((c) => c !== self);
}
