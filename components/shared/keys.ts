import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { CLOUDS, type Cloud } from "@tricloud/vocabulary/sizes";

export interface QuorumKeysArgs {
  /** Rotating a cloud's key: bump its generation (the key is replaced; see docs/functions-deploy.md). */
  generations?: Partial<Record<Cloud, number>>;
}

/**
 * The quorum's three Ed25519 signing keys, generated once per stack by @pulumi/tls.
 * Each private key is a secret output that only its own cloud's FunctionHost puts
 * into its own secret store; the public keys are plain and every host gets all three.
 * Azure Key Vault has no Ed25519 keys, so on every cloud the key is kept as a secret.
 */
export class QuorumKeys extends pulumi.ComponentResource {
  /** SPKI PEM per cloud: safe to publish. */
  readonly publicKeyPems: Readonly<Record<Cloud, pulumi.Output<string>>>;
  /** PKCS#8 PEM per cloud; always secret. */
  readonly privateKeyPems: Readonly<Record<Cloud, pulumi.Output<string>>>;

  constructor(name: string, args: QuorumKeysArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:shared:QuorumKeys", name, {}, opts);
    const publicKeyPems = {} as Record<Cloud, pulumi.Output<string>>;
    const privateKeyPems = {} as Record<Cloud, pulumi.Output<string>>;
    for (const cloud of CLOUDS) {
      const generation = args.generations?.[cloud] ?? 1;
      const key = new tls.PrivateKey(
        `${name}-${cloud}${generation > 1 ? `-g${generation}` : ""}`,
        { algorithm: "ED25519" },
        { parent: this, additionalSecretOutputs: ["privateKeyPem", "privateKeyOpenssh", "privateKeyPemPkcs8"] },
      );
      publicKeyPems[cloud] = key.publicKeyPem;
      // PKCS#8 ("BEGIN PRIVATE KEY"): the form node:crypto's createPrivateKey reads.
      privateKeyPems[cloud] = pulumi.secret(key.privateKeyPemPkcs8);
    }
    this.publicKeyPems = publicKeyPems;
    this.privateKeyPems = privateKeyPems;
    this.registerOutputs({ publicKeyPems });
  }

  /** All three public keys as the JSON object the functions read (TRICLOUD_PUBLIC_KEYS). */
  publicKeysJson(): pulumi.Output<string> {
    return pulumi
      .all(this.publicKeyPems)
      .apply((pems) => JSON.stringify(Object.fromEntries(CLOUDS.map((c) => [c, pems[c]]))));
  }
}
