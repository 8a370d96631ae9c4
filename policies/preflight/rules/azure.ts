import type { PreflightRule, PrerequisiteRule } from "../rule";

/** What azure refuses (see ../rule.ts for how a rule is written). */
export const azureRules: readonly PreflightRule[] = [];

/** What a team must arrange in azure before `pulumi up` (listed by the plan). */
export const azurePrerequisites: readonly PrerequisiteRule[] = [];
