import { beforeAll, describe, expect, it } from "vitest";
import type { PlanReport, PlannedResource } from "../../cli/plan/report";
import { ROLES } from "../../components/azure/function-host";
import { ofType, oneOfType, planStack } from "../helpers/plan";
import { mockId, mockState } from "../helpers/platform";

/**
 * The order a destroy or a replacement deletes Azure resources in, read from the dependencies the program declares
 * (the plan records each resource's under the mocks): Pulumi deletes a resource's dependents before the resource.
 */
let dev: PlanReport;
let prod: PlanReport;
beforeAll(async () => {
  [dev, prod] = await Promise.all([planStack("dev"), planStack("prod")]);
});

const LOCK = "azure-native:authorization:ManagementLockByScope";
const FLEX = "azure-native:dbforpostgresql:Server";

/** The URNs a resource waits for, directly or through the resources it waits for. */
function waitsFor(report: PlanReport, r: PlannedResource): Set<string> {
  const byUrn = new Map(report.resources.map((x) => [x.urn, x]));
  const seen = new Set<string>();
  const todo = [...(r.dependencies ?? [])];
  for (let urn = todo.pop(); urn !== undefined; urn = todo.pop()) {
    if (seen.has(urn)) continue;
    seen.add(urn);
    todo.push(...(byUrn.get(urn)?.dependencies ?? []));
  }
  return seen;
}

const below = (id: unknown, scope: string) => typeof id === "string" && (id === scope || id.startsWith(`${scope}/`));

describe("prod: the CanNotDelete lock on the Flexible Server", () => {
  // Azure refuses to delete anything under a locked scope (409 ScopeLocked), so everything under the server must be
  // deleted after the lock: the lock depends on each of them, and none of them on the lock.
  it("is created after everything under the server's scope, so a destroy deletes it first", () => {
    const lock = oneOfType(prod, LOCK);
    const server = oneOfType(prod, FLEX);
    const serverId = mockId("prod", server);
    const serverName = mockState("prod", server).name;
    expect(lock.inputs.scope).toBe(serverId);

    // Child resources name the server; extension resources (diagnostic settings, locks) take its id as their scope.
    const under = prod.resources.filter(
      (r) =>
        r !== lock &&
        r.custom &&
        (r.inputs.serverName === serverName ||
          below(r.inputs.resourceUri, serverId) ||
          below(r.inputs.scope, serverId)),
    );
    expect(under.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      "azure-native:dbforpostgresql:Configuration prod-azure-db-pgbouncer",
      "azure-native:dbforpostgresql:Database prod-azure-db-db",
      "azure-native:monitor:DiagnosticSetting prod-azure-obs-pg-logs",
    ]);

    const lockWaitsFor = waitsFor(prod, lock);
    for (const r of under) {
      expect(lockWaitsFor.has(r.urn), `${r.name} is created before the lock`).toBe(true);
      expect(waitsFor(prod, r).has(lock.urn), `${r.name} does not wait for the lock`).toBe(false);
    }
    // The diagnostic setting belongs to the observability component: the lock names it itself.
    expect(lock.dependencies).toContain(oneOfType(prod, "azure-native:monitor:DiagnosticSetting", "-pg-logs").urn);
  });

  it("dev has no lock", () => {
    expect(ofType(dev, LOCK)).toEqual([]);
  });
});

describe.each(["dev", "prod"])("%s: Key Vault secrets and the deployer's Secrets Officer grant", (stack) => {
  // azure-native deletes a Key Vault secret through the vault's data plane, as the deployer: the grant must outlive
  // the secret, so each secret depends on a Key Vault Secrets Officer assignment on its vault.
  it("every secret waits for the deployer's grant on its vault, so a destroy deletes the secret first", () => {
    const report = stack === "dev" ? dev : prod;
    const vaults = ofType(report, "azure-native:keyvault:Vault");
    const officers = ofType(report, "azure-native:authorization:RoleAssignment").filter((r) =>
      String(r.inputs.roleDefinitionId).endsWith(ROLES.keyVaultSecretsOfficer),
    );
    const secrets = ofType(report, "azure-native:keyvault:Secret");
    // The function host's two, the mesh CA's and, in prod (VPN on), the Istio reader tokens.
    expect(secrets.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        `${stack}-azure-fn-database-url`,
        `${stack}-azure-fn-signing-key`,
        `${stack}-azure-gitops-cacerts`,
      ]),
    );
    for (const secret of secrets) {
      const vault = vaults.find((v) => mockState(stack, v).name === secret.inputs.vaultName);
      expect(vault, `${secret.name}: its vault`).toBeDefined();
      const grants = officers.filter((o) => o.inputs.scope === mockId(stack, vault!));
      expect(grants.length, `${secret.name}: a Secrets Officer grant on its vault`).toBeGreaterThan(0);
      expect(
        grants.some((g) => secret.dependencies?.includes(g.urn)),
        `${secret.name} depends on ${grants.map((g) => g.name).join(", ")}`,
      ).toBe(true);
    }
    // The function host's grant by name (the gitops component has its own on the mesh's vault).
    const fnGrant = oneOfType(
      report,
      "azure-native:authorization:RoleAssignment",
      `${stack}-azure-fn-deployer-secrets`,
    );
    for (const id of ["signing-key", "database-url"])
      expect(oneOfType(report, "azure-native:keyvault:Secret", `${stack}-azure-fn-${id}`).dependencies).toContain(
        fnGrant.urn,
      );
  });
});
