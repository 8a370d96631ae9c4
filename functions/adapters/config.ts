import { CLOUDS, isCloud, otherClouds, type Cloud } from "../core/clouds";
import { DB_POOLERS, DEFAULT_POOL_MAX, HOST_ENV, type DbPooler } from "./env";

/** What every host adapter needs besides its two secrets. */
export interface HostConfig {
  readonly cloud: Cloud;
  readonly region: string;
  /** Base URLs of the two other clouds' functions. */
  readonly peers: Partial<Record<Cloud, string>>;
  /** Every cloud's public key, PEM. */
  readonly publicKeys: Record<Cloud, string>;
  readonly schema: string;
  readonly poolMax: number;
  /** A connection pooler between the function and PostgreSQL (TRICLOUD_DB_POOLER). */
  readonly dbPooler?: DbPooler;
  readonly databaseCaCert?: string;
  readonly logLevel: string;
  /** Browser origins the API answers CORS for. */
  readonly corsOrigins?: readonly string[];
}

/** The two values that live in the cloud's secret store. */
export interface HostSecrets {
  readonly privateKeyPem: string;
  readonly databaseUrl: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and checks the host configuration; every error names the variable and what was expected. */
export function hostConfigFromEnv(env: Env): HostConfig {
  const cloud = env[HOST_ENV.cloud];
  if (!isCloud(cloud))
    throw new Error(`${HOST_ENV.cloud}: expected one of ${CLOUDS.join(", ")}, got ${JSON.stringify(cloud)}`);
  const peers = jsonObject(env, HOST_ENV.peers);
  for (const peer of otherClouds(cloud)) {
    const url = peers[peer];
    if (typeof url !== "string" || !/^https?:\/\/[^/]+/.test(url))
      throw new Error(`${HOST_ENV.peers}: expected an http(s) URL for "${peer}", got ${JSON.stringify(url)}`);
  }
  const publicKeys = jsonObject(env, HOST_ENV.publicKeys);
  for (const c of CLOUDS) {
    if (typeof publicKeys[c] !== "string" || !String(publicKeys[c]).includes("BEGIN PUBLIC KEY")) {
      throw new Error(`${HOST_ENV.publicKeys}: expected a PEM public key for "${c}"`);
    }
  }
  const poolText = env[HOST_ENV.poolMax] ?? String(DEFAULT_POOL_MAX);
  const poolMax = Number(poolText);
  if (!Number.isInteger(poolMax) || poolMax < 1 || poolMax > 10)
    throw new Error(`${HOST_ENV.poolMax}: expected an integer from 1 to 10, got ${JSON.stringify(poolText)}`);
  const pooler = env[HOST_ENV.dbPooler] || undefined;
  if (pooler !== undefined && !(DB_POOLERS as readonly string[]).includes(pooler))
    throw new Error(
      `${HOST_ENV.dbPooler}: expected one of ${DB_POOLERS.join(", ")} (or unset for a direct connection), got ${JSON.stringify(pooler)}`,
    );
  const caCert = env[HOST_ENV.databaseCaCert];
  const corsOrigins = corsOriginsFrom(env[HOST_ENV.corsOrigins]);
  return {
    cloud,
    region: env[HOST_ENV.region] || `unknown-${cloud}`,
    peers: Object.fromEntries(otherClouds(cloud).map((c) => [c, String(peers[c]).replace(/\/+$/, "")])),
    publicKeys: publicKeys as Record<Cloud, string>,
    schema: env[HOST_ENV.schema] || `tricloud_${cloud}`,
    poolMax,
    ...(pooler ? { dbPooler: pooler as DbPooler } : {}),
    ...(caCert ? { databaseCaCert: caCert } : {}),
    logLevel: env[HOST_ENV.logLevel] || "info",
    ...(corsOrigins.length ? { corsOrigins } : {}),
  };
}

/** `["https://www.example.com"]` -> the origins; each must be an origin (scheme://host[:port], no path). */
function corsOriginsFrom(text: string | undefined): string[] {
  if (!text) return [];
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list) || !list.every((o) => typeof o === "string" && /^https?:\/\/[^/\s]+$/.test(o))) {
    throw new Error(
      `${HOST_ENV.corsOrigins}: expected a JSON list of origins like ["https://www.example.com"], got ${JSON.stringify(text)}`,
    );
  }
  return list as string[];
}

/** Azure and GCP: the platform has already put the secret values in the environment. */
export function secretsFromEnv(env: Env): HostSecrets {
  const privateKeyPem = env[HOST_ENV.privateKey];
  const databaseUrl = env[HOST_ENV.databaseUrl];
  // Name the variable, never print the value.
  if (!privateKeyPem)
    throw new Error(`${HOST_ENV.privateKey}: not set (expected the signing key from the secret store)`);
  if (!databaseUrl)
    throw new Error(`${HOST_ENV.databaseUrl}: not set (expected the database URL from the secret store)`);
  return { privateKeyPem, databaseUrl };
}

function jsonObject(env: Env, name: string): Record<string, unknown> {
  const text = env[name];
  if (!text) throw new Error(`${name}: not set (expected a JSON object)`);
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new Error(`${name}: expected a JSON object`);
}
