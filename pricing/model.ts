import { MACHINE_SPECS, type Cloud } from "@tricloud/vocabulary/sizes";
import { nodesNeeded, poolMaxNodesOf, serviceFloorOf } from "./capacity";
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
  /** Every resource of one type in the stack (a resource priced by another component's, like RDS Proxy by its database). */
  ofType(type: string): PricedResource[];
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

/** The Flex Consumption scaling groups of the quorum's Azure bundle: its HTTP triggers share one, its timer has its own. */
const FLEX_SCALING_GROUPS = 2;
const hours = (name: string, priceId: string, count = 1, note?: string): CostComponent => ({
  name,
  priceId,
  per: "hour",
  quantity: HOURS_PER_MONTH * count,
  basis: "fixed",
  ...(note ? { note } : {}),
});
const months = (name: string, priceId: string, count = 1, note?: string): CostComponent => ({
  name,
  priceId,
  per: "month",
  quantity: count,
  basis: "fixed",
  ...(note ? { note } : {}),
});
const usage = (
  name: string,
  priceId: string,
  per: PriceUnit,
  quantity: number | undefined,
  key: string,
): CostComponent => ({
  name,
  priceId,
  per,
  quantity: quantity ?? null,
  basis: "usage",
  ...(quantity === undefined ? { note: `depends on usage (usage key "${key}")` } : {}),
});
const num = (v: unknown, fallback: number): number =>
  typeof v === "number" && Number.isFinite(v)
    ? v
    : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))
      ? Number(v)
      : fallback;

/**
 * How many nodes a workload pool must run beyond its own count to hold what the services request at their floor; never
 * more than the cluster's autoscaler may add (its maximum, the Stack's `workloads.<cloud>.capacity.maxNodes`): past it
 * pods stay pending rather than cost money, and the capacity policy warns.
 */
function extraFloorNodes(ctx: ModelContext, cloud: Cloud, machine: string, poolNodes: number): number {
  const outputs = ctx.ofType("pulumi:pulumi:Stack")[0]?.props;
  const floor = serviceFloorOf(outputs, cloud);
  if (!floor || !MACHINE_SPECS[machine]) return 0;
  const max = poolMaxNodesOf(outputs, cloud);
  const needed = Math.max(0, nodesNeeded(cloud, machine, floor) - poolNodes);
  return max === undefined ? needed : Math.min(needed, Math.max(0, max - poolNodes));
}

/**
 * The nodes a workload pool must run beyond its own count to hold what the services request at their replica floor
 * (the Stack's output `workloads`): the autoscalers add them, so they are a fixed cost, not usage.
 */
function serviceFloorNodes(
  ctx: ModelContext,
  cloud: Cloud,
  machine: string,
  poolNodes: number,
  priceId: string,
  note?: string,
): CostComponent[] {
  const extra = extraFloorNodes(ctx, cloud, machine, poolNodes);
  if (extra <= 0) return [];
  return [
    hours(`Nodes the services' replica floor needs above the pool (${machine}) x ${extra}`, priceId, extra, note),
  ];
}

/**
 * The Applications the EKS Argo CD capability manages, each billed per hour: those rendered for the AWS cluster (the
 * Stack's output `workloads.aws.objects`, one per Helm release) and the bootstrap Application that syncs the rest
 * (scripts/publish-manifests.mjs creates it through the capability's API).
 */
export function argoCdApplicationsOf(stackOutputs: Record<string, any> | undefined): number {
  const objects: unknown = stackOutputs?.workloads?.aws?.objects;
  const rendered = Array.isArray(objects)
    ? objects.filter((o) => o?.apiVersion === "argoproj.io/v1alpha1" && o?.kind === "Application").length
    : 0;
  return rendered + 1;
}

/** Every off-hours saving line's name starts with this (the plan's cost section and the comment sum them). */
export const OFF_HOURS_LINE = "Off-hours scale-to-zero";

/**
 * Hours a month the services are scaled to zero: the Stack's output `schedule` (stacks/schedule.ts), which counts
 * them in a month of `hoursPerMonth` hours; rescaled to this model's month.
 */
export function offHoursOf(stackOutputs: Record<string, any> | undefined): number | undefined {
  const s = stackOutputs?.schedule;
  const off = Number(s?.hoursOffPerMonth);
  const month = Number(s?.hoursPerMonth);
  if (!Number.isFinite(off) || !Number.isFinite(month) || month <= 0 || off <= 0) return undefined;
  return (Math.min(off, month) / month) * HOURS_PER_MONTH;
}

/**
 * The saving of an off-hours schedule on one pool, as a negative line: hours off x the nodes that go away x their
 * price. Only nodes the pool's autoscaler may remove count (those above what stays up, `staying`).
 */
function offHoursSaving(
  ctx: ModelContext,
  machine: string,
  pricedNodes: number,
  staying: number,
  priceId: string,
  stays: string,
): CostComponent[] {
  const off = offHoursOf(ctx.ofType("pulumi:pulumi:Stack")[0]?.props);
  const scaled = pricedNodes - Math.min(pricedNodes, Math.max(0, staying));
  if (off === undefined || scaled <= 0) return [];
  const h = Math.round(off * 100) / 100;
  return [
    {
      name: `${OFF_HOURS_LINE}: ${machine} x ${scaled} off ${h} of ${HOURS_PER_MONTH} h`,
      priceId,
      per: "hour",
      quantity: -off * scaled,
      basis: "fixed",
      note: `tricloud:schedule scales the services to zero off hours and the autoscaler removes these nodes; ${stays}`,
    },
  ];
}

/** GCP zones end in a letter ("us-central1-a"); regions do not. */
const isGcpZone = (location: unknown) => typeof location === "string" && /-[a-z]$/.test(location);

