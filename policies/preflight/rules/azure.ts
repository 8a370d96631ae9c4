import {
  byUrnOf,
  at,
  checkOneOf,
  checkString,
  each,
  waitsFor,
  type Finding,
  type PreflightResource,
  type PreflightRule,
  type Prerequisite,
  type PrerequisiteRule,
  type StackFinding,
} from "../rule";

/**
 * What Azure refuses, read from Microsoft's documentation on 2026-11-30 (see ../rule.ts for how
 * a rule is written). Property names are azure-native 3.28's inputs.
 */
const READ = "2026-11-30";
const src = (url: string) => ({ url, read: READ });

const NAME_RULES = "https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/resource-name-rules";
const PG_STORAGE = "https://learn.microsoft.com/en-us/azure/postgresql/flexible-server/concepts-storage";
const PG_HA = "https://learn.microsoft.com/en-us/azure/postgresql/flexible-server/concepts-high-availability";
const PG_BUSY = "https://learn.microsoft.com/en-us/azure/postgresql/flexible-server/concepts-limits";
const FLEX = "https://learn.microsoft.com/en-us/azure/azure-functions/flex-consumption-plan";
const FLEX_SETTINGS =
  "https://learn.microsoft.com/en-us/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations";
const KV_REFERENCES = "https://learn.microsoft.com/en-us/azure/app-service/app-service-key-vault-references";
const AKS_PRIVATE = "https://learn.microsoft.com/en-us/azure/aks/private-clusters";
const AKS_NAMING = "https://learn.microsoft.com/en-us/azure/aks/concepts-clusters-workloads";
const LA_RETENTION = "https://learn.microsoft.com/en-us/azure/azure-monitor/logs/data-retention-configure";
const AI_RETENTION = "https://learn.microsoft.com/en-us/azure/azure-monitor/app/data-retention-privacy";
const ACR_ZONES = "https://learn.microsoft.com/en-us/azure/container-registry/zone-redundancy";
const NAT_ZONES = "https://learn.microsoft.com/en-us/azure/nat-gateway/nat-availability-zones";
const PROVIDERS =
  "https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/azure-services-resource-providers";
const VCPU_QUOTA = "https://learn.microsoft.com/en-us/azure/quotas/view-quotas";
const KV_RBAC = "https://learn.microsoft.com/en-us/azure/key-vault/general/rbac-guide";

/** Premium SSD sizes a Flexible Server takes, GiB (the same ladder as vocabulary/sizes.ts). */
export const FLEXIBLE_SERVER_STORAGE_GIB = [32, 64, 128, 256, 512, 1024, 2048, 4095, 4096, 8192, 16384, 32767];
/** Flex Consumption instance sizes, MB. */
export const FLEX_INSTANCE_MEMORY_MB = [512, 2048, 4096];
/** Application Insights (classic retention) accepts these day counts only. */
export const APP_INSIGHTS_RETENTION_DAYS = [30, 60, 90, 120, 180, 270, 365, 550, 730];
/** App settings Flex Consumption refuses: its runtime, scale and deployment come from functionAppConfig. */
export const FLEX_REFUSED_SETTINGS = [
  "FUNCTIONS_EXTENSION_VERSION",
  "FUNCTIONS_WORKER_RUNTIME",
  "FUNCTIONS_WORKER_RUNTIME_VERSION",
  "FUNCTIONS_MAX_HTTP_CONCURRENCY",
  "FUNCTIONS_WORKER_PROCESS_COUNT",
  "FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED",
  "SCM_DO_BUILD_DURING_DEPLOYMENT",
  "ENABLE_ORYX_BUILD",
  "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
  "WEBSITE_CONTENTSHARE",
  "WEBSITE_CONTENTOVERVNET",
  "WEBSITE_NODE_DEFAULT_VERSION",
  "WEBSITE_RUN_FROM_PACKAGE",
  "WEBSITE_SKIP_CONTENTSHARE_VALIDATION",
  "WEBSITE_VNET_ROUTE_ALL",
  "WEBSITE_DNS_SERVER",
  "AzureWebJobsFeatureFlags",
];

