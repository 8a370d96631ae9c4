/** `npm run bench`: every benchmark of the project, one after the other, each in its own process. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const parts = ["plan.ts", "preflight.ts", "quorum.ts", "floor.ts", "ledger.ts"].filter((f) =>
  existsSync(join(__dirname, f)),
);
let failed = 0;
for (const part of parts) {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(__dirname, part)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
  process.stdout.write("\n");
}
process.exitCode = failed ? 1 : 0;
