import { get, type Props } from "./kit";

/**
 * Where each taggable resource type keeps its tags (AWS, Azure) or labels
 * (GCP). Types that cannot carry tags are listed in UNTAGGABLE with the
 * reason; a test fails for any cloud resource type in the dev or prod plan
 * that is in neither, so a new type is never silently unchecked.
 */
export const TAG_PATHS: Readonly<Record<string, string>> = {
  "aws:cloudwatch/logGroup:LogGroup": "tags",
  "aws:ec2/eip:Eip": "tags",
  "aws:ec2/internetGateway:InternetGateway": "tags",
  "aws:ec2/launchTemplate:LaunchTemplate": "tags",
  "aws:ec2/natGateway:NatGateway": "tags",
  "aws:ec2/routeTable:RouteTable": "tags",
  "aws:ec2/securityGroup:SecurityGroup": "tags",
  "aws:ec2/subnet:Subnet": "tags",
  "aws:ec2/vpc:Vpc": "tags",
  "aws:ec2/vpnGateway:VpnGateway": "tags",
  "aws:ec2/customerGateway:CustomerGateway": "tags",
  "aws:ec2/vpnConnection:VpnConnection": "tags",
  "azure-native:network:VirtualNetworkGateway": "tags",
  "azure-native:network:LocalNetworkGateway": "tags",
  "azure-native:network:VirtualNetworkGatewayConnection": "tags",
  "gcp:compute/haVpnGateway:HaVpnGateway": "labels",
  "gcp:compute/externalVpnGateway:ExternalVpnGateway": "labels",
  "gcp:compute/vPNTunnel:VPNTunnel": "labels",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "tags",
  "aws:ecr/repository:Repository": "tags",
  "aws:eks/cluster:Cluster": "tags",
  "aws:eks/nodeGroup:NodeGroup": "tags",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "tags",
  "aws:iam/role:Role": "tags",
  "aws:kms/key:Key": "tags",
  "aws:rds/instance:Instance": "tags",
  "aws:rds/subnetGroup:SubnetGroup": "tags",
  "aws:lambda/function:Function": "tags",
  "aws:cloudwatch/eventRule:EventRule": "tags",
  "aws:rds/proxy:Proxy": "tags",
  "aws:secretsmanager/secret:Secret": "tags",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "tags",
  "azure-native:containerregistry:Registry": "tags",
  "azure-native:containerservice:AgentPool": "tags",
  "azure-native:containerservice:ManagedCluster": "tags",
  "azure-native:dbforpostgresql:Server": "tags",
  "azure-native:managedidentity:UserAssignedIdentity": "tags",
  "azure-native:network:VirtualNetwork": "tags",
  "azure-native:network:NatGateway": "tags",
  "azure-native:network:PublicIPAddress": "tags",
  "azure-native:privatedns:PrivateZone": "tags",
  "azure-native:privatedns:VirtualNetworkLink": "tags",
  "azure-native:resources:ResourceGroup": "tags",
  "azure-native:web:WebApp": "tags",
  "azure-native:web:AppServicePlan": "tags",
  "azure-native:keyvault:Vault": "tags",
  "azure-native:keyvault:Secret": "tags",
  "azure-native:storage:StorageAccount": "tags",
  "azure-native:resources:Deployment": "tags",
  "gcp:artifactregistry/repository:Repository": "labels",
  "gcp:gkehub/membership:Membership": "labels",
  "gcp:gkehub/feature:Feature": "labels",
  "gcp:compute/globalAddress:GlobalAddress": "labels",
  "gcp:container/cluster:Cluster": "resourceLabels",
  "gcp:container/nodePool:NodePool": "nodeConfig.resourceLabels",
  "gcp:sql/databaseInstance:DatabaseInstance": "settings.userLabels",
  "gcp:cloudfunctions/function:Function": "labels",
  "gcp:cloudfunctionsv2/function:Function": "labels",
  "gcp:secretmanager/secret:Secret": "labels",
  "gcp:storage/bucket:Bucket": "labels",
  "aws:budgets/budget:Budget": "tags",
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": "tags",
  "aws:cloudwatch/metricAlarm:MetricAlarm": "tags",
  "aws:eks/addon:Addon": "tags",
  "aws:eks/capability:Capability": "tags",
  "aws:route53/healthCheck:HealthCheck": "tags",
  "aws:sns/topic:Topic": "tags",
  "azure-native:applicationinsights:Component": "tags",
  "azure-native:applicationinsights:WebTest": "tags",
  "azure-native:monitor:ActionGroup": "tags",
  "azure-native:monitor:MetricAlert": "tags",
  "azure-native:monitor:ScheduledQueryRule": "tags",
  "azure-native:operationalinsights:Workspace": "tags",
  "azure-native:portal:Dashboard": "tags",
  "gcp:monitoring/alertPolicy:AlertPolicy": "userLabels",
  "gcp:monitoring/notificationChannel:NotificationChannel": "userLabels",
  "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": "userLabels",
};

