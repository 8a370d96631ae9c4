/**
 * The Availability Zone codes the stack may put its subnets (and so its EKS cluster) in, per AWS Region.
 *
 * A zone code is the Region code followed by a letter (us-east-2a), but neither the letters nor the zones behind them
 * are the same everywhere:
 * - EKS refuses subnets in some zones: "The subnets can't reside in the following Availability Zones": us-east-1
 *   use1-az3, us-west-1 usw1-az2, ca-central-1 cac1-az3
 *   (https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html, "Subnet requirements for clusters"; a cluster
 *   there fails with UnsupportedAvailabilityZoneException). That list names AZ IDs, not codes.
 * - In US East (N. Virginia), US West (N. California), US West (Oregon), Asia Pacific (Singapore, Sydney, Tokyo),
 *   Europe (Ireland), South America (São Paulo) and AWS GovCloud (US-West), AWS "independently map[s] Availability
 *   Zones to codes for each AWS account" (https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html),
 *   and a constrained zone may be left out for newer accounts, so "your account might have a different number of
 *   available Availability Zones in a Region than another account does"
 *   (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html). There a code names
 *   a different zone, or none, from one account to the next; "newer accounts can access two Availability Zones in US
 *   West (N. California)" (same page).
 *
 * So the table lists:
 * - the Regions with one mapping for every account (all but those above) that have an EKS endpoint
 *   (https://docs.aws.amazon.com/general/latest/gr/eks.html), no zone EKS refuses, and AZ IDs numbered az1 to azN
 *   with N >= 3 (none retired, so no code is missing): their first three codes, a, b and c (the AZ IDs page shows
 *   us-east-2a, us-east-2b, us-east-2c for use2-az1 to use2-az3);
 * - us-west-2, the stacks' region: independently mapped, but EKS refuses none of usw2-az1 to usw2-az4, and its own
 *   subnet example uses us-west-2a, us-west-2b and us-west-2c (network-reqs.html, "VPC requirements and
 *   considerations").
 * Left out, and refused by the stack schema: us-east-1, us-west-1 and ca-central-1 (a zone EKS refuses, whose code
 *   differs per account in the first two), the other independently mapped Regions (which codes an account has is not
 *   documented), GovCloud and China (not in the AZ IDs table). Pages read 2026-12-01. Only the first three codes
 *   are listed because tricloud:network.aws.zones is at most 3.
 *
 * A fixed table rather than `aws.getAvailabilityZones` at deploy time, as for GCP (components/gcp/zones.ts): the same
 * config always gives the same subnets, the preview shows them before anything exists, and a Region it cannot vouch
 * for fails before any resource is created. To add a Region, check its codes and AZ IDs in the deploying account
 * (`aws ec2 describe-availability-zones --region <region> --query "AvailabilityZones[].[ZoneName,ZoneId]"`) against
 * EKS's list above.
 */
export const AWS_REGION_ZONE_LETTERS: Readonly<Record<string, string>> = {
  "af-south-1": "abc",
  "ap-east-1": "abc",
  "ap-east-2": "abc",
  "ap-northeast-2": "abc",
  "ap-northeast-3": "abc",
  "ap-south-1": "abc",
  "ap-south-2": "abc",
  "ap-southeast-3": "abc",
  "ap-southeast-4": "abc",
  "ap-southeast-5": "abc",
  "ap-southeast-6": "abc",
  "ap-southeast-7": "abc",
  "ca-west-1": "abc",
  "eu-central-1": "abc",
  "eu-central-2": "abc",
  "eu-north-1": "abc",
  "eu-south-1": "abc",
  "eu-south-2": "abc",
  "eu-west-2": "abc",
  "eu-west-3": "abc",
  "il-central-1": "abc",
  "me-central-1": "abc",
  "me-south-1": "abc",
  "mx-central-1": "abc",
  "us-east-2": "abc",
  "us-west-2": "abc",
};

/** The AZ IDs EKS refuses cluster subnets in, by Region (network-reqs.html): no Region holding one is in the table. */
export const EKS_DISALLOWED_AZ_IDS: Readonly<Record<string, readonly string[]>> = {
  "us-east-1": ["use1-az3"],
  "us-west-1": ["usw1-az2"],
  "ca-central-1": ["cac1-az3"],
};

/** The zone codes the table lists for a Region (`us-west-2a`, ...); undefined for a Region it does not list. */
export function awsZonesOfRegion(region: string): string[] | undefined {
  const letters = Object.hasOwn(AWS_REGION_ZONE_LETTERS, region) ? AWS_REGION_ZONE_LETTERS[region] : undefined;
  return letters === undefined ? undefined : [...letters].map((l) => `${region}${l}`);
}

/** What is wrong with asking a Region for its first zones: the config key at fault (as a key and as a path) and why. */
export interface AwsZoneProblem {
  readonly key: "aws:region" | "tricloud:network.aws.zones";
  readonly path: readonly string[];
  readonly message: string;
}

/**
 * The first `count` zones of a Region, or the problem with asking for them (a Region the table does not list, or more
 * zones than it lists). The stack schema reports the problem (exit 2); the program's guard (stacks/shared.ts) throws it.
 */
export function firstAwsZones(region: string, count: number): { zones: string[] } | { problem: AwsZoneProblem } {
  const all = awsZonesOfRegion(region);
  if (!all)
    return {
      problem: {
        key: "aws:region",
        path: ["aws", "region"],
        message: `expected a Region whose EKS-usable zones components/aws/zones.ts lists (${Object.keys(AWS_REGION_ZONE_LETTERS).join(", ")}), got ${region}; us-east-1, us-west-1 and ca-central-1 each hold a zone EKS refuses, and in the older Regions zone names differ per account (see that file to add one)`,
      },
    };
  if (count > all.length)
    return {
      problem: {
        key: "tricloud:network.aws.zones",
        path: ["tricloud", "network", "aws", "zones"],
        message: `expected at most ${all.length} (the zones components/aws/zones.ts lists for ${region}: ${all.join(", ")}), got ${count}`,
      },
    };
  return { zones: all.slice(0, count) };
}