/** Built-in role definition ids (the same in every tenant). */
const ROLE = {
  owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
};
const roleOf = (r: PreflightResource) =>
  String(r.props.roleDefinitionId ?? "")
    .split("/")
    .pop() ?? "";

const T = {
  vault: "azure-native:keyvault:Vault",
  storage: "azure-native:storage:StorageAccount",
  registry: "azure-native:containerregistry:Registry",
  webApp: "azure-native:web:WebApp",
  appSettings: "azure-native:web:WebAppApplicationSettings",
  resourceGroup: "azure-native:resources:ResourceGroup",
  cluster: "azure-native:containerservice:ManagedCluster",
  agentPool: "azure-native:containerservice:AgentPool",
  pgServer: "azure-native:dbforpostgresql:Server",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  workspace: "azure-native:operationalinsights:Workspace",
  insights: "azure-native:applicationinsights:Component",
  nat: "azure-native:network:NatGateway",
};

/** Children of a Flexible Server that are management operations on it (one at a time). */
const PG_OPERATIONS = [
  "azure-native:dbforpostgresql:Database",
  "azure-native:dbforpostgresql:Configuration",
  "azure-native:dbforpostgresql:FirewallRule",
  "azure-native:dbforpostgresql:Administrator",
  "azure-native:dbforpostgresql:VirtualEndpoint",
  "azure-native:authorization:ManagementLockByScope",
  "azure-native:monitor:DiagnosticSetting",
];

/** A global DNS name with no part that makes it unique (at least 6 hex digits or digits in a row) is likely taken. */
const looksShared = (name: string) => !/[0-9a-f]{6,}|\d{4,}/i.test(name.replace(/-/g, ""));

/** A Flex Consumption site: a function app configured through functionAppConfig. */
const isFlex = (props: Record<string, any>) =>
  props.functionAppConfig !== undefined && String(props.kind ?? "").includes("functionapp");

/** `success` compared with a bool literal or turned into a number (Application Insights' column types differ). */
const UNTYPED_SUCCESS = /\bsuccess\s*[=!]=\s*(?:true|false)\b|\bto(?:double|real|int|long)\(\s*success\s*\)/i;

/** Every log query in a scheduled query rule (criteria.allOf[].query) or a dashboard part (an input named Query). */
function queriesIn(props: Record<string, any>): { path: string; value: string }[] {
  const found: { path: string; value: string }[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (value && typeof value === "object") {
      const obj = value as Record<string, unknown>;
      if (typeof obj.query === "string") found.push({ path: path ? `${path}.query` : "query", value: obj.query });
      if (obj.name === "Query" && typeof obj.value === "string")
        found.push({ path: `${path}.value`, value: obj.value });
      for (const [k, v] of Object.entries(obj)) walk(v, path ? `${path}.${k}` : k);
    }
  };
  walk(props, "");
  return found;
}

