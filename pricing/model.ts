import type { PriceUnit } from "./catalog";

/**
 * Cost components per resource type, in the manner of Infracost: each
 * resource type maps to components (name, price id in the catalog, the
 * price's unit, a monthly quantity). Usage-priced components take their
 * quantity from a usage profile and say "depends on usage" without one.
 *
 * Covering a new resource type is one entry: an estimator in COST_MODEL or,
 * when the type has no bill of its own, a reason in FREE. A test fails for
 * any type in the dev or prod plan that is in neither.
 */

export const HOURS_PER_MONTH = 730;
const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

/** A resource as the model sees it: its type and properties (plan inputs or engine outputs, which agree on these fields). */
export interface PricedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly props: Record<string, any>;
}

export interface ModelContext {
  /** Resources with the same parent (the same tricloud component) of one type. */
  siblings(type: string): PricedResource[];
  /** A usage quantity for this resource from the usage profile, if it gives one. */
  usage(key: string): number | undefined;
}

export interface CostComponent {
  readonly name: string;
  readonly priceId: string;
  /** The unit the quantity is counted in; the catalog price must be per the same unit. */
  readonly per: PriceUnit;
  /** Monthly quantity; null when it depends on usage the profile does not give. */
  readonly quantity: number | null;
  readonly basis: "fixed" | "usage";
  readonly note?: string;
}

export type Estimator = (r: PricedResource, ctx: ModelContext) => CostComponent[];

const hours = (name: string, priceId: string, count = 1, note?: string): CostComponent => ({ name, priceId, per: "hour", quantity: HOURS_PER_MONTH * count, basis: "fixed", ...(note ? { note } : {}) });
const months = (name: string, priceId: string, count = 1): CostComponent => ({ name, priceId, per: "month", quantity: count, basis: "fixed" });
const usage = (name: string, priceId: string, per: PriceUnit, quantity: number | undefined, key: string): CostComponent => ({
  name,
  priceId,
  per,
  quantity: quantity ?? null,
  basis: "usage",
  ...(quantity === undefined ? { note: `depends on usage (usage key "${key}")` } : {}),
});
const num = (v: unknown, fallback: number): number => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : fallback);

/** GCP zones end in a letter ("us-central1-a"); regions do not. */
const isGcpZone = (location: unknown) => typeof location === "string" && /-[a-z]$/.test(location);

/** Cloud Functions (1st gen) CPU clock per memory size, from the tier table of its pricing page. */
const GCF_GHZ: Record<number, number> = { 128: 0.2, 256: 0.4, 512: 0.8, 1024: 1.4, 2048: 2.4, 4096: 4.8, 8192: 4.8 };

function functionUsage(ctx: ModelContext, memoryMb: number, prefix: string, extraGhz?: number): CostComponent[] {
  const requests = ctx.usage("monthlyRequests");
  const durationMs = ctx.usage("averageDurationMs");
  const seconds = requests !== undefined && durationMs !== undefined ? (requests * durationMs) / 1000 : undefined;
  const out = [
    usage("Requests", `${prefix}.requests`, "1M requests", requests === undefined ? undefined : requests / 1e6, "monthlyRequests"),
    usage(`Duration (${memoryMb} MB)`, `${prefix}.gb-seconds`, "GB-second", seconds === undefined ? undefined : (seconds * memoryMb) / 1024, "monthlyRequests, averageDurationMs"),
  ];
  if (extraGhz !== undefined) out.push(usage(`CPU time (${extraGhz} GHz)`, `${prefix}.ghz-seconds`, "GHz-second", seconds === undefined ? undefined : seconds * extraGhz, "monthlyRequests, averageDurationMs"));
  return out;
}

