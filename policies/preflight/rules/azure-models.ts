import MODEL from "../models/azure-names.json";
import type { Finding, PreflightRule } from "../rule";

/**
 * Resource names checked against the constraints Azure's own API
 * specifications declare, as the Azure SDK for JavaScript packages ship them
 * (derived by scripts/derive-azure-names.mjs into models/azure-names.json; each
 * finding names the package and version).
 */
interface NameInput {
  readonly type: string;
  /** The input that carries the name (the path parameter of the ARM URL). */
  readonly property: string;
  readonly parameter: string;
  readonly package: string;
}
const NAME_INPUTS: readonly NameInput[] = [
  {
    type: "azure-native:keyvault:Vault",
    property: "vaultName",
    parameter: "vaultName",
    package: "@azure/arm-keyvault@3.2.0",
  },
  {
    type: "azure-native:storage:StorageAccount",
    property: "accountName",
    parameter: "accountName",
    package: "@azure/arm-storage@18.6.0",
  },
  {
    type: "azure-native:containerregistry:Registry",
    property: "registryName",
    parameter: "registryName",
    package: "@azure/arm-containerregistry@10.1.0",
  },
  {
    type: "azure-native:dbforpostgresql:Server",
    property: "serverName",
    parameter: "serverName",
    package: "@azure/arm-postgresql-flexible@8.0.0",
  },
  {
    type: "azure-native:dbforpostgresql:Database",
    property: "databaseName",
    parameter: "databaseName",
    package: "@azure/arm-postgresql-flexible@8.0.0",
  },
  {
    type: "azure-native:containerservice:ManagedCluster",
    property: "resourceName",
    parameter: "resourceName",
    package: "@azure/arm-containerservice@22.3.0",
  },
  {
    type: "azure-native:operationalinsights:Workspace",
    property: "workspaceName",
    parameter: "workspaceName",
    package: "@azure/arm-operationalinsights@9.0.0",
  },
];

interface Constraint {
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
}
function constraintsFor(pkg: string, parameter: string): readonly Constraint[] {
  const entry = MODEL.parameters.find((p) => p.package === pkg && p.parameter === parameter);
  if (!entry)
    throw new Error(`models/azure-names.json has no ${parameter} from ${pkg}: run scripts/derive-azure-names.mjs`);
  return entry.constraints as Constraint[];
}

const describe = (c: Constraint) =>
  [
    c.pattern ? `matching /${c.pattern}/` : "",
    c.minLength !== undefined || c.maxLength !== undefined
      ? `${c.minLength ?? 0}-${c.maxLength ?? "any"} characters`
      : "",
  ]
    .filter(Boolean)
    .join(", ");

/** azure-native names an unnamed resource `<logical name>` plus 8 random characters; their length is what can be checked. */
const AUTONAME_SUFFIX = 8;

function checkName(value: string, constraints: readonly Constraint[], exactText: boolean): string | null {
  for (const c of constraints) {
    const tooShort = c.minLength !== undefined && value.length < c.minLength;
    const tooLong = c.maxLength !== undefined && value.length > c.maxLength;
    if (tooShort || tooLong || (exactText && c.pattern && !new RegExp(c.pattern).test(value))) return describe(c);
  }
  return null;
}

export const azureModelRules: readonly PreflightRule[] = [
  {
    name: "preflight-azure-resource-name-api-spec",
    description:
      "Azure refuses resource names outside the pattern and length its REST API specification declares for the name parameter (key vault, storage account, registry, PostgreSQL server and database, AKS cluster, Log Analytics workspace).",
    level: "error",
    source: {
      url: "https://github.com/Azure/azure-rest-api-specs",
      read: MODEL.derivedAt,
      derivedFrom: [...new Set(NAME_INPUTS.map((n) => n.package))].join(", "),
    },
    types: NAME_INPUTS.map((n) => n.type),
    check: (props, resource) => {
      const findings: Finding[] = [];
      for (const n of NAME_INPUTS.filter((x) => x.type === resource.type)) {
        const constraints = constraintsFor(n.package, n.parameter);
        const given = props[n.property];
        if (typeof given === "string") {
          const expected = checkName(given, constraints, true);
          if (expected) findings.push({ property: n.property, value: given, expected: `${expected} (${n.package})` });
        } else if (given === undefined) {
          const autoname = `${resource.name}${"x".repeat(AUTONAME_SUFFIX)}`;
          const expected = checkName(autoname, constraints, false);
          if (expected)
            findings.push({
              property: n.property,
              value: `${resource.name} + ${AUTONAME_SUFFIX} random characters (autonamed)`,
              expected: `${expected} (${n.package}); give ${n.property} explicitly`,
            });
        }
      }
      return findings;
    },
  },
];
