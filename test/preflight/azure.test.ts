import { describe, expect, it } from "vitest";
import { runPreflight } from "../../policies/preflight/engine";
import type { PreflightResource, PreflightRule } from "../../policies/preflight/rule";
import { azurePrerequisites, azureRules, FLEXIBLE_SERVER_STORAGE_GIB } from "../../policies/preflight/rules/azure";
import {
  AZURE_FLEXIBLE_SERVER_STORAGE_GIB,
  awsRdsStorageGb,
  azureFlexibleServerStorageGb,
  gcpCloudSqlStorageGb,
} from "@tricloud/vocabulary/sizes";
import { input, ofType, oneOfType, planStack } from "../helpers/plan";
import { mockId } from "../helpers/platform";
import { FAILED, NODE_NOT_READY, PASSED } from "../../components/azure/observability";

const settings = { asOf: "2026-11-30" };
const rule = (name: string): PreflightRule => {
  const r = azureRules.find((x) => x.name === name);
  if (!r) throw new Error(`no rule ${name}`);
  return r;
};
const res = (
  type: string,
  props: Record<string, any>,
  name = "r",
  extra: Partial<PreflightResource> = {},
): PreflightResource => ({
  urn: `urn:pulumi:t::tricloud::${type}::${name}`,
  type,
  name,
  parent: "urn:parent",
  props,
  dependencies: [],
  ...extra,
});
/** Findings of one rule over hand-made resources (resource rules see each, stack rules see all). */
const run = (name: string, ...resources: PreflightResource[]) =>
  runPreflight(resources, settings, [rule(name)], []).findings;

const WEB = "azure-native:web:WebApp";
const PG = "azure-native:dbforpostgresql:Server";
const AKS = "azure-native:containerservice:ManagedCluster";
const RA = "azure-native:authorization:RoleAssignment";
const flexApp = (extra: Record<string, any> = {}) => ({
  name: "tricloud-dev-fn-0a1b2c3d",
  kind: "functionapp,linux",
  functionAppConfig: {
    runtime: { name: "node", version: "22" },
    scaleAndConcurrency: { instanceMemoryMB: 2048, maximumInstanceCount: 100 },
  },
  ...extra,
});

describe("Azure preflight: every rule has a source read on 2026-11-30", () => {
  it("names each rule preflight-azure-* with a Microsoft Learn page", () => {
    for (const r of azureRules) {
      expect(r.name).toMatch(/^preflight-azure-[a-z0-9-]+$/);
      expect(r.source.url).toMatch(/^https:\/\/learn\.microsoft\.com\//);
      expect(r.source.read).toBe("2026-11-30");
    }
  });
});

describe("names", () => {
  it.each([
    [
      "preflight-azure-keyvault-name",
      "azure-native:keyvault:Vault",
      { vaultName: "tcfn-prod-a41791" },
      { vaultName: "1tcfn--prod" },
    ],
    ["preflight-azure-function-app-name", WEB, { name: "tricloud-prod-fn-0907ea47" }, { name: "-tricloud" }],
    [
      "preflight-azure-resource-group-name",
      "azure-native:resources:ResourceGroup",
      { resourceGroupName: "tricloud-prod_rg(1)" },
      { resourceGroupName: "tricloud-prod." },
    ],
    [
      "preflight-azure-resource-group-name",
      AKS,
      { nodeResourceGroup: "tricloud-prod-aks-nodes-eastus" },
      { nodeResourceGroup: "nodes/eastus" },
    ],
    ["preflight-azure-aks-dns-prefix", AKS, { dnsPrefix: "prod-azure-k8s" }, { dnsPrefix: "prod_azure" }],
    ["preflight-azure-postgres-server-name", PG, { serverName: "prod-azure-db-pg1" }, { serverName: "Prod-DB" }],
    [
      "preflight-azure-monitor-action-group-short-name",
      "azure-native:monitor:ActionGroup",
      { groupShortName: "tc-prod" },
      { groupShortName: "tricloud-prod-alerts" },
    ],
    [
      "preflight-azure-global-name-unique",
      "azure-native:storage:StorageAccount",
      { accountName: "tcfnprod0907ea47" },
      { accountName: "functions" },
    ],
  ])("%s: takes a good name and refuses a bad one", (name, type, good, bad) => {
    expect(run(name, res(type, good))).toEqual([]);
    const found = run(name, res(type, bad));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule: name, value: Object.values(bad)[0] });
  });

  it("keeps AKS's DNS prefix to 54 characters and a vault name's last character a letter or digit", () => {
    expect(run("preflight-azure-aks-dns-prefix", res(AKS, { dnsPrefix: "a".repeat(55) }))).toHaveLength(1);
    expect(
      run("preflight-azure-keyvault-name", res("azure-native:keyvault:Vault", { vaultName: "tcfn-prod-" })),
    ).toHaveLength(1);
  });
});

