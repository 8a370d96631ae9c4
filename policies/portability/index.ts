import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, portabilityPolicies } from "./policies";

// `pulumi preview --policy-pack policies/portability`: the only place the pack is constructed.
new PolicyPack(PACK_NAME, {
  description:
    "tricloud portability and security baseline: parity across AWS, Azure and GCP, no lock-in services, tags, regions, encryption, exposure, backups, TLS, WAF, IAM and secrets.",
  enforcementLevel: "advisory",
  policies: portabilityPolicies,
});
