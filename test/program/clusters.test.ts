import { describe, expect, it } from "vitest";
import { AKS_SERVICE_CIDR, NETWORK_CONTRIBUTOR } from "../../components/azure/cluster";
import { EKS_LOG_TYPES } from "../../components/aws/cluster";
import { GKE_LOG_COMPONENTS } from "../../components/gcp/cluster";
import { PODS_RANGE, SERVICES_RANGE } from "../../components/gcp/network";
import { cidrsOverlap, parseCidr } from "../../components/shared/cidr";
import { remoteRanges } from "../../components/shared/cross-cloud";
import { nodeMachine } from "@tricloud/vocabulary/sizes";
import { gcpZones } from "../../stacks/shared";
import { input, ofType, oneOfType, planStack } from "../helpers/plan";
import { expectConfigError, mockId, mockState, owningComponents, stackConfig } from "../helpers/platform";

const EKS = "aws:eks/cluster:Cluster";
const AKS = "azure-native:containerservice:ManagedCluster";
const GKE = "gcp:container/cluster:Cluster";
const TAG_KEYS = ["owner", "cost-center", "managed-by", "environment"];

describe.each(["dev", "prod"])("%s clusters", (stack) => {
  const prod = stack === "prod";
  const config = stackConfig(stack);
  const t = config.tricloud;

  it("has exactly one cluster and one workload pool per cloud, each under its component", async () => {
    const r = await planStack(stack);
    for (const cloud of ["aws", "azure", "gcp"])
      expect(ofType(r, `tricloud:${cloud}:KubernetesCluster`)).toHaveLength(1);
    for (const type of [
      EKS,
      "aws:eks/nodeGroup:NodeGroup",
      AKS,
      "azure-native:containerservice:AgentPool",
      GKE,
      "gcp:container/nodePool:NodePool",
    ]) {
      const [resource, ...others] = ofType(r, type);
      expect(others, type).toHaveLength(0);
      expect(owningComponents(r, resource!).slice(0, 2)).toEqual([
        `tricloud:${resource!.cloud}:KubernetesCluster`,
        `tricloud:${resource!.cloud}:Platform`,
      ]);
    }
  });

  it("runs one Kubernetes minor everywhere: the configured one", async () => {
    const r = await planStack(stack);
    expect(t.kubernetesVersion).toMatch(/^1\.\d+$/);
    expect(input(oneOfType(r, EKS), "version")).toBe(t.kubernetesVersion);
    expect(input(oneOfType(r, AKS), "kubernetesVersion")).toBe(t.kubernetesVersion);
    expect(input(oneOfType(r, "azure-native:containerservice:AgentPool"), "orchestratorVersion")).toBe(
      t.kubernetesVersion,
    );
    // GKE pins a patch of that minor, looked up with the minor as prefix.
    expect(input(oneOfType(r, GKE), "minMasterVersion")).toMatch(
      new RegExp(`^${t.kubernetesVersion.replace(".", "\\.")}\\.\\d+-gke\\.`),
    );
    expect(r.outputs.aws).toMatchObject({ cluster: { kubernetesVersion: t.kubernetesVersion } });
    expect(r.outputs.azure).toMatchObject({ cluster: { kubernetesVersion: t.kubernetesVersion } });
    expect(r.outputs.gcp).toMatchObject({ cluster: { kubernetesVersion: t.kubernetesVersion } });
  });

  it("EKS: KMS-encrypted secrets, every control-plane log, private endpoint only, OIDC for workload identity", async () => {
    const r = await planStack(stack);
    const eks = oneOfType(r, EKS);
    const key = oneOfType(r, "aws:kms/key:Key", "-k8s-");
    expect(input(key, "enableKeyRotation")).toBe(true);
    expect(input(eks, "encryptionConfig.resources")).toEqual(["secrets"]);
    expect(input(eks, "encryptionConfig.provider.keyArn")).toBe(mockState(stack, key).arn);
    expect([...(input(eks, "enabledClusterLogTypes") as string[])].sort()).toEqual([...EKS_LOG_TYPES].sort());
    expect(EKS_LOG_TYPES).toHaveLength(5);
    const logs = oneOfType(r, "aws:cloudwatch/logGroup:LogGroup", "-k8s-");
    expect(input(logs, "name")).toBe(`/aws/eks/${input(eks, "name")}/cluster`);
    expect(input(logs, "retentionInDays")).toBeGreaterThanOrEqual(t.logRetentionDays);

    expect(input(eks, "vpcConfig.endpointPrivateAccess")).toBe(true);
    expect(input(eks, "vpcConfig.endpointPublicAccess")).toBe(false);
    const privateSubnets = ofType(r, "aws:ec2/subnet:Subnet").filter((s) => input(s, "tags.tier") === "private");
    expect([...(input(eks, "vpcConfig.subnetIds") as string[])].sort()).toEqual(
      privateSubnets.map((s) => mockId(stack, s)).sort(),
    );
    expect(input(eks, "accessConfig.authenticationMode")).toBe("API");
    expect(input(eks, "deletionProtection")).toBe(prod);

    const oidc = oneOfType(r, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    const issuer = (mockState(stack, eks).identities as { oidcs: { issuer: string }[] }[])[0]!.oidcs[0]!.issuer;
    expect(input(oidc, "url")).toBe(issuer);
    expect(input(oidc, "clientIdLists")).toEqual(["sts.amazonaws.com"]);
  });

  it("EKS: a managed node group floor of the configured size on private subnets, IMDSv2 only; Auto Mode scales above it", async () => {
    const r = await planStack(stack);
    const group = oneOfType(r, "aws:eks/nodeGroup:NodeGroup");
    const pool = t.clusters.aws;
    // The floor keeps desiredNodes; the rendered Auto Mode NodePool adds at most maxNodes - desiredNodes above it
    // (test/workloads/node-pool.test.ts), and the unbounded built-in general-purpose pool is off.
    expect(input(group, "scalingConfig")).toEqual({
      minSize: pool.minNodes,
      desiredSize: pool.desiredNodes,
      maxSize: pool.desiredNodes,
    });
    expect(input(oneOfType(r, EKS), "computeConfig")).toMatchObject({ enabled: true, nodePools: ["system"] });
    expect(input(group, "instanceTypes")).toEqual([nodeMachine("aws", pool.size)]);
    expect(input(group, "subnetIds")).toEqual(input(oneOfType(r, EKS), "vpcConfig.subnetIds"));
    expect(input(group, "nodeRoleArn")).toBe(mockState(stack, oneOfType(r, "aws:iam/role:Role", "-k8s-nodes")).arn);
    const template = oneOfType(r, "aws:ec2/launchTemplate:LaunchTemplate");
    expect(input(group, "launchTemplate.id")).toBe(mockId(stack, template));
    expect(input(template, "metadataOptions.httpTokens")).toBe("required");
    expect(input(template, "metadataOptions.httpPutResponseHopLimit")).toBe(1);
    expect((input(template, "blockDeviceMappings") as { ebs: { encrypted: string } }[])[0]!.ebs.encrypted).toBe("true");
  });

  it("AKS: managed identity, Entra ID with Azure RBAC and no local accounts, the right tier, Azure CNI on the cluster subnet", async () => {
    const r = await planStack(stack);
    const aks = oneOfType(r, AKS);
    expect(input(aks, "sku.tier")).toBe(prod ? "Standard" : "Free");
    expect(input(aks, "aadProfile")).toEqual({ managed: true, enableAzureRBAC: true });
    expect(input(aks, "disableLocalAccounts")).toBe(true);
    expect(input(aks, "enableRBAC")).toBe(true);
    expect(input(aks, "securityProfile.workloadIdentity.enabled")).toBe(true);
    expect(input(aks, "oidcIssuerProfile.enabled")).toBe(true);
    expect(input(aks, "apiServerAccessProfile.enablePrivateCluster")).toBe(true);

    const identity = oneOfType(r, "azure-native:managedidentity:UserAssignedIdentity", "-k8s");
    expect(input(aks, "identity")).toEqual({ type: "UserAssigned", userAssignedIdentities: [mockId(stack, identity)] });
    const clusterSubnetId = mockId(stack, oneOfType(r, "azure-native:network:Subnet", "-net-cluster"));
    const grant = oneOfType(r, "azure-native:authorization:RoleAssignment", "-k8s-subnet-access");
    expect(input(grant, "principalId")).toBe(mockState(stack, identity).principalId);
    expect(input(grant, "roleDefinitionId")).toMatch(new RegExp(`/roleDefinitions/${NETWORK_CONTRIBUTOR}$`));
    // A private cluster links its API server's private DNS zone to the VNet: Network Contributor on the VNet.
    expect(input(grant, "scope")).toBe(
      input(aks, "apiServerAccessProfile.enablePrivateCluster")
        ? mockId(stack, oneOfType(r, "azure-native:network:VirtualNetwork"))
        : clusterSubnetId,
    );

    expect(input(aks, "networkProfile.networkPlugin")).toBe("azure");
    // Kubernetes services must not collide with any VNet or peered range.
    expect(cidrsOverlap(parseCidr(AKS_SERVICE_CIDR)!, parseCidr(t.network.azure.cidr)!)).toBe(false);
    const [system, ...more] = input(aks, "agentPoolProfiles") as Record<string, unknown>[];
    expect(more).toHaveLength(0);
    expect(system).toMatchObject({
      mode: "System",
      vnetSubnetID: clusterSubnetId,
      enableNodePublicIP: false,
      vmSize: nodeMachine("azure", t.clusters.azure.size),
    });
    expect(system!.count).toBe(prod ? 3 : 1);
  });

  it("AKS: the user pool autoscales within the configured bounds on the same subnet", async () => {
    const r = await planStack(stack);
    const pool = oneOfType(r, "azure-native:containerservice:AgentPool");
    const want = t.clusters.azure;
    expect(pool.inputs).toMatchObject({
      mode: "User",
      enableAutoScaling: true,
      // A stack with an off-hours schedule lets the user pool drain to 0 (the system pool keeps its node).
      minCount: t.schedule ? 0 : want.minNodes,
      maxCount: want.maxNodes,
      count: want.desiredNodes,
      vmSize: nodeMachine("azure", want.size),
      enableNodePublicIP: false,
      vnetSubnetID: mockId(stack, oneOfType(r, "azure-native:network:Subnet", "-net-cluster")),
      resourceName: mockState(stack, oneOfType(r, AKS)).name,
    });
  });

  it("GKE: private shielded nodes, workload identity, VPC-native on the foundation's ranges, no default pool", async () => {
    const r = await planStack(stack);
    const gke = oneOfType(r, GKE);
    expect(input(gke, "removeDefaultNodePool")).toBe(true);
    expect(input(gke, "workloadIdentityConfig.workloadPool")).toBe(`${config.gcp.project}.svc.id.goog`);
    expect(input(gke, "privateClusterConfig")).toEqual({ enablePrivateNodes: true, enablePrivateEndpoint: true });
    // Private endpoint only; with the cross-cloud VPN the other clouds' ranges may reach it.
    const vpn = t.network.crossCloud.enabled ? remoteRanges(t.network, "gcp") : [];
    expect(input(gke, "masterAuthorizedNetworksConfig")).toEqual({
      cidrBlocks: vpn.map((cidrBlock) => ({ cidrBlock, displayName: "cross-cloud VPN" })),
      gcpPublicCidrsAccessEnabled: false,
    });
    expect(input(gke, "masterAuth.clientCertificateConfig.issueClientCertificate")).toBe(false);
    expect(input(gke, "enableShieldedNodes")).toBe(true);
    expect(input(gke, "enableLegacyAbac")).toBe(false);
    expect(input(gke, "networkingMode")).toBe("VPC_NATIVE");
    expect(input(gke, "ipAllocationPolicy")).toEqual({
      clusterSecondaryRangeName: PODS_RANGE,
      servicesSecondaryRangeName: SERVICES_RANGE,
    });
    const subnet = oneOfType(r, "gcp:compute/subnetwork:Subnetwork");
    expect(input(gke, "subnetwork")).toBe(mockId(stack, subnet));
    const ranges = (input(subnet, "secondaryIpRanges") as { rangeName: string }[]).map((s) => s.rangeName);
    expect(ranges).toEqual(expect.arrayContaining([PODS_RANGE, SERVICES_RANGE]));
    expect(input(gke, "loggingConfig.enableComponents")).toEqual(GKE_LOG_COMPONENTS);
    expect(input(gke, "deletionProtection")).toBe(prod);
    // One zone: a zonal cluster (free-tier eligible); several: regional, spread over them.
    expect(input(gke, "location")).toBe(t.network.gcp.zones === 1 ? gcpZones(config)[0] : config.gcp.region);
  });

  it("GKE: the separate node pool autoscales within the configured totals as a dedicated service account", async () => {
    const r = await planStack(stack);
    const pool = oneOfType(r, "gcp:container/nodePool:NodePool");
    const want = t.clusters.gcp;
    expect(input(pool, "autoscaling")).toMatchObject({
      totalMinNodeCount: t.schedule ? 0 : want.minNodes,
      totalMaxNodeCount: want.maxNodes,
    });
    expect(input(pool, "initialNodeCount")).toBe(Math.ceil(want.desiredNodes / t.network.gcp.zones));
    expect(input(pool, "management")).toEqual({ autoRepair: true, autoUpgrade: true });
    expect(input(pool, "nodeConfig.machineType")).toBe(nodeMachine("gcp", want.size));
    expect(input(pool, "nodeConfig.shieldedInstanceConfig")).toEqual({
      enableSecureBoot: true,
      enableIntegrityMonitoring: true,
    });
    expect(input(pool, "nodeConfig.workloadMetadataConfig.mode")).toBe("GKE_METADATA");
    const account = oneOfType(r, "gcp:serviceaccount/account:Account", "-k8s-nodes");
    expect(input(pool, "nodeConfig.serviceAccount")).toBe(mockState(stack, account).email);
    expect(input(pool, "cluster")).toBe(mockState(stack, oneOfType(r, GKE)).name);
  });

  it("carries the configured tags and labels on clusters and pools", async () => {
    const r = await planStack(stack);
    const tagged = [
      input(oneOfType(r, EKS), "tags"),
      input(oneOfType(r, "aws:eks/nodeGroup:NodeGroup"), "tags"),
      input(oneOfType(r, AKS), "tags"),
      input(oneOfType(r, "azure-native:containerservice:AgentPool"), "tags"),
      input(oneOfType(r, GKE), "resourceLabels"),
      input(oneOfType(r, "gcp:container/nodePool:NodePool"), "nodeConfig.resourceLabels"),
    ];
    for (const tags of tagged) {
      expect(Object.keys(tags as object)).toEqual(expect.arrayContaining(TAG_KEYS));
      expect(tags).toMatchObject({ ...t.tags, environment: t.environment });
    }
  });

  it("exports each cluster's name and endpoint, and its kubeconfig only as a secret", async () => {
    const r = await planStack(stack);
    for (const cloud of ["aws", "azure", "gcp"] as const) {
      const out = r.outputs[cloud] as { cluster: { name: string; endpoint: string }; kubeconfig: string };
      expect(out.cluster.name).toMatch(/\S/);
      expect(out.cluster.endpoint).toMatch(/^https:\/\//);
      expect(out.kubeconfig).toBe("[secret]");
    }
  });
});

describe.each(["dev", "prod"])("%s component hygiene", (stack) => {
  it("every cloud resource sits under a tricloud component that registered its outputs", async () => {
    const r = await planStack(stack);
    const platformTypes = /^tricloud:(aws|azure|gcp):(KubernetesCluster|PostgresDatabase|ContainerRegistry)$/;
    const mine = r.resources.filter((x) => x.custom && owningComponents(r, x).some((c) => platformTypes.test(c)));
    // 3 clouds x (cluster + database + registry): a floor that fails if a component loses its children.
    expect(mine.length).toBeGreaterThanOrEqual(30);
    for (const x of r.resources.filter((x) => x.custom && ["aws", "azure", "gcp"].includes(x.cloud))) {
      expect(owningComponents(r, x).length, x.urn).toBeGreaterThan(0);
    }
    for (const x of mine) expect(x.parent, x.urn).not.toMatch(/pulumi:pulumi:Stack/);
    for (const c of r.resources.filter((x) => platformTypes.test(x.type)))
      expect(c.registeredOutputs, c.urn).toBe(true);
  });
});

describe("dev and prod clusters differ where production needs it", () => {
  it("prod has more nodes, paid control planes and deletion protection", async () => {
    const [dev, prod] = await Promise.all([planStack("dev"), planStack("prod")]);
    const min = (r: typeof dev) => [
      input(oneOfType(r, "aws:eks/nodeGroup:NodeGroup"), "scalingConfig.minSize") as number,
      input(oneOfType(r, "azure-native:containerservice:AgentPool"), "minCount") as number,
      input(oneOfType(r, "gcp:container/nodePool:NodePool"), "autoscaling.totalMinNodeCount") as number,
    ];
    for (const n of min(prod)) expect(n).toBeGreaterThanOrEqual(2);
    min(prod).forEach((n, i) => expect(n).toBeGreaterThan(min(dev)[i]!));
    expect([input(oneOfType(dev, AKS), "sku.tier"), input(oneOfType(prod, AKS), "sku.tier")]).toEqual([
      "Free",
      "Standard",
    ]);
    expect([
      input(oneOfType(dev, EKS), "deletionProtection"),
      input(oneOfType(prod, EKS), "deletionProtection"),
    ]).toEqual([false, true]);
    expect([
      input(oneOfType(dev, GKE), "deletionProtection"),
      input(oneOfType(prod, GKE), "deletionProtection"),
    ]).toEqual([false, true]);
  });
});

describe("public API access", () => {
  const cidrs = ["203.0.113.0/24", "198.51.100.7/32"];
  const overrides = [`tricloud:clusters.publicAccessCidrs=${JSON.stringify(cidrs)}`];

  it("is opened only to the configured CIDRs, on all three clouds", async () => {
    const r = await planStack("dev", overrides);
    const eks = oneOfType(r, EKS);
    expect(input(eks, "vpcConfig.endpointPublicAccess")).toBe(true);
    expect(input(eks, "vpcConfig.endpointPrivateAccess")).toBe(true);
    expect(input(eks, "vpcConfig.publicAccessCidrs")).toEqual(cidrs);
    expect(input(oneOfType(r, AKS), "apiServerAccessProfile")).toEqual({
      enablePrivateCluster: false,
      authorizedIPRanges: cidrs,
    });
    const gke = oneOfType(r, GKE);
    expect(input(gke, "privateClusterConfig.enablePrivateEndpoint")).toBe(false);
    expect(input(gke, "privateClusterConfig.enablePrivateNodes")).toBe(true);
    expect(
      (input(gke, "masterAuthorizedNetworksConfig.cidrBlocks") as { cidrBlock: string }[]).map((b) => b.cidrBlock),
    ).toEqual(cidrs);
  });

  it("is never the whole internet in prod", async () => {
    await expectConfigError(
      "prod",
      ['tricloud:clusters.publicAccessCidrs=["0.0.0.0/0"]'],
      "tricloud:clusters.publicAccessCidrs",
    );
  });
});

describe("bad cluster config is rejected naming the key", () => {
  it.each([
    ["tricloud:clusters.aws.size=huge", "tricloud:clusters.aws.size"],
    ["tricloud:clusters.azure.size=xl", "tricloud:clusters.azure.size"],
    ["tricloud:clusters.gcp.maxNodes=0", "tricloud:clusters.gcp.maxNodes"],
    ["tricloud:kubernetesVersion=1.29", "tricloud:kubernetesVersion"],
    ["tricloud:kubernetesVersion=1.33.2", "tricloud:kubernetesVersion"],
  ])("%s", async (override, key) => {
    await expectConfigError("dev", [override], key);
  });
});
