/**
 * The Availability Zones the stack may put its subnets (and so its EKS cluster) in, per AWS Region, named by AZ ID.
 *
 * A zone *code* (us-east-1a) is the Region code and a letter, but in the oldest Regions AWS "independently map[s]
 * Availability Zones to codes for each AWS account" (US East (N. Virginia), US West (N. California), US West (Oregon),
 * Asia Pacific (Singapore, Sydney, Tokyo), Europe (Ireland), South America (São Paulo), AWS GovCloud (US-West);
 * accounts created from November 2025 get a uniform mapping): there us-east-1a is a different zone, or none, from one
 * account to the next. An *AZ ID* (use1-az1) "has the same physical location in every AWS account"
 * (https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html), and EC2's CreateSubnet takes one
 * (`AvailabilityZoneId`, "The AZ ID or the Local Zone ID of the subnet":
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSubnet.html; aws.ec2.Subnet's `availabilityZoneId`).
 * So the subnets are created by AZ ID, and the same config gives the same physical zones in every account.
 *
 * What the table lists, per Region: its AZ IDs in AWS's table
 * (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html, read 2026-12-01), in
 * the order of their numbers, less
 * - the zones EKS refuses cluster subnets in, "The subnets can't reside in the following Availability Zones": use1-az3
 *   (us-east-1), usw1-az2 (us-west-1), cac1-az3 (ca-central-1)
 *   (https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html, "Subnet requirements for clusters"; a cluster
 *   there fails with UnsupportedAvailabilityZoneException). ca-central-1's table has no cac1-az3 anyway (cac1-az1,
 *   cac1-az2, cac1-az4); us-west-1 is left with two zones, which is also what newer accounts get there ("Newer accounts
 *   can access two Availability Zones in US West (N. California)", same AWS table);
 * - apne1-az3 (ap-northeast-1): AWS's table still lists it, but a constrained zone may be removed "from the list of
 *   Availability Zones for new accounts" (same page, "Constrained Availability Zones"), and this one is, by third-party
 *   reports only: Tokyo accounts show apne1-az1, apne1-az2 and apne1-az4, EC2 answers a subnet there with "Subnets can
 *   currently only be created in the following availability zones: apne1-az1, apne1-az2, apne1-az4", and the zone was
 *   to be retired on 2025-02-28 (https://dev.classmethod.jp/articles/20250228-tokyo-region-apne1-az3-decommissioned/).
 * Regions: those AWS's table lists that have an EKS endpoint (https://docs.aws.amazon.com/general/latest/gr/eks.html),
 * i.e. every commercial Region; GovCloud and China are not in AWS's table and are refused.
 * A stack takes a Region's first `tricloud:network.aws.zones` IDs; asking for more than the Region lists is refused.
 *
 * A fixed table rather than `aws.getAvailabilityZones` at deploy time, as for GCP (components/gcp/zones.ts): the same
 * config always gives the same subnets, the preview shows them before anything exists, and a Region it cannot vouch
 * for fails before any resource is created. To add a Region (or check one against an account), compare
 * `aws ec2 describe-availability-zones --region <region> --query "AvailabilityZones[].[ZoneName,ZoneId]"` with EKS's
 * list above.
 */