describe("allowed values", () => {
  it("Flexible Server storage: Premium SSD sizes only (20 and 100 GiB are refused), Premium SSD v2 not judged", () => {
    for (const size of [32, 128, 32767])
      expect(run("preflight-azure-postgres-storage-size", res(PG, { storage: { storageSizeGB: size } }))).toEqual([]);
    for (const size of [20, 100])
      expect(
        run("preflight-azure-postgres-storage-size", res(PG, { storage: { storageSizeGB: size } }))[0],
      ).toMatchObject({ property: "storage.storageSizeGB", value: size });
    expect(
      run("preflight-azure-postgres-storage-size", res(PG, { storage: { storageSizeGB: 100, type: "PremiumV2_LRS" } })),
    ).toEqual([]);
  });

  it("Flex Consumption instance memory: 512, 2048 or 4096 MB", () => {
    expect(run("preflight-azure-functions-flex-instance-memory", res(WEB, flexApp()))).toEqual([]);
    const bad = flexApp({ functionAppConfig: { scaleAndConcurrency: { instanceMemoryMB: 1024 } } });
    expect(run("preflight-azure-functions-flex-instance-memory", res(WEB, bad))[0]).toMatchObject({ value: 1024 });
  });

  it("Flex Consumption maximum instances: 1-1000 (error), below 40 (warning)", () => {
    const app = (n: number) =>
      res(
        WEB,
        flexApp({ functionAppConfig: { scaleAndConcurrency: { instanceMemoryMB: 512, maximumInstanceCount: n } } }),
      );
    expect(run("preflight-azure-functions-flex-maximum-instances", app(100))).toEqual([]);
    expect(run("preflight-azure-functions-flex-maximum-instances", app(1001))).toHaveLength(1);
    expect(run("preflight-azure-functions-flex-maximum-instances", app(0))).toHaveLength(1);
    expect(run("preflight-azure-functions-flex-maximum-instances-low", app(40))).toEqual([]);
    expect(run("preflight-azure-functions-flex-maximum-instances-low", app(20))[0]).toMatchObject({
      level: "warning",
      value: 20,
    });
  });

  it("Log Analytics keeps 30-730 days; Application Insights takes its listed day counts", () => {
    const ws = (d: number) =>
      res("azure-native:operationalinsights:Workspace", { sku: { name: "PerGB2018" }, retentionInDays: d });
    expect(run("preflight-azure-log-analytics-retention", ws(90))).toEqual([]);
    expect(run("preflight-azure-log-analytics-retention", ws(7))).toHaveLength(1);
    expect(run("preflight-azure-log-analytics-retention", ws(731))).toHaveLength(1);
    const ai = (d: number) => res("azure-native:applicationinsights:Component", { retentionInDays: d });
    expect(run("preflight-azure-app-insights-retention", ai(90))).toEqual([]);
    expect(run("preflight-azure-app-insights-retention", ai(100))).toHaveLength(1);
  });
});