export const azureRules: readonly PreflightRule[] = [
  // ---- names: characters, lengths, global uniqueness ------------------------------------------------------
  // Charset and length of vault, storage, registry and server names come from Azure's API specs
  // (./azure-models.ts); these rules add what the specs leave out and the docs state.
  {
    name: "preflight-azure-keyvault-name",
    description:
      "Key Vault names start with a letter, end with a letter or digit, and have no consecutive hyphens (beyond the spec's 3-24 letters, digits and hyphens).",
    level: "error",
    source: src(`${NAME_RULES}#microsoftkeyvault`),
    types: [T.vault],
    check: (props) =>
      checkString(props, "vaultName", {
        pattern: /^(?!.*--)[a-zA-Z](?:.*[a-zA-Z0-9])?$/,
        expected: "starting with a letter, ending with a letter or digit, no '--'",
      }),
  },
  {
    name: "preflight-azure-function-app-name",
    description:
      "App Service and Function App names are 2-60 letters, digits and hyphens, not starting or ending with a hyphen.",
    level: "error",
    source: src(`${NAME_RULES}#microsoftweb`),
    types: [T.webApp],
    check: (props) =>
      checkString(props, "name", {
        pattern: /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,58}[a-zA-Z0-9])?$/,
        expected: "2-60 of a-z A-Z 0-9 -, not starting or ending with '-'",
      }),
  },
  {
    name: "preflight-azure-resource-group-name",
    description:
      "Resource group names (including an AKS node resource group) are 1-90 letters, digits, underscores, hyphens, periods and parentheses, not ending in a period.",
    level: "error",
    source: src(`${NAME_RULES}#microsoftresources`),
    types: [T.resourceGroup, T.cluster],
    check: (props) => {
      const spec = {
        pattern: /^[-\w.()]{0,89}[-\w()]$/u,
        expected: "1-90 of letters, digits, _ - . ( ), not ending in '.'",
      };
      return [...checkString(props, "resourceGroupName", spec), ...checkString(props, "nodeResourceGroup", spec)];
    },
  },
  {
    name: "preflight-azure-aks-dns-prefix",
    description: "An AKS DNS prefix is 1-54 letters, digits and hyphens, starting and ending with a letter or digit.",
    level: "error",
    source: src(AKS_NAMING),
    types: [T.cluster],
    check: (props) =>
      checkString(props, "dnsPrefix", {
        pattern: /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,52}[a-zA-Z0-9])?$/,
        expected: "1-54 of a-z A-Z 0-9 -, starting and ending with a letter or digit",
      }),
  },
  {
    name: "preflight-azure-postgres-server-name",
    description:
      "Flexible Server names are 3-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen (the API spec's pattern also admits capitals; the documented rule does not).",
    level: "error",
    source: src(`${NAME_RULES}#microsoftdbforpostgresql`),
    types: [T.pgServer],
    check: (props) =>
      checkString(props, "serverName", {
        pattern: /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
        expected: "3-63 of a-z 0-9 -, not starting or ending with '-' (lowercase only)",
      }),
  },
  {
    name: "preflight-azure-monitor-action-group-short-name",
    description: "An action group's short name, used in SMS and email subjects, is 1 to 12 characters.",
    level: "error",
    source: src("https://learn.microsoft.com/en-us/azure/azure-monitor/alerts/action-groups"),
    types: ["azure-native:monitor:ActionGroup"],
    check: (props) => checkString(props, "groupShortName", { min: 1, max: 12, expected: "1-12 characters" }),
  },
  {
    name: "preflight-azure-global-name-unique",
    description:
      "Storage accounts, Key Vaults, registries and Function Apps are named in a global DNS namespace: a name without a unique part is likely taken by someone else, which only Azure can tell.",
    level: "warning",
    source: src(NAME_RULES),
    types: [T.storage, T.vault, T.registry, T.webApp],
    check: (props) => {
      const field = ["accountName", "vaultName", "registryName", "name"].find((f) => typeof props[f] === "string");
      if (!field || !looksShared(props[field])) return [];
      return [
        {
          property: field,
          value: props[field],
          expected: "a globally unique name: add a suffix (random or a hash of the domain and environment)",
        },
      ];
    },
  },

  // ---- allowed values and sizes ---------------------------------------------------------------------------
  {
    name: "preflight-azure-postgres-storage-size",
    description: "Flexible Server on Premium SSD takes fixed storage sizes only: 32, 64, 128, ... 32767 GiB.",
    level: "error",
    source: src(PG_STORAGE),
    types: [T.pgServer],
    check: (props) =>
      at(props, "storage.type") === "PremiumV2_LRS"
        ? []
        : checkOneOf(props, "storage.storageSizeGB", FLEXIBLE_SERVER_STORAGE_GIB, "one of (GiB)"),
  },
  {
    name: "preflight-azure-functions-flex-instance-memory",
    description: "Flex Consumption instances have 512, 2048 or 4096 MB of memory.",
    level: "error",
    source: src(FLEX),
    types: [T.webApp],
    check: (props) =>
      checkOneOf(
        props,
        "functionAppConfig.scaleAndConcurrency.instanceMemoryMB",
        FLEX_INSTANCE_MEMORY_MB,
        "one of (MB)",
      ),
  },
  {
    name: "preflight-azure-functions-flex-maximum-instances",
    description:
      "A Flex Consumption app scales out to at most 1,000 instances, and its maximum is a whole number of at least 1.",
    level: "error",
    source: src(FLEX),
    types: [T.webApp],
    check: (props) =>
      each(props, "functionAppConfig.scaleAndConcurrency.maximumInstanceCount").flatMap(({ path, value }) =>
        typeof value === "number" && (!Number.isInteger(value) || value < 1 || value > 1000)
          ? [{ property: path, value, expected: "a whole number from 1 to 1000" }]
          : [],
      ),
  },
  {
    name: "preflight-azure-functions-flex-maximum-instances-low",
    description:
      "Flex Consumption long documented 40 as the lowest maximum instance count; some regions and API versions may still refuse less (check `az functionapp list-flexconsumption-locations --details`).",
    level: "warning",
    source: src(FLEX),
    types: [T.webApp],
    check: (props) =>
      each(props, "functionAppConfig.scaleAndConcurrency.maximumInstanceCount").flatMap(({ path, value }) =>
        typeof value === "number" && value >= 1 && value < 40
          ? [{ property: path, value, expected: "at least 40 where the region still enforces the preview floor" }]
          : [],
      ),
  },
  {
    name: "preflight-azure-log-analytics-retention",
    description: "A Log Analytics workspace (PerGB2018) keeps data interactively for 30 to 730 days.",
    level: "error",
    source: src(LA_RETENTION),
    types: [T.workspace],
    check: (props) =>
      each(props, "retentionInDays").flatMap(({ path, value }) =>
        typeof value === "number" &&
        (value < 30 || value > 730 || !Number.isInteger(value)) &&
        at(props, "sku.name") !== "Free"
          ? [{ property: path, value, expected: "a whole number of days from 30 to 730" }]
          : [],
      ),
  },
  {
    name: "preflight-azure-app-insights-retention",
    description: "Application Insights keeps data for 30, 60, 90, 120, 180, 270, 365, 550 or 730 days.",
    level: "error",
    source: src(AI_RETENTION),
    types: [T.insights],
    check: (props) => checkOneOf(props, "retentionInDays", APP_INSIGHTS_RETENTION_DAYS, "one of (days)"),
  },

  // ---- forbidden combinations ---------------------------------------------------------------------------
  {
    name: "preflight-azure-functions-flex-site-config",
    description:
      "Flex Consumption sites refuse siteConfig fields such as ftpsState and netFrameworkVersion, and azure-native fills netFrameworkVersion whenever siteConfig is given: give app settings as their own resource.",
    level: "error",
    source: src(FLEX),
    types: [T.webApp],
    check: (props) =>
      isFlex(props) && props.siteConfig !== undefined
        ? [
            {
              property: "siteConfig",
              value: Object.keys(props.siteConfig ?? {}),
              expected: "no siteConfig on a Flex Consumption site (web.WebAppApplicationSettings for app settings)",
            },
          ]
        : [],
  },
  {
    name: "preflight-azure-functions-flex-app-settings",
    description:
      "Flex Consumption refuses the app settings its functionAppConfig replaces (FUNCTIONS_WORKER_RUNTIME, WEBSITE_RUN_FROM_PACKAGE, WEBSITE_CONTENTSHARE, ...).",
    level: "error",
    source: src(FLEX_SETTINGS),
    checkStack: (resources) => {
      const flexNames = new Set(
        resources.filter((r) => r.type === T.webApp && isFlex(r.props)).map((r) => r.props.name),
      );
      const out: StackFinding[] = [];
      for (const r of resources) {
        const settings: [string, string][] =
          r.type === T.appSettings && flexNames.has(r.props.name)
            ? Object.keys(r.props.properties ?? {}).map((k) => [k, `properties.${k}`])
            : r.type === T.webApp && isFlex(r.props)
              ? (at(r.props, "siteConfig.appSettings") ?? []).map((s: { name: string }, i: number) => [
                  s.name,
                  `siteConfig.appSettings[${i}].name`,
                ])
              : [];
        for (const [key, property] of settings) {
          if (FLEX_REFUSED_SETTINGS.includes(key))
            out.push({
              urn: r.urn,
              property,
              value: key,
              expected: "not set on Flex Consumption (functionAppConfig carries the runtime, scale and deployment)",
            });
        }
      }
      return out;
    },
  },
  {
    name: "preflight-azure-postgres-burstable-high-availability",
    description:
      "Flexible Server offers high availability on General Purpose and Memory Optimized only, never on Burstable.",
    level: "error",
    source: src(PG_HA),
    types: [T.pgServer],
    check: (props) => {
      const mode = at(props, "highAvailability.mode");
      return at(props, "sku.tier") === "Burstable" && mode !== undefined && mode !== "Disabled"
        ? [
            {
              property: "highAvailability.mode",
              value: mode,
              expected: "Disabled on Burstable (or a General Purpose / Memory Optimized SKU)",
            },
          ]
        : [];
    },
  },
  {
    name: "preflight-azure-container-registry-zone-redundancy",
    description:
      "The registry's zoneRedundancy property is documented for the Premium SKU (every tier is zone-redundant by default in regions with zones since 2025, without it).",
    level: "error",
    source: src(ACR_ZONES),
    types: [T.registry],
    check: (props) =>
      props.zoneRedundancy === "Enabled" && at(props, "sku.name") !== "Premium"
        ? [
            {
              property: "zoneRedundancy",
              value: "Enabled",
              expected: `Disabled on ${at(props, "sku.name")} (Premium for zone redundancy)`,
            },
          ]
        : [],
  },
  {
    name: "preflight-azure-nat-gateway-single-zone",
    description: "A Standard NAT gateway is zonal: it takes at most one availability zone.",
    level: "error",
    source: src(NAT_ZONES),
    types: [T.nat],
    check: (props) =>
      Array.isArray(props.zones) && props.zones.length > 1
        ? [
            {
              property: "zones",
              value: props.zones,
              expected: "at most one zone (one NAT gateway per zone for zonal redundancy)",
            },
          ]
        : [],
  },

  // ---- what must wait for what -----------------------------------------------------------------------------
  {
    name: "preflight-azure-postgres-operations-serialized",
    description:
      "A Flexible Server runs one management operation at a time and answers a concurrent one with ServerIsBusy: its databases, parameters, locks and diagnostic settings must wait for one another.",
    level: "error",
    source: src(PG_BUSY),
    checkStack: (resources) => {
      const byUrn = byUrnOf(resources);
      const out: StackFinding[] = [];
      for (const server of resources.filter((r) => r.type === T.pgServer)) {
        const ops = resources.filter(
          (r) => PG_OPERATIONS.includes(r.type) && (r.dependencies ?? []).includes(server.urn),
        );
        const closure = new Map(ops.map((o) => [o.urn, waitsFor(o, byUrn)]));
        for (let i = 0; i < ops.length; i++) {
          for (let j = i + 1; j < ops.length; j++) {
            const a = ops[i]!;
            const b = ops[j]!;
            if (!closure.get(a.urn)!.has(b.urn) && !closure.get(b.urn)!.has(a.urn)) {
              out.push({
                urn: b.urn,
                property: "dependsOn",
                value: a.name,
                expected: `to wait for ${a.name} (or it for this): both operate on ${server.name}`,
              });
            }
          }
        }
      }
      return out;
    },
  },
  {
    name: "preflight-azure-keyvault-reference-after-grant",
    description:
      "App settings that hold Key Vault references must be written after the app's identity is granted the secrets: a reference resolved before the grant stays unresolved until the app restarts.",
    level: "error",
    source: src(KV_REFERENCES),
    checkStack: (resources) => {
      const byUrn = byUrnOf(resources);
      const out: StackFinding[] = [];
      for (const r of resources) {
        const values: unknown[] =
          r.type === T.appSettings
            ? Object.values(r.props.properties ?? {})
            : r.type === T.webApp
              ? (at(r.props, "siteConfig.appSettings") ?? []).map((s: { value: unknown }) => s.value)
              : [];
        if (!values.some((v) => typeof v === "string" && v.startsWith("@Microsoft.KeyVault("))) continue;
        // The read grants (Key Vault Secrets User) made beside the app, in the same component.
        const grants = resources.filter(
          (g) => g.type === T.roleAssignment && g.parent === r.parent && roleOf(g) === ROLE.keyVaultSecretsUser,
        );
        const waited = waitsFor(r, byUrn);
        for (const g of grants) {
          if (!waited.has(g.urn))
            out.push({
              urn: r.urn,
              property: "dependsOn",
              value: g.name,
              expected: `to wait for the Key Vault grant ${g.name}`,
            });
        }
      }
      return out;
    },
  },
  {
    name: "preflight-azure-aks-private-cluster-vnet-role",
    description:
      "A private AKS cluster on a user-assigned identity in its own VNet links the API server's private DNS zone to that VNet: the identity needs Network Contributor (virtualNetworks/join/action) on the VNet, granted before the cluster.",
    level: "error",
    source: src(AKS_PRIVATE),
    checkStack: (resources) => {
      const byUrn = byUrnOf(resources);
      const out: StackFinding[] = [];
      for (const c of resources.filter((r) => r.type === T.cluster)) {
        if (
          at(c.props, "apiServerAccessProfile.enablePrivateCluster") !== true ||
          at(c.props, "identity.type") !== "UserAssigned"
        )
          continue;
        const subnets = each(c.props, "agentPoolProfiles[].vnetSubnetID")
          .map((e) => e.value)
          .filter((v): v is string => typeof v === "string");
        if (subnets.length === 0) continue; // AKS-managed VNet: AKS grants itself
        const vnetOf = (subnet: string) =>
          subnet.includes("/subnets/") ? subnet.slice(0, subnet.indexOf("/subnets/")) : undefined;
        const okRoles = [ROLE.networkContributor, ROLE.contributor, ROLE.owner];
        const grants = [...waitsFor(c, byUrn)]
          .map((u) => byUrn.get(u))
          .filter((g): g is PreflightResource => g?.type === T.roleAssignment && okRoles.includes(roleOf(g)));
        const coversVnet = grants.some((g) => {
          const scope = String(g.props.scope ?? "");
          if (subnets.includes(scope)) return false; // the subnet alone lacks virtualNetworks/join/action
          const vnet = vnetOf(subnets[0]!);
          return vnet === undefined || vnet.toLowerCase().startsWith(scope.toLowerCase());
        });
        if (!coversVnet)
          out.push({
            urn: c.urn,
            property: "dependsOn",
            value: grants.map((g) => `${g.name} at ${g.props.scope}`),
            expected: "to wait for Network Contributor granted to its identity on the VNet (not only the subnet)",
          });
      }
      return out;
    },
  },
  {
    name: "preflight-azure-log-query-success-type",
    description:
      'Application Insights\' classic tables (requests, availabilityResults, dependencies: what a query scoped to the component reads) hold `success` as a string ("True"/"False"), the workspace\'s App* tables as a bool: a query that compares it with a bool literal or converts it with todouble() depends on which it reads, so a failing-request or SLI alert may never fire.',
    level: "error",
    source: src("https://learn.microsoft.com/en-us/azure/azure-monitor/app/convert-classic-resource"),
    types: ["azure-native:monitor:ScheduledQueryRule", "azure-native:portal:Dashboard"],
    check: (props) =>
      queriesIn(props)
        .filter(({ value }) => UNTYPED_SUCCESS.test(value))
        .map(({ path, value }) => ({
          property: path,
          value: value.match(UNTYPED_SUCCESS)![0],
          expected: 'success compared as text, e.g. tostring(success) in~ ("false", "0")',
        })),
  },
  {
    name: "preflight-azure-aks-node-condition-dimension",
    description:
      "AKS's kube_node_status_condition metric: the status2 filter (Ready/NotReady) was set for removal; a not-Ready alert filters condition Ready with status false or unknown.",
    level: "warning",
    source: src(
      "https://learn.microsoft.com/en-us/azure/azure-monitor/reference/supported-metrics/microsoft-containerservice-managedclusters-metrics",
    ),
    types: ["azure-native:monitor:MetricAlert"],
    check: (props) =>
      each(props, "criteria.allOf[]")
        .filter(({ value }) => value?.metricName === "kube_node_status_condition")
        .flatMap(({ path, value }) =>
          (Array.isArray(value.dimensions) ? value.dimensions : [])
            .map((d: { name?: string }, i: number) => ({ d, i }))
            .filter(({ d }: { d: { name?: string } }) => d?.name === "status2")
            .map(({ i }: { i: number }) => ({
              property: `${path}.dimensions[${i}].name`,
              value: "status2",
              expected: "status (true, false, unknown) with condition Ready (https://github.com/Azure/AKS/issues/1997)",
            })),
        ),
  },
  {
    name: "preflight-azure-role-assignment-principal-type",
    description:
      "Azure refuses a role assignment whose principalType does not match its principal (UnmatchedPrincipalType); azure-native sends User when none is given, so a grant to a managed identity must say ServicePrincipal.",
    level: "error",
    source: src(
      "https://learn.microsoft.com/en-us/azure/role-based-access-control/role-assignments-template#new-service-principal",
    ),
    checkStack: (resources) => {
      const byUrn = byUrnOf(resources);
      // Principals that are service principals by construction: user-assigned identities, AKS (kubelet/cluster), apps.
      const managed = new Set([T.cluster, T.webApp, "azure-native:managedidentity:UserAssignedIdentity"]);
      return resources
        .filter(
          (r) =>
            r.type === T.roleAssignment && (r.dependencies ?? []).some((d) => managed.has(byUrn.get(d)?.type ?? "")),
        )
        .filter((r) => typeof r.props.principalType === "string" && r.props.principalType !== "ServicePrincipal")
        .map((r) => ({
          urn: r.urn,
          property: "principalType",
          value: r.props.principalType,
          expected: "ServicePrincipal for a managed identity's principalId",
        }));
    },
  },
];

