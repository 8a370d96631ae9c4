import type { CloudName, WhatIf } from "@tricloud/vocabulary/clouds";

/** Providers a what-if can re-price: every vendor that bills this stack. */
export const WHAT_IF_PROVIDERS: readonly CloudName[] = ["aws", "azure", "gcp", "cloudflare", "vercel"];

export class WhatIfError extends Error {
  override name = "WhatIfError";
}

/**
 * Parses repeated `--what-if <provider>=<+/-pct>` values ("aws=+30%",
 * "gcp=-10", "azure=15%"). One entry per provider; a price cannot fall by
 * 100% or more.
 */
export function parseWhatIf(values: readonly string[], flag = "--what-if"): WhatIf[] {
  const out: WhatIf[] = [];
  for (const v of values) {
    const m = /^([a-z]+)=([+-]?\d+(?:\.\d+)?)%?$/.exec(v.trim());
    if (!m) throw new WhatIfError(`${flag}: expected <provider>=<+/-pct> such as aws=+30%, got "${v}"`);
    const provider = m[1] as CloudName;
    const percent = Number(m[2]);
    if (!WHAT_IF_PROVIDERS.includes(provider))
      throw new WhatIfError(
        `${flag}: unknown provider "${m[1]}" in "${v}"; expected one of ${WHAT_IF_PROVIDERS.join(", ")}`,
      );
    if (percent <= -100) throw new WhatIfError(`${flag}: ${v}: a price cannot fall by 100% or more`);
    if (out.some((w) => w.provider === provider))
      throw new WhatIfError(`${flag}: ${provider} given twice; give one change per provider`);
    out.push({ provider, percent });
  }
  return out;
}
