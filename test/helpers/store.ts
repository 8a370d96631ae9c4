import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { openStore, pgliteSql, type Sql, type Store } from "../../functions/store";

/** CI sets DATABASE_URL to the local server; without it every store is embedded PGlite. */
export const DATABASE_URL = process.env.DATABASE_URL;

/** The empty-cluster template the bin's nodes use too (functions/store/pglite.ts): a new engine boots from it. */
export const PGLITE_TEMPLATE_DIR = join(__dirname, "..", "..", "node_modules", ".cache", "tricloud-pglite");

// One embedded engine per test worker (it takes seconds to boot); stores get their own schemas.
let pglite: Promise<Sql> | undefined;

const schemaName = (label: string) => `test_${label}_${randomBytes(4).toString("hex")}`;

/** A fresh store in a random schema, dropped again by `disposeStore`. */
export async function freshStore(kind: "pg" | "pglite", label = "t"): Promise<Store> {
  if (kind === "pg") {
    if (!DATABASE_URL) throw new Error("DATABASE_URL is not set");
    return openStore({ databaseUrl: DATABASE_URL, schema: schemaName(label), poolSize: 4 });
  }
  pglite ??= pgliteSql(undefined, { templateDir: PGLITE_TEMPLATE_DIR });
  return openStore({ schema: schemaName(label), shared: { sql: await pglite, kind: "pglite" } });
}

export async function disposeStore(store: Store): Promise<void> {
  await store.dropSchema();
  await store.close();
}

/** The cluster tests run on the server when there is one, else on PGlite. */
export const CLUSTER_STORE: "pg" | "pglite" = DATABASE_URL ? "pg" : "pglite";

type StoreCall = (...args: unknown[]) => Promise<unknown>;

/** The store with some of its methods replaced; each replacement is built from the original. */
export function intercept(
  store: Store,
  replace: Partial<Record<keyof Store, (original: StoreCall) => StoreCall>>,
): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      const original = (value as StoreCall).bind(target);
      const make = replace[prop as keyof Store];
      return make ? make(original) : original;
    },
  });
}