describe("forbidden combinations", () => {
  it("Flex Consumption sites take no siteConfig (azure-native would add netFrameworkVersion)", () => {
    expect(run("preflight-azure-functions-flex-site-config", res(WEB, flexApp()))).toEqual([]);
    expect(
      run(
        "preflight-azure-functions-flex-site-config",
        res(WEB, flexApp({ siteConfig: { ftpsState: "Disabled" } })),
      )[0],
    ).toMatchObject({ property: "siteConfig", value: ["ftpsState"] });
    // Not a Flex site: siteConfig is fine.
    expect(
      run(
        "preflight-azure-functions-flex-site-config",
        res(WEB, { name: "web", kind: "app", siteConfig: { ftpsState: "Disabled" } }),
      ),
    ).toEqual([]);
  });

  it("Flex Consumption refuses the app settings functionAppConfig replaces", () => {
    const app = res(WEB, flexApp());
    const good = res(
      "azure-native:web:WebAppApplicationSettings",
      { name: app.props.name, properties: { AzureWebJobsStorage__accountName: "st" } },
      "settings",
    );
    const bad = res(
      "azure-native:web:WebAppApplicationSettings",
      { name: app.props.name, properties: { FUNCTIONS_WORKER_RUNTIME: "node", WEBSITE_RUN_FROM_PACKAGE: "1" } },
      "settings",
    );
    expect(run("preflight-azure-functions-flex-app-settings", app, good)).toEqual([]);
    expect(run("preflight-azure-functions-flex-app-settings", app, bad).map((f) => f.value)).toEqual([
      "FUNCTIONS_WORKER_RUNTIME",
      "WEBSITE_RUN_FROM_PACKAGE",
    ]);
  });

  it("Burstable has no high availability", () => {
    expect(
      run(
        "preflight-azure-postgres-burstable-high-availability",
        res(PG, { sku: { tier: "Burstable" }, highAvailability: { mode: "Disabled" } }),
      ),
    ).toEqual([]);
    expect(
      run(
        "preflight-azure-postgres-burstable-high-availability",
        res(PG, { sku: { tier: "GeneralPurpose" }, highAvailability: { mode: "ZoneRedundant" } }),
      ),
    ).toEqual([]);
    expect(
      run(
        "preflight-azure-postgres-burstable-high-availability",
        res(PG, { sku: { tier: "Burstable" }, highAvailability: { mode: "ZoneRedundant" } }),
      ),
    ).toHaveLength(1);
  });

  it("registry zone redundancy only on Premium; a NAT gateway in at most one zone", () => {
    const acr = (sku: string) =>
      res("azure-native:containerregistry:Registry", { sku: { name: sku }, zoneRedundancy: "Enabled" });
    expect(run("preflight-azure-container-registry-zone-redundancy", acr("Premium"))).toEqual([]);
    expect(run("preflight-azure-container-registry-zone-redundancy", acr("Basic"))).toHaveLength(1);
    const nat = (zones: string[]) => res("azure-native:network:NatGateway", { zones });
    expect(run("preflight-azure-nat-gateway-single-zone", nat(["1"]))).toEqual([]);
    expect(run("preflight-azure-nat-gateway-single-zone", nat(["1", "2", "3"]))).toHaveLength(1);
  });
});

