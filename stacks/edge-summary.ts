import { failoverSeconds } from "../components/cloudflare/failover";
import type { StackConfig } from "./config/load";
import { PROD_FAILOVER_BUDGET_SECONDS } from "./config/schema";

// Its own module (no provider SDK): `tricloud plan` prints it for plans read from the capture cache too.

/** The failover figure `tricloud plan` prints, from the same arithmetic the schema enforces. */
export interface EdgeSummary {
  readonly failoverSeconds: number;
  /** 60 in prod; null where no budget applies. */
  readonly failoverBudgetSeconds: number | null;
  readonly explanation: string;
}

export function edgeSummary(config: StackConfig): EdgeSummary {
  const est = failoverSeconds({ ...config.tricloud.traffic.monitor, proxied: true });
  return {
    failoverSeconds: est.seconds,
    failoverBudgetSeconds: config.tricloud.environment === "prod" ? PROD_FAILOVER_BUDGET_SECONDS : null,
    explanation: est.explanation,
  };
}
