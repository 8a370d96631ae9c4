import { mkdirSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  BUNDLE_BUDGET_BYTES,
  build,
  buildInBackground,
  FUNCTION_HOSTS,
  functionBundle,
  type FunctionHostKind,
} from "../../components/shared/bundle";
import { HOST_ENV } from "../../functions/adapters/env";
import { pemKeys } from "../helpers/hosts";

// One synchronous build per host serves every test that reads a build's files; the determinism and
// background tests compare it with a build of their own.
const builds = new Map<FunctionHostKind, ReturnType<typeof build>>();
function built(host: FunctionHostKind): ReturnType<typeof build> {
  let b = builds.get(host);
  if (!b) builds.set(host, (b = build(host)));
  return b;
}

/** Where a test writes a bundle so its external packages resolve from this repository's node_modules. */
function writeBundle(host: FunctionHostKind): string {
  const dir = join(__dirname, "..", "..", "node_modules", ".cache", "tricloud-bundles", `${host}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of built(host).files) writeFileSync(join(dir, name), text);
  return dir;
}

describe("function bundles", () => {
  it.each(FUNCTION_HOSTS)("%s builds within the 1 MiB budget, without PGlite", (host) => {
    const b = functionBundle(host);
    expect(b.bytes).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
    expect(b.files.find((f) => f.name === "index.js")!.bytes).toBeGreaterThan(100_000);
    expect(b.inputs.some((p) => p.includes("@electric-sql/pglite"))).toBe(false);
    expect(b.inputs).toContain(`functions/adapters/${host}.ts`);
    // Paths are repository-relative: nothing of this machine leaks into the bytes.
    expect(b.inputs.every((p) => !p.startsWith("/"))).toBe(true);
    expect(built(host).files.get("index.js")).not.toContain(__dirname.split("/test/")[0]);
  });

  it.each(FUNCTION_HOSTS)("%s is deterministic: two builds give the same bytes", (host) => {
    const [a, b] = [built(host), build(host)];
    expect([...a.files.keys()]).toEqual([...b.files.keys()]);
    for (const [name, text] of a.files) expect(b.files.get(name)).toBe(text);
  });

  it.each(FUNCTION_HOSTS)(
    "%s: the background build (the plan's) gives the same files and inputs as the synchronous one",
    async (host) => {
      const [sync, background] = [built(host), await buildInBackground(host)];
      expect(background.inputs).toEqual(sync.inputs);
      expect([...background.files.keys()]).toEqual([...sync.files.keys()]);
      for (const [name, text] of sync.files) expect(background.files.get(name)).toBe(text);
    },
  );

  it("ships what each host needs beside the code", () => {
    // The RDS and RDS Proxy CAs, for sslmode=verify-full (NODE_EXTRA_CA_CERTS points at the file).
    expect(functionBundle("aws-lambda").files.map((f) => f.name)).toEqual(["index.js", "rds-ca-bundle.pem"]);
    const pem = built("aws-lambda").files.get("rds-ca-bundle.pem")!;
    expect(pem.match(/-----BEGIN CERTIFICATE-----/g)!.length).toBeGreaterThanOrEqual(100);
    expect(
      pem
        .trim()
        .split(/\n(?=-----BEGIN)/)
        .every((c) => /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----$/.test(c)),
    ).toBe(true);
    expect(functionBundle("azure-functions").files.map((f) => f.name)).toEqual([
      "host.json",
      "index.js",
      "package.json",
    ]);
    expect(functionBundle("gcp-functions").files.map((f) => f.name)).toEqual(["index.js", "package.json"]);
    const azure = built("azure-functions").files;
    expect(JSON.parse(azure.get("host.json")!).extensions.http.routePrefix).toBe("");
    expect(JSON.parse(azure.get("package.json")!).main).toBe("index.js");
    const gcp = JSON.parse(built("gcp-functions").files.get("package.json")!);
    expect(gcp.main).toBe("index.js");
    expect(Object.keys(gcp.dependencies)).toEqual(["@google-cloud/functions-framework"]);
  });
});

describe("the built bundles load and serve", () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });
  const { privatePem, publicPem } = pemKeys();
  const common = {
    [HOST_ENV.publicKeys]: JSON.stringify(publicPem),
    [HOST_ENV.logLevel]: "silent",
  };

  it("aws-lambda: the handler answers 503 in the API's error shape when its secrets cannot be read", async () => {
    Object.assign(process.env, common, {
      [HOST_ENV.cloud]: "aws",
      [HOST_ENV.peers]: JSON.stringify({ azure: "https://azure.invalid", gcp: "https://gcp.invalid" }),
      [HOST_ENV.privateKeySecretArn]: "arn:aws:secretsmanager:us-west-2:123456789012:secret:missing",
      [HOST_ENV.databaseUrlSecretArn]: "arn:aws:secretsmanager:us-west-2:123456789012:secret:missing-too",
      // No credentials and no instance metadata here: the SDK fails at once.
      AWS_REGION: "us-west-2",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      AWS_PROFILE: "tricloud-test-none",
    });
    const mod = require(join(writeBundle("aws-lambda"), "index.js")) as {
      handler: (e: unknown) => Promise<{ statusCode: number; body: string }>;
    };
    const out = await mod.handler({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/health",
      rawQueryString: "",
      headers: { host: "x.lambda-url.us-west-2.on.aws" },
      requestContext: {
        domainName: "x.lambda-url.us-west-2.on.aws",
        http: { method: "GET", path: "/health", protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "t" },
      },
      isBase64Encoded: false,
    });
    expect(out.statusCode).toBe(503);
    expect(JSON.parse(out.body)).toEqual({
      error: { code: "UNAVAILABLE", message: expect.stringContaining("node: not started") },
    });
  });

  it("azure-functions: inside the worker (which provides @azure/functions-core) the bundle registers both triggers, with no FUNCTIONS_WORKER_RUNTIME (Flex Consumption refuses that setting)", () => {
    Object.assign(process.env, common, {
      [HOST_ENV.cloud]: "azure",
      [HOST_ENV.peers]: JSON.stringify({ aws: "https://aws.invalid", gcp: "https://gcp.invalid" }),
    });
    delete process.env.FUNCTIONS_WORKER_RUNTIME;
    const dir = writeBundle("azure-functions");
    // The worker's module, as the Node worker injects it: it records what the bundle registers.
    const core = join(dir, "node_modules", "@azure", "functions-core");
    mkdirSync(core, { recursive: true });
    writeFileSync(
      join(core, "index.js"),
      "exports.registered = []; exports.setProgrammingModel = () => {}; exports.registerFunction = (m) => { exports.registered.push(m); return { dispose() {} }; };",
    );
    const mod = require(join(dir, "index.js")) as Record<string, unknown>;
    expect(typeof mod.registerAzureFunctions).toBe("function");
    const registered = (
      require(join(core, "index.js")) as {
        registered: { name: string; bindings: Record<string, { type: string; route?: string; schedule?: string }> }[];
      }
    ).registered;
    expect(registered.map((r) => r.name)).toEqual(["api", "reconcile"]);
    const bindings = registered.flatMap((r) => Object.values(r.bindings));
    expect(bindings).toContainEqual(expect.objectContaining({ type: "httpTrigger", route: "{*path}" }));
    expect(bindings).toContainEqual(
      expect.objectContaining({ type: "timerTrigger", schedule: "%TRICLOUD_RECONCILE_SCHEDULE%" }),
    );
  });

  it.skipIf(!process.env.DATABASE_URL)(
    "gcp-functions: the shipped bundle serves /health and a submit against the PostgreSQL server",
    async () => {
      const schema = `test_bundle_gcp_${process.pid}`;
      Object.assign(process.env, common, {
        [HOST_ENV.cloud]: "gcp",
        [HOST_ENV.peers]: JSON.stringify({ aws: "http://127.0.0.1:9", azure: "http://127.0.0.1:9" }),
        [HOST_ENV.schema]: schema,
        [HOST_ENV.privateKey]: privatePem.gcp,
        DATABASE_URL: process.env.DATABASE_URL,
        K_SERVICE: "tricloud-test-api",
      });
      require(join(writeBundle("gcp-functions"), "index.js"));
      const { getTestServer } = await import("@google-cloud/functions-framework/testing");
      const server = getTestServer("api");
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const health = await fetch(`${base}/health`);
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({ cloud: "gcp", checks: { store: { ok: true } } });
        const submit = await fetch(`${base}/v1/events`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ tenantId: "acme", payload: { n: 1 } }),
        });
        expect(submit.status).toBe(202);
        expect(await submit.json()).toMatchObject({ status: "PENDING", hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      } finally {
        await new Promise((resolve) => server.close(resolve));
        const { Client } = await import("pg");
        const db = new Client({ connectionString: process.env.DATABASE_URL });
        await db.connect();
        await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await db.end();
      }
    },
  );
});
