import { describe, expect, it } from "vitest";
import { AzureBudget } from "../../components/azure/budget";
import { AzureKubernetesCluster } from "../../components/azure/cluster";
import { AzurePostgresDatabase } from "../../components/azure/database";
import { AzureFunctionHost } from "../../components/azure/function-host";
import { AzureNetwork } from "../../components/azure/network";
import { AzureObservability } from "../../components/azure/observability";
import { AzureContainerRegistry } from "../../components/azure/registry";
import { buildComponent, expectWellFormed } from "../helpers/component";
import { CLUSTER, DATABASE, FUNCTIONS, OBSERVABILITY, TAGS } from "./args";

const RG = "rg-unit";
const AT = { resourceGroupName: RG, location: "eastus" };

// One fast test per Azure component, built alone from the fewest arguments it takes.

/** The Azure observability component as the unit tests build it. */
const observability = () =>
  buildComponent(
    () =>
      new AzureObservability("o", {
        ...OBSERVABILITY,
        ...AT,
        cluster: { name: "aks-unit" },
        database: { serverName: "pg-unit", size: "small" },
        tags: TAGS,
      }),
  );

describe("Azure components in isolation", () => {
  it("AzureNetwork: a resource group, a VNet and three subnets (cluster, delegated database, delegated functions)", async () => {
    const built = await buildComponent(
      () => new AzureNetwork("n", { location: "eastus", cidr: "10.20.0.0/16", zones: ["1"], tags: TAGS }),
    );
    expectWellFormed(built, "tricloud:azure:Network");
    expect(built.one("azure-native:network:VirtualNetwork").inputs.addressSpace.addressPrefixes).toEqual([
      "10.20.0.0/16",
    ]);
    const subnets = built.ofType("azure-native:network:Subnet");
    expect(subnets).toHaveLength(3);
    for (const s of subnets) expect(s.inputs.defaultOutboundAccess).toBe(false);
    expect(built.one("azure-native:network:Subnet", "database").inputs.delegations).toHaveLength(1);
  });

  it("AzureKubernetesCluster: AKS on the Free tier in dev, Entra ID RBAC, no local accounts", async () => {
    const built = await buildComponent(
      () =>
        new AzureKubernetesCluster("k", {
          ...CLUSTER,
          ...AT,
          clusterSubnetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/c",
          vnetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
          nodeResourceGroup: "rg-unit-nodes",
          zones: ["1"],
        }),
    );
    expectWellFormed(built, "tricloud:azure:KubernetesCluster");
    const aks = built.one("azure-native:containerservice:ManagedCluster");
    expect(aks.inputs).toMatchObject({
      kubernetesVersion: CLUSTER.kubernetesVersion,
      sku: { tier: "Free" },
      disableLocalAccounts: true,
    });
    expect(aks.inputs.aadProfile).toMatchObject({ managed: true, enableAzureRBAC: true });
    expect(built.one("azure-native:containerservice:AgentPool").inputs.orchestratorVersion).toBe(
      CLUSTER.kubernetesVersion,
    );
  });

  it("AzurePostgresDatabase: a Flexible Server on the delegated subnet, no public access, HA off when not asked", async () => {
    const built = await buildComponent(
      () =>
        new AzurePostgresDatabase("d", {
          ...DATABASE,
          ...AT,
          vnetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
          databaseSubnetId:
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/db",
          zones: ["1"],
          dnsLabel: "unit",
        }),
    );
    expectWellFormed(built, "tricloud:azure:PostgresDatabase");
    const server = built.one("azure-native:dbforpostgresql:Server");
    expect(server.inputs).toMatchObject({
      version: "17",
      highAvailability: { mode: "Disabled" },
      network: { publicNetworkAccess: "Disabled" },
    });
    expect(server.inputs.backup).toEqual({ backupRetentionDays: 7, geoRedundantBackup: "Disabled" });
  });

  it("AzurePostgresDatabase: in production, the server's lock comes from lockServer, once", async () => {
    const make = () =>
      new AzurePostgresDatabase("d", {
        ...DATABASE,
        ...AT,
        production: true,
        vnetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
        databaseSubnetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/db",
        zones: ["1"],
        dnsLabel: "unit",
      });
    const LOCK = "azure-native:authorization:ManagementLockByScope";
    // Built alone, no lock: it waits for what else the program puts under the server (its diagnostic setting).
    expect((await buildComponent(make)).ofType(LOCK)).toEqual([]);
    const built = await buildComponent(() => {
      const db = make();
      db.lockServer([]);
      expect(() => db.lockServer([])).toThrow(/already called/);
      return db;
    });
    expect(built.one(LOCK).inputs).toMatchObject({ level: "CanNotDelete", lockName: "tricloud-cannot-delete" });
    expect(built.one(LOCK).parent).toBe(built.one("tricloud:azure:PostgresDatabase").urn);
  });

  it("AzureContainerRegistry: ACR without the admin user, AcrPull for each puller", async () => {
    const built = await buildComponent(
      () =>
        new AzureContainerRegistry("r", {
          ...AT,
          namePrefix: "tricloudunit",
          pullerObjectIds: ["44444444-4444-4444-4444-444444444444"],
          untaggedRetentionDays: 7,
          production: false,
          tags: TAGS,
        }),
    );
    expectWellFormed(built, "tricloud:azure:ContainerRegistry");
    expect(built.one("azure-native:containerregistry:Registry").inputs).toMatchObject({
      adminUserEnabled: false,
      sku: { name: "Basic" },
    });
    expect(built.one("azure-native:authorization:RoleAssignment").inputs.principalId).toBe(
      "44444444-4444-4444-4444-444444444444",
    );
  });

  it("AzureBudget: a monthly cost budget in USD over the resource groups, mailing the contacts", async () => {
    const built = await buildComponent(
      () =>
        new AzureBudget("b", {
          environment: "dev",
          subscriptionScope: "/subscriptions/s",
          resourceGroupNames: [RG],
          amountCents: 123_400,
          emails: ["ops@example.com"],
        }),
    );
    expectWellFormed(built, "tricloud:azure:Budget");
    const budget = built.one("azure-native:consumption:Budget");
    expect(budget.inputs).toMatchObject({ category: "Cost", amount: 1234, scope: "/subscriptions/s" });
    expect(JSON.stringify(budget.inputs.notifications)).toContain("ops@example.com");
  });

  it("AzureFunctionHost: a Flex Consumption function app, HTTPS only, its signing key and database URL in Key Vault", async () => {
    const built = await buildComponent(
      () =>
        new AzureFunctionHost("f", {
          ...FUNCTIONS,
          ...AT,
          functionsSubnetId:
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/fn",
          appName: "tricloud-unit-fn",
          deployerPrincipalType: "ServicePrincipal",
          database: { host: "db.postgres.database.azure.com", port: 5432, adminPassword: "pw" },
        }),
    );
    expectWellFormed(built, "tricloud:azure:FunctionHost");
    expect(built.one("azure-native:web:AppServicePlan").inputs.sku).toEqual({ name: "FC1", tier: "FlexConsumption" });
    expect(built.one("azure-native:web:WebApp").inputs).toMatchObject({ kind: "functionapp,linux", httpsOnly: true });
    expect(
      built
        .ofType("azure-native:keyvault:Secret")
        .map((x) => x.inputs.secretName)
        .sort(),
    ).toEqual(["database-url", "signing-key"]);
  });

  it("AzureObservability: an action group mailing the contacts, alerts, and availability tests of the API and its origin", async () => {
    const built = await observability();
    expectWellFormed(built, "tricloud:azure:Observability");
    expect(JSON.stringify(built.one("azure-native:monitor:ActionGroup").inputs.emailReceivers)).toContain(
      "ops@example.com",
    );
    expect(
      built
        .ofType("azure-native:applicationinsights:WebTest")
        .map((t) => t.name)
        .sort(),
    ).toEqual(["o-uptime-api", "o-uptime-origin"]);
    expect(built.ofType("azure-native:monitor:MetricAlert").length).toBeGreaterThan(0);
  });

  it("AzureObservability: resource-specific log tables for AKS only, AzureDiagnostics for PostgreSQL", async () => {
    const built = await observability();
    const setting = (id: string) => built.one("azure-native:monitor:DiagnosticSetting", `o-${id}-logs`).inputs;
    // AKSControlPlane, AKSAudit and AKSAuditAdmin take the "Dedicated" destination.
    expect(setting("aks").logAnalyticsDestinationType).toBe("Dedicated");
    // PostgreSQLLogs have no resource-specific table: the field would be dropped by Azure and drift on every refresh.
    expect(setting("pg")).not.toHaveProperty("logAnalyticsDestinationType");
    expect(setting("pg").logs).toEqual([{ category: "PostgreSQLLogs", enabled: true }]);
  });
});