describe("what must wait for what", () => {
  const server = res(PG, {}, "pg");
  const db = (deps: string[]) =>
    res("azure-native:dbforpostgresql:Database", {}, "db", { dependencies: [server.urn, ...deps] });
  const param = (deps: string[]) =>
    res("azure-native:dbforpostgresql:Configuration", {}, "pgbouncer", { dependencies: [server.urn, ...deps] });

  it("Flexible Server operations in a chain pass; two started together fail (ServerIsBusy)", () => {
    const d = db([]);
    expect(run("preflight-azure-postgres-operations-serialized", server, d, param([d.urn]))).toEqual([]);
    const found = run("preflight-azure-postgres-operations-serialized", server, d, param([]));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ property: "dependsOn", value: "db" });
  });

  it("Key Vault references wait for the read grants beside them", () => {
    const grant = res(
      RA,
      {
        roleDefinitionId:
          "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6",
        principalId: "p",
      },
      "reader",
    );
    const settings = (deps: string[]) =>
      res(
        "azure-native:web:WebAppApplicationSettings",
        { name: "app", properties: { KEY: "@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/k/)" } },
        "settings",
        { dependencies: deps },
      );
    expect(run("preflight-azure-keyvault-reference-after-grant", grant, settings([grant.urn]))).toEqual([]);
    expect(run("preflight-azure-keyvault-reference-after-grant", grant, settings([]))[0]).toMatchObject({
      value: "reader",
    });
    // Without references nothing needs to wait.
    const plain = res("azure-native:web:WebAppApplicationSettings", { name: "app", properties: { KEY: "v" } }, "plain");
    expect(run("preflight-azure-keyvault-reference-after-grant", grant, plain)).toEqual([]);
  });

  it("a private AKS cluster in its own VNet waits for Network Contributor on the VNet, not only the subnet", () => {
    const vnet = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet";
    const subnet = `${vnet}/subnets/cluster`;
    const grant = (scope: string) =>
      res(
        RA,
        {
          roleDefinitionId:
            "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7",
          scope,
        },
        `nc-${scope.length}`,
      );
    const cluster = (g: PreflightResource) =>
      res(
        AKS,
        {
          apiServerAccessProfile: { enablePrivateCluster: true },
          identity: { type: "UserAssigned" },
          agentPoolProfiles: [{ name: "system", vnetSubnetID: subnet }],
        },
        "aks",
        { dependencies: [g.urn] },
      );
    const onVnet = grant(vnet);
    const onSubnet = grant(subnet);
    expect(run("preflight-azure-aks-private-cluster-vnet-role", onVnet, cluster(onVnet))).toEqual([]);
    expect(run("preflight-azure-aks-private-cluster-vnet-role", onSubnet, cluster(onSubnet))).toHaveLength(1);
    // A public cluster joins its subnet only.
    const publicCluster = res(
      AKS,
      {
        apiServerAccessProfile: { enablePrivateCluster: false },
        identity: { type: "UserAssigned" },
        agentPoolProfiles: [{ vnetSubnetID: subnet }],
      },
      "aks",
      { dependencies: [onSubnet.urn] },
    );
    expect(run("preflight-azure-aks-private-cluster-vnet-role", onSubnet, publicCluster)).toEqual([]);
  });
});

describe("prerequisites", () => {
  const list = (...resources: PreflightResource[]) =>
    runPreflight(resources, settings, [], azurePrerequisites).prerequisites;

  it("lists the resource providers the plan's types need, Microsoft.App only for a Flex app in a VNet", () => {
    const plain = list(res(WEB, flexApp()), res(PG, {}));
    expect(plain.map((p) => p.what).join("\n")).toContain("Microsoft.DBforPostgreSQL");
    expect(plain.map((p) => p.what).join("\n")).not.toContain("Microsoft.App ");
    const vnet = list(res(WEB, flexApp({ virtualNetworkSubnetId: "/subnets/functions" })));
    expect(vnet.find((p) => p.what.includes("Microsoft.App "))).toMatchObject({
      cloud: "azure",
      why: "Flex Consumption VNet integration",
    });
    expect(list()).toEqual([]);
  });

  it("computes the vCPU quota from the node pools at their maximum plus a surge node each", () => {
    const found = list(
      res(AKS, { agentPoolProfiles: [{ name: "system", vmSize: "Standard_D2s_v3", count: 3 }] }, "aks"),
      res(
        "azure-native:containerservice:AgentPool",
        { vmSize: "Standard_D2s_v3", enableAutoScaling: true, minCount: 3, maxCount: 10, count: 3 },
        "workers",
      ),
    ).find((p) => p.what.includes("vCPU"));
    // (3 + 1) x 2 + (10 + 1) x 2 = 30; minimum 3 x 2 + 3 x 2 = 12.
    expect(found?.what).toContain('"Standard DSv3 Family vCPUs" and "Total Regional vCPUs" of at least 30');
    expect(found?.what).toContain("(12 at the pools' minimum)");
  });

  it("names the deployer's roles when the plan assigns roles and holds vaults", () => {
    const found = list(
      res(RA, {}),
      res("azure-native:keyvault:Vault", { properties: { enablePurgeProtection: true } }),
    );
    expect(found.map((p) => p.what).join("\n")).toMatch(
      /Role Based Access Control Administrator[\s\S]*Key Vault Contributor/,
    );
    expect(found.find((p) => p.what.includes("Key Vault Contributor"))!.why).toContain("random suffix");
  });
});