/** Cloud Functions (1st gen) CPU clock per memory size, from the tier table of its pricing page. */
const GCF_GHZ: Record<number, number> = { 128: 0.2, 256: 0.4, 512: 0.8, 1024: 1.4, 2048: 2.4, 4096: 4.8, 8192: 4.8 };

function functionUsage(
  ctx: ModelContext,
  memoryMb: number,
  prefix: string,
  extraGhz?: number,
  durationPriceId = `${prefix}.gb-seconds`,
  durationLabel = `${memoryMb} MB`,
): CostComponent[] {
  const requests = ctx.usage("monthlyRequests");
  const durationMs = ctx.usage("averageDurationMs");
  const seconds = requests !== undefined && durationMs !== undefined ? (requests * durationMs) / 1000 : undefined;
  const out = [
    usage(
      "Requests",
      `${prefix}.requests`,
      "1M requests",
      requests === undefined ? undefined : requests / 1e6,
      "monthlyRequests",
    ),
    usage(
      `Duration (${durationLabel})`,
      durationPriceId,
      "GB-second",
      seconds === undefined ? undefined : (seconds * memoryMb) / 1024,
      "monthlyRequests, averageDurationMs",
    ),
  ];
  if (extraGhz !== undefined)
    out.push(
      usage(
        `CPU time (${extraGhz} GHz)`,
        `${prefix}.ghz-seconds`,
        "GHz-second",
        seconds === undefined ? undefined : seconds * extraGhz,
        "monthlyRequests, averageDurationMs",
      ),
    );
  return out;
}

/** "512Mi", "1Gi", "256M", "2G" (Cloud Run quantities) -> MiB; the fallback when absent or unreadable. */
function mebibytes(v: unknown, fallback: number): number {
  const m = typeof v === "string" ? /^(\d+(?:\.\d+)?)\s*(Mi|Gi|M|G|k|Ki)?$/.exec(v.trim()) : null;
  if (!m) return typeof v === "number" ? v : fallback;
  const n = Number(m[1]);
  switch (m[2]) {
    case "Gi":
      return n * 1024;
    case "G":
      return (n * 1e9) / 2 ** 20;
    case "M":
      return (n * 1e6) / 2 ** 20;
    case "Ki":
      return n / 1024;
    case "k":
      return (n * 1e3) / 2 ** 20;
    case "Mi":
      return n;
    default:
      return n / 2 ** 20; // bytes
  }
}

/** Cloud Functions (2nd gen)'s default vCPUs for a memory size when availableCpu is not set (its memory/CPU table). */
function gcfGen2DefaultCpu(memoryMib: number): number {
  if (memoryMib <= 128) return 0.083;
  if (memoryMib <= 256) return 0.167;
  if (memoryMib <= 512) return 0.333;
  if (memoryMib <= 1024) return 0.583;
  if (memoryMib <= 2048) return 1;
  if (memoryMib <= 8192) return 2;
  if (memoryMib <= 16384) return 4;
  return 8;
}

/** vCPUs of an RDS instance class: up to "large" 2 (t3, m6g, r6g), "xlarge" 4, "Nxlarge" 4N. */
function rdsVcpus(instanceClass: unknown): number | undefined {
  const m =
    typeof instanceClass === "string" ? /\.(\d*)(nano|micro|small|medium|large|xlarge)$/.exec(instanceClass) : null;
  if (!m) return undefined;
  if (m[2] !== "xlarge") return 2;
  return 4 * (m[1] ? Number(m[1]) : 1);
}

/**
 * A GKE node pool's nodes as the model counts them: its own (initial count per zone x its zones), those the services'
 * replica floor adds above it, and how many stay up off hours.
 */
function gkePoolNodes(
  r: PricedResource,
  ctx: ModelContext,
): { machine: string; count: number; extra: number; staying: number; only: boolean } {
  const machine = String(r.props.nodeConfig?.machineType ?? "e2-medium"); // GKE's default machine type
  const cluster = ctx.ofType("gcp:container/cluster:Cluster").find((c) => c.parent === r.parent);
  // initialNodeCount is per zone: a zonal pool has one zone, a regional one its node locations (GKE's default: 3).
  const zones = isGcpZone(r.props.location)
    ? 1
    : (r.props.nodeLocations ?? cluster?.props.nodeLocations ?? [1, 2, 3]).length;
  const count =
    r.props.nodeCount !== undefined ? num(r.props.nodeCount, 1) * zones : num(r.props.initialNodeCount, 1) * zones;
  const extra = extraFloorNodes(ctx, "gcp", machine, count);
  const a = r.props.autoscaling;
  const min = a ? num(a.totalMinNodeCount ?? num(a.minNodeCount, 0) * zones, 0) : count + extra;
  // The cluster's only pool keeps a node for kube-system's pods, whatever its minimum.
  const only = ctx.ofType("gcp:container/nodePool:NodePool").filter((p) => p.parent === r.parent).length === 1;
  return { machine, count, extra, staying: only ? Math.max(min, 1) : min, only };
}

/** Azure Functions plans that bill per execution on the function app, not per plan hour. */
const CONSUMPTION_TIERS = ["FlexConsumption", "Dynamic"];

