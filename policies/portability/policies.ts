import type { Policies } from "@pulumi/policy";
import { cloudKeysInAdapters } from "./cloud-keys";
import { governancePolicies } from "./governance";
import { meshPolicies } from "./mesh";
import { noLockInServices } from "./lock-in";
import { parityPolicies } from "./roles";
import { dataPolicies } from "./security-data";
import { edgePolicies } from "./security-edge";
import { identityPolicies } from "./security-identity";
import { workloadPolicies } from "./workloads";

/** The portability pack's policies, shared by the pack's entry (index.ts), the offline plan and the tests. */
export const PACK_NAME = "tricloud-portability";
export const portabilityPolicies: Policies = [
  ...parityPolicies,
  noLockInServices,
  ...governancePolicies,
  ...dataPolicies,
  ...edgePolicies,
  ...identityPolicies,
  ...workloadPolicies,
  cloudKeysInAdapters,
  ...meshPolicies,
];
