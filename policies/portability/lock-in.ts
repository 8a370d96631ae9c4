import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { Props } from "@tricloud/policy-kit/kit";

/**
 * The portability matrix as data: for each service type, its lock-in
 * level, the exit path, and for high lock-in the portable alternative. The
 * lock-in policy and `tricloud plan`'s lock-in report both read it; a new
 * service is one entry.
 */
export type LockInLevel = "low" | "medium" | "high";

export interface ServiceEntry {
  /** The id tricloud:allowedLockIn (policy config `allowed`) uses. */
  readonly id: string;
  readonly service: string;
  readonly level: LockInLevel;
  readonly exitPath: string;
  /** For high lock-in: what to use instead. */
  readonly alternative?: string;
  readonly when?: (props: Props) => boolean;
}

const PG = "pg_dump/pg_restore or logical replication into any PostgreSQL";
const K8S = "conformant Kubernetes: apply the same manifests and Helm charts to another cluster";
const OCI = "OCI registry: copy the images with crane, skopeo or oras";
const FN =
  "the handler is a thin adapter over functions/ core: run the same core on another host or as a container on Kubernetes";
const VPN =
  "IKEv2 IPsec with BGP: point the tunnels at any other gateway; the tunnel plan lives in tricloud:network.crossCloud";
const QUEUE = "wrap behind one queue interface; move to NATS or Kafka on Kubernetes";

export const SERVICES: Readonly<Record<string, ServiceEntry>> = {
  // Portable building blocks (what tricloud uses).
  "aws:eks/cluster:Cluster": { id: "eks", service: "EKS", level: "low", exitPath: K8S },
  "azure-native:containerservice:ManagedCluster": { id: "aks", service: "AKS", level: "low", exitPath: K8S },
  "gcp:container/cluster:Cluster": { id: "gke", service: "GKE", level: "low", exitPath: K8S },
  "aws:rds/instance:Instance": {
    id: "rds",
    service: "RDS for PostgreSQL",
    level: "low",
    exitPath: PG,
    when: (p) => p.engine === "postgres",
  },
  "azure-native:dbforpostgresql:Server": {
    id: "azure-postgres",
    service: "Azure Database for PostgreSQL",
    level: "low",
    exitPath: PG,
  },
  "gcp:sql/databaseInstance:DatabaseInstance": {
    id: "cloud-sql",
    service: "Cloud SQL for PostgreSQL",
    level: "low",
    exitPath: PG,
  },
  "aws:ecr/repository:Repository": { id: "ecr", service: "ECR", level: "low", exitPath: OCI },
  "azure-native:containerregistry:Registry": {
    id: "acr",
    service: "Azure Container Registry",
    level: "low",
    exitPath: OCI,
  },
  "gcp:artifactregistry/repository:Repository": {
    id: "artifact-registry",
    service: "Artifact Registry",
    level: "low",
    exitPath: OCI,
  },
  "aws:ec2/vpc:Vpc": {
    id: "vpc",
    service: "VPC",
    level: "low",
    exitPath: "the address plan lives in tricloud:network; recreate the network on any cloud",
  },
  "azure-native:network:VirtualNetwork": {
    id: "vnet",
    service: "Virtual Network",
    level: "low",
    exitPath: "the address plan lives in tricloud:network; recreate the network on any cloud",
  },
  "gcp:compute/network:Network": {
    id: "gcp-vpc",
    service: "VPC network",
    level: "low",
    exitPath: "the address plan lives in tricloud:network; recreate the network on any cloud",
  },
  // The cross-cloud VPN (docs/cross-cloud.md): standard IPsec with BGP on every side.
  "aws:ec2/vpnGateway:VpnGateway": {
    id: "aws-site-to-site-vpn",
    service: "Site-to-Site VPN",
    level: "low",
    exitPath: VPN,
  },
  "azure-native:network:VirtualNetworkGateway": {
    id: "azure-vpn-gateway",
    service: "VPN Gateway",
    level: "low",
    exitPath: VPN,
  },
  "gcp:compute/haVpnGateway:HaVpnGateway": {
    id: "gcp-ha-vpn",
    service: "HA VPN",
    level: "low",
    exitPath: VPN,
  },
  "cloudflare:index/dnsRecord:DnsRecord": {
    id: "cloudflare-dns",
    service: "Cloudflare DNS",
    level: "low",
    exitPath: "export the zone as a BIND file and import it at another DNS host",
  },
  // Medium: portable with work; reported, not blocked.
  "aws:kms/key:Key": {
    id: "kms",
    service: "KMS",
    level: "medium",
    exitPath: "keys cannot be exported: re-encrypt the data under the target cloud's key service",
  },
  "cloudflare:index/loadBalancer:LoadBalancer": {
    id: "cloudflare-lb",
    service: "Cloudflare Load Balancing",
    level: "medium",
    exitPath: "recreate the pools and health checks in another global load balancer (Route 53, Traffic Manager, NS1)",
  },
  "cloudflare:index/ruleset:Ruleset": {
    id: "cloudflare-waf",
    service: "Cloudflare WAF rulesets",
    level: "medium",
    exitPath: "rule expressions are Cloudflare's: re-express the managed, OWASP and rate-limit rules in the next WAF",
  },
  "vercel:index/project:Project": {
    id: "vercel",
    service: "Vercel",
    level: "medium",
    exitPath: "build the Next.js app in standalone mode and serve it from any Node host or the clusters",
  },
  "aws:lambda/function:Function": { id: "lambda", service: "Lambda", level: "medium", exitPath: FN },
  "azure-native:web:WebApp": {
    id: "azure-functions",
    service: "Azure Functions",
    level: "medium",
    exitPath: FN,
    when: (p) => String(p.kind ?? "").includes("functionapp"),
  },
  "gcp:cloudfunctionsv2/function:Function": {
    id: "cloud-functions",
    service: "Cloud Functions",
    level: "medium",
    exitPath: FN,
  },
  "gcp:cloudfunctions/function:Function": {
    id: "cloud-functions",
    service: "Cloud Functions (1st gen)",
    level: "medium",
    exitPath: FN,
  },
  "aws:sqs/queue:Queue": { id: "sqs", service: "SQS", level: "medium", exitPath: QUEUE },
  "aws:sns/topic:Topic": { id: "sns", service: "SNS", level: "medium", exitPath: QUEUE },
  "gcp:pubsub/topic:Topic": { id: "pubsub", service: "Pub/Sub", level: "medium", exitPath: QUEUE },
  "azure-native:servicebus:Namespace": { id: "service-bus", service: "Service Bus", level: "medium", exitPath: QUEUE },
  // High: proprietary data models or APIs; blocked unless allowed.
  "aws:rds/cluster:Cluster": {
    id: "aurora",
    service: "Aurora",
    level: "high",
    exitPath:
      "logical replication out of Aurora PostgreSQL; Aurora-only features (global database, I/O-optimized storage, Babelfish) have no equivalent",
    alternative:
      "RDS for PostgreSQL (aws:rds/instance:Instance, engine postgres), as tricloud's PostgresDatabase builds",
  },
  "aws:rds/globalCluster:GlobalCluster": {
    id: "aurora",
    service: "Aurora global database",
    level: "high",
    exitPath: "no equivalent elsewhere: rebuild cross-region replication per cloud",
    alternative: "one PostgreSQL per cloud (tricloud's PostgresDatabase) and the quorum runtime's replication",
  },
  "aws:dynamodb/table:Table": {
    id: "dynamodb",
    service: "DynamoDB",
    level: "high",
    exitPath: "export to S3 and rewrite every access pattern for another store",
    alternative: "PostgreSQL (tables or JSONB) on the portable database",
  },
  "azure-native:documentdb:DatabaseAccount": {
    id: "cosmosdb",
    service: "Cosmos DB",
    level: "high",
    exitPath: "export with the data migration tool and rewrite queries",
    alternative: "PostgreSQL (tables or JSONB) on the portable database",
  },
  "gcp:firestore/database:Database": {
    id: "firestore",
    service: "Firestore",
    level: "high",
    exitPath: "managed export and a rewrite of every query and security rule",
    alternative: "PostgreSQL (tables or JSONB) on the portable database",
  },
  "gcp:spanner/instance:Instance": {
    id: "spanner",
    service: "Spanner",
    level: "high",
    exitPath: "export via Dataflow; interleaved tables and TrueTime semantics have no equivalent",
    alternative: "PostgreSQL on the portable database (with the quorum runtime for cross-cloud agreement)",
  },
  "gcp:bigtable/instance:Instance": {
    id: "bigtable",
    service: "Bigtable",
    level: "high",
    exitPath: "export via Dataflow to files and reload into an HBase/Cassandra-compatible store",
    alternative: "PostgreSQL, or a self-run Cassandra on the Kubernetes clusters",
  },
  "aws:cognito/userPool:UserPool": {
    id: "cognito",
    service: "Cognito user pools",
    level: "high",
    exitPath: "password hashes cannot be exported: users must reset or migrate on sign-in",
    alternative: "an OIDC provider run on the clusters (e.g. Keycloak) or an external IdP",
  },
  "aws:kinesis/stream:Stream": {
    id: "kinesis",
    service: "Kinesis Data Streams",
    level: "high",
    exitPath: "drain and replay into another log",
    alternative: "Kafka or NATS JetStream on the clusters",
  },
};

