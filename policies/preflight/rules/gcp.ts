import type { PreflightRule, PrerequisiteRule } from "../rule";

/** What gcp refuses (see ../rule.ts for how a rule is written). */
export const gcpRules: readonly PreflightRule[] = [];

/** What a team must arrange in gcp before `pulumi up` (listed by the plan). */
export const gcpPrerequisites: readonly PrerequisiteRule[] = [];
