import { z } from "zod";

/** What an auditor remembers between runs: the newest checkpoint it accepted per log. */
export const auditStateSchema = z.strictObject({
  version: z.literal(1),
  logs: z.record(
    z.string(),
    z.strictObject({ size: z.number().int().min(0), root: z.string(), checkpoint: z.string() }),
  ),
});
export type AuditState = z.infer<typeof auditStateSchema>;
