/**
 * Cloudflare's load-balancing regions: where pool health checks run (`check_regions`, which also takes
 * ALL_REGIONS on Enterprise) and what region steering maps. The config schema and the preflight pack both judge by
 * this list (https://developers.cloudflare.com/load-balancing/reference/region-mapping-api/, read 2026-11-30).
 */
export const CLOUDFLARE_REGIONS = [
  "WNAM",
  "ENAM",
  "WEU",
  "EEU",
  "NSAM",
  "SSAM",
  "OC",
  "ME",
  "NAF",
  "SAF",
  "SAS",
  "SEAS",
  "NEAS",
] as const;
export type CloudflareRegion = (typeof CLOUDFLARE_REGIONS)[number];
