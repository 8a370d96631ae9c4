import { existsSync } from "node:fs";
import { join } from "node:path";
import { PUBLIC_KEYS_FILE, writeKeyFiles } from "../../functions/node/keyfiles";
import { required, UsageError, type FlagValues } from "../args";
import { KEYGEN } from "../specs";

/** `tricloud keygen --out DIR`: three Ed25519 key pairs for a local quorum. */
export async function main(flags: FlagValues): Promise<number> {
  const out = required(KEYGEN, flags, "out", "the directory to write the key files to");
  if (existsSync(join(out, PUBLIC_KEYS_FILE)) && !flags.force)
    throw new UsageError(`--out: ${out} already holds keys; pass --force to replace them`);
  const files = await writeKeyFiles(out);
  process.stdout.write(`wrote ${files.length} files:\n${files.map((f) => `  ${f}`).join("\n")}\n`);
  return 0;
}
