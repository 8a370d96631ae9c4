import type { FunctionHostBaseArgs, QuorumMember } from "../components/shared/platform";
import type { StackConfig } from "./config/load";

/** Zone names per cloud, derived from the region and the configured zone count. */
export function awsZones(c: StackConfig): string[] {
  return ["a", "b", "c"].slice(0, c.tricloud.network.aws.zones).map((z) => `${c.aws.region}${z}`);
}

export function azureZones(c: StackConfig): string[] {
  return ["1", "2", "3"].slice(0, c.tricloud.network.azure.zones);
}

export function gcpZones(c: StackConfig): string[] {
  return ["a", "b", "c"].slice(0, c.tricloud.network.gcp.zones).map((z) => `${c.gcp.region}-${z}`);
}

/** The function-host settings every cloud shares: identity, quorum membership, sizing, retention. */
export function functionHostSettings(c: StackConfig, quorum: QuorumMember): Omit<FunctionHostBaseArgs, "tags"> {
  const t = c.tricloud;
  return {
    environment: t.environment,
    ...quorum,
    memoryMb: t.functions.memoryMb,
    maxInstances: t.functions.maxInstances,
    reconcileEveryMinutes: t.functions.reconcileEveryMinutes,
    logRetentionDays: t.logRetentionDays,
    // The Vercel frontend calls the API from the browser.
    corsOrigins: [`https://www.${t.domain}`],
  };
}

/** How often the clusters' GitOps agents poll for newly published manifests, in seconds (docs/workloads.md). */
export const GITOPS_SYNC_SECONDS = 120;
