import { describe, expect, it } from "vitest";
import { noPlaintextSecrets, noWildcardIam, wildcardActions } from "../../../policies/portability/security-identity";
import { messages, res } from "../../helpers/policies";

const doc = (Action: unknown) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action, Resource: "*" }] });

describe("security-iam-disallow-wildcard-actions", () => {
  it("passes narrow grants on all three clouds", async () => {
    expect(
      await messages(noWildcardIam, [
        res("aws:iam/role:Role", { assumeRolePolicy: doc("sts:AssumeRole") }),
        res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
          policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
        }),
        res("azure-native:authorization:RoleAssignment", {
          roleDefinitionId: "/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d",
        }),
        res("gcp:projects/iAMMember:IAMMember", { role: "roles/container.defaultNodeServiceAccount" }),
      ]),
    ).toEqual([]);
  });
  it("fails '*', 'service:*', NotAction, admin policies, Owner and roles/owner", async () => {
    expect(wildcardActions(doc(["s3:GetObject", "s3:*"]))).toEqual(["s3:*"]);
    const m = await messages(noWildcardIam, [
      res("aws:iam/policy:Policy", { policy: doc("*") }),
      res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
        policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
      }),
      res("aws:iam/rolePolicy:RolePolicy", {
        policy: JSON.stringify({ Statement: { Effect: "Allow", NotAction: "iam:*", Resource: "*" } }),
      }),
      res("azure-native:authorization:RoleAssignment", {
        roleDefinitionId: "/x/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
      }),
      res("gcp:projects/iAMMember:IAMMember", { role: "roles/editor" }),
    ]);
    expect(m).toHaveLength(5);
    expect(m[3]).toContain("Owner");
  });
});

describe("security-resource-disallow-plaintext-secrets", () => {
  it("passes secret-marked values (redacted) and plain configuration", async () => {
    expect(
      await messages(noPlaintextSecrets, [
        res("aws:rds/instance:Instance", { password: "[secret]", username: "admin" }),
        // The engine unwraps secrets for policies: a key inside a secret store is where it belongs.
        res("aws:secretsmanager/secretVersion:SecretVersion", {
          secretId: "s",
          secretString: "-----BEGIN PRIVATE KEY-----\nMC4CAQ...\n-----END PRIVATE KEY-----",
        }),
        res("vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables", {
          variables: [
            { key: "API_URL", value: "https://api.example", sensitive: false },
            { key: "DB_PASSWORD", value: "[secret]", sensitive: true },
          ],
        }),
      ]),
    ).toEqual([]);
  });
  it("fails credentials in plain inputs and secret-looking variables not marked sensitive", async () => {
    const m = await messages(noPlaintextSecrets, [
      res("cloudflare:index/dnsRecord:DnsRecord", { content: "AKIAABCDEFGHIJKLMNOP" }),
      res("aws:ssm/parameter:Parameter", { value: "ok", description: "-----BEGIN RSA PRIVATE KEY-----" }),
      res("aws:lambda/function:Function", {
        environment: { variables: { DATABASE_URL: "postgres://app:hunter2@db:5432/app" } },
      }),
      res("vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables", {
        variables: [{ key: "STRIPE_SECRET", value: "x", sensitive: false }],
      }),
    ]);
    expect(m).toEqual([
      expect.stringContaining("AWS access key id"),
      expect.stringContaining("description holds a private key"),
      expect.stringContaining("environment.variables.DATABASE_URL holds a password in a URL"),
      expect.stringContaining("STRIPE_SECRET"),
    ]);
  });
});
