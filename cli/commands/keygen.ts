import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PUBLIC_KEYS_FILE, writeKeyFiles } from "../../functions/node/keyfiles";

const USAGE = "usage: tricloud keygen --out DIR [--force]\n";

/** `tricloud keygen --out DIR`: three Ed25519 key pairs for a local quorum. */
export async function main(argv: string[]): Promise<number> {
  let values: { out?: string; force?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { out: { type: "string" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } }, strict: true }));
  } catch (err) {
    process.stderr.write(`tricloud keygen: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.out) {
    process.stderr.write(`tricloud keygen: --out is required: expected the directory to write the key files to\n${USAGE}`);
    return 2;
  }
  if (existsSync(join(values.out, PUBLIC_KEYS_FILE)) && !values.force) {
    process.stderr.write(`tricloud keygen: --out ${values.out} already holds keys; pass --force to replace them\n`);
    return 2;
  }
  const files = await writeKeyFiles(values.out);
  process.stdout.write(`wrote ${files.length} files:\n${files.map((f) => `  ${f}`).join("\n")}\n`);
  return 0;
}
