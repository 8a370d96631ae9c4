import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { hostConfigFromEnv } from "../../functions/adapters/config";
import { HOST_ENV } from "../../functions/adapters/env";
import { QuorumHost } from "../../functions/adapters/host";
import { createLambdaHandler, type LambdaEvent } from "../../functions/adapters/aws-lambda";
import { CLOUDS, otherClouds, type Cloud } from "../../functions/core/clouds";
import type { Store } from "../../functions/store";
import { pemKeys, pgliteStore } from "../helpers/hosts";

/**
 * The frontend on www.<domain> calls api.<domain> from the browser: every host answers CORS
 * for the configured origins (TRICLOUD_CORS_ORIGINS, set by the function hosts) and for no other.
 */
const FRONTEND = "https://www.tricloud.example";
const { privatePem, publicPem } = pemKeys();
const stores: Store[] = [];
const hosts: QuorumHost[] = [];
afterAll(async () => {
  for (const h of hosts) await h.close();
  for (const s of stores) await s.close().catch(() => undefined);
});

function hostFor(cloud: Cloud, origins?: string): QuorumHost {
  const env: Record<string, string> = {
    [HOST_ENV.cloud]: cloud,
    [HOST_ENV.region]: `region-of-${cloud}`,
    [HOST_ENV.peers]: JSON.stringify(
      Object.fromEntries(otherClouds(cloud).map((c) => [c, `https://${c}.peer.example`])),
    ),
    [HOST_ENV.publicKeys]: JSON.stringify(publicPem),
    ...(origins ? { [HOST_ENV.corsOrigins]: origins } : {}),
  };
  const host = new QuorumHost({
    config: hostConfigFromEnv(env),
    secrets: async () => ({ privateKeyPem: privatePem[cloud], databaseUrl: "postgresql://unused" }),
    openStore: async () => {
      const s = await pgliteStore(`cors_${cloud}`);
      stores.push(s);
      return s;
    },
    node: { logger: pino({ level: "silent" }), reconcile: { autoStart: false }, ledger: { autoStart: false } },
  });
  hosts.push(host);
  return host;
}

describe.each(CLOUDS)("CORS on the %s host", (cloud) => {
  const host = hostFor(cloud, JSON.stringify([FRONTEND]));

  it("answers the browser's preflight for POST /v1/events from the frontend", async () => {
    const res = await host.fetch(
      new Request("https://api.tricloud.example/v1/events", {
        method: "OPTIONS",
        headers: {
          origin: FRONTEND,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      }),
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(FRONTEND);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("content-type");
  });

  it("allows the frontend on /health and gives other origins nothing", async () => {
    const ok = await host.fetch(new Request("https://api.tricloud.example/health", { headers: { origin: FRONTEND } }));
    expect(ok.headers.get("access-control-allow-origin")).toBe(FRONTEND);
    const other = await host.fetch(
      new Request("https://api.tricloud.example/health", { headers: { origin: "https://evil.example" } }),
    );
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("keeps peer routes server-to-server (no CORS headers)", async () => {
    const res = await host.fetch(
      new Request("https://api.tricloud.example/v1/peer/anything", { headers: { origin: FRONTEND } }),
    );
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("CORS configuration", () => {
  it("is off when no origin is configured", async () => {
    const res = await hostFor("gcp").fetch(
      new Request("https://api.tricloud.example/health", { headers: { origin: FRONTEND } }),
    );
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses a value that is not a JSON list of origins, naming the variable", () => {
    expect(() => hostFor("aws", "https://www.tricloud.example/app")).toThrow(
      /^TRICLOUD_CORS_ORIGINS: expected a JSON list of origins/,
    );
    expect(() => hostFor("aws", '["https://www.tricloud.example/app"]')).toThrow(/^TRICLOUD_CORS_ORIGINS/);
  });

  it("survives the Lambda adapter's translation", async () => {
    const handler = createLambdaHandler(hostFor("aws", JSON.stringify([FRONTEND])));
    const event = {
      version: "2.0",
      routeKey: "$default",
      rawPath: "/health",
      rawQueryString: "",
      isBase64Encoded: false,
      headers: { origin: FRONTEND, host: "x.lambda-url.us-west-2.on.aws" },
      requestContext: {
        http: { method: "GET", path: "/health", protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "test" },
        domainName: "x.lambda-url.us-west-2.on.aws",
      },
    } as unknown as LambdaEvent;
    const res = (await handler(event)) as { headers?: Record<string, string> };
    expect(res.headers?.["access-control-allow-origin"]).toBe(FRONTEND);
  });
});
