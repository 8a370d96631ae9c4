import type { AddressInfo } from "node:net";
import { HttpRequest, InvocationContext } from "@azure/functions";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLambdaHandler, type LambdaEvent } from "../../functions/adapters/aws-lambda";
import { createAzureHttpHandler, createAzureTimerHandler } from "../../functions/adapters/azure-functions";
import { RECONCILE_EVENT } from "../../functions/adapters/env";
import { registerGcpFunctions } from "../../functions/adapters/gcp-functions";
import type { QuorumHost } from "../../functions/adapters/host";
import type { QuorumNode } from "../../functions/node/node";
import type { Store } from "../../functions/store";
import { comparable, hostAndLocal, localAnswer, parse, SCENARIO, type Answer, type Exchange } from "../helpers/hosts";

/**
 * Each adapter, fed its host's own request shape, must answer exactly as the local
 * node does over `app.fetch`: same status, content type and body (the node's clock is
 * fixed, so hashes and signatures are identical too), for health, submit, resubmit,
 * read and the bad requests.
 */
async function expectSameAsLocal(
  call: (x: Exchange) => Promise<Answer>,
  local: QuorumNode,
  except: ReadonlySet<Exchange> = new Set(),
): Promise<void> {
  const statuses: number[] = [];
  for (const x of SCENARIO) {
    const [viaHost, viaNode] = [await call(x), await localAnswer(local, x)];
    if (except.has(x)) {
      statuses.push(viaHost.status);
      continue;
    }
    expect({ request: `${x.method} ${x.path}`, ...comparable(viaHost) }).toEqual({
      request: `${x.method} ${x.path}`,
      ...comparable(viaNode),
    });
    statuses.push(viaHost.status);
  }
  // The scenario really exercised what it claims: created, resubmitted, read, not found, invalid, bad type.
  expect(statuses).toEqual(EXPECTED_STATUSES);
}

const MALFORMED_JSON = SCENARIO.find((x) => x.body?.startsWith('{"tenantId": "acme", '))!;
const EXPECTED_STATUSES = [200, 202, 200, 200, 404, 400, 400, 415, 400, 404];

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});
async function setUp(cloud: "aws" | "azure" | "gcp"): Promise<{ host: QuorumHost; local: QuorumNode }> {
  const { host, local, stores } = await hostAndLocal(cloud);
  closers.push(async () => {
    await host.close();
    await local.close();
    for (const s of stores as Store[]) await s.close().catch(() => undefined);
  });
  return { host, local };
}

describe("AWS Lambda adapter (Function URL, payload format 2.0)", () => {
  let host: QuorumHost;
  let local: QuorumNode;
  beforeAll(async () => ({ host, local } = await setUp("aws")));

  /** A Function URL event as Lambda delivers it; bodies of JSON requests arrive as text, others base64. */
  function functionUrlEvent(x: Exchange): APIGatewayProxyEventV2 {
    const [rawPath, rawQueryString = ""] = x.path.split("?") as [string, string?];
    const domain = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-west-2.on.aws";
    const base64 = x.body !== undefined && !x.headers["content-type"]?.includes("json");
    return {
      version: "2.0",
      routeKey: "$default",
      rawPath,
      rawQueryString,
      headers: {
        ...x.headers,
        host: domain,
        "x-forwarded-proto": "https",
        "x-forwarded-for": "203.0.113.7",
        "user-agent": "Cloudflare-Traffic-Manager/1.0",
      },
      ...(rawQueryString ? { queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)) } : {}),
      requestContext: {
        accountId: "anonymous",
        apiId: "abcdefghijklmnopqrstuvwxyz012345",
        domainName: domain,
        domainPrefix: "abcdefghijklmnopqrstuvwxyz012345",
        http: {
          method: x.method,
          path: rawPath,
          protocol: "HTTP/1.1",
          sourceIp: "203.0.113.7",
          userAgent: "Cloudflare-Traffic-Manager/1.0",
        },
        requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        routeKey: "$default",
        stage: "$default",
        time: "01/Mar/2026:12:00:00 +0000",
        timeEpoch: 1772366400000,
      },
      ...(x.body !== undefined
        ? { body: base64 ? Buffer.from(x.body).toString("base64") : x.body, isBase64Encoded: base64 }
        : { isBase64Encoded: false }),
    };
  }

  async function call(x: Exchange): Promise<Answer> {
    const out = (await createLambdaHandler(host)(functionUrlEvent(x) as unknown as LambdaEvent)) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
      isBase64Encoded: boolean;
    };
    const text = out.isBase64Encoded ? Buffer.from(out.body, "base64").toString("utf8") : out.body;
    return { status: out.statusCode, contentType: out.headers["content-type"], body: parse(text) };
  }

  it("answers health, submit, read and bad requests like the local node", async () => {
    await expectSameAsLocal(call, local);
  });

  it("runs a reconciler pass on the schedule's constant input", async () => {
    expect(await createLambdaHandler(host)(RECONCILE_EVENT)).toEqual({ reconciled: expect.any(Number) });
  });
});