// ---- prerequisites ------------------------------------------------------------------------------------------

/** Resource providers a subscription must have registered, per azure-native module. */
export const RESOURCE_PROVIDERS: Readonly<Record<string, string>> = {
  containerservice: "Microsoft.ContainerService",
  containerregistry: "Microsoft.ContainerRegistry",
  // Cluster extensions and Flux configurations (AKS's GitOps docs ask to register it before the first extension).
  kubernetesconfiguration: "Microsoft.KubernetesConfiguration",
  dbforpostgresql: "Microsoft.DBforPostgreSQL",
  web: "Microsoft.Web",
  keyvault: "Microsoft.KeyVault",
  storage: "Microsoft.Storage",
  network: "Microsoft.Network",
  privatedns: "Microsoft.Network",
  managedidentity: "Microsoft.ManagedIdentity",
  operationalinsights: "Microsoft.OperationalInsights",
  applicationinsights: "Microsoft.Insights",
  monitor: "Microsoft.Insights",
  consumption: "Microsoft.Consumption",
  portal: "Microsoft.Portal",
};

/** vCPUs and quota family of the VM sizes the node pools use (Azure's size pages). */
export const VM_SIZES: Readonly<Record<string, { vcpus: number; family: string }>> = {
  Standard_D2s_v3: { vcpus: 2, family: "Standard DSv3 Family vCPUs" },
  Standard_D4s_v3: { vcpus: 4, family: "Standard DSv3 Family vCPUs" },
  Standard_D2s_v5: { vcpus: 2, family: "Standard DSv5 Family vCPUs" },
  Standard_D4s_v5: { vcpus: 4, family: "Standard DSv5 Family vCPUs" },
  Standard_D8s_v5: { vcpus: 8, family: "Standard DSv5 Family vCPUs" },
};