export const COST_MODEL: Readonly<Record<string, Estimator>> = {
  // --- AWS ---
  "aws:eks/cluster:Cluster": (r) => {
    const extended = r.props.upgradePolicy?.supportType === "EXTENDED";
    return [hours(`EKS control plane (${extended ? "extended" : "standard"} support)`, `aws.eks.control-plane.${extended ? "extended" : "standard"}`)];
  },
  "aws:eks/nodeGroup:NodeGroup": (r) => {
    const type = String(r.props.instanceTypes?.[0] ?? "t3.medium"); // EKS's default when none is given
    const count = num(r.props.scalingConfig?.desiredSize, 1);
    const spot = r.props.capacityType === "SPOT";
    return [hours(`Instance usage (Linux, ${spot ? "spot" : "on-demand"}, ${type}) x ${count}`, `aws.ec2.${type}${spot ? ".spot" : ""}`, count)];
  },
  "aws:rds/instance:Instance": (r, ctx) => {
    const multiAz = r.props.multiAz === true;
    const engine = String(r.props.engine ?? "postgres");
    const storageType = String(r.props.storageType ?? "gp2");
    const storage = num(r.props.allocatedStorage, 20);
    return [
      // Multi-AZ runs a standby of the same class: twice the instance hours (AWS docs).
      hours(`Database instance (${engine}, ${r.props.instanceClass}${multiAz ? ", Multi-AZ" : ""})`, `aws.rds.${engine}.${r.props.instanceClass}`, multiAz ? 2 : 1),
      { name: `Storage (${storageType}${multiAz ? ", Multi-AZ" : ""}, ${storage} GB)`, priceId: `aws.rds.storage.${storageType}${multiAz ? ".multi-az" : ""}`, per: "GB-month", quantity: storage, basis: "fixed" },
      usage("Backup storage beyond the database's size", "aws.rds.backup-storage", "GB-month", ctx.usage("backupStorageGb"), "backupStorageGb"),
    ];
  },
  "aws:ec2/natGateway:NatGateway": (_r, ctx) => [
    hours("NAT gateway", "aws.ec2.nat-gateway"),
    usage("Data processed", "aws.ec2.nat-gateway.data", "GB", ctx.usage("monthlyDataProcessedGb"), "monthlyDataProcessedGb"),
  ],
  "aws:ec2/eip:Eip": () => [hours("Public IPv4 address", "aws.ec2.public-ipv4")],
  "aws:kms/key:Key": () => [months("Customer managed key", "aws.kms.key")],
  "aws:cloudwatch/logGroup:LogGroup": (_r, ctx) => [
    usage("Log ingestion", "aws.cloudwatch.logs.ingestion", "GB", ctx.usage("monthlyIngestedGb"), "monthlyIngestedGb"),
    usage("Log storage", "aws.cloudwatch.logs.storage", "GB-month", ctx.usage("storedGb"), "storedGb"),
  ],
  "aws:ecr/repository:Repository": (_r, ctx) => [usage("Image storage", "aws.ecr.storage", "GB-month", ctx.usage("storageGb"), "storageGb")],
  "aws:lambda/function:Function": (r, ctx) => functionUsage(ctx, num(r.props.memorySize, 128), "aws.lambda"),

  // --- Azure ---
  "azure-native:containerservice:ManagedCluster": (r) => {
    const tier = String(r.props.sku?.tier ?? "Free");
    const pools = (r.props.agentPoolProfiles ?? []) as Record<string, any>[];
    return [
      hours(`AKS control plane (${tier} tier)`, `azure.aks.${tier.toLowerCase()}`),
      ...pools.map((p) => hours(`System pool ${p.name} (${p.vmSize}) x ${num(p.count, 1)}`, `azure.vm.${p.vmSize}`, num(p.count, 1))),
    ];
  },
  "azure-native:containerservice:AgentPool": (r) => {
    const count = num(r.props.count, 1);
    return [hours(`Node pool ${r.props.agentPoolName ?? r.name} (${r.props.vmSize}) x ${count}`, `azure.vm.${r.props.vmSize}`, count)];
  },
  "azure-native:dbforpostgresql:Server": (r, ctx) => {
    const mode = String(r.props.highAvailability?.mode ?? "Disabled");
    const ha = mode === "ZoneRedundant" || mode === "SameZone";
    const storage = num(r.props.storage?.storageSizeGB, 32);
    const standby = ha ? "standby billed like the primary (x2; not confirmed by Microsoft, see catalog)" : undefined;
    return [
      hours(`Flexible Server compute (${r.props.sku?.name}${ha ? `, ${mode} HA` : ""})`, `azure.postgres.${r.props.sku?.name}`, ha ? 2 : 1, standby),
      { name: `Storage (${storage} GB${ha ? ", with standby" : ""})`, priceId: "azure.postgres.storage", per: "GB-month", quantity: storage * (ha ? 2 : 1), basis: "fixed", ...(standby ? { note: standby } : {}) },
      usage("Backup storage beyond the free allowance", "azure.postgres.backup-storage", "GB-month", ctx.usage("backupStorageGb"), "backupStorageGb"),
    ];
  },
  "azure-native:containerregistry:Registry": (r) => {
    const sku = String(r.props.sku?.name ?? "Basic");
    return [{ name: `Container registry (${sku})`, priceId: `azure.acr.${sku.toLowerCase()}`, per: "day", quantity: DAYS_PER_MONTH, basis: "fixed" }];
  },
  "azure-native:network:NatGateway": (_r, ctx) => [
    hours("NAT gateway", "azure.nat-gateway"),
    usage("Data processed", "azure.nat-gateway.data", "GB", ctx.usage("monthlyDataProcessedGb"), "monthlyDataProcessedGb"),
  ],
  "azure-native:network:PublicIPAddress": (r) => [hours(`Public IPv4 address (${r.props.sku?.name ?? "Standard"})`, `azure.public-ip.${String(r.props.sku?.name ?? "Standard").toLowerCase()}`)],
  "azure-native:privatedns:PrivateZone": () => [months("Private DNS zone", "azure.privatedns.zone")],
  "azure-native:web:WebApp": (r, ctx) =>
    // Function apps on the Consumption plan bill per execution; other apps bill through their App Service plan.
    String(r.props.kind ?? "").includes("functionapp") ? functionUsage(ctx, 1536, "azure.functions.consumption") : [],

  // --- GCP ---
  "gcp:container/cluster:Cluster": () => [hours("GKE cluster management fee", "gcp.gke.cluster-management")],
  "gcp:container/nodePool:NodePool": (r, ctx) => {
    const machine = String(r.props.nodeConfig?.machineType ?? "e2-medium"); // GKE's default machine type
    const cluster = ctx.siblings("gcp:container/cluster:Cluster")[0];
    // initialNodeCount is per zone: a zonal pool has one zone, a regional one its node locations (GKE's default: 3).
    const zones = isGcpZone(r.props.location) ? 1 : (r.props.nodeLocations ?? cluster?.props.nodeLocations ?? [1, 2, 3]).length;
    const count = r.props.nodeCount !== undefined ? num(r.props.nodeCount, 1) * zones : num(r.props.initialNodeCount, 1) * zones;
    return [hours(`Instance usage (${machine}) x ${count}`, `gcp.compute.${machine}`, count)];
  },
  "gcp:sql/databaseInstance:DatabaseInstance": (r, ctx) => {
    const s = r.props.settings ?? {};
    const ha = s.availabilityType === "REGIONAL";
    const tier = String(s.tier ?? "");
    const disk = num(s.diskSize, 10);
    const diskType = s.diskType === "PD_HDD" ? "hdd" : "ssd";
    const edition = s.edition === "ENTERPRISE_PLUS" ? ".enterprise-plus" : "";
    const x = ha ? 2 : 1; // a regional instance bills a standby of the same shape
    const custom = /^db-custom-(\d+)-(\d+)$/.exec(tier);
    const compute: CostComponent[] = custom
      ? [
          { name: `vCPUs (${custom[1]}${ha ? ", regional" : ""})`, priceId: `gcp.cloudsql${edition}.vcpu`, per: "vCPU-hour", quantity: HOURS_PER_MONTH * Number(custom[1]) * x, basis: "fixed" },
          { name: `Memory (${Number(custom[2]) / 1024} GB${ha ? ", regional" : ""})`, priceId: `gcp.cloudsql${edition}.memory`, per: "GB-hour", quantity: (HOURS_PER_MONTH * Number(custom[2]) * x) / 1024, basis: "fixed" },
        ]
      : [hours(`Instance (${tier}${ha ? ", regional" : ""})`, `gcp.cloudsql${edition}.${tier}`, x)];
    return [
      ...compute,
      { name: `Storage (${diskType.toUpperCase()}, ${disk} GB${ha ? ", regional" : ""})`, priceId: `gcp.cloudsql.storage.${diskType}${ha ? ".ha" : ""}`, per: "GB-month", quantity: disk, basis: "fixed" },
      usage("Backup storage", "gcp.cloudsql.backup-storage", "GB-month", ctx.usage("backupStorageGb"), "backupStorageGb"),
    ];
  },
  "gcp:compute/routerNat:RouterNat": (_r, ctx) => [usage("Data processed", "gcp.cloudnat.data", "GB", ctx.usage("monthlyDataProcessedGb"), "monthlyDataProcessedGb")],
  "gcp:artifactregistry/repository:Repository": (_r, ctx) => [usage("Image storage", "gcp.artifactregistry.storage", "GB-month", ctx.usage("storageGb"), "storageGb")],
  "gcp:cloudfunctions/function:Function": (r, ctx) => {
    const memory = num(r.props.availableMemoryMb, 256);
    return functionUsage(ctx, memory, "gcp.cloudfunctions", GCF_GHZ[memory] ?? 4.8);
  },

  "aws:cloudwatch/metricAlarm:MetricAlarm": (r) => {
    // Metric math alarms bill each metric they read; a plain alarm reads one.
    const metrics = Math.max(1, ((r.props.metricQueries ?? []) as { metric?: unknown }[]).filter((q) => q.metric).length);
    const highRes = num(r.props.period, 60) < 60;
    return [months(`Alarm metrics (${highRes ? "high" : "standard"} resolution) x ${metrics}`, `aws.cloudwatch.alarm.${highRes ? "high-resolution" : "standard"}`, metrics)];
  },
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": () => [months("Composite alarm", "aws.cloudwatch.alarm.composite")],
  "aws:cloudwatch/dashboard:Dashboard": () => [months("Dashboard", "aws.cloudwatch.dashboard")],
  "aws:route53/healthCheck:HealthCheck": (r) => {
    const type = String(r.props.type ?? "HTTP");
    const features = [type.startsWith("HTTPS") && "HTTPS", type.endsWith("STR_MATCH") && "string matching", num(r.props.requestInterval, 30) === 10 && "fast interval", r.props.measureLatency === true && "latency"].filter(Boolean) as string[];
    const aws = /amazonaws\.com$/.test(String(r.props.fqdn ?? ""));
    return [
      months(`Health check (${aws ? "AWS" : "non-AWS"} endpoint)`, `aws.route53.health-check.${aws ? "aws" : "other"}-endpoint`),
      ...(features.length ? [months(`Optional features: ${features.join(", ")}`, "aws.route53.health-check.feature", features.length)] : []),
    ];
  },
  "azure-native:applicationinsights:WebTest": (r) => {
    const frequency = num(r.props.frequency, 300);
    const locations = ((r.props.locations ?? []) as unknown[]).length || 1;
    const executions = ((HOURS_PER_MONTH * 3600) / frequency) * locations;
    return [{ name: `Standard test runs (every ${frequency} s from ${locations} locations)`, priceId: "azure.appinsights.standard-test", per: "execution", quantity: executions, basis: "fixed" }];
  },
  "azure-native:monitor:MetricAlert": (r) => {
    // One time series per criterion; dimension splits would add more and are not knowable before deploy.
    const series = ((r.props.criteria?.allOf ?? []) as unknown[]).length || 1;
    return [months(`Metric alert time series x ${series}`, "azure.monitor.metric-alert", series)];
  },
  "azure-native:monitor:ScheduledQueryRule": () => [months("Log search alert rule", "azure.monitor.log-alert")],
  "azure-native:operationalinsights:Workspace": (_r, ctx) => [
    usage("Log ingestion", "azure.loganalytics.ingestion", "GB", ctx.usage("monthlyIngestedGb"), "monthlyIngestedGb"),
    usage("Retention beyond 31 days", "azure.loganalytics.retention", "GB-month", ctx.usage("storedGb"), "storedGb"),
  ],
  "gcp:monitoring/alertPolicy:AlertPolicy": (r) => {
    const conditions = ((r.props.conditions ?? []) as unknown[]).length || 1;
    return [months(`Alerting conditions x ${conditions}`, "gcp.monitoring.alert-condition", conditions)];
  },
  "gcp:logging/projectBucketConfig:ProjectBucketConfig": (_r, ctx) => [
    usage("Log ingestion", "gcp.logging.ingestion", "GB", ctx.usage("monthlyIngestedGb"), "monthlyIngestedGb"),
    usage("Retention beyond 30 days", "gcp.logging.retention", "GB-month", ctx.usage("storedGb"), "storedGb"),
  ],

  // --- Edge ---
  "cloudflare:index/loadBalancer:LoadBalancer": (_r, ctx) => {
    // Load Balancing is billed per account by origins: the base covers two, each further origin is extra.
    const origins = ctx.siblings("cloudflare:index/loadBalancerPool:LoadBalancerPool").reduce((n, p) => n + ((p.props.origins as unknown[] | undefined)?.length ?? 0), 0);
    const extra = Math.max(0, origins - 2);
    return [months("Load Balancing (2 origins included)", "cloudflare.load-balancing.base"), ...(extra ? [months(`Additional origins x ${extra}`, "cloudflare.load-balancing.extra-origin", extra)] : [])];
  },
  "vercel:index/project:Project": (_r, ctx) => [usage("Pro seats (the team's, not this project's alone)", "vercel.pro.seat", "month", ctx.usage("seats"), "seats")],
};