describe("storage sizes per cloud (vocabulary/sizes.ts)", () => {
  it("rounds storageGb up to the next Premium SSD size, the same ladder the rule checks", () => {
    expect([...AZURE_FLEXIBLE_SERVER_STORAGE_GIB]).toEqual(FLEXIBLE_SERVER_STORAGE_GIB);
    expect([1, 20, 32, 33, 100, 128, 4095, 4096, 20000].map(azureFlexibleServerStorageGb)).toEqual([
      32, 32, 32, 64, 128, 128, 4095, 4096, 32767,
    ]);
    expect(() => azureFlexibleServerStorageGb(40000)).toThrow(/32767/);
    expect([5, 20, 21.5].map(awsRdsStorageGb)).toEqual([20, 20, 22]);
    expect([5, 10, 100].map(gcpCloudSqlStorageGb)).toEqual([10, 10, 100]);
  });
});

describe("the program", () => {
  it.each(["dev", "prod"])(
    "%s: no Azure preflight errors, and the Azure findings the issue named are fixed",
    async (stack) => {
      const r = await planStack(stack);
      const azureErrors = r.preflight.filter((f) => f.level === "error" && f.rule.startsWith("preflight-azure-"));
      expect(azureErrors).toEqual([]);
      const server = oneOfType(r, PG);
      expect(FLEXIBLE_SERVER_STORAGE_GIB).toContain(input(server, "storage.storageSizeGB"));
      expect(input(server, "authConfig.activeDirectoryAuth")).toBe("Disabled");
      expect(oneOfType(r, WEB).inputs.siteConfig).toBeUndefined();
      expect(r.prerequisites.some((p) => p.cloud === "azure" && p.what.includes("Microsoft.App "))).toBe(true);
      // Uptime alerts scope the web test and its Application Insights component, as Microsoft's template does.
      for (const a of ofType(r, "azure-native:monitor:MetricAlert").filter((x) => x.name.includes("uptime")))
        expect(a.inputs.scopes).toHaveLength(2);
      // The dashboard's function panels query the Application Insights the Function App reports to (its own).
      const fnInsights = mockId(stack, oneOfType(r, "azure-native:applicationinsights:Component", "-fn-insights"));
      const parts = (input(oneOfType(r, "azure-native:portal:Dashboard"), "properties.lenses") as any[])[0]
        .parts as any[];
      const fnPanels = parts.filter((p) =>
        String(p.metadata.settings?.content?.PartTitle ?? "").startsWith("Function"),
      );
      expect(fnPanels).toHaveLength(2);
      for (const p of fnPanels)
        expect(p.metadata.inputs.find((i: any) => i.name === "Scope").value.resourceIds).toEqual([fnInsights]);
      // The budget counts the AKS node resource group too.
      const budget = oneOfType(r, "azure-native:consumption:Budget");
      expect(input(budget, "filter.dimensions.values")).toContain(input(oneOfType(r, AKS), "nodeResourceGroup"));
    },
  );

  // The system pool is tainted CriticalAddonsOnly (only that taint is allowed on a system pool: Azure/AKS#2578); the
  // Flux extension's controllers run on the user pool, so the extension is installed once that pool exists.
  it.each(["dev", "prod"])("%s: the Flux extension waits for the user node pool", async (stack) => {
    const r = await planStack(stack);
    const extension = oneOfType(r, "azure-native:kubernetesconfiguration:Extension");
    expect(input(extension, "extensionType")).toBe("microsoft.flux");
    const workers = oneOfType(r, "azure-native:containerservice:AgentPool", "-workers");
    expect(input(workers, "mode")).toBe("User");
    expect(extension.dependencies).toContain(workers.urn);
  });

  it("prod: zone-redundant Flex plan, NAT gateway and its address in one zone, vault name with a suffix", async () => {
    const r = await planStack("prod");
    expect(oneOfType(r, "azure-native:web:AppServicePlan").inputs.zoneRedundant).toBe(true);
    expect(oneOfType(r, "azure-native:network:NatGateway").inputs.zones).toEqual(["1"]);
    expect(oneOfType(r, "azure-native:network:PublicIPAddress", "functions-nat").inputs.zones).toEqual(["1"]);
    expect(String(oneOfType(r, "azure-native:keyvault:Vault", "-fn-").inputs.vaultName)).toMatch(
      /^tcfn-prod-[a-z0-9]{6}$/,
    );
    expect(String(oneOfType(r, "azure-native:keyvault:Vault", "-mesh-").inputs.vaultName)).toMatch(
      /^tcmesh-prod-[a-z0-9]{6}$/,
    );
    expect(input(oneOfType(r, PG), "storage.storageSizeGB")).toBe(128);
  });
});

