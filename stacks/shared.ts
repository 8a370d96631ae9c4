import type { FunctionHostBaseArgs, QuorumMember } from "../components/shared/platform";
import { firstAwsZones, type AwsZone } from "../components/aws/zones";
import { firstZones } from "../components/gcp/zones";
import { ConfigError, type StackConfig } from "./config/load";

/**
 * The region's first zones as components/aws/zones.ts lists them, by AZ ID (a zone code names a different zone from
 * one account to the next in the oldest regions; an AZ ID does not), less the zones EKS refuses subnets in. A region the
 * table does not list is a configuration error naming aws:region, more zones than it lists one naming
 * tricloud:network.aws.zones (the schema refuses both first; this guards a config that did not come through it).
 */
export function awsZones(c: StackConfig): AwsZone[] {
  const r = firstAwsZones(c.aws.region, c.tricloud.network.aws.zones);
  if ("problem" in r) throw new ConfigError([{ key: r.problem.key, message: r.problem.message }]);
  return r.zones;
}

export function azureZones(c: StackConfig): string[] {
  return ["1", "2", "3"].slice(0, c.tricloud.network.azure.zones);
}

/**
 * The region's first zones as Google lists them (components/gcp/zones.ts): not every region has an `-a` zone, and
 * GKE refuses one that does not exist. A region the table does not know is a configuration error naming gcp:region
 * (the schema refuses it first; this guards a config that did not come through it).
 */
export function gcpZones(c: StackConfig): string[] {
  const r = firstZones(c.gcp.region, c.tricloud.network.gcp.zones);
  if ("problem" in r) throw new ConfigError([{ key: r.problem.key, message: r.problem.message }]);
  return r.zones;
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
