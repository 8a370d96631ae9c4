import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { CLOUDS, type Cloud } from "../core/clouds";
import type { KeyRing } from "../core/keys";

/**
 * A node's key ring from PEM text, as a function host receives it: its own private
 * key from its cloud's secret store, every cloud's public key from configuration.
 * (`loadKeyRing` reads the same material from a keygen directory.)
 */
export function keyRingFromPem(
  self: Cloud,
  privateKeyPem: string,
  publicKeyPems: Readonly<Record<string, unknown>>,
): KeyRing {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(privateKeyPem);
  } catch (err) {
    // Never echo the text: it is the signing key.
    throw new Error(
      `keys: the private key of ${self} is not a PEM private key (${err instanceof Error ? err.message : err})`,
      { cause: err },
    );
  }
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new Error(`keys: the private key of ${self} is ${privateKey.asymmetricKeyType}, expected ed25519`);
  const publicKeys = {} as Record<Cloud, KeyObject>;
  for (const cloud of CLOUDS) {
    const pem = publicKeyPems[cloud];
    if (typeof pem !== "string") throw new Error(`keys: no public key PEM for "${cloud}"`);
    publicKeys[cloud] = createPublicKey(pem);
    if (publicKeys[cloud].asymmetricKeyType !== "ed25519")
      throw new Error(`keys: the public key of ${cloud} is not ed25519`);
  }
  // A private key that does not match its published public key would sign confirmations every peer rejects.
  const own = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  if (!own.equals(publicKeys[self].export({ type: "spki", format: "der" }))) {
    throw new Error(`keys: the private key of ${self} does not match the public key published for ${self}`);
  }
  return { self, privateKey, publicKeys };
}
