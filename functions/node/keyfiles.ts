import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CLOUDS, type Cloud } from "../core/clouds";
import { generateKeyPair, type KeyRing } from "../core/keys";

export const PUBLIC_KEYS_FILE = "public-keys.json";
export const privateKeyFile = (cloud: Cloud) => `${cloud}.key.pem`;

/** Three Ed25519 pairs: `<cloud>.key.pem` (0600) and one `public-keys.json` every node reads. */
export async function writeKeyFiles(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const publics: Record<string, string> = {};
  const written: string[] = [];
  for (const cloud of CLOUDS) {
    const { privateKey, publicKey } = generateKeyPair();
    const file = join(dir, privateKeyFile(cloud));
    await writeFile(file, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    written.push(file);
    publics[cloud] = publicKey.export({ type: "spki", format: "pem" }).toString();
  }
  const pubFile = join(dir, PUBLIC_KEYS_FILE);
  await writeFile(pubFile, `${JSON.stringify(publics, null, 2)}\n`);
  written.push(pubFile);
  return written;
}

/** Loads one node's key ring from a keygen directory; errors name the file at fault. */
export async function loadKeyRing(dir: string, self: Cloud): Promise<KeyRing> {
  const read = async (name: string) => {
    try {
      return await readFile(join(dir, name), "utf8");
    } catch (err) {
      throw new Error(
        `keys: cannot read ${join(dir, name)} (${(err as NodeJS.ErrnoException).code ?? err}); run "tricloud keygen --out ${dir}"`,
        { cause: err },
      );
    }
  };
  const privateKey = createPrivateKey(await read(privateKeyFile(self)));
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new Error(`keys: ${privateKeyFile(self)} is not an Ed25519 private key`);
  let publics: Record<string, unknown>;
  try {
    publics = JSON.parse(await read(PUBLIC_KEYS_FILE)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`keys: ${PUBLIC_KEYS_FILE} is not valid JSON (${err instanceof Error ? err.message : err})`, {
      cause: err,
    });
  }
  const publicKeys = {} as Record<Cloud, KeyObject>;
  for (const cloud of CLOUDS) {
    const pem = publics[cloud];
    if (typeof pem !== "string") throw new Error(`keys: ${PUBLIC_KEYS_FILE} has no PEM string for "${cloud}"`);
    publicKeys[cloud] = createPublicKey(pem);
  }
  return { self, privateKey, publicKeys };
}