describe("Azure Functions adapter (v4 model HttpRequest)", () => {
  let host: QuorumHost;
  let local: QuorumNode;
  beforeAll(async () => ({ host, local } = await setUp("azure")));

  async function call(x: Exchange): Promise<Answer> {
    const request = new HttpRequest({
      method: x.method,
      url: `https://tricloud-dev-azure-fn.azurewebsites.net${x.path}`,
      headers: { ...x.headers, "x-forwarded-for": "203.0.113.7:443", "x-arr-ssl": "true" },
      ...(x.body !== undefined ? { body: { string: x.body } } : {}),
    });
    const out = await createAzureHttpHandler(host)(request, new InvocationContext({ functionName: "api" }));
    const headers = out.headers as Record<string, string>;
    return {
      status: out.status ?? 200,
      contentType: headers["content-type"],
      body: parse(Buffer.from(out.body as Uint8Array).toString("utf8")),
    };
  }

  it("answers health, submit, read and bad requests like the local node", async () => {
    await expectSameAsLocal(call, local);
  });

  it("runs a reconciler pass on the timer", async () => {
    const logged: unknown[] = [];
    const context = new InvocationContext({
      functionName: "reconcile",
      logHandler: (_level, ...args) => logged.push(args.join(" ")),
    });
    // The payload the Functions host sends a timer function.
    await createAzureTimerHandler(host)(
      {
        isPastDue: false,
        schedule: { adjustForDST: true },
        scheduleStatus: {
          last: "2026-03-01T11:59:00Z",
          next: "2026-03-01T12:01:00Z",
          lastUpdated: "2026-03-01T11:59:00Z",
        },
      },
      context,
    );
    expect(logged).toEqual([expect.stringMatching(/^reconciled \d+ events$/)]);
  });
});

describe("Cloud Functions adapter (functions framework)", () => {
  let local: QuorumNode;
  let base: string;
  beforeAll(async () => {
    const set = await setUp("gcp");
    local = set.local;
    registerGcpFunctions(set.host);
    // The framework's own Express server: its body parsers and headers, as on Cloud Run.
    const server = getTestServer("api");
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  });

  async function call(x: Exchange): Promise<Answer> {
    const res = await fetch(`${base}${x.path}`, {
      method: x.method,
      headers: x.headers,
      ...(x.body !== undefined ? { body: x.body } : {}),
    });
    return {
      status: res.status,
      contentType: res.headers.get("content-type") ?? undefined,
      body: parse(await res.text()),
    };
  }

  it("answers health, submit, read and bad requests like the local node, except a body that is not JSON", async () => {
    await expectSameAsLocal(call, local, new Set([MALFORMED_JSON]));
  });

  it("leaves malformed JSON to the framework, which parses JSON bodies before any function runs: 400, not the API's error shape", async () => {
    // A known limit of Cloud Functions (docs/functions-deploy.md): status agrees, body is Express's error page.
    const viaHost = await call(MALFORMED_JSON);
    expect(viaHost.status).toBe(400);
    expect(viaHost.contentType).toMatch(/^text\/html/);
  });

  it("runs a reconciler pass when the scheduler calls the private function", async () => {
    const server = getTestServer("reconcile");
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: "POST" });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ reconciled: expect.any(Number) });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
