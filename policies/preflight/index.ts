import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, preflightPolicies } from "./policies";

// `pulumi preview --policy-pack policies/preflight`: the only place the pack is constructed.
new PolicyPack(PACK_NAME, {
  description:
    "tricloud preflight: what AWS, Azure, GCP, Cloudflare and Vercel would refuse (names, sizes, versions, APIs to enable), each rule with its source and the date it was read.",
  enforcementLevel: "mandatory",
  policies: preflightPolicies,
});
