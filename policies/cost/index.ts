import { PolicyPack } from "@pulumi/policy";
import { costPolicies, PACK_NAME } from "./policies";

// `pulumi preview --policy-pack policies/cost`: the only place the pack is constructed.
new PolicyPack(PACK_NAME, {
  description:
    "tricloud cost: the monthly list-price estimate against the stack's ceiling before merge, per-environment size allow-lists, unpriced resources.",
  enforcementLevel: "advisory",
  policies: costPolicies,
});
