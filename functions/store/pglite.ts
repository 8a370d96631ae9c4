import { PGlite } from "@electric-sql/pglite";
import type { Sql, SqlRunner } from "./sql";

/** Embedded PostgreSQL: a data directory, or memory when none is given. PGlite
 * serialises queries itself, so no pool is needed. */
export async function pgliteSql(dataDir?: string): Promise<Sql> {
  const db = dataDir ? new PGlite(dataDir) : new PGlite();
  await db.waitReady;
  return {
    async query<T>(text: string, params?: unknown[]) {
      return (await db.query<T>(text, params)).rows;
    },
    async exec(text: string) {
      await db.exec(text);
    },
    async transaction<T>(fn: (tx: SqlRunner) => Promise<T>) {
      return db.transaction(async (tx) =>
        fn({
          query: async <R>(text: string, params?: unknown[]) => (await tx.query<R>(text, params)).rows,
          exec: async (text: string) => void (await tx.exec(text)),
        }),
      );
    },
    async close() {
      await db.close();
    },
  };
}
