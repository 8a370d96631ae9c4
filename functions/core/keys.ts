import { generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import type { Cloud } from "./clouds";

/** What one node holds: its own private key and every cloud's public key, as KeyObjects
 * (parsing a PEM per call costs ~10x the signature itself). */
export interface KeyRing {
  readonly self: Cloud;
  readonly privateKey: KeyObject;
  readonly publicKeys: Readonly<Record<Cloud, KeyObject>>;
}

export function generateKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync("ed25519");
}

/** Ed25519 over the raw 32-byte digest; node requires the algorithm argument to be null. */
export function signDigest(privateKey: KeyObject, digestHex: string): string {
  return sign(null, Buffer.from(digestHex, "hex"), privateKey).toString("base64");
}

/** Never throws: a malformed key or signature is simply not valid. */
export function verifyDigest(publicKey: KeyObject, digestHex: string, signatureB64: string): boolean {
  const sig = Buffer.from(signatureB64, "base64");
  if (sig.length !== 64) return false;
  try {
    return verify(null, Buffer.from(digestHex, "hex"), publicKey, sig);
  } catch {
    return false;
  }
}
