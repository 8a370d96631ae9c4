import type { PreflightRule, PrerequisiteRule } from "../rule";
import { awsPrerequisites, awsRules } from "./aws";
import { azurePrerequisites, azureRules } from "./azure";
import { azureModelRules } from "./azure-models";
import { chartRules } from "./charts";
import { edgePrerequisites, edgeRules } from "./edge";
import { gcpPrerequisites, gcpRules } from "./gcp";
import { istioRules } from "./istio";
import { versionRules } from "./versions";
import { vpnRules } from "./vpn";

/** Every preflight rule, in report order. */
export const PREFLIGHT_RULES: readonly PreflightRule[] = [
  ...versionRules,
  ...istioRules,
  ...chartRules,
  ...awsRules,
  ...azureRules,
  ...azureModelRules,
  ...gcpRules,
  ...vpnRules,
  ...edgeRules,
];
export const PREREQUISITE_RULES: readonly PrerequisiteRule[] = [
  ...awsPrerequisites,
  ...azurePrerequisites,
  ...gcpPrerequisites,
  ...edgePrerequisites,
];