export function serviceOf(type: string, props: Props): ServiceEntry | undefined {
  const s = SERVICES[type];
  return s && (s.when?.(props) ?? true) ? s : undefined;
}

export const noLockInServices: ResourceValidationPolicy = {
  name: "portability-resource-disallow-lock-in-services",
  description:
    "Disallows high lock-in services (Aurora, DynamoDB, Cosmos DB, Firestore, Spanner, Bigtable, Cognito, Kinesis) unless allowed in config.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowed: {
        type: "array",
        items: { type: "string" },
        default: [],
        description:
          "Service ids (aurora, dynamodb, ...) or type tokens allowed despite lock-in (tricloud:allowedLockIn).",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const s = SERVICES[args.type];
    if (!s || s.level !== "high") return args.notApplicable("not a high lock-in service");
    const { allowed } = args.getConfig<{ allowed: string[] }>();
    if (allowed.includes(s.id) || allowed.includes(args.type)) return;
    reportViolation(
      `${s.service} locks the platform into one cloud (exit: ${s.exitPath}). Use ${s.alternative} instead, or add "${s.id}" to tricloud:allowedLockIn with an exit plan.`,
    );
  },
};

export interface LockInInput {
  readonly urn: string;
  readonly type: string;
  readonly props: Props;
}

/** The lock-in report: one row per service resource in the plan. */
export function lockInRows<R extends LockInInput>(
  resources: readonly R[],
  allowed: readonly string[],
  componentOf: (r: R) => string,
) {
  const rows = [];
  for (const r of resources) {
    const s = serviceOf(r.type, r.props);
    if (!s) continue;
    rows.push({
      component: componentOf(r),
      resourceType: r.type,
      service: s.service,
      lockInLevel: s.level,
      exitPath: s.exitPath,
      ...(s.level === "high" ? { allowed: allowed.includes(s.id) || allowed.includes(r.type) } : {}),
    });
  }
  return rows;
}
