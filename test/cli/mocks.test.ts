import { describe, expect, it } from "vitest";
import { MODELLED_OUTPUTS, mockResource, TYPE_OUTPUTS, type MockContext } from "../../cli/plan/mock-state";
import { at } from "../../policies/preflight/rule";

const ctx: MockContext = {
  project: "tricloud",
  stack: "dev",
  awsRegion: "us-west-2",
  azureLocation: "eastus",
  gcpProject: "tricloud-dev",
  gcpRegion: "us-central1",
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Each modelled output as a pattern of the documented form. */
const FORMS: Record<string, RegExp[]> = {
  "aws:lambda/functionUrl:FunctionUrl": [/^https:\/\/[a-z0-9]{32}\.lambda-url\.us-west-2\.on\.aws\/$/],
  "aws:eks/cluster:Cluster": [
    /^https:\/\/[A-F0-9]{32}\.gr7\.us-west-2\.eks\.amazonaws\.com$/,
    /^https:\/\/oidc\.eks\.us-west-2\.amazonaws\.com\/id\/[A-F0-9]{32}$/,
  ],
  "aws:rds/instance:Instance": [
    /^[a-z0-9-]+\.c[0-9a-f]{11}\.us-west-2\.rds\.amazonaws\.com$/,
    /^[a-z0-9-]+\.c[0-9a-f]{11}\.us-west-2\.rds\.amazonaws\.com:5432$/,
  ],
  "aws:rds/proxy:Proxy": [/^[a-z0-9-]+\.proxy-c[0-9a-f]{11}\.us-west-2\.rds\.amazonaws\.com$/],
  "aws:ecr/repository:Repository": [/^\d{12}\.dkr\.ecr\.us-west-2\.amazonaws\.com\/[a-z0-9-]+$/],
  "azure-native:web:WebApp": [/^[a-z0-9-]+\.azurewebsites\.net$/],
  "azure-native:dbforpostgresql:Server": [/^[a-z0-9-]+\.postgres\.database\.azure\.com$/],
  "azure-native:keyvault:Vault": [/^https:\/\/[a-z0-9-]+\.vault\.azure\.net\/$/],
  "azure-native:storage:StorageAccount": [/^https:\/\/[a-z0-9]+\.blob\.core\.windows\.net\/$/],
  "azure-native:containerregistry:Registry": [/^[a-z0-9]+\.azurecr\.io$/],
  "gcp:cloudfunctionsv2/function:Function": [
    /^https:\/\/us-central1-tricloud-dev\.cloudfunctions\.net\/tricloud-dev-api$/,
    /^https:\/\/tricloud-dev-api-[0-9a-f]{10}-uc\.a\.run\.app$/,
  ],
  "gcp:serviceaccount/account:Account": [/^fn-api@tricloud-dev\.iam\.gserviceaccount\.com$/],
  "gcp:sql/databaseInstance:DatabaseInstance": [/^tricloud-dev:us-central1:[a-z0-9-]+$/],
  // The cross-cloud VPN: public IPv4 addresses (documentation ranges in the mock), inside addresses from the /30 given.
  "azure-native:network:PublicIPAddress": [IPV4],
  "aws:ec2/vpnConnection:VpnConnection": [IPV4, IPV4, /^169\.254\.21\.1$/, /^169\.254\.21\.2$/],
  "gcp:compute/haVpnGateway:HaVpnGateway": [IPV4, IPV4],
  "gcp:container/cluster:Cluster": [IPV4],
};
const INPUTS: Record<string, Record<string, unknown>> = {
  "aws:ec2/vpnConnection:VpnConnection": { tunnel1InsideCidr: "169.254.21.0/30", tunnel2InsideCidr: "169.254.21.4/30" },
  "gcp:container/cluster:Cluster": { privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true } },
  "aws:rds/instance:Instance": { identifier: "dev-aws-db-pg" },
  "aws:rds/proxy:Proxy": { name: "dev-aws-fn-proxy" },
  "aws:ecr/repository:Repository": { name: "tricloud-dev" },
  "azure-native:web:WebApp": { name: "tricloud-dev-fn-1a2b3c" },
  "azure-native:keyvault:Vault": { vaultName: "tcfn-dev-a41791", properties: {} },
  "azure-native:storage:StorageAccount": { accountName: "tcfndevc937b176" },
  "azure-native:containerregistry:Registry": { registryName: "triclouddev9a7547" },
  "gcp:cloudfunctionsv2/function:Function": { name: "tricloud-dev-api", location: "us-central1", serviceConfig: {} },
  "gcp:serviceaccount/account:Account": { accountId: "fn-api" },
};

describe("the plan's mocks answer in the forms the clouds document", () => {
  it("lists a page for every modelled output, and models only types it answers for", () => {
    for (const [type, m] of Object.entries(MODELLED_OUTPUTS)) {
      expect(TYPE_OUTPUTS[type], type).toBeDefined();
      expect(m.page, type).toMatch(/^https:\/\/(docs\.aws\.amazon\.com|learn\.microsoft\.com|cloud\.google\.com)\//);
      expect(m.outputs.length, type).toBeGreaterThan(0);
    }
  });

  it.each(Object.keys(MODELLED_OUTPUTS))("%s", (type) => {
    const { state } = mockResource(
      type,
      type.includes("rds/instance") ? "dev-aws-db-pg" : "dev-x",
      INPUTS[type] ?? {},
      ctx,
    );
    const values = MODELLED_OUTPUTS[type]!.outputs.map((o) => at(state, o));
    values.forEach((v, i) =>
      expect(String(v), `${type} ${MODELLED_OUTPUTS[type]!.outputs[i]}`).toMatch(FORMS[type]![i]!),
    );
  });
});
