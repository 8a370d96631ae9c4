import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { PGlite } from "@electric-sql/pglite";
import type { Sql, TxRunner } from "./sql";

export interface PgliteOptions {
  /**
   * A folder for the empty-cluster template. A new PGlite cluster runs initdb in WebAssembly
   * (about 3 CPU-s on a 2-core machine); loading the same empty cluster from a tarball with
   * PGlite's own dumpDataDir/loadDataDir takes about 0.5 s. The first new cluster saves the
   * tarball here (named by PGlite's version); later new clusters, in memory or in an empty data
   * directory, load it. An existing data directory is opened as it is.
   */
  readonly templateDir?: string;
}

/** Embedded PostgreSQL: a data directory, or memory when none is given. PGlite
 * serialises queries itself, so no pool is needed. */
export async function pgliteSql(dataDir?: string, opts: PgliteOptions = {}): Promise<Sql> {
  const db = await openPglite(dataDir, opts.templateDir);
  return {
    async query<T>(text: string, params?: unknown[]) {
      return (await db.query<T>(text, params)).rows;
    },
    async exec(text: string) {
      await db.exec(text);
    },
    async transaction<T>(fn: (tx: TxRunner) => Promise<T>) {
      return db.transaction(async (tx) => {
        // Queued statements run in order behind the others (PGlite serialises its queries) and are
        // settled before the callback returns, so before COMMIT. A statement that failed, even one
        // the caller caught, aborted the transaction: it is thrown, so PGlite rolls back.
        const sent: Array<Promise<unknown>> = [];
        let failure: { err: unknown } | undefined;
        const track = <R>(p: Promise<R>): Promise<R> => {
          sent.push(p.catch((err: unknown) => void (failure ??= { err })));
          return p;
        };
        const result = await fn({
          query: async <R>(text: string, params?: unknown[]) => (await track(tx.query<R>(text, params))).rows,
          exec: async (text: string) => void (await track(tx.exec(text))),
          queue: (text: string, params?: unknown[]) => void track(tx.query(text, params)).catch(() => undefined),
        });
        await Promise.all(sent);
        if (failure) throw failure.err;
        return result;
      });
    },
    async close() {
      await db.close();
    },
  };
}

/** The installed PGlite's version (its package exports no package.json, so it is read beside the entry point). */
function pgliteVersion(): string {
  let dir = dirname(require.resolve("@electric-sql/pglite"));
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * PGlite's WebAssembly is compiled by V8's baseline compiler only. By default V8 also recompiles
 * hot functions of the 8 MiB module with its optimizing compiler in the background, which a
 * store that starts often and runs briefly (local clusters, tests) never earns back. Measured
 * on a 2-core machine: a cluster's start took 1.5 instead of 2.6 CPU-s, and 4,000 inserts and
 * lookups 0.60 instead of 0.76 CPU-s. The flag is read when a module is compiled, so it is set
 * before the first PGlite opens; it touches only WebAssembly (the PostgreSQL server store
 * loads none).
 */
let baselineOnly = false;
function compileWasmBaselineOnly(): void {
  if (baselineOnly) return;
  setFlagsFromString("--liftoff-only");
  baselineOnly = true;
}

async function openPglite(dataDir: string | undefined, templateDir: string | undefined): Promise<PGlite> {
  compileWasmBaselineOnly();
  const fresh = !dataDir || !existsSync(join(dataDir, "PG_VERSION"));
  if (!templateDir || !fresh) return PGlite.create(dataDir ?? "memory://");
  const template = join(templateDir, `pglite-${pgliteVersion()}-empty.tar`);
  if (existsSync(template)) {
    const loadDataDir = new Blob([readFileSync(template)]);
    return PGlite.create(dataDir ?? "memory://", { loadDataDir });
  }
  const db = await PGlite.create(dataDir ?? "memory://");
  try {
    const tar = Buffer.from(await (await db.dumpDataDir("none")).arrayBuffer());
    mkdirSync(templateDir, { recursive: true });
    writeFileSync(`${template}.${process.pid}`, tar);
    renameSync(`${template}.${process.pid}`, template); // atomic when several nodes start at once
  } catch {
    // A read-only cache folder: every new cluster runs initdb.
  }
  return db;
}