export const UNTAGGABLE: Readonly<Record<string, string>> = {
  "aws:ec2/routeTableAssociation:RouteTableAssociation": "the provider has no tags argument",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "the provider has no tags argument",
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "the provider has no tags argument",
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": "the provider has no tags argument",
  "azure-native:authorization:RoleAssignment": "role assignments have no tags",
  "azure-native:managedidentity:FederatedIdentityCredential": "a child of the identity, which carries the tags",
  "azure-native:dbforpostgresql:Database": "a child of the server, which carries the tags",
  "azure-native:dbforpostgresql:Configuration": "a server parameter; the server carries the tags",
  "azure-native:network:Subnet": "subnets have no tags; the virtual network carries them",
  "gcp:compute/network:Network": "VPC networks take no labels",
  "gcp:compute/subnetwork:Subnetwork": "subnetworks take no labels",
  "gcp:compute/router:Router": "routers take no labels",
  "gcp:compute/routerNat:RouterNat": "Cloud NAT takes no labels",
  "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation": "the provider has no tags argument",
  "gcp:compute/firewall:Firewall": "firewall rules take no labels",
  "gcp:compute/routerInterface:RouterInterface": "a part of its Cloud Router, which takes no labels",
  "gcp:compute/routerPeer:RouterPeer": "a part of its Cloud Router, which takes no labels",
  "gcp:servicenetworking/connection:Connection": "no labels",
  "gcp:serviceaccount/account:Account": "service accounts take no labels",
  "gcp:projects/iAMMember:IAMMember": "IAM bindings take no labels",
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": "IAM bindings take no labels",
  "gcp:sql/database:Database": "a child of the instance, which carries the labels",
  "gcp:sql/user:User": "no labels",
  "aws:cloudwatch/dashboard:Dashboard": "the provider has no tags argument",
  "aws:sns/topicSubscription:TopicSubscription": "the provider has no tags argument",
  "azure-native:monitor:DiagnosticSetting": "diagnostic settings have no tags",
  "gcp:billing/budget:Budget": "budgets take no labels",
  "azure-native:consumption:Budget": "Cost Management budgets take no tags",
  "gcp:logging/projectBucketConfig:ProjectBucketConfig": "log buckets take no labels",
  "gcp:logging/projectSink:ProjectSink": "sinks take no labels",
  "gcp:monitoring/dashboard:Dashboard": "dashboards take no labels",
  "aws:cloudwatch/eventTarget:EventTarget": "the provider has no tags argument; the rule carries them",
  "aws:iam/rolePolicy:RolePolicy": "an inline policy of its role, which carries the tags",
  "aws:lambda/functionUrl:FunctionUrl": "the provider has no tags argument; the function carries them",
  "aws:lambda/permission:Permission": "a statement in the function's resource policy; no tags",
  "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup":
    "the provider has no tags argument; the proxy carries them",
  "aws:rds/proxyTarget:ProxyTarget": "the provider has no tags argument; the proxy carries them",
  "aws:secretsmanager/secretVersion:SecretVersion": "versions have no tags; the secret carries them",
  "azure-native:authorization:ManagementLockByScope": "management locks have no tags",
  "azure-native:storage:BlobContainer": "containers take metadata, not tags; the storage account carries them",
  "azure-native:kubernetesconfiguration:Extension":
    "a cluster extension resource has no tags property; the cluster carries them",
  "azure-native:kubernetesconfiguration:FluxConfiguration":
    "a Flux configuration has no tags property; the cluster carries them",
  "gcp:gkehub/featureMembership:FeatureMembership": "no labels field; its feature and membership carry them",
  "gcp:serviceaccount/iAMMember:IAMMember": "an IAM binding has no labels",
  "azure-native:storage:Blob":
    "blobs take metadata and index tags, not resource tags; the storage account carries them",
  "azure-native:web:WebAppApplicationSettings":
    "the app's settings, a child of the Function App, which carries the tags",
  "command:local:Command": "a step the deployer runs (the Azure function package deploy), not a cloud resource",
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": "IAM bindings take no labels",
  "gcp:cloudscheduler/job:Job": "Cloud Scheduler jobs take no labels",
  "gcp:secretmanager/secretIamMember:SecretIamMember": "IAM bindings take no labels",
  "gcp:secretmanager/secretVersion:SecretVersion": "versions take no labels; the secret carries them",
  "gcp:storage/bucketObject:BucketObject": "objects take metadata, not labels; the bucket carries them",
  "gcp:projects/service:Service": "enabled service APIs take no labels",
  "gcp:storage/bucketIAMMember:BucketIAMMember": "IAM bindings take no labels",
};

/** Whole providers without tags: the edge and local helpers (random values, TLS keys generated by the provider). */
export const UNTAGGABLE_PACKAGES: readonly string[] = ["cloudflare", "vercel", "random", "tls"];

export function tagsOf(type: string, props: Props): Record<string, string> | undefined {
  const path = TAG_PATHS[type];
  const tags = path ? get(props, path) : undefined;
  return tags && typeof tags === "object" ? (tags as Record<string, string>) : undefined;
}

/**
 * The environment a resource belongs to: its `environment` tag or label,
 * else the policy's configured environment, else "prod" so that an unlabelled
 * resource gets the strictest checks.
 */
export function environmentOf(type: string, props: Props, configured?: string): string {
  return tagsOf(type, props)?.environment ?? configured ?? "prod";
}
