import type * as functions from "@google-cloud/functions-framework";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGcpHttpHandler, withoutServiceSegment } from "../../functions/adapters/gcp-functions";
import type { QuorumHost } from "../../functions/adapters/host";
import type { QuorumNode } from "../../functions/node/node";
import type { Store } from "../../functions/store";
import { comparable, hostAndLocal, parse, type Answer } from "../helpers/hosts";

const SERVICE = "tricloud-unit-api";

describe("withoutServiceSegment: the cloudfunctions.net URL's /<function name> segment", () => {
  it("drops a leading segment equal to the service name, whole", () => {
    expect(withoutServiceSegment(`/${SERVICE}/v1/peer/confirm`, SERVICE)).toBe("/v1/peer/confirm");
    expect(withoutServiceSegment(`/${SERVICE}`, SERVICE)).toBe("/");
    expect(withoutServiceSegment(`/${SERVICE}/`, SERVICE)).toBe("/");
    expect(withoutServiceSegment(`/${SERVICE}?a=1`, SERVICE)).toBe("/?a=1");
    expect(withoutServiceSegment(`/${SERVICE}/health?a=1`, SERVICE)).toBe("/health?a=1");
  });

  it("leaves a path Google already stripped, one that only starts with the same letters, and a later segment", () => {
    expect(withoutServiceSegment("/v1/peer/confirm", SERVICE)).toBe("/v1/peer/confirm");
    expect(withoutServiceSegment(`/${SERVICE}x/health`, SERVICE)).toBe(`/${SERVICE}x/health`);
    expect(withoutServiceSegment(`/${SERVICE}-2/health`, SERVICE)).toBe(`/${SERVICE}-2/health`);
    expect(withoutServiceSegment(`/v1/${SERVICE}/health`, SERVICE)).toBe(`/v1/${SERVICE}/health`);
  });

  it("does nothing off Cloud Run (no K_SERVICE)", () => {
    expect(withoutServiceSegment(`/${SERVICE}/health`, undefined)).toBe(`/${SERVICE}/health`);
    expect(withoutServiceSegment(`/${SERVICE}/health`, "")).toBe(`/${SERVICE}/health`);
  });
});

describe("the Cloud Functions HTTP handler behind https://REGION-PROJECT.cloudfunctions.net/<name>", () => {
  let host: QuorumHost;
  let local: QuorumNode;
  let stores: Store[];
  beforeAll(async () => {
    ({ host, local, stores } = await hostAndLocal("gcp"));
  });
  afterAll(async () => {
    await host.close();
    await local.close();
    for (const s of stores) await s.close().catch(() => undefined);
  });

  /** Calls the handler as the functions framework does: an Express request and response, here the few fields it uses. */
  async function call(originalUrl: string): Promise<Answer> {
    const handler = createGcpHttpHandler(host, SERVICE);
    let status = 0;
    let contentType: string | undefined;
    const req = { method: "GET", headers: {}, protocol: "https", originalUrl, get: () => "example.test" };
    const body = await new Promise<string>((resolve, reject) => {
      const res = {
        status(s: number) {
          status = s;
          return res;
        },
        setHeader(name: string, value: string) {
          if (name.toLowerCase() === "content-type") contentType = value;
          return res;
        },
        end(b: Buffer) {
          resolve(b.toString("utf8"));
        },
      };
      handler(req as unknown as functions.Request, res as unknown as functions.Response).catch(reject);
    });
    // Health reports measured latencies: compared as "<measured>".
    return comparable({ status, contentType, body: parse(body) });
  }

  it("routes /<name>/health and /health alike, and 404s a path that only starts with the name's letters", async () => {
    const plain = await call("/health");
    expect(plain.status).toBe(200);
    expect(await call(`/${SERVICE}/health`)).toEqual(plain);
    expect((await call(`/${SERVICE}x/health`)).status).toBe(404);
    expect((await call(`/${SERVICE}-2/health`)).status).toBe(404);
  });

  it("routes /<name>/v1/... and /v1/... alike (the peers' calls)", async () => {
    const plain = await call("/v1/events/no-such-tenant/no-such-event");
    expect(plain.status).toBe(404);
    expect(await call(`/${SERVICE}/v1/events/no-such-tenant/no-such-event`)).toEqual(plain);
  });
});