/** Resource types that carry no charge of their own, and why. */
export const FREE: Readonly<Record<string, string>> = {
  "aws:ec2/vpc:Vpc": "no charge for the VPC itself; traffic is usage, not modelled",
  "aws:ec2/subnet:Subnet": "no charge",
  "aws:ec2/routeTable:RouteTable": "no charge",
  "aws:ec2/routeTableAssociation:RouteTableAssociation": "no charge",
  "aws:ec2/internetGateway:InternetGateway": "no charge; data transfer out is usage, not modelled",
  "aws:ec2/securityGroup:SecurityGroup": "no charge",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "no charge",
  "aws:ec2/launchTemplate:LaunchTemplate": "no charge; its instances are priced through the node group",
  "aws:iam/role:Role": "IAM has no charge",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "IAM has no charge",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "IAM has no charge",
  "aws:rds/subnetGroup:SubnetGroup": "no charge",
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": "no charge; it lowers the repository's storage",
  "azure-native:resources:ResourceGroup": "no charge",
  "azure-native:network:VirtualNetwork": "no charge for the network itself; peering and traffic are usage, not modelled",
  "azure-native:network:Subnet": "no charge",
  "azure-native:managedidentity:UserAssignedIdentity": "no charge",
  "azure-native:authorization:RoleAssignment": "no charge",
  "azure-native:dbforpostgresql:Database": "billed through its Flexible Server",
  "azure-native:dbforpostgresql:Configuration": "a server parameter; no charge of its own",
  "azure-native:privatedns:VirtualNetworkLink": "billed through its private DNS zone (queries are usage, not modelled)",
  "gcp:compute/network:Network": "no charge for the network itself",
  "gcp:compute/subnetwork:Subnetwork": "no charge; flow logs are billed as Cloud Logging usage, not modelled",
  "gcp:compute/router:Router": "no charge (Cloud NAT on it is priced separately)",
  "gcp:compute/globalAddress:GlobalAddress": "internal ranges reserved for private services access have no charge",
  "gcp:servicenetworking/connection:Connection": "no charge",
  "gcp:serviceaccount/account:Account": "no charge",
  "gcp:projects/iAMMember:IAMMember": "no charge",
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": "no charge",
  "gcp:sql/database:Database": "billed through its Cloud SQL instance",
  "gcp:sql/user:User": "no charge",
  "cloudflare:index/dnsRecord:DnsRecord": "included in the zone's plan (the zone exists outside this program)",
  "cloudflare:index/zoneSetting:ZoneSetting": "included in the zone's plan",
  "cloudflare:index/ruleset:Ruleset": "included in the zone's plan (managed WAF rules need Pro or higher)",
  "cloudflare:index/loadBalancerPool:LoadBalancerPool": "priced through the load balancer's origin count",
  "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor": "included in Load Balancing",
  "vercel:index/projectDomain:ProjectDomain": "included in the team's plan",
  "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables": "included in the team's plan",
  "aws:budgets/budget:Budget": "budgets without actions have no charge",
  "aws:eks/addon:Addon": "the add-on is free; the metrics and logs it sends are CloudWatch usage, not modelled",
  "aws:sns/topic:Topic": "billed per notification; alert volumes stay within SNS's free tier (not modelled)",
  "aws:sns/topicSubscription:TopicSubscription": "no charge of its own",
  "azure-native:consumption:Budget": "Cost Management budgets have no charge",
  "azure-native:applicationinsights:Component": "workspace-based: its telemetry is billed as the Log Analytics workspace's ingestion",
  "azure-native:monitor:ActionGroup": "email notifications within the free monthly allowance (not modelled)",
  "azure-native:monitor:DiagnosticSetting": "no charge of its own; the logs are billed as the workspace's ingestion",
  "azure-native:portal:Dashboard": "no charge",
  "cloudflare:index/notificationPolicy:NotificationPolicy": "included in the account",
  "gcp:billing/budget:Budget": "no charge",
  "gcp:logging/projectSink:ProjectSink": "routing has no charge; the destination bills what it stores",
  "gcp:monitoring/dashboard:Dashboard": "no charge",
  "gcp:monitoring/notificationChannel:NotificationChannel": "no charge",
  "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": "free up to 1M executions a month per project (unverified); a few checks a minute stay far below",
  "random:index/randomPassword:RandomPassword": "computed locally by the provider",
  "random:index/randomString:RandomString": "computed locally by the provider",
};

/** Types the model must account for: cloud resources, not components, the stack or providers. */
export function needsPricing(type: string): boolean {
  return !type.startsWith("tricloud:") && !type.startsWith("pulumi:");
}
