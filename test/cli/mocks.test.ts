import { describe, expect, it } from "vitest";
import {
  MODELLED_OUTPUTS,
  mockResource,
  offlineMocks,
  TYPE_OUTPUTS,
  type MockContext,
} from "../../cli/plan/mock-state";
import { cidrsOverlap, parseCidr } from "../../components/shared/cidr";
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
  "gcp:container/cluster:Cluster": [IPV4, IPV4],
  "azure-native:containerservice:ManagedCluster": [
    /^tricloud-dev-[0-9a-f]{8}\.hcp\.eastus\.azmk8s\.io$/,
    /^tricloud-dev-[0-9a-f]{8}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.privatelink\.eastus\.azmk8s\.io$/,
  ],
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
  "azure-native:containerservice:ManagedCluster": {
    dnsPrefix: "tricloud-dev",
    apiServerAccessProfile: { enablePrivateCluster: true, enablePrivateClusterPublicFQDN: true },
  },
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

/**
 * Ids and ARNs the program hands from one resource to another (scopes, role names, subnet ids, pool ids): each in the
 * form the cloud gives it (the sources are named beside AWS_FORMS, EC2_IDS, ARM, ARM_EXTENSIONS and GCP_IDS).
 */
describe("the plan's mocks name resources as the clouds do", () => {
  const ACCT = "123456789012";
  const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg";
  const mock = (type: string, inputs: Record<string, unknown> = {}, name = "dev-x") => {
    const { id, state } = mockResource(type, name, inputs, ctx);
    return { id, arn: state.arn, name: state.name, state };
  };

  it.each([
    // IAM is global (no region); a role's id is its name, which RolePolicy.role takes.
    ["aws:iam/role:Role", { name: "fn-role" }, "fn-role", `arn:aws:iam::${ACCT}:role/fn-role`],
    ["aws:lambda/function:Function", { name: "q" }, "q", `arn:aws:lambda:us-west-2:${ACCT}:function:q`],
    [
      "aws:cloudwatch/logGroup:LogGroup",
      { name: "/aws/lambda/q" },
      "/aws/lambda/q",
      `arn:aws:logs:us-west-2:${ACCT}:log-group:/aws/lambda/q`,
    ],
    ["aws:cloudwatch/eventRule:EventRule", { name: "r" }, "r", `arn:aws:events:us-west-2:${ACCT}:rule/r`],
    [
      "aws:sns/topic:Topic",
      { name: "t", region: "us-east-1" },
      `arn:aws:sns:us-east-1:${ACCT}:t`,
      `arn:aws:sns:us-east-1:${ACCT}:t`,
    ],
  ])("%s", (type, inputs, id, arn) => {
    expect(mock(type, inputs)).toMatchObject({ id, arn });
  });

  it("AWS: secrets carry Secrets Manager's six-character suffix, EC2 resources their prefixed ids, RDS its resource id", () => {
    const secret = mock("aws:secretsmanager/secret:Secret", { name: "tricloud/dev/aws/signing-key" });
    expect(secret.arn).toMatch(
      new RegExp(`^arn:aws:secretsmanager:us-west-2:${ACCT}:secret:tricloud/dev/aws/signing-key-[0-9A-Za-z]{6}$`),
    );
    expect(secret.id).toBe(secret.arn);
    for (const [type, prefix] of [
      ["aws:ec2/securityGroup:SecurityGroup", "sg"],
      ["aws:ec2/routeTable:RouteTable", "rtb"],
      ["aws:ec2/natGateway:NatGateway", "nat"],
      ["aws:ec2/eip:Eip", "eipalloc"],
      ["aws:ec2/vpc:Vpc", "vpc"],
      ["aws:ec2/launchTemplate:LaunchTemplate", "lt"],
    ] as const)
      expect(mock(type).id, type).toMatch(new RegExp(`^${prefix}-[0-9a-f]{17}$`));
    const db = mock("aws:rds/instance:Instance", { identifier: "dev-aws-db-pg" });
    expect(db.id).toMatch(/^db-[0-9A-Z]{26}$/);
    expect(db.arn).toBe(`arn:aws:rds:us-west-2:${ACCT}:db:dev-aws-db-pg`);
    expect(mock("aws:kms/key:Key").id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // A proxy's one target group is AWS's own, named "default"; the provider's id is the proxy's name.
    const group = mock("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", { dbProxyName: "dev-aws-fn-proxy" });
    expect(group.state.name).toBe("default");
    expect(group.id).toBe("dev-aws-fn-proxy");
  });

  it("Azure: ARM ids with the provider's namespace, plural types and parents, and each resource's own name", () => {
    const acr = mock("azure-native:containerregistry:Registry", {
      registryName: "triclouddev9a7547",
      resourceGroupName: "rg",
    });
    expect(acr).toMatchObject({
      id: `${SUB}/providers/Microsoft.ContainerRegistry/registries/triclouddev9a7547`,
      name: "triclouddev9a7547",
    });
    expect(mock("azure-native:keyvault:Secret", { vaultName: "v", secretName: "s", resourceGroupName: "rg" }).id).toBe(
      `${SUB}/providers/Microsoft.KeyVault/vaults/v/secrets/s`,
    );
    expect(
      mock("azure-native:storage:BlobContainer", { accountName: "a", containerName: "c", resourceGroupName: "rg" }).id,
    ).toBe(`${SUB}/providers/Microsoft.Storage/storageAccounts/a/blobServices/default/containers/c`);
    expect(
      mock("azure-native:network:Subnet", { virtualNetworkName: "vnet", subnetName: "s", resourceGroupName: "rg" }).id,
    ).toBe(`${SUB}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/s`);
    const flux = mock("azure-native:kubernetesconfiguration:Extension", {
      clusterName: "aks",
      clusterResourceName: "managedClusters",
      clusterRp: "Microsoft.ContainerService",
      extensionName: "flux",
      resourceGroupName: "rg",
    });
    expect(flux).toMatchObject({
      name: "flux",
      id: `${SUB}/providers/Microsoft.ContainerService/managedClusters/aks/providers/Microsoft.KubernetesConfiguration/extensions/flux`,
    });
    const aks = mock("azure-native:containerservice:ManagedCluster", { dnsPrefix: "tricloud-dev" }).state;
    expect(String(aks.fqdn)).toMatch(/^tricloud-dev-[0-9a-f]{8}\.hcp\.eastus\.azmk8s\.io$/);
    const scope = `${SUB}/providers/Microsoft.KeyVault/vaults/v`;
    expect(mock("azure-native:authorization:RoleAssignment", { scope }).id).toMatch(
      new RegExp(`^${scope}/providers/Microsoft\\.Authorization/roleAssignments/[0-9a-f-]{36}$`),
    );
  });

  it("GCP: ids as the provider sets them, and Cloud SQL's connection name from the instance's own name", () => {
    expect(mock("gcp:container/cluster:Cluster", { name: "k", location: "us-central1-a" }).id).toBe(
      "projects/tricloud-dev/locations/us-central1-a/clusters/k",
    );
    expect(mock("gcp:compute/subnetwork:Subnetwork", { name: "s" }).id).toBe(
      "projects/tricloud-dev/regions/us-central1/subnetworks/s",
    );
    expect(mock("gcp:compute/network:Network", { name: "n" }).id).toBe("projects/tricloud-dev/global/networks/n");
    const sql = mock("gcp:sql/databaseInstance:DatabaseInstance", {}, "dev-gcp-db-pg");
    expect(sql.state.connectionName).toBe(`tricloud-dev:us-central1:${String(sql.name)}`);
    expect(sql.name).not.toBe("dev-gcp-db-pg");
    // A service account's `name` is its fully qualified name, the form serviceAccountId takes.
    const account = mock("gcp:serviceaccount/account:Account", { accountId: "tricloud-config-sync" });
    expect(account.state.name).toBe(
      "projects/tricloud-dev/serviceAccounts/tricloud-config-sync@tricloud-dev.iam.gserviceaccount.com",
    );
    expect(account.state.email).toBe("tricloud-config-sync@tricloud-dev.iam.gserviceaccount.com");
    const channel = mock("gcp:monitoring/notificationChannel:NotificationChannel");
    expect(channel.state.name).toBe(channel.id);
    expect(channel.id).toMatch(/^projects\/tricloud-dev\/notificationChannels\/\d+$/);
  });

  it("GCP: Cloud SQL's private address is one of the range reserved for private services on its network", async () => {
    const mocks = offlineMocks(ctx, []);
    const network = "projects/tricloud-dev/global/networks/n";
    const created = (type: string, name: string, inputs: Record<string, unknown>) =>
      Promise.resolve(mocks.newResource({ type, name, inputs, custom: true } as never));
    await created("gcp:compute/globalAddress:GlobalAddress", "psa", {
      network,
      purpose: "VPC_PEERING",
      address: "10.137.0.0",
      prefixLength: 20,
    });
    const sql = await created("gcp:sql/databaseInstance:DatabaseInstance", "dev-gcp-db-pg", {
      settings: { ipConfiguration: { privateNetwork: network } },
    });
    const address = parseCidr(`${String(sql.state.privateIpAddress)}/32`)!;
    expect(cidrsOverlap(parseCidr("10.137.0.0/20")!, address)).toBe(true);
  });

  it("GCP: a fleet membership is global unless told otherwise, its name the API's full name", () => {
    const membership = mock("gcp:gkehub/membership:Membership", { membershipId: "dev-gcp-k8s" });
    expect(membership.id).toBe("projects/tricloud-dev/locations/global/memberships/dev-gcp-k8s");
    expect(membership.name).toBe(membership.id);
    expect(membership.state.location).toBe("global");
    expect(membership.state.membershipId).toBe("dev-gcp-k8s");
    const regional = mock("gcp:gkehub/membership:Membership", { membershipId: "m", location: "us-central1" });
    expect(regional.id).toBe("projects/tricloud-dev/locations/us-central1/memberships/m");
    expect(regional.name).toBe(regional.id);
  });

  it("GCP: a 2nd gen function's serviceConfig.service is the Cloud Run service's full name", () => {
    const fn = mock("gcp:cloudfunctionsv2/function:Function", {
      name: "tricloud-dev-api",
      location: "us-east1",
      serviceConfig: { availableMemory: "256M" },
    });
    expect(fn.state.serviceConfig).toMatchObject({
      availableMemory: "256M",
      service: "projects/tricloud-dev/locations/us-east1/services/tricloud-dev-api",
    });
  });

  it("GCP: a cluster's endpoint is the private one only when the public endpoint is off", () => {
    const config = (enablePrivateEndpoint: boolean) => ({
      privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint },
    });
    const privateOnly = mock("gcp:container/cluster:Cluster", config(true), "dev-gcp-k8s").state;
    const pc = privateOnly.privateClusterConfig as Record<string, unknown>;
    expect(privateOnly.endpoint).toBe(pc.privateEndpoint);
    expect(String(pc.privateEndpoint)).toMatch(/^10\./);
    for (const inputs of [config(false), {}]) {
      const open = mock("gcp:container/cluster:Cluster", inputs, "dev-gcp-k8s").state;
      const c = open.privateClusterConfig as Record<string, unknown>;
      expect(String(open.endpoint)).toMatch(/^203\.0\.113\.\d+$/);
      expect(open.endpoint).toBe(c.publicEndpoint);
      expect(open.endpoint).not.toBe(c.privateEndpoint);
    }
  });

  it("AWS: an RDS instance keeps the identifier given, and its address starts with it", () => {
    const db = mock("aws:rds/instance:Instance", { identifier: "dev-aws-db-pg" }, "dev-aws-db");
    expect(db.state.identifier).toBe("dev-aws-db-pg");
    expect(String(db.state.address)).toMatch(/^dev-aws-db-pg\.[0-9a-z]{12}\.us-west-2\.rds\.amazonaws\.com$/);
    expect(db.state.endpoint).toBe(`${String(db.state.address)}:5432`);
    // Without one, Pulumi's autoname: the same in the identifier, the address and the ARN.
    const auto = mock("aws:rds/instance:Instance", {}, "dev-aws-db");
    expect(String(auto.state.identifier)).toMatch(/^dev-aws-db-[0-9a-f]{7}$/);
    expect(String(auto.state.address).startsWith(`${String(auto.state.identifier)}.`)).toBe(true);
    expect(auto.arn).toBe(`arn:aws:rds:us-west-2:${ACCT}:db:${String(auto.state.identifier)}`);
  });

  it("Azure: a flexible server's FQDN is <serverName>.postgres.database.azure.com, the autoname without one", () => {
    const named = mock("azure-native:dbforpostgresql:Server", {
      serverName: "tricloud-dev-pg",
      resourceGroupName: "rg",
    });
    expect(named.state.fullyQualifiedDomainName).toBe("tricloud-dev-pg.postgres.database.azure.com");
    const auto = mock("azure-native:dbforpostgresql:Server", { resourceGroupName: "rg" }, "dev-azure-db-pg");
    expect(auto.state.fullyQualifiedDomainName).toBe(`${String(auto.name)}.postgres.database.azure.com`);
  });

  it("Azure: a private AKS cluster's user kubeconfig names the cluster's own private FQDN; a public cluster has none", async () => {
    const mocks = offlineMocks(ctx, []);
    const inputs = {
      resourceGroupName: "rg",
      location: "westeurope",
      dnsPrefix: "dev-azure-k8s",
      apiServerAccessProfile: { enablePrivateCluster: true, enablePrivateClusterPublicFQDN: true },
    };
    const cluster = await Promise.resolve(
      mocks.newResource({
        type: "azure-native:containerservice:ManagedCluster",
        name: "dev-azure-k8s",
        inputs,
      } as never),
    );
    const fqdn = String(cluster.state.privateFQDN);
    expect(fqdn).toMatch(
      /^dev-azure-k8s-[0-9a-f]{8}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.privatelink\.westeurope\.azmk8s\.io$/,
    );
    // The public and private names share the <dnsPrefix>-<8 hex> label.
    expect(String(cluster.state.fqdn)).toBe(`${fqdn.split(".")[0]}.hcp.westeurope.azmk8s.io`);
    const answer = (await Promise.resolve(
      mocks.call({
        token: "azure-native:containerservice:listManagedClusterUserCredentials",
        inputs: { resourceGroupName: "rg", resourceName: String(cluster.state.name), format: "exec" },
      } as never),
    )) as { kubeconfigs: { value: string }[] };
    const kubeconfig = Buffer.from(answer.kubeconfigs[0]!.value, "base64").toString("utf8");
    expect(kubeconfig).toContain(`    server: https://${fqdn}:443\n`);
    expect(kubeconfig).not.toContain("mock.azmk8s.io");

    const open = mock("azure-native:containerservice:ManagedCluster", {
      dnsPrefix: "p",
      apiServerAccessProfile: { enablePrivateCluster: false },
    }).state;
    expect(open.privateFQDN).toBeUndefined();
    expect(String(open.fqdn)).toMatch(/^p-[0-9a-f]{8}\.hcp\.eastus\.azmk8s\.io$/);
  });

  it("Cloudflare ids are 32 hex digits, Vercel projects prj_; a VPN tunnel without a range avoids AWS's reserved ones", () => {
    expect(mock("cloudflare:index/loadBalancerPool:LoadBalancerPool").id).toMatch(/^[0-9a-f]{32}$/);
    expect(mock("vercel:index/project:Project").id).toMatch(/^prj_[0-9a-z]{28}$/);
    const vpn = mock("aws:ec2/vpnConnection:VpnConnection").state;
    expect(String(vpn.tunnel1VgwInsideAddress)).not.toMatch(/^169\.254\.[0-5]\./);
  });
});
