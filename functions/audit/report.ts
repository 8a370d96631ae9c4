import type { AuditReport } from "./verify";

/** Human-readable audit report: one line per log, then every failure with its evidence. */
export function renderAuditText(r: AuditReport): string {
  const lines: string[] = [];
  for (const l of r.logs) {
    const who = l.origin ? `${l.origin} (${l.cloud})` : "(no checkpoint)";
    lines.push(
      `${l.node}  ${who}  size ${l.size ?? "-"}  root ${l.root ?? "-"}  cosigned by ${l.cosigners.join(", ") || "nobody"}  ` +
        `${l.checkpoints} checkpoints, ${l.entriesChecked} entries, ${l.inclusionChecked} inclusion proofs, ${l.anchorsChecked} anchors verified`,
    );
  }
  lines.push(`join: ${r.equivocationsChecked} signed statements across ${r.logs.length} log(s)`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (r.ok) {
    lines.push("audit: OK");
  } else {
    lines.push(`audit: FAILED (${r.failures.length} finding${r.failures.length === 1 ? "" : "s"})`);
    for (const f of r.failures) {
      lines.push(`- [${f.check}] ${f.log}: ${f.message}`);
      if (f.evidence !== undefined)
        lines.push(
          ...JSON.stringify(f.evidence, null, 2)
            .split("\n")
            .map((x) => `    ${x}`),
        );
    }
  }
  return `${lines.join("\n")}\n`;
}
