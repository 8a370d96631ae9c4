/**
 * The environment a function host reads, by name: the program (components/<cloud>/function-host.ts)
 * sets these and the adapters read them, so both import the names from here.
 * Plain values only; the two secrets arrive as references the platform resolves
 * (Key Vault references, Secret Manager versions) or as secret ids the adapter reads (AWS).
 */
export const HOST_ENV = {
  cloud: "TRICLOUD_CLOUD",
  region: "TRICLOUD_REGION",
  /** JSON { "<cloud>": "https://<peer host>" } for the two other clouds. */
  peers: "TRICLOUD_PEERS",
  /** JSON { aws, azure, gcp } of SPKI PEM public keys (the format of keygen's public-keys.json). */
  publicKeys: "TRICLOUD_PUBLIC_KEYS",
  /** PostgreSQL schema of this node's tables (default tricloud_<cloud>). */
  schema: "TRICLOUD_DB_SCHEMA",
  /** Connections per instance (default 2): instances x this stays under the pooler's limit. */
  poolMax: "TRICLOUD_DB_POOL_MAX",
  /**
   * "rds-proxy" or "pgbouncer" when a connection pooler sits between the function and PostgreSQL:
   * both refuse a startup packet's `options` (the session settings), and PgBouncer's transaction
   * pooling cannot keep a named prepared statement; unset for a direct connection.
   */
  dbPooler: "TRICLOUD_DB_POOLER",
  /** Optional CA certificate (PEM) of the database server, when no public CA signs it (Cloud SQL). */
  databaseCaCert: "TRICLOUD_DB_CA_CERT",
  logLevel: "TRICLOUD_LOG_LEVEL",
  /** JSON ["https://www.<domain>", ...]: browser origins the API answers CORS for (none when unset). */
  corsOrigins: "TRICLOUD_CORS_ORIGINS",
  /** Azure and GCP: the secret values, resolved by the platform from the secret store. */
  privateKey: "TRICLOUD_PRIVATE_KEY",
  databaseUrl: "DATABASE_URL",
  /** AWS: Secrets Manager ARNs the adapter reads with the function's role. */
  privateKeySecretArn: "TRICLOUD_PRIVATE_KEY_SECRET_ARN",
  databaseUrlSecretArn: "DATABASE_URL_SECRET_ARN",
  /** Azure: the NCRONTAB schedule of the reconciler's timer trigger. */
  reconcileSchedule: "TRICLOUD_RECONCILE_SCHEDULE",
} as const;

/** The connection poolers TRICLOUD_DB_POOLER names. */
export const DB_POOLERS = ["rds-proxy", "pgbouncer"] as const;
export type DbPooler = (typeof DB_POOLERS)[number];

/** Per-instance pool size when the environment does not say: small, because instances multiply it. */
export const DEFAULT_POOL_MAX = 2;

/** The constant input the AWS schedule sends: anything else reaching the handler is an HTTP event. */
export const RECONCILE_EVENT = { tricloud: "reconcile" } as const;
