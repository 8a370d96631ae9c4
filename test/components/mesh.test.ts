import { describe, expect, it } from "vitest";
import { AwsGitOps } from "../../components/aws/gitops";
import { AzureGitOps } from "../../components/azure/gitops";
import { GcpGitOps } from "../../components/gcp/gitops";
import { GcpProjectServices } from "../../components/gcp/services";
import type { MeshSecretSource } from "../../components/shared/mesh";
import { MeshCa } from "../../components/shared/mesh-ca";
import { buildComponent, expectWellFormed } from "../helpers/component";
import { AWS_GITOPS, AZURE_GITOPS, GCP_GITOPS } from "./args";

const CACERTS = JSON.stringify({
  "ca-cert.pem": "c",
  "ca-key.pem": "k",
  "root-cert.pem": "r",
  "cert-chain.pem": "c\nr",
});
/** A secret input as the mocks record it: Pulumi's secret envelope around the value. */
const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: CACERTS };
const value = <T>(o: { apply<U>(f: (t: T) => U): unknown }) => new Promise<T>((resolve) => o.apply(resolve));

describe("the mesh's components in isolation", () => {
  it("MeshCa: one root, one intermediate per cluster signed by it, each cluster's cacerts as a secret JSON", async () => {
    const built = await buildComponent(
      () =>
        new MeshCa("ca", { environment: "dev", clusterNames: { aws: "dev-aws", azure: "dev-azure", gcp: "dev-gcp" } }),
    );
    expect(built.one("tricloud:mesh:MeshCa")).toBeDefined();
    expect(
      built.ofType("tls:index/privateKey:PrivateKey").map((r) => [r.name, r.inputs.algorithm, r.inputs.rsaBits]),
    ).toEqual([
      ["ca-root", "RSA", 4096],
      ["ca-aws", "RSA", 4096],
      ["ca-azure", "RSA", 4096],
      ["ca-gcp", "RSA", 4096],
    ]);
    const root = built.one("tls:index/selfSignedCert:SelfSignedCert").inputs;
    expect(root).toMatchObject({
      isCaCertificate: true,
      validityPeriodHours: 87600,
      allowedUses: ["cert_signing", "crl_signing"],
    });
    expect(root.subject.commonName).toBe("tricloud-dev mesh root CA");
    const signed = built.ofType("tls:index/locallySignedCert:LocallySignedCert");
    expect(signed).toHaveLength(3);
    for (const s of signed) {
      expect(s.inputs).toMatchObject({ isCaCertificate: true, validityPeriodHours: 17520, earlyRenewalHours: 720 });
    }
    // All three are signed by the one root key, which is none of the intermediates' own keys.
    const signer = JSON.stringify(signed[0]!.inputs.caPrivateKeyPem);
    for (const s of signed) expect(JSON.stringify(s.inputs.caPrivateKeyPem)).toBe(signer);
    for (const r of built.ofType("tls:index/certRequest:CertRequest"))
      expect(JSON.stringify(r.inputs.privateKeyPem)).not.toBe(signer);
    expect(built.ofType("tls:index/certRequest:CertRequest").map((r) => r.inputs.subject.commonName)).toEqual([
      "dev-aws intermediate CA",
      "dev-azure intermediate CA",
      "dev-gcp intermediate CA",
    ]);
    const aws = JSON.parse(await value<string>(built.component.cacerts.aws));
    expect(Object.keys(aws).sort()).toEqual(["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"]);
    expect(aws["ca-key.pem"]).toContain("PRIVATE KEY");
    expect(aws["cert-chain.pem"]).toBe(`${aws["ca-cert.pem"].trimEnd()}\n${aws["root-cert.pem"]}`);
    expect(aws["root-cert.pem"]).toBe(JSON.parse(await value<string>(built.component.cacerts.gcp))["root-cert.pem"]);
    expect(aws["ca-cert.pem"]).not.toBe(JSON.parse(await value<string>(built.component.cacerts.azure))["ca-cert.pem"]);
    expect(await new Promise((r) => (built.component.cacerts.aws as any).isSecret.then(r))).toBe(true);
  });

  it("AwsGitOps with the mesh: the secret, and a role only the External Secrets service account may assume (IRSA) that reads it", async () => {
    const built = await buildComponent(
      () =>
        new AwsGitOps("g", {
          ...AWS_GITOPS,
          mesh: {
            environment: "dev",
            region: "us-west-2",
            production: false,
            cacerts: CACERTS,
            oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC",
            oidcIssuerUrl: "https://oidc.eks.us-west-2.amazonaws.com/id/ABC",
          },
        }),
    );
    expectWellFormed(built, "tricloud:aws:GitOps");
    expect(built.one("aws:secretsmanager/secret:Secret").inputs).toMatchObject({
      name: "tricloud-dev-aws-istio-cacerts",
      recoveryWindowInDays: 0,
    });
    expect(built.one("aws:secretsmanager/secretVersion:SecretVersion").inputs.secretString).toEqual(SECRET);
    const trust = JSON.parse(built.one("aws:iam/role:Role", "external-secrets").inputs.assumeRolePolicy);
    expect(trust.Statement[0]).toMatchObject({
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          "oidc.eks.us-west-2.amazonaws.com/id/ABC:sub": "system:serviceaccount:external-secrets:external-secrets",
          "oidc.eks.us-west-2.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
        },
      },
    });
    const policy = JSON.parse(built.one("aws:iam/rolePolicy:RolePolicy", "external-secrets").inputs.policy);
    expect(policy.Statement[0].Action).toEqual(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]);
    const source = await value<MeshSecretSource>(built.component.meshSecrets!);
    expect(source.provider).toEqual({ aws: { service: "SecretsManager", region: "us-west-2" } });
    expect(source.serviceAccountAnnotations["eks.amazonaws.com/role-arn"]).toMatch(/^arn:aws:iam:/);
  });

  it("AzureGitOps with the mesh: an RBAC Key Vault, the secret, a federated identity for the operator with Secrets User on it", async () => {
    const built = await buildComponent(
      () =>
        new AzureGitOps("g", {
          ...AZURE_GITOPS,
          mesh: {
            cacerts: CACERTS,
            oidcIssuerUrl: "https://eastus.oic.prod-aks.azure.com/tenant/cluster/",
            deployerPrincipalType: "ServicePrincipal",
          },
        }),
    );
    expectWellFormed(built, "tricloud:azure:GitOps");
    expect(built.one("azure-native:keyvault:Vault").inputs.properties).toMatchObject({ enableRbacAuthorization: true });
    expect(built.one("azure-native:keyvault:Secret").inputs).toMatchObject({
      secretName: "tricloud-dev-azure-istio-cacerts",
      // The whole properties object is marked secret because its value is.
      properties: { ...SECRET, value: { value: CACERTS, contentType: "application/json" } },
    });
    expect(built.one("azure-native:managedidentity:FederatedIdentityCredential").inputs).toMatchObject({
      issuer: "https://eastus.oic.prod-aks.azure.com/tenant/cluster/",
      subject: "system:serviceaccount:external-secrets:external-secrets",
      audiences: ["api://AzureADTokenExchange"],
    });
    const grants = built.ofType("azure-native:authorization:RoleAssignment").map((r) => r.inputs.roleDefinitionId);
    expect(grants.some((g) => g.endsWith("4633458b-17de-408a-b874-0445c86b69e6"))).toBe(true);
    const source = await value<MeshSecretSource>(built.component.meshSecrets!);
    expect((source.provider as any).azurekv.authType).toBe("WorkloadIdentity");
    expect(source.podLabels).toEqual({ "azure.workload.identity/use": "true" });
  });

  it("GcpGitOps with the mesh: the secret, and a service account the operator impersonates with accessor on it alone", async () => {
    const built = await buildComponent(() => {
      const apis = new GcpProjectServices("apis", { project: "tricloud-unit" });
      return new GcpGitOps("g", {
        ...GCP_GITOPS,
        apis,
        mesh: { environment: "dev", cacerts: CACERTS },
      });
    });
    expectWellFormed(built, "tricloud:gcp:GitOps");
    expect(built.one("gcp:secretmanager/secret:Secret").inputs.secretId).toBe("tricloud-dev-gcp-istio-cacerts");
    expect(built.one("gcp:secretmanager/secretVersion:SecretVersion").inputs.secretData).toEqual(SECRET);
    expect(built.one("gcp:secretmanager/secretIamMember:SecretIamMember").inputs.role).toBe(
      "roles/secretmanager.secretAccessor",
    );
    expect(built.one("gcp:serviceaccount/iAMMember:IAMMember", "external-secrets").inputs.member).toBe(
      "serviceAccount:tricloud-unit.svc.id.goog[external-secrets/external-secrets]",
    );
    const source = await value<MeshSecretSource>(built.component.meshSecrets!);
    expect(source.provider).toEqual({ gcpsm: { projectID: "tricloud-unit" } });
    expect(source.serviceAccountAnnotations["iam.gke.io/gcp-service-account"]).toMatch(/^tricloud-mesh-secrets@/);
  });
});
