import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { CLOUDS, type Cloud } from "@tricloud/vocabulary/sizes";

export interface MeshCaArgs {
  environment: string;
  /** Each cluster's name in the mesh (its intermediate's common name). */
  clusterNames: Readonly<Record<Cloud, string>>;
}

/** The four files istiod reads from `istio-system/cacerts` (https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/). */
export interface Cacerts {
  "ca-cert.pem": string;
  "ca-key.pem": string;
  "root-cert.pem": string;
  "cert-chain.pem": string;
}

/** Istio's own tooling (tools/certs in the Istio release) issues a 10-year root and 2-year intermediates, RSA 4096. */
const ROOT_HOURS = 10 * 365 * 24;
const INTERMEDIATE_HOURS = 2 * 365 * 24;
/** An intermediate within 30 days of expiry is re-issued by the next `pulumi up`. */
const RENEW_HOURS = 30 * 24;

/**
 * The mesh's shared root CA and one intermediate CA per cluster, so workloads on the three clusters trust each
 * other's certificates (Istio's plugged-in CA for multi-cluster). Keys exist only in Pulumi's state (encrypted as
 * secrets) and in each cloud's secret store, never in a rendered manifest; the root's key signs nothing but the
 * three intermediates.
 */
export class MeshCa extends pulumi.ComponentResource {
  readonly rootCertPem: pulumi.Output<string>;
  /** Per cloud: that cluster's `cacerts` as JSON, a secret. */
  readonly cacerts: Record<Cloud, pulumi.Output<string>>;

  constructor(name: string, args: MeshCaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:mesh:MeshCa", name, {}, opts);
    const child = { parent: this };
    const organization = `tricloud-${args.environment}`;
    const rootKey = new tls.PrivateKey(`${name}-root`, { algorithm: "RSA", rsaBits: 4096 }, child);
    const root = new tls.SelfSignedCert(
      `${name}-root`,
      {
        privateKeyPem: rootKey.privateKeyPem,
        subject: { organization, commonName: `${organization} mesh root CA` },
        isCaCertificate: true,
        validityPeriodHours: ROOT_HOURS,
        allowedUses: ["cert_signing", "crl_signing"],
      },
      child,
    );
    this.rootCertPem = root.certPem;
    const cacerts = {} as Record<Cloud, pulumi.Output<string>>;
    for (const cloud of CLOUDS) {
      const clusterName = args.clusterNames[cloud];
      const key = new tls.PrivateKey(`${name}-${cloud}`, { algorithm: "RSA", rsaBits: 4096 }, child);
      const request = new tls.CertRequest(
        `${name}-${cloud}`,
        {
          privateKeyPem: key.privateKeyPem,
          subject: { organization, commonName: `${clusterName} intermediate CA` },
          // The name Istio's tooling gives an intermediate: istiod serves its webhooks under it.
          dnsNames: ["istiod.istio-system.svc"],
        },
        child,
      );
      const cert = new tls.LocallySignedCert(
        `${name}-${cloud}`,
        {
          certRequestPem: request.certRequestPem,
          caPrivateKeyPem: rootKey.privateKeyPem,
          caCertPem: root.certPem,
          isCaCertificate: true,
          validityPeriodHours: INTERMEDIATE_HOURS,
          earlyRenewalHours: RENEW_HOURS,
          allowedUses: ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"],
        },
        child,
      );
      cacerts[cloud] = pulumi.secret(
        pulumi.all([cert.certPem, key.privateKeyPem, root.certPem]).apply(([c, k, r]) =>
          JSON.stringify({
            "ca-cert.pem": c,
            "ca-key.pem": k,
            "root-cert.pem": r,
            // The chain from this intermediate up to the root.
            "cert-chain.pem": `${c.trimEnd()}\n${r}`,
          } satisfies Cacerts),
        ),
      );
    }
    this.cacerts = cacerts;
    this.registerOutputs({ rootCertPem: this.rootCertPem });
  }
}
