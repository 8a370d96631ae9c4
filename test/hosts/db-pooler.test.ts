import { describe, expect, it } from "vitest";
import { hostConfigFromEnv } from "../../functions/adapters/config";
import { DB_POOLERS, HOST_ENV } from "../../functions/adapters/env";
import { otherClouds } from "../../functions/core/clouds";
import { pemKeys } from "../helpers/hosts";

const { publicPem } = pemKeys();
const env = (pooler?: string): Record<string, string> => ({
  [HOST_ENV.cloud]: "aws",
  [HOST_ENV.peers]: JSON.stringify(Object.fromEntries(otherClouds("aws").map((c) => [c, `https://${c}.peer.example`]))),
  [HOST_ENV.publicKeys]: JSON.stringify(publicPem),
  ...(pooler === undefined ? {} : { [HOST_ENV.dbPooler]: pooler }),
});

describe("TRICLOUD_DB_POOLER: the connection pooler between a function and PostgreSQL", () => {
  it("takes rds-proxy and pgbouncer, and is absent for a direct connection (also when set empty)", () => {
    for (const pooler of DB_POOLERS) expect(hostConfigFromEnv(env(pooler)).dbPooler).toBe(pooler);
    expect(hostConfigFromEnv(env()).dbPooler).toBeUndefined();
    expect(hostConfigFromEnv(env("")).dbPooler).toBeUndefined();
  });

  it("refuses anything else, naming the variable and the values it takes", () => {
    expect(() => hostConfigFromEnv(env("pgpool"))).toThrow(
      'TRICLOUD_DB_POOLER: expected one of rds-proxy, pgbouncer (or unset for a direct connection), got "pgpool"',
    );
  });
});
