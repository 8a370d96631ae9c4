import { generateKeyPairSync } from "node:crypto";
import type { AwsGitOpsArgs } from "../../components/aws/gitops";
import type { AzureGitOpsArgs } from "../../components/azure/gitops";
import type { AzureVpnGatewayArgs } from "../../components/azure/vpn";
import { tunnelPlan } from "../../components/shared/cross-cloud";
import type { GcpGitOpsArgs } from "../../components/gcp/gitops";
import type {
  FunctionHostBaseArgs,
  KubernetesClusterBaseArgs,
  PostgresDatabaseBaseArgs,
} from "../../components/shared/platform";
import type { Tags } from "../../components/shared/tags";

/** The fewest arguments the components share, at dev sizes. */
export const TAGS: Tags = { owner: "platform", "cost-center": "cc-1", environment: "dev", "managed-by": "tricloud" };

export const CLUSTER: KubernetesClusterBaseArgs = {
  kubernetesVersion: "1.36",
  nodePool: { size: "small", minNodes: 1, desiredNodes: 2, maxNodes: 3 },
  publicAccessCidrs: [],
  production: false,
  tags: TAGS,
};

export const DATABASE: PostgresDatabaseBaseArgs = {
  postgresVersion: "17",
  size: "small",
  storageGb: 20,
  highAvailability: false,
  backupRetentionDays: 7,
  production: false,
  tags: TAGS,
};

const { privateKey } = generateKeyPairSync("ed25519");

export const FUNCTIONS: FunctionHostBaseArgs = {
  environment: "dev",
  privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  publicKeysJson: "{}",
  peerUrls: {},
  memoryMb: 512,
  maxInstances: 5,
  reconcileEveryMinutes: 1,
  logRetentionDays: 30,
  tags: TAGS,
};

/** What every cloud's observability component takes besides its targets. */
export const OBSERVABILITY = {
  environment: "dev",
  emails: ["ops@example.com"],
  logRetentionDays: 30,
  sloTarget: 99.9,
  p99LatencyMs: 200,
  uptime: { apiHostname: "api.example.com", originHostname: "origin.example.com" },
};

/** Each cloud's GitOps component at dev (without the mesh; the mesh tests add it). GCP's also takes the project's APIs. */
export const AWS_GITOPS: AwsGitOpsArgs = {
  clusterName: "dev-eks",
  idcInstanceArn: "arn:aws:sso:::instance/ssoins-1234567890abcdef",
  repositoryArn: "arn:aws:ecr:us-west-2:123456789012:repository/tricloud/dev",
  tags: TAGS,
};

export const AZURE_GITOPS: AzureGitOpsArgs = {
  resourceGroupName: "rg-dev",
  location: "eastus",
  environment: "dev",
  domain: "tricloud-dev.example",
  clusterName: "dev-aks",
  kubeletClientId: "00000000-0000-0000-0000-000000000001",
  kubeletObjectId: "00000000-0000-0000-0000-000000000002",
  syncIntervalSeconds: 120,
  production: false,
  tags: TAGS,
};

export const GCP_GITOPS: Omit<GcpGitOpsArgs, "apis"> = {
  project: "tricloud-unit",
  clusterId: "projects/tricloud-unit/locations/us-central1/clusters/dev-gke",
  clusterName: "dev-gke",
  workloadPool: "tricloud-unit.svc.id.goog",
  region: "us-central1",
  syncIntervalSeconds: 120,
  labels: { environment: "dev" },
};

/** An Azure VPN gateway at the defaults (VpnGw1AZ, ASN 65515, the default tunnel range), in a unit resource group. */
export const AZURE_VPN_GATEWAY: AzureVpnGatewayArgs = {
  resourceGroupName: "rg",
  location: "eastus",
  gatewaySubnetId:
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/GatewaySubnet",
  gatewayName: "tricloud-unit-vpn",
  sku: "VpnGw1AZ",
  asn: 65515,
  apipa: tunnelPlan("169.254.21.0/24").azureApipa,
  zones: ["1", "2", "3"],
  tags: TAGS,
};
