import { pgSql } from "./pg";
import { pgliteSql } from "./pglite";
import { SqlStore } from "./sql-store";
import { checkSchemaName, type Sql } from "./sql";
import type { Store } from "./store";

export type { Store, EventRecord, EvidenceRecord } from "./store";
export { MIGRATIONS, migrate } from "./migrations";

export type { Sql } from "./sql";
export { pgSql } from "./pg";
export { pgliteSql } from "./pglite";

export interface StoreConfig {
  /** A PostgreSQL server; wins over dataDir. */
  databaseUrl?: string;
  /** PGlite data directory; in memory when neither is given. */
  dataDir?: string;
  /** Where a new PGlite cluster's empty template is kept between runs (pglite.ts). */
  pgliteTemplateDir?: string;
  /** Schema holding this node's tables, e.g. tricloud_aws. */
  schema: string;
  /** Pool size for the server driver. */
  poolSize?: number;
  /** An open connection shared with other stores (one schema each); the store will not close it. */
  shared?: { sql: Sql; kind: "pg" | "pglite" };
}

/** Opens (and migrates) the store a node runs on. */
export async function openStore(config: StoreConfig): Promise<Store> {
  checkSchemaName(config.schema);
  if (config.shared) return SqlStore.open(config.shared.sql, config.shared.kind, config.schema, false);
  if (config.databaseUrl)
    return SqlStore.open(pgSql(config.databaseUrl, { max: config.poolSize }), "pg", config.schema);
  return SqlStore.open(
    await pgliteSql(config.dataDir, { templateDir: config.pgliteTemplateDir }),
    "pglite",
    config.schema,
  );
}
