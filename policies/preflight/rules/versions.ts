import type { PreflightRule } from "../rule";

/** Kubernetes and PostgreSQL versions against the support calendar (../calendar.ts). */
export const versionRules: readonly PreflightRule[] = [];
