import type { ResourceValidationPolicy } from "@pulumi/policy";
import { get } from "@tricloud/policy-kit/kit";
import { TAG_PATHS, tagsOf } from "@tricloud/policy-kit/tags";

export const requiredTags: ResourceValidationPolicy = {
  name: "portability-resource-missing-required-tags",
  description: "Requires the configured tags (AWS, Azure) or labels (GCP) on every resource type that can carry them.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      requiredTags: {
        type: "array",
        items: { type: "string" },
        default: ["owner", "cost-center", "environment"],
        description: "Keys every taggable resource must carry (tricloud:requiredTags plus environment).",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const path = TAG_PATHS[args.type];
    if (!path) return args.notApplicable("this resource type carries no tags or labels");
    const { requiredTags: keys } = args.getConfig<{ requiredTags: string[] }>();
    const tags = tagsOf(args.type, args.props) ?? {};
    const missing = keys.filter((k) => !(k in tags) || tags[k] === "");
    if (missing.length)
      reportViolation(
        `missing ${missing.map((k) => `"${k}"`).join(", ")} in ${path}: set them in tricloud:tags (the components copy them to every resource).`,
      );
  },
};

/** Reference default: the US regions of the three clouds. Override per organisation in the policy config. */
export const DEFAULT_ALLOWED_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-2",
  "eastus",
  "eastus2",
  "centralus",
  "westus2",
  "westus3",
  "us-central1",
  "us-east1",
  "us-east4",
  "us-west1",
];

/** The region a resource lives in, or undefined for global resources. */
function regionOf(type: string, props: Record<string, any>, providerRegion: unknown): string | undefined {
  const pkg = type.split(":")[0];
  if (pkg === "aws") return (props.region ?? providerRegion) as string | undefined; // provider v7 also takes a per-resource region
  if (pkg === "azure-native") {
    const loc = props.location;
    return typeof loc === "string" && loc.toLowerCase() !== "global"
      ? loc.toLowerCase().replace(/\s+/g, "")
      : undefined;
  }
  if (pkg === "gcp") {
    // "global" (any case) in region or location means no region, as Azure's "global" location does;
    // a resource with a global region but a regional location lives in that location.
    const loc = [props.region, props.location].find(
      (l): l is string => typeof l === "string" && l !== "" && l.toLowerCase() !== "global",
    );
    if (loc === undefined) return undefined;
    return /-[a-z]$/.test(loc) ? loc.replace(/-[a-z]$/, "") : loc; // a zone's region
  }
  return undefined;
}

export const allowedRegions: ResourceValidationPolicy = {
  name: "portability-resource-enforce-allowed-regions",
  description: "Requires AWS, Azure and GCP resources to be placed in an allowed region.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedRegions: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_ALLOWED_REGIONS,
        description: "Region names of any cloud (us-west-2, eastus, us-central1, ...).",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const region = regionOf(args.type, args.props, get(args.provider?.props, "region"));
    if (!region) return args.notApplicable("no region: a global resource or not a cloud resource");
    const { allowedRegions: allowed } = args.getConfig<{ allowedRegions: string[] }>();
    // Multi-regions ("us", "europe") hold copies across several regions; they are allowed when one of their regions is.
    if (allowed.includes(region) || allowed.some((a) => a.startsWith(`${region}-`))) return;
    reportViolation(
      `region "${region}" is not allowed; use one of ${allowed.join(", ")} (aws:region, azure-native:location, gcp:region) or extend allowedRegions in the policy config.`,
    );
  },
};

export const governancePolicies = [requiredTags, allowedRegions];