export const COST_MODEL: Readonly<Record<string, Estimator>> = {
  // --- AWS ---
  "aws:eks/cluster:Cluster": (r, ctx) => {
    const extended = r.props.upgradePolicy?.supportType === "EXTENDED";
    const control = hours(
      `EKS control plane (${extended ? "extended" : "standard"} support)`,
      `aws.eks.control-plane.${extended ? "extended" : "standard"}`,
    );
    if (r.props.computeConfig?.enabled !== true) return [control];
    // EKS Auto Mode bills its own nodes (those above the node group) as EC2 plus a management fee; how many hours
    // they run depends on load, so they are usage priced, in m6i.large-equivalent hours. Never more than the NodePool's
    // limits allow running all month: the cluster's maximum minus the node group (Stack output workloads.aws.capacity).
    const max = poolMaxNodesOf(ctx.ofType("pulumi:pulumi:Stack")[0]?.props, "aws");
    const group = ctx.siblings("aws:eks/nodeGroup:NodeGroup")[0];
    const autoNodes =
      max === undefined || !group ? undefined : Math.max(0, max - num(group.props.scalingConfig?.desiredSize, 1));
    const asked = ctx.usage("autoModeNodeHours");
    const nodeHours =
      asked === undefined || autoNodes === undefined ? asked : Math.min(asked, autoNodes * HOURS_PER_MONTH);
    return [
      control,
      usage(
        "EKS Auto Mode nodes above the node group (EC2, m6i.large-equivalent hours)",
        "aws.ec2.m6i.large",
        "hour",
        nodeHours,
        "autoModeNodeHours",
      ),
      usage(
        "EKS Auto Mode management fee on those nodes",
        "aws.eks.auto-mode.m6i.large",
        "hour",
        nodeHours,
        "autoModeNodeHours",
      ),
    ];
  },
  "aws:eks/capability:Capability": (r, ctx) => {
    // Only Argo CD is priced here (the program creates no ACK or kro capability); another type is left unpriced.
    if (r.props.type !== "ARGOCD") return [];
    const apps = argoCdApplicationsOf(ctx.ofType("pulumi:pulumi:Stack")[0]?.props);
    return [
      hours("EKS Capability for Argo CD", "aws.eks.capability.argocd"),
      hours(
        `Argo CD Applications managed x ${apps}`,
        "aws.eks.capability.argocd.application",
        apps,
        "the Helm releases rendered as Applications, and the bootstrap Application the publish step creates",
      ),
    ];
  },
  "aws:eks/nodeGroup:NodeGroup": (r, ctx) => {
    const type = String(r.props.instanceTypes?.[0] ?? "t3.medium"); // EKS's default when none is given
    const count = num(r.props.scalingConfig?.desiredSize, 1);
    const spot = r.props.capacityType === "SPOT";
    const price = `aws.ec2.${type}${spot ? ".spot" : ""}`;
    const extra = extraFloorNodes(ctx, "aws", type, count);
    return [
      hours(`Instance usage (Linux, ${spot ? "spot" : "on-demand"}, ${type}) x ${count}`, price, count),
      ...serviceFloorNodes(
        ctx,
        "aws",
        type,
        count,
        price,
        "EKS Auto Mode launches these and picks their type (plus its management fee); priced as the node group's machine",
      ),
      // Nothing scales the node group (its desiredSize is the floor), so only Auto Mode's nodes above it go away.
      ...offHoursSaving(
        ctx,
        type,
        count + extra,
        count,
        price,
        `the node group's ${count} stay (nothing autoscales it; coredns and metrics-server run there)`,
      ),
    ];
  },
  "aws:rds/instance:Instance": (r, ctx) => {
    const multiAz = r.props.multiAz === true;
    const engine = String(r.props.engine ?? "postgres");
    const storageType = String(r.props.storageType ?? "gp2");
    const storage = num(r.props.allocatedStorage, 20);
    return [
      // Multi-AZ runs a standby of the same class: twice the instance hours (AWS docs).
      hours(
        `Database instance (${engine}, ${r.props.instanceClass}${multiAz ? ", Multi-AZ" : ""})`,
        `aws.rds.${engine}.${r.props.instanceClass}`,
        multiAz ? 2 : 1,
      ),
      {
        name: `Storage (${storageType}${multiAz ? ", Multi-AZ" : ""}, ${storage} GB)`,
        priceId: `aws.rds.storage.${storageType}${multiAz ? ".multi-az" : ""}`,
        per: "GB-month",
        quantity: storage,
        basis: "fixed",
      },
      usage(
        "Backup storage beyond the database's size",
        "aws.rds.backup-storage",
        "GB-month",
        ctx.usage("backupStorageGb"),
        "backupStorageGb",
      ),
    ];
  },
  "aws:ec2/natGateway:NatGateway": (_r, ctx) => [
    hours("NAT gateway", "aws.ec2.nat-gateway"),
    usage(
      "Data processed",
      "aws.ec2.nat-gateway.data",
      "GB",
      ctx.usage("monthlyDataProcessedGb"),
      "monthlyDataProcessedGb",
    ),
  ],
  "aws:ec2/eip:Eip": () => [hours("Public IPv4 address", "aws.ec2.public-ipv4")],
  // The cross-cloud VPN (components/{aws,azure,gcp}/vpn.ts). Data out is usage: what the mesh sends between clouds.
  "aws:ec2/vpnConnection:VpnConnection": (_r, ctx) => [
    hours("Site-to-Site VPN connection (2 tunnels)", "aws.vpn.connection"),
    usage(
      "Data transfer out",
      "aws.vpn.data-out",
      "GB",
      ctx.usage("monthlyDataTransferOutGb"),
      "monthlyDataTransferOutGb",
    ),
  ],
  "azure-native:network:VirtualNetworkGateway": (r, ctx) => {
    const sku = String(r.props.sku?.name ?? "VpnGw1AZ");
    // An active-active gateway runs a tunnel from each instance per connection; 10 are included (counting two per
    // connection errs high if Azure counts one).
    const perConnection = r.props.activeActive ? 2 : 1;
    const tunnels = ctx.ofType("azure-native:network:VirtualNetworkGatewayConnection").length * perConnection;
    const extra = Math.max(0, tunnels - 10);
    return [
      hours(`VPN gateway ${sku} (10 site-to-site tunnels included)`, `azure.vpn-gateway.${sku.toLowerCase()}`),
      ...(extra ? [hours(`Site-to-site tunnels beyond 10 x ${extra}`, "azure.vpn-gateway.s2s-tunnel", extra)] : []),
      usage(
        "Data transfer out",
        "azure.vpn-gateway.data-out",
        "GB",
        ctx.usage("monthlyDataTransferOutGb"),
        "monthlyDataTransferOutGb",
      ),
    ];
  },
  "gcp:compute/vPNTunnel:VPNTunnel": (_r, ctx) => [
    hours("HA VPN tunnel", "gcp.vpn.tunnel"),
    usage(
      "Data transfer out",
      "gcp.vpn.data-out",
      "GB",
      ctx.usage("monthlyDataTransferOutGb"),
      "monthlyDataTransferOutGb",
    ),
  ],

  "aws:kms/key:Key": () => [months("Customer managed key", "aws.kms.key")],
  "aws:cloudwatch/logGroup:LogGroup": (_r, ctx) => [
    usage("Log ingestion", "aws.cloudwatch.logs.ingestion", "GB", ctx.usage("monthlyIngestedGb"), "monthlyIngestedGb"),
    usage("Log storage", "aws.cloudwatch.logs.storage", "GB-month", ctx.usage("storedGb"), "storedGb"),
  ],
  "aws:ecr/repository:Repository": (_r, ctx) => [
    usage("Image storage", "aws.ecr.storage", "GB-month", ctx.usage("storageGb"), "storageGb"),
  ],
  "aws:lambda/function:Function": (r, ctx) => {
    const arm = ((r.props.architectures ?? []) as unknown[]).includes("arm64");
    const memory = num(r.props.memorySize, 128);
    return functionUsage(
      ctx,
      memory,
      "aws.lambda",
      undefined,
      arm ? "aws.lambda.arm64.gb-seconds" : "aws.lambda.gb-seconds",
      `${memory} MB, ${arm ? "arm64" : "x86"}`,
    );
  },
  "aws:secretsmanager/secret:Secret": (_r, ctx) => {
    const calls = ctx.usage("monthlyApiCalls");
    return [
      months("Secret", "aws.secretsmanager.secret"),
      usage(
        "API requests",
        "aws.secretsmanager.api-requests",
        "10K requests",
        calls === undefined ? undefined : calls / 1e4,
        "monthlyApiCalls",
      ),
    ];
  },
  "aws:rds/proxy:Proxy": (r, ctx) => {
    // Billed per vCPU-hour of the instances behind it, at least 2 vCPUs. The target names its instance by identifier.
    const ids = ctx
      .siblings("aws:rds/proxyTarget:ProxyTarget")
      .filter((t) => t.props.dbProxyName === undefined || t.props.dbProxyName === r.props.name)
      .map((t) => t.props.dbInstanceIdentifier);
    const instances = ctx
      .ofType("aws:rds/instance:Instance")
      .filter((i) => ids.some((id) => id !== undefined && (id === i.props.identifier || id === i.name)));
    const vcpus = instances.reduce((n, i) => n + (rdsVcpus(i.props.instanceClass) ?? 2), 0);
    const classes = instances.map((i) => i.props.instanceClass).join(", ");
    const billed = Math.max(2, vcpus);
    const note = !instances.length
      ? "target instance not found in the stack: billed at the 2-vCPU minimum"
      : instances.some((i) => i.props.multiAz === true)
        ? "the Multi-AZ standby's vCPUs are not counted (unverified)"
        : undefined;
    return [
      {
        name: `RDS Proxy (${billed} vCPUs${classes ? ` of ${classes}` : ""})`,
        priceId: "aws.rds.proxy.vcpu",
        per: "vCPU-hour",
        quantity: HOURS_PER_MONTH * billed,
        basis: "fixed",
        ...(note ? { note } : {}),
      },
    ];
  },

  // --- Azure ---
  "azure-native:containerservice:ManagedCluster": (r) => {
    const tier = String(r.props.sku?.tier ?? "Free");
    const pools = (r.props.agentPoolProfiles ?? []) as Record<string, any>[];
    return [
      hours(`AKS control plane (${tier} tier)`, `azure.aks.${tier.toLowerCase()}`),
      ...pools.map((p) =>
        hours(`System pool ${p.name} (${p.vmSize}) x ${num(p.count, 1)}`, `azure.vm.${p.vmSize}`, num(p.count, 1)),
      ),
    ];
  },
  "azure-native:containerservice:AgentPool": (r, ctx) => {
    const count = num(r.props.count, 1);
    const vmSize = String(r.props.vmSize);
    const extra = extraFloorNodes(ctx, "azure", vmSize, count);
    const min = r.props.enableAutoScaling === true ? num(r.props.minCount, count) : count + extra;
    return [
      hours(`Node pool ${r.props.agentPoolName ?? r.name} (${vmSize}) x ${count}`, `azure.vm.${vmSize}`, count),
      ...serviceFloorNodes(ctx, "azure", vmSize, count, `azure.vm.${vmSize}`),
      ...offHoursSaving(
        ctx,
        vmSize,
        count + extra,
        min,
        `azure.vm.${vmSize}`,
        `the pool keeps its minCount (${min}); the system pool stays`,
      ),
    ];
  },
  "azure-native:dbforpostgresql:Server": (r, ctx) => {
    const mode = String(r.props.highAvailability?.mode ?? "Disabled");
    const ha = mode === "ZoneRedundant" || mode === "SameZone";
    const storage = num(r.props.storage?.storageSizeGB, 32);
    const standby = ha ? "standby billed like the primary (x2; not confirmed by Microsoft, see catalog)" : undefined;
    return [
      hours(
        `Flexible Server compute (${r.props.sku?.name}${ha ? `, ${mode} HA` : ""})`,
        `azure.postgres.${r.props.sku?.name}`,
        ha ? 2 : 1,
        standby,
      ),
      {
        name: `Storage (${storage} GB${ha ? ", with standby" : ""})`,
        priceId: "azure.postgres.storage",
        per: "GB-month",
        quantity: storage * (ha ? 2 : 1),
        basis: "fixed",
        ...(standby ? { note: standby } : {}),
      },
      usage(
        "Backup storage beyond the free allowance",
        "azure.postgres.backup-storage",
        "GB-month",
        ctx.usage("backupStorageGb"),
        "backupStorageGb",
      ),
    ];
  },
  "azure-native:containerregistry:Registry": (r) => {
    const sku = String(r.props.sku?.name ?? "Basic");
    return [
      {
        name: `Container registry (${sku})`,
        priceId: `azure.acr.${sku.toLowerCase()}`,
        per: "day",
        quantity: DAYS_PER_MONTH,
        basis: "fixed",
      },
    ];
  },
  "azure-native:network:NatGateway": (_r, ctx) => [
    hours("NAT gateway", "azure.nat-gateway"),
    usage(
      "Data processed",
      "azure.nat-gateway.data",
      "GB",
      ctx.usage("monthlyDataProcessedGb"),
      "monthlyDataProcessedGb",
    ),
  ],
  "azure-native:network:PublicIPAddress": (r) => [
    hours(
      `Public IPv4 address (${r.props.sku?.name ?? "Standard"})`,
      `azure.public-ip.${String(r.props.sku?.name ?? "Standard").toLowerCase()}`,
    ),
  ],
  "azure-native:privatedns:PrivateZone": () => [months("Private DNS zone", "azure.privatedns.zone")],
  "azure-native:web:WebApp": (r, ctx) => {
    // Function apps on a Flex Consumption or Consumption plan bill per execution; other apps bill through their App Service plan.
    if (!String(r.props.kind ?? "").includes("functionapp")) return [];
    const tier = ctx.siblings("azure-native:web:AppServicePlan").map((p) => String(p.props.sku?.tier ?? ""))[0];
    if (tier === "FlexConsumption") {
      // Billed on the instance memory size while executing (GB-s), plus executions; 2048 MB is Flex Consumption's default.
      const memory = num(r.props.functionAppConfig?.scaleAndConcurrency?.instanceMemoryMB, 2048);
      const onDemand = functionUsage(
        ctx,
        memory,
        "azure.functions.flex",
        undefined,
        "azure.functions.flex.gb-seconds",
        `${memory} MB instances`,
      );
      // Zone redundancy keeps at least two always-ready instances per scaling group, whatever the app configures, billed
      // as always ready (https://learn.microsoft.com/en-us/azure/reliability/reliability-functions, Flex Consumption,
      // "Availability zone support"): the bundle's HTTP triggers are one group and its reconcile timer another.
      const zoneRedundant = ctx.siblings("azure-native:web:AppServicePlan").some((p) => p.props.zoneRedundant === true);
      if (!zoneRedundant) return onDemand;
      const instances = FLEX_SCALING_GROUPS * 2;
      return [
        ...onDemand,
        {
          name: `Always-ready baseline: zone redundancy keeps ${instances} instances of ${memory} MB (2 per scaling group: HTTP, reconcile timer)`,
          priceId: "azure.functions.flex.always-ready.baseline",
          per: "GB-second",
          quantity: instances * (memory / 1024) * HOURS_PER_MONTH * 3600,
          basis: "fixed",
        },
      ];
    }
    if (tier === undefined || tier === "Dynamic") return functionUsage(ctx, 1536, "azure.functions.consumption");
    return [];
  },
  "azure-native:web:AppServicePlan": (r) => {
    // Consumption tiers bill on the function app (executions); a dedicated or Premium plan bills its instances by the hour.
    const tier = String(r.props.sku?.tier ?? "");
    if (CONSUMPTION_TIERS.includes(tier)) return [];
    const sku = String(r.props.sku?.name ?? "unknown");
    const count = num(r.props.sku?.capacity, 1);
    return [hours(`App Service plan (${sku}) x ${count}`, `azure.appservice.${sku}`, count)];
  },
  "azure-native:keyvault:Vault": (_r, ctx) => {
    const ops = ctx.usage("monthlyOperations");
    return [
      usage(
        "Secret operations",
        "azure.keyvault.operations",
        "10K requests",
        ops === undefined ? undefined : ops / 1e4,
        "monthlyOperations",
      ),
    ];
  },
  "azure-native:storage:StorageAccount": (r, ctx) => {
    const sku = String(r.props.sku?.name ?? "Standard_LRS");
    const redundancy = sku.replace(/^\w+_/, "").toLowerCase();
    return [
      usage(
        `Blob storage (hot, ${sku})`,
        `azure.storage.blob.hot.${redundancy}`,
        "GB-month",
        ctx.usage("storageGb"),
        "storageGb",
      ),
    ];
  },

  // --- GCP ---
  "gcp:container/cluster:Cluster": () => [hours("GKE cluster management fee", "gcp.gke.cluster-management")],
  "gcp:container/nodePool:NodePool": (r, ctx) => {
    const { machine, count, extra, staying, only } = gkePoolNodes(r, ctx);
    const disk = String(r.props.nodeConfig?.diskType ?? "pd-balanced"); // GKE's default boot disk type
    const diskGb = num(r.props.nodeConfig?.diskSizeGb, 100); // GKE's default boot disk size
    const off = offHoursOf(ctx.ofType("pulumi:pulumi:Stack")[0]?.props);
    const scaled = count + extra - Math.min(count + extra, Math.max(0, staying));
    return [
      hours(`Instance usage (${machine}) x ${count}`, `gcp.compute.${machine}`, count),
      ...serviceFloorNodes(ctx, "gcp", machine, count, `gcp.compute.${machine}`),
      ...offHoursSaving(
        ctx,
        machine,
        count + extra,
        staying,
        `gcp.compute.${machine}`,
        `${staying} stay${only ? " (the cluster's only pool keeps a node for kube-system's pods)" : ""}`,
      ),
      // Each node's boot disk (nodeConfig.diskType, diskSizeGb), on the pool's nodes and those the replica floor adds.
      {
        name: `Node boot disks (${disk}, ${diskGb} GB) x ${count + extra}`,
        priceId: `gcp.disk.${disk}`,
        per: "GB-month",
        quantity: diskGb * (count + extra),
        basis: "fixed",
      },
      ...(off !== undefined && scaled > 0
        ? [
            {
              name: `${OFF_HOURS_LINE}: boot disks (${disk}, ${diskGb} GB) x ${scaled} off ${Math.round(off * 100) / 100} of ${HOURS_PER_MONTH} h`,
              priceId: `gcp.disk.${disk}`,
              per: "GB-month" as const,
              quantity: -(off / HOURS_PER_MONTH) * diskGb * scaled,
              basis: "fixed" as const,
              note: "a node the autoscaler removes is deleted with its boot disk",
            },
          ]
        : []),
    ];
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
          {
            name: `vCPUs (${custom[1]}${ha ? ", regional" : ""})`,
            priceId: `gcp.cloudsql${edition}.vcpu`,
            per: "vCPU-hour",
            quantity: HOURS_PER_MONTH * Number(custom[1]) * x,
            basis: "fixed",
          },
          {
            name: `Memory (${Number(custom[2]) / 1024} GB${ha ? ", regional" : ""})`,
            priceId: `gcp.cloudsql${edition}.memory`,
            per: "GB-hour",
            quantity: (HOURS_PER_MONTH * Number(custom[2]) * x) / 1024,
            basis: "fixed",
          },
        ]
      : [hours(`Instance (${tier}${ha ? ", regional" : ""})`, `gcp.cloudsql${edition}.${tier}`, x)];
    return [
      ...compute,
      {
        name: `Storage (${diskType.toUpperCase()}, ${disk} GB${ha ? ", regional" : ""})`,
        priceId: `gcp.cloudsql.storage.${diskType}${ha ? ".ha" : ""}`,
        per: "GB-month",
        quantity: disk,
        basis: "fixed",
      },
      usage(
        "Backup storage",
        "gcp.cloudsql.backup-storage",
        "GB-month",
        ctx.usage("backupStorageGb"),
        "backupStorageGb",
      ),
    ];
  },
  "gcp:compute/routerNat:RouterNat": (r, ctx) => {
    // Public NAT bills the gateway per VM using it (up to 32, then the capped rate) and each NAT IP by the hour. The VMs
    // are the GKE nodes the model counts (the pools' and the replica floor's); off hours the autoscaler removes some.
    const pools = ctx.ofType("gcp:container/nodePool:NodePool").map((p) => gkePoolNodes(p, ctx));
    const vms = pools.reduce((n, p) => n + p.count + p.extra, 0);
    const scaled = pools.reduce(
      (n, p) => n + p.count + p.extra - Math.min(p.count + p.extra, Math.max(0, p.staying)),
      0,
    );
    const off = offHoursOf(ctx.ofType("pulumi:pulumi:Stack")[0]?.props);
    // AUTO_ONLY allocates addresses as ports need them: at the default 64 ports a VM, one address serves 1,008 VMs.
    const ips =
      r.props.natIpAllocateOption === "MANUAL_ONLY"
        ? ((r.props.natIps as unknown[] | undefined)?.length ?? 0)
        : vms > 0
          ? Math.ceil(vms / 1008)
          : 0;
    return [
      ...(vms > 32
        ? [hours(`NAT gateway (${vms} VMs: more than 32, the capped rate)`, "gcp.cloudnat.gateway.capped")]
        : vms > 0
          ? [hours(`NAT gateway: VMs using it x ${vms}`, "gcp.cloudnat.gateway.vm", vms)]
          : []),
      ...(vms <= 32 && off !== undefined && scaled > 0
        ? [
            {
              name: `${OFF_HOURS_LINE}: NAT gateway VMs x ${scaled} off ${Math.round(off * 100) / 100} of ${HOURS_PER_MONTH} h`,
              priceId: "gcp.cloudnat.gateway.vm",
              per: "hour" as const,
              quantity: -off * scaled,
              basis: "fixed" as const,
              note: "the nodes the autoscaler removes off hours stop using the gateway",
            },
          ]
        : []),
      ...(ips > 0 ? [hours(`NAT IP addresses x ${ips}`, "gcp.cloudnat.ip", ips)] : []),
      usage("Data processed", "gcp.cloudnat.data", "GB", ctx.usage("monthlyDataProcessedGb"), "monthlyDataProcessedGb"),
    ];
  },
  "gcp:artifactregistry/repository:Repository": (_r, ctx) => [
    usage("Image storage", "gcp.artifactregistry.storage", "GB-month", ctx.usage("storageGb"), "storageGb"),
  ],
  "gcp:cloudfunctions/function:Function": (r, ctx) => {
    const memory = num(r.props.availableMemoryMb, 256);
    return functionUsage(ctx, memory, "gcp.cloudfunctions", GCF_GHZ[memory] ?? 4.8);
  },
  "gcp:cloudfunctionsv2/function:Function": (r, ctx) => {
    // 2nd gen runs as a Cloud Run service and bills at Cloud Run's request-based rates: requests, vCPU-seconds, GiB-seconds.
    const sc = r.props.serviceConfig ?? {};
    const memory = mebibytes(sc.availableMemory, 256);
    const cpu =
      sc.availableCpu !== undefined ? num(sc.availableCpu, gcfGen2DefaultCpu(memory)) : gcfGen2DefaultCpu(memory);
    const requests = ctx.usage("monthlyRequests");
    const durationMs = ctx.usage("averageDurationMs");
    const seconds = requests !== undefined && durationMs !== undefined ? (requests * durationMs) / 1000 : undefined;
    const key = "monthlyRequests, averageDurationMs";
    return [
      usage(
        "Requests",
        "gcp.cloudrun.requests",
        "1M requests",
        requests === undefined ? undefined : requests / 1e6,
        "monthlyRequests",
      ),
      usage(
        `CPU (${cpu} vCPU)`,
        "gcp.cloudrun.vcpu-seconds",
        "vCPU-second",
        seconds === undefined ? undefined : seconds * cpu,
        key,
      ),
      usage(
        `Memory (${memory} MiB)`,
        "gcp.cloudrun.gib-seconds",
        "GB-second",
        seconds === undefined ? undefined : (seconds * memory) / 1024,
        key,
      ),
    ];
  },
  "gcp:cloudscheduler/job:Job": () => [months("Scheduler job", "gcp.cloudscheduler.job")],
  "gcp:secretmanager/secret:Secret": (_r, ctx) => {
    const ops = ctx.usage("monthlyAccessOperations");
    return [
      usage(
        "Access operations",
        "gcp.secretmanager.access",
        "10K requests",
        ops === undefined ? undefined : ops / 1e4,
        "monthlyAccessOperations",
      ),
    ];
  },
  "gcp:secretmanager/secretVersion:SecretVersion": (r, ctx) => {
    // Each active (enabled or disabled) version bills per location: automatic replication counts as one, user-managed as its replicas.
    const secrets = ctx.siblings("gcp:secretmanager/secret:Secret");
    const secretId = String(r.props.secret ?? "")
      .split("/")
      .pop();
    const secret =
      secrets.find((s) => s.props.secretId === secretId) ?? (secrets.length === 1 ? secrets[0] : undefined);
    const replicas = (secret?.props.replication?.userManaged?.replicas as unknown[] | undefined)?.length ?? 1;
    return [
      months(
        `Active secret version x ${replicas} location${replicas === 1 ? "" : "s"}`,
        "gcp.secretmanager.active-version",
        replicas,
      ),
    ];
  },
  "gcp:storage/bucket:Bucket": (r, ctx) => {
    const cls = String(r.props.storageClass ?? "STANDARD").toLowerCase();
    return [
      usage(
        `Storage (${cls}, ${r.props.location ?? "US"})`,
        `gcp.storage.${cls}`,
        "GB-month",
        ctx.usage("storageGb"),
        "storageGb",
      ),
    ];
  },

  "aws:cloudwatch/metricAlarm:MetricAlarm": (r) => {
    // Metric math alarms bill each metric they read; a plain alarm reads one.
    const metrics = Math.max(
      1,
      ((r.props.metricQueries ?? []) as { metric?: unknown }[]).filter((q) => q.metric).length,
    );
    const highRes = num(r.props.period, 60) < 60;
    return [
      months(
        `Alarm metrics (${highRes ? "high" : "standard"} resolution) x ${metrics}`,
        `aws.cloudwatch.alarm.${highRes ? "high-resolution" : "standard"}`,
        metrics,
      ),
    ];
  },
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": () => [months("Composite alarm", "aws.cloudwatch.alarm.composite")],
  "aws:cloudwatch/dashboard:Dashboard": () => [months("Dashboard", "aws.cloudwatch.dashboard")],
  "aws:route53/healthCheck:HealthCheck": (r) => {
    const type = String(r.props.type ?? "HTTP");
    const features = [
      type.startsWith("HTTPS") && "HTTPS",
      type.endsWith("STR_MATCH") && "string matching",
      num(r.props.requestInterval, 30) === 10 && "fast interval",
      r.props.measureLatency === true && "latency",
    ].filter(Boolean) as string[];
    const aws = /amazonaws\.com$/.test(String(r.props.fqdn ?? ""));
    return [
      months(
        `Health check (${aws ? "AWS" : "non-AWS"} endpoint)`,
        `aws.route53.health-check.${aws ? "aws" : "other"}-endpoint`,
      ),
      ...(features.length
        ? [months(`Optional features: ${features.join(", ")}`, "aws.route53.health-check.feature", features.length)]
        : []),
    ];
  },
  "azure-native:applicationinsights:WebTest": (r) => {
    const frequency = num(r.props.frequency, 300);
    const locations = ((r.props.locations ?? []) as unknown[]).length || 1;
    const executions = ((HOURS_PER_MONTH * 3600) / frequency) * locations;
    return [
      {
        name: `Standard test runs (every ${frequency} s from ${locations} locations)`,
        priceId: "azure.appinsights.standard-test",
        per: "execution",
        quantity: executions,
        basis: "fixed",
      },
    ];
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
    const origins = ctx
      .siblings("cloudflare:index/loadBalancerPool:LoadBalancerPool")
      .reduce((n, p) => n + ((p.props.origins as unknown[] | undefined)?.length ?? 0), 0);
    const extra = Math.max(0, origins - 2);
    return [
      months("Load Balancing (2 origins included)", "cloudflare.load-balancing.base"),
      ...(extra ? [months(`Additional origins x ${extra}`, "cloudflare.load-balancing.extra-origin", extra)] : []),
    ];
  },
  "vercel:index/project:Project": (_r, ctx) => [
    usage("Pro seats (the team's, not this project's alone)", "vercel.pro.seat", "month", ctx.usage("seats"), "seats"),
  ],
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
  "azure-native:network:VirtualNetwork":
    "no charge for the network itself; peering and traffic are usage, not modelled",
  "azure-native:network:Subnet": "no charge",
  "azure-native:managedidentity:UserAssignedIdentity": "no charge",
  "azure-native:authorization:RoleAssignment": "no charge",
  "azure-native:kubernetesconfiguration:Extension":
    "the Flux extension runs on the AKS nodes already priced; the per-vCPU GitOps price is Azure Arc's, for clusters outside Azure",
  "azure-native:kubernetesconfiguration:FluxConfiguration":
    "billed as the Flux extension (no separate charge on AKS); reads from its blob container are usage, not modelled",
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
  "gcp:serviceaccount/iAMMember:IAMMember": "no charge",
  "gcp:gkehub/membership:Membership": "fleet registration of a GKE cluster has no charge without GKE Enterprise",
  "gcp:gkehub/feature:Feature":
    "Config Sync is 'the GitOps service included with Google Kubernetes Engine' (docs.cloud.google.com/kubernetes-engine/config-sync/docs/overview, read 2026-11-30; older pages tied it to GKE Enterprise) and runs on the nodes already priced",
  "gcp:gkehub/featureMembership:FeatureMembership": "billed as its feature (Config Sync on already priced nodes)",
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
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "EKS access entries and their policies have no charge",
  "aws:eks/addon:Addon": "the add-on is free; the metrics and logs it sends are CloudWatch usage, not modelled",
  "aws:sns/topic:Topic": "billed per notification; alert volumes stay within SNS's free tier (not modelled)",
  "aws:sns/topicSubscription:TopicSubscription": "no charge of its own",
  "azure-native:consumption:Budget": "Cost Management budgets have no charge",
  "azure-native:applicationinsights:Component":
    "workspace-based: its telemetry is billed as the Log Analytics workspace's ingestion",
  "azure-native:monitor:ActionGroup": "email notifications within the free monthly allowance (not modelled)",
  "azure-native:monitor:DiagnosticSetting": "no charge of its own; the logs are billed as the workspace's ingestion",
  "azure-native:portal:Dashboard": "no charge",
  "cloudflare:index/notificationPolicy:NotificationPolicy": "included in the account",
  "gcp:billing/budget:Budget": "no charge",
  "gcp:logging/projectSink:ProjectSink": "routing has no charge; the destination bills what it stores",
  "gcp:monitoring/dashboard:Dashboard": "no charge",
  "gcp:monitoring/notificationChannel:NotificationChannel": "no charge",
  "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig":
    "free up to 1M executions a month per project (unverified); a few checks a minute stay far below",
  "random:index/randomPassword:RandomPassword": "computed locally by the provider",
  "random:index/randomString:RandomString": "computed locally by the provider",
  "tls:index/privateKey:PrivateKey": "generated locally by the provider; no cloud resource",
  "tls:index/selfSignedCert:SelfSignedCert": "issued locally by the provider (the mesh root CA); no cloud resource",
  "tls:index/certRequest:CertRequest": "generated locally by the provider; no cloud resource",
  "tls:index/locallySignedCert:LocallySignedCert":
    "signed locally by the provider (a mesh intermediate CA); no cloud resource",
  "azure-native:managedidentity:FederatedIdentityCredential":
    "federated credentials on a managed identity have no charge",
  "aws:cloudwatch/eventRule:EventRule":
    "no charge for rules; a schedule's events come from AWS itself, which EventBridge does not bill (custom events are billed to their publisher); the invocations are the function's requests",
  "aws:cloudwatch/eventTarget:EventTarget": "no charge; part of its rule",
  "aws:iam/rolePolicy:RolePolicy": "IAM has no charge",
  "aws:lambda/functionUrl:FunctionUrl":
    "no charge of its own; its invocations are billed as the function's requests and duration",
  "aws:lambda/permission:Permission": "no charge",
  "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": "billed through its RDS Proxy",
  "aws:rds/proxyTarget:ProxyTarget": "billed through its RDS Proxy (per vCPU of this target)",
  "aws:secretsmanager/secretVersion:SecretVersion": "versions are included in the secret's monthly price",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "no charge",
  "azure-native:authorization:ManagementLockByScope": "management locks have no charge",
  "azure-native:keyvault:Secret": "no charge per secret (standard tier); reads are billed as the vault's operations",
  "azure-native:storage:BlobContainer": "billed through its storage account",
  "azure-native:storage:Blob": "billed through its storage account's storage",
  "azure-native:web:WebAppApplicationSettings": "the Function App's settings; no charge",
  "azure-native:resources:Deployment": "ARM deployments have no charge",
  "command:local:Command":
    "the function package deploy (a step the deployer runs): billed as the deployment storage's storage and transactions",
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": "IAM has no charge",
  "gcp:secretmanager/secretIamMember:SecretIamMember": "IAM has no charge",
  "gcp:storage/bucketObject:BucketObject": "billed through its bucket's storage",
  "gcp:projects/service:Service": "enabling a service API has no charge; its resources bill as they are used",
  "gcp:storage/bucketIAMMember:BucketIAMMember": "IAM has no charge",
  "aws:ec2/vpnGateway:VpnGateway": "a virtual private gateway has no hourly charge; its VPN connections are priced",
  "aws:ec2/customerGateway:CustomerGateway": "no charge; a description of the other side",
  "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation": "no charge",
  "azure-native:network:LocalNetworkGateway": "no charge; a description of the other side",
  "azure-native:network:VirtualNetworkGatewayConnection":
    "no charge of its own: its tunnels are counted on the VPN gateway's line (10 included)",
  "gcp:compute/haVpnGateway:HaVpnGateway":
    "no charge for the gateway itself: HA VPN bills per tunnel-hour (its two external addresses are not billed separately; unverified)",
  "gcp:compute/externalVpnGateway:ExternalVpnGateway": "no charge; a description of the other side",
  "gcp:compute/routerInterface:RouterInterface": "no charge (part of its Cloud Router)",
  "gcp:compute/routerPeer:RouterPeer": "no charge (BGP sessions of a Cloud Router are included)",
  "gcp:compute/firewall:Firewall": "VPC firewall rules have no charge (rule logging, which is billed, is off)",
};

/** Types the model must account for: cloud resources, not components, the stack or providers. */
export function needsPricing(type: string): boolean {
  return !type.startsWith("tricloud:") && !type.startsWith("pulumi:");
}