export const AWS_REGION_ZONE_IDS: Readonly<Record<string, readonly string[]>> = {
  "af-south-1": ["afs1-az1", "afs1-az2", "afs1-az3"],
  "ap-east-1": ["ape1-az1", "ape1-az2", "ape1-az3"],
  "ap-east-2": ["ape2-az1", "ape2-az2", "ape2-az3"],
  "ap-northeast-1": ["apne1-az1", "apne1-az2", "apne1-az4"],
  "ap-northeast-2": ["apne2-az1", "apne2-az2", "apne2-az3", "apne2-az4"],
  "ap-northeast-3": ["apne3-az1", "apne3-az2", "apne3-az3"],
  "ap-south-1": ["aps1-az1", "aps1-az2", "aps1-az3"],
  "ap-south-2": ["aps2-az1", "aps2-az2", "aps2-az3"],
  "ap-southeast-1": ["apse1-az1", "apse1-az2", "apse1-az3"],
  "ap-southeast-2": ["apse2-az1", "apse2-az2", "apse2-az3"],
  "ap-southeast-3": ["apse3-az1", "apse3-az2", "apse3-az3"],
  "ap-southeast-4": ["apse4-az1", "apse4-az2", "apse4-az3"],
  "ap-southeast-5": ["apse5-az1", "apse5-az2", "apse5-az3"],
  "ap-southeast-6": ["apse6-az1", "apse6-az2", "apse6-az3"],
  "ap-southeast-7": ["apse7-az1", "apse7-az2", "apse7-az3"],
  "ca-central-1": ["cac1-az1", "cac1-az2", "cac1-az4"],
  "ca-west-1": ["caw1-az1", "caw1-az2", "caw1-az3"],
  "eu-central-1": ["euc1-az1", "euc1-az2", "euc1-az3"],
  "eu-central-2": ["euc2-az1", "euc2-az2", "euc2-az3"],
  "eu-north-1": ["eun1-az1", "eun1-az2", "eun1-az3"],
  "eu-south-1": ["eus1-az1", "eus1-az2", "eus1-az3"],
  "eu-south-2": ["eus2-az1", "eus2-az2", "eus2-az3"],
  "eu-west-1": ["euw1-az1", "euw1-az2", "euw1-az3"],
  "eu-west-2": ["euw2-az1", "euw2-az2", "euw2-az3", "euw2-az4"],
  "eu-west-3": ["euw3-az1", "euw3-az2", "euw3-az3"],
  "il-central-1": ["ilc1-az1", "ilc1-az2", "ilc1-az3"],
  "me-central-1": ["mec1-az1", "mec1-az2", "mec1-az3"],
  "me-south-1": ["mes1-az1", "mes1-az2", "mes1-az3"],
  "mx-central-1": ["mxc1-az1", "mxc1-az2", "mxc1-az3"],
  "sa-east-1": ["sae1-az1", "sae1-az2", "sae1-az3"],
  "us-east-1": ["use1-az1", "use1-az2", "use1-az4", "use1-az5", "use1-az6"],
  "us-east-2": ["use2-az1", "use2-az2", "use2-az3"],
  "us-west-1": ["usw1-az1", "usw1-az3"],
  "us-west-2": ["usw2-az1", "usw2-az2", "usw2-az3", "usw2-az4"],
};

/** The AZ IDs EKS refuses cluster subnets in, by Region (network-reqs.html): the table lists none of them. */
export const EKS_DISALLOWED_AZ_IDS: Readonly<Record<string, readonly string[]>> = {
  "us-east-1": ["use1-az3"],
  "us-west-1": ["usw1-az2"],
  "ca-central-1": ["cac1-az3"],
};

/**
 * A zone the stack puts a public and a private subnet in.
 * - `id`: the AZ ID the subnets are created in (`availabilityZoneId`): the same physical zone in every account.
 * - `label`: what the stack's resource names and Name tags call the zone: the Region code and the letter of the AZ ID's
 *   number (usw2-az1 -> us-west-2a, use1-az4 -> us-east-1d). It is only a label, kept so the resources of a stack
 *   created when zones were named by code keep their names (and URNs). It is the zone's code only where the account
 *   maps codes that way (AWS's example for us-east-2: use2-az1 is us-east-2a); in an independently mapped Region the
 *   account's code for the zone can be another letter. The code is the subnet's `availabilityZone` output
 *   (AwsNetwork.zoneNames), which EC2 answers for a subnet created by AZ ID.
 */
export interface AwsZone {
  readonly id: string;
  readonly label: string;
}

/** A zone of `region` from its AZ ID, labelled as AwsZone says. */
export function awsZone(region: string, id: string): AwsZone {
  const n = /-az(\d+)$/.exec(id);
  if (!n || Number(n[1]) < 1 || Number(n[1]) > 26) throw new Error(`not an AZ ID of the form <prefix>-az<1-26>: ${id}`);
  return { id, label: `${region}${String.fromCharCode(96 + Number(n[1]))}` };
}

/** The zones the table lists for a Region, in its order; undefined for a Region it does not list. */
export function awsZonesOfRegion(region: string): AwsZone[] | undefined {
  const ids = Object.hasOwn(AWS_REGION_ZONE_IDS, region) ? AWS_REGION_ZONE_IDS[region] : undefined;
  return ids?.map((id) => awsZone(region, id));
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
export function firstAwsZones(region: string, count: number): { zones: AwsZone[] } | { problem: AwsZoneProblem } {
  const all = awsZonesOfRegion(region);
  if (!all)
    return {
      problem: {
        key: "aws:region",
        path: ["aws", "region"],
        message: `expected a Region whose EKS-usable AZ IDs components/aws/zones.ts lists (${Object.keys(AWS_REGION_ZONE_IDS).join(", ")}), got ${region} (see that file to add one)`,
      },
    };
  if (count > all.length)
    return {
      problem: {
        key: "tricloud:network.aws.zones",
        path: ["tricloud", "network", "aws", "zones"],
        message: `expected at most ${all.length} (the AZ IDs EKS accepts that components/aws/zones.ts lists for ${region}: ${all.map((z) => z.id).join(", ")}), got ${count}`,
      },
    };
  return { zones: all.slice(0, count) };
}
