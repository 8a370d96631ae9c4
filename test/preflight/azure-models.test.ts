import { describe, expect, it } from "vitest";
import MODEL from "../../policies/preflight/models/azure-names.json";
import type { PreflightResource } from "../../policies/preflight/rule";
import { azureModelRules } from "../../policies/preflight/rules/azure-models";
import { planStack } from "../helpers/plan";

const [rule] = azureModelRules as [Extract<(typeof azureModelRules)[number], { check: unknown }>];
const settings = { asOf: "2026-11-30" };
const check = (type: string, props: Record<string, unknown>, name = "r") => {
  const r: PreflightResource = { urn: `urn:pulumi:t::p::${type}::${name}`, type, name, parent: null, props };
  return rule.check(props, r, settings);
};

describe("names against Azure's API specifications (models/azure-names.json)", () => {
  it("was derived from named SDK packages, each parameter with at least one constraint", () => {
    expect(MODEL.parameters.length).toBeGreaterThanOrEqual(8);
    for (const p of MODEL.parameters) {
      expect(p.package).toMatch(/^@azure\/arm-[a-z-]+@\d+\.\d+\.\d+$/);
      expect(p.constraints.length).toBeGreaterThan(0);
    }
    expect(rule.source.derivedFrom).toContain("@azure/arm-keyvault@3.2.0");
  });

  it("refuses a key vault name with an underscore or over 24 characters, and takes a good one", () => {
    expect(check("azure-native:keyvault:Vault", { vaultName: "tcfn-prod-a41791" })).toEqual([]);
    expect(check("azure-native:keyvault:Vault", { vaultName: "tcfn_prod" })[0]).toMatchObject({
      property: "vaultName",
      value: "tcfn_prod",
    });
    expect(check("azure-native:keyvault:Vault", { vaultName: "x".repeat(25) })).toHaveLength(1);
  });

  it("refuses storage account names with hyphens or capitals (3-24 lowercase letters and digits)", () => {
    expect(check("azure-native:storage:StorageAccount", { accountName: "tcfnprodc937b176" })).toEqual([]);
    expect(check("azure-native:storage:StorageAccount", { accountName: "tc-fn-prod" })[0]!.expected).toContain(
      "^[a-z0-9]+$",
    );
    expect(check("azure-native:storage:StorageAccount", { accountName: "TCFN" })).toHaveLength(1);
  });

  it("refuses registry names under 5 characters or with hyphens", () => {
    expect(check("azure-native:containerregistry:Registry", { registryName: "acr1" })).toHaveLength(1);
    expect(check("azure-native:containerregistry:Registry", { registryName: "tricloud-prod" })).toHaveLength(1);
    expect(check("azure-native:containerregistry:Registry", { registryName: "tricloudprod9a7547" })).toEqual([]);
  });

  it("checks the length an autonamed resource will have (logical name plus 8 characters)", () => {
    expect(check("azure-native:operationalinsights:Workspace", {}, "prod-azure-fn-telemetry")).toEqual([]);
    const long = check("azure-native:operationalinsights:Workspace", {}, "w".repeat(60));
    expect(long).toHaveLength(1);
    expect(long[0]!.expected).toContain("give workspaceName explicitly");
  });

  it("skips values unknown at preview (not strings)", () => {
    expect(check("azure-native:keyvault:Vault", { vaultName: { unknown: true } })).toEqual([]);
  });

  it.each(["dev", "prod"])("finds nothing in the %s plan", async (stack) => {
    const report = await planStack(stack);
    expect(report.preflight.filter((f) => f.rule === rule.name)).toEqual([]);
  });
});