describe("preflight-azure-role-assignment-principal-type", () => {
  const rule = azureRules.find((r) => r.name === "preflight-azure-role-assignment-principal-type") as Extract<
    (typeof azureRules)[number],
    { checkStack: unknown }
  >;
  const identity = {
    urn: "urn:i",
    type: "azure-native:managedidentity:UserAssignedIdentity",
    name: "i",
    parent: null,
    props: {},
  };
  const grant = (principalType: string | undefined, deps: string[]) => ({
    urn: `urn:g-${principalType}-${deps.length}`,
    type: "azure-native:authorization:RoleAssignment",
    name: "g",
    parent: null,
    props: { principalId: "p", ...(principalType ? { principalType } : {}) },
    dependencies: deps,
  });
  it("refuses a grant to a managed identity typed User (azure-native's default) and takes ServicePrincipal", () => {
    const bad = grant("User", ["urn:i"]);
    expect(rule.checkStack([identity, bad, grant("ServicePrincipal", ["urn:i"])], { asOf: "2026-11-30" })).toEqual([
      {
        urn: bad.urn,
        property: "principalType",
        value: "User",
        expected: "ServicePrincipal for a managed identity's principalId",
      },
    ]);
  });
  it("leaves grants to other principals (the deployer, typed from config) alone", () => {
    expect(rule.checkStack([identity, grant("User", [])], { asOf: "2026-11-30" })).toEqual([]);
  });
  it.each(["dev", "prod"])(
    "every managed-identity grant in the %s plan is typed ServicePrincipal, the deployer's too by default",
    async (stack) => {
      const r = await planStack(stack);
      expect(r.preflight.filter((f) => f.rule === rule.name)).toEqual([]);
      const deployer = ofType(r, "azure-native:authorization:RoleAssignment").filter((g) =>
        g.name.includes("deployer"),
      );
      expect(deployer.length).toBeGreaterThan(0);
      for (const g of deployer) expect(g.inputs.principalType).toBe("ServicePrincipal");
    },
  );
  it("types the deployer's grants User when tricloud:azureDeployerPrincipalType says so (dev; prod's grants come from the same code)", async () => {
    const asUser = await planStack("dev", ["tricloud:azureDeployerPrincipalType=User"]);
    const deployer = ofType(asUser, "azure-native:authorization:RoleAssignment").filter((x) =>
      x.name.includes("deployer"),
    );
    expect(deployer.length).toBeGreaterThan(0);
    for (const g of deployer) expect(g.inputs.principalType).toBe("User");
  });
});

