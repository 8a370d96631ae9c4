import { z } from "zod";
import { planCostSchema } from "../../pricing/diff";
import { integer, UsageError, type FlagValues } from "../args";
import { renderComment, type StackPlans } from "../plan/comment";
import type { PlanReport } from "../plan/report";
import { readPlanJson } from "./cost";

// The parts of a `tricloud plan --format json` report the comment reads; the rest passes through.
const reportSchema = z
  .object({
    stack: z.string(),
    resources: z.array(
      z
        .object({
          urn: z.string(),
          type: z.string(),
          name: z.string(),
          parent: z.string().nullable(),
          cloud: z.string(),
          custom: z.boolean(),
        })
        .passthrough(),
    ),
    summary: z.object({ total: z.number(), components: z.number() }).passthrough(),
    cost: z
      .object({
        monthlyUsd: z.number().nullable(),
        ceilingUsd: z.number().nullable(),
        byCloud: z.record(z.string(), z.number()),
        lines: z.array(z.unknown()),
      })
      .passthrough(),
    policies: z.object({ violations: z.array(z.object({ enforcementLevel: z.string() }).passthrough()) }),
    preflight: z.array(z.object({ level: z.string() }).passthrough()),
  })
  .passthrough();

function readReport(flag: string, path: string, schema: z.ZodType = reportSchema): PlanReport {
  const parsed = schema.safeParse(readPlanJson(flag, path));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new UsageError(
      `--${flag}: ${path} is not a tricloud plan report (at ${first?.path.join(".") || "(root)"}: ${first?.message}); write it with tricloud plan --format json`,
    );
  }
  return parsed.data as unknown as PlanReport;
}

/** `tricloud comment --head dev.json --head prod.json [--base ...]`: the pull-request comment. */
export async function main(flags: FlagValues): Promise<number> {
  const heads = ((flags.head as string[] | undefined) ?? []).map((p) => readReport("head", p));
  if (heads.length === 0)
    throw new UsageError(
      "--head: required (a stack's `tricloud plan --format json` report; repeat per stack), as in --head <plan.json>",
    );
  // The base may come from an older tricloud: only its cost is read.
  const bases = ((flags.base as string[] | undefined) ?? []).map((p) =>
    readReport("base", p, planCostSchema.passthrough()),
  );
  const maxChars = integer("max-chars", flags["max-chars"], 1_000, 65_536);
  const stacks: StackPlans[] = heads.map((head) => ({ head, base: bases.find((b) => b.stack === head.stack) }));
  for (const b of bases)
    if (!heads.some((h) => h.stack === b.stack))
      throw new UsageError(`--base: a report of stack "${b.stack}" but no --head of that stack`);
  process.stdout.write(renderComment(stacks, maxChars));
  return 0;
}