export const azurePrerequisites: readonly PrerequisiteRule[] = [
  {
    name: "preflight-azure-resource-providers",
    list: (resources) => {
      const needed = new Map<string, Set<string>>();
      const add = (ns: string, why: string) => needed.set(ns, (needed.get(ns) ?? new Set()).add(why));
      for (const r of resources) {
        const [pkg, mod] = r.type.split(":");
        if (pkg !== "azure-native" || !mod) continue;
        const ns = RESOURCE_PROVIDERS[mod];
        if (ns) add(ns, r.type.split(":").pop()!);
        // Flex Consumption VNet integration runs in a Microsoft.App environment (the subnet is delegated to it).
        if (r.type === T.webApp && isFlex(r.props) && r.props.virtualNetworkSubnetId !== undefined)
          add("Microsoft.App", "Flex Consumption VNet integration");
        // AKS creates the nodes' scale sets and disks in the node resource group.
        if (r.type === T.cluster) add("Microsoft.Compute", "AKS node scale sets and disks");
      }
      return [...needed]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([ns, why]): Prerequisite => ({
          cloud: "azure",
          what: `resource provider ${ns} registered in the subscription (az provider register --namespace ${ns})`,
          why: [...why].sort().join(", "),
          source: src(PROVIDERS),
        }));
    },
  },
  {
    name: "preflight-azure-aks-vcpu-quota",
    list: (resources) => {
      // Each pool at its largest (autoscaler maximum) plus one surge node per pool during upgrades.
      const perFamily = new Map<string, { max: number; min: number; pools: string[] }>();
      const add = (pool: string, vmSize: string, min: number, max: number) => {
        const size = VM_SIZES[vmSize];
        const family = size?.family ?? `${vmSize} family vCPUs`;
        const vcpus = size?.vcpus ?? 0;
        const f = perFamily.get(family) ?? { max: 0, min: 0, pools: [] };
        f.max += (max + 1) * vcpus;
        f.min += min * vcpus;
        f.pools.push(`${pool}: ${min}-${max} x ${vmSize}`);
        perFamily.set(family, f);
      };
      for (const r of resources) {
        if (r.type === T.cluster) {
          for (const p of (r.props.agentPoolProfiles ?? []) as Record<string, any>[]) {
            const count = Number(p.count ?? 1);
            add(
              `${r.name}/${p.name}`,
              String(p.vmSize),
              p.enableAutoScaling ? Number(p.minCount ?? count) : count,
              p.enableAutoScaling ? Number(p.maxCount ?? count) : count,
            );
          }
        } else if (r.type === T.agentPool) {
          const count = Number(r.props.count ?? 1);
          add(
            `${r.name}`,
            String(r.props.vmSize),
            r.props.enableAutoScaling ? Number(r.props.minCount ?? count) : count,
            r.props.enableAutoScaling ? Number(r.props.maxCount ?? count) : count,
          );
        }
      }
      return [...perFamily].map(([family, f]): Prerequisite => ({
        cloud: "azure",
        what: `vCPU quota "${family}" and "Total Regional vCPUs" of at least ${f.max} in the location (${f.min} at the pools' minimum)`,
        why: `AKS node pools at their autoscaler maximum plus one surge node each for upgrades (${f.pools.join("; ")}); many subscriptions start at 10-20 per family`,
        source: src(VCPU_QUOTA),
      }));
    },
  },
  {
    name: "preflight-azure-deployer-roles",
    list: (resources) => {
      const out: Prerequisite[] = [];
      if (resources.some((r) => r.type === T.roleAssignment)) {
        out.push({
          cloud: "azure",
          what: "the deployer holds Owner, or Contributor plus Role Based Access Control Administrator (or User Access Administrator), on the subscription",
          why: "the program creates role assignments (cluster and function identities, AcrPull, a Key Vault data role for itself) and a subscription-scoped budget",
          source: src("https://learn.microsoft.com/en-us/azure/role-based-access-control/role-assignments-steps"),
        });
      }
      const vaults = resources.filter((r) => r.type === T.vault);
      if (vaults.length > 0) {
        const purgeProtected = vaults.some((v) => at(v.props, "properties.enablePurgeProtection") === true);
        out.push({
          cloud: "azure",
          what: "the deployer can purge soft-deleted vaults (Key Vault Contributor: Microsoft.KeyVault/locations/deletedVaults/purge/action); the program grants itself Key Vault Secrets Officer (data plane) on each vault so a destroy can delete the secrets",
          why: `an RBAC vault's secrets are data-plane objects: Contributor alone cannot delete them${purgeProtected ? "; with purge protection (prod) a deleted vault's name stays reserved for its retention days, so each vault name carries a random suffix" : ""}`,
          source: src(KV_RBAC),
        });
      }
      return out;
    },
  },
];

/** Exposed for tests: findings of one resource rule on hand-made props. */
export const checkWith = (rule: PreflightRule, props: Record<string, any>): readonly Finding[] =>
  "check" in rule
    ? rule.check(props, { urn: "urn:test", type: rule.types[0]!, name: "test", parent: null, props }, { asOf: READ })
    : [];
