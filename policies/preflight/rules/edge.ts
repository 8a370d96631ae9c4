import type { PreflightRule, PrerequisiteRule } from "../rule";

/** What edge refuses (see ../rule.ts for how a rule is written). */
export const edgeRules: readonly PreflightRule[] = [];

/** What a team must arrange in edge before `pulumi up` (listed by the plan). */
export const edgePrerequisites: readonly PrerequisiteRule[] = [];