describe("preflight-azure-log-query-success-type", () => {
  const SQR = "azure-native:monitor:ScheduledQueryRule";
  const DASH = "azure-native:portal:Dashboard";
  const name = "preflight-azure-log-query-success-type";
  const alert = (query: string) => res(SQR, { criteria: { allOf: [{ query, timeAggregation: "Count" }] } });
  const dashboard = (query: string) =>
    res(DASH, {
      properties: {
        lenses: [{ parts: [{ metadata: { inputs: [{ name: "Query", isOptional: true, value: query }] } }] }],
      },
    });

  it("refuses success compared with a bool literal or turned into a number, in alerts and dashboard parts", () => {
    expect(run(name, alert("requests\n| summarize n = countif(success == false)"))).toMatchObject([
      { rule: name, property: "criteria.allOf[0].query", value: "success == false" },
    ]);
    expect(run(name, alert("availabilityResults | summarize avg(todouble(success))"))[0]).toMatchObject({
      value: "todouble(success)",
    });
    expect(run(name, dashboard("requests | where success != True"))).toMatchObject([
      { property: "properties.lenses[0].parts[0].metadata.inputs[0].value", value: "success != True" },
    ]);
  });
  it("takes the comparisons as text the program writes (PASSED, FAILED)", () => {
    expect(run(name, alert(`requests | summarize countif(${FAILED}), avg(${PASSED})`))).toEqual([]);
    expect(run(name, dashboard(`availabilityResults | summarize sli = avg(${PASSED})`))).toEqual([]);
  });
  it.each(["dev", "prod"])("finds nothing in the %s plan's alerts and dashboards", async (stack) => {
    const r = await planStack(stack);
    expect(r.preflight.filter((f) => f.rule === name)).toEqual([]);
    const queries = ofType(r, SQR).map((q) => JSON.stringify(q.inputs));
    expect(queries.some((q) => q.includes("tostring(success)"))).toBe(true);
  });
});

describe("preflight-azure-aks-node-condition-dimension", () => {
  const name = "preflight-azure-aks-node-condition-dimension";
  const alert = (dims: { name: string; operator: string; values: string[] }[]) =>
    res("azure-native:monitor:MetricAlert", {
      criteria: { allOf: [{ metricName: "kube_node_status_condition", dimensions: dims }] },
    });
  it("warns on the status2 filter and takes status", () => {
    expect(run(name, alert([{ name: "status2", operator: "Include", values: ["NotReady"] }]))).toMatchObject([
      { level: "warning", property: "criteria.allOf[0].dimensions[0].name", value: "status2" },
    ]);
    expect(
      run(name, alert([...NODE_NOT_READY].map((d) => ({ name: d.key, operator: "Include", values: [...d.values] })))),
    ).toEqual([]);
  });
  it("the prod plan's node alert and dashboard chart filter condition Ready, status false or unknown", async () => {
    const r = await planStack("prod");
    expect(r.preflight.filter((f) => f.rule === name)).toEqual([]);
    const alerts = ofType(r, "azure-native:monitor:MetricAlert").filter((a) =>
      JSON.stringify(a.inputs).includes("kube_node_status_condition"),
    );
    expect(alerts).toHaveLength(1);
    expect(input(alerts[0]!, "criteria.allOf.0.dimensions")).toEqual([
      { name: "condition", operator: "Include", values: ["Ready"] },
      { name: "status", operator: "Include", values: ["false", "unknown"] },
    ]);
    const dashboard = JSON.stringify(ofType(r, "azure-native:portal:Dashboard")[0]!.inputs);
    expect(dashboard).toContain(
      '"filterCollection":{"filters":[{"key":"condition","operator":0,"values":["Ready"]},{"key":"status","operator":0,"values":["false","unknown"]}]}',
    );
  });
});
