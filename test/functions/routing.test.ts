import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { CLOUDS } from "../../functions/core/clouds";
import { RoutingClient } from "../../functions/routing/client";
import { rankClouds, selectCloud, type CloudReport } from "../../functions/routing/select";
import { Cluster } from "../helpers/cluster";
import { waitFor } from "../helpers/wait";

const r = (cloud: CloudReport["cloud"], status: CloudReport["status"], latencyMs: number, load = 0): CloudReport => ({
  cloud,
  status,
  latencyMs,
  load,
});

describe("selectCloud", () => {
  it("prefers healthy, then lower latency + load, and never picks an unusable cloud", () => {
    expect(selectCloud([r("aws", "degraded", 5), r("gcp", "healthy", 90)])).toBe("gcp");
    expect(selectCloud([r("aws", "healthy", 50), r("gcp", "healthy", 40)])).toBe("gcp");
    expect(selectCloud([r("aws", "healthy", 50, 0), r("gcp", "healthy", 40, 0.9)])).toBe("aws");
    expect(selectCloud([r("aws", "unhealthy", 1), r("gcp", "unreachable", 1)])).toBeUndefined();
    expect(rankClouds([r("gcp", "healthy", 10), r("azure", "healthy", 10), r("aws", "healthy", 10)])).toEqual([
      "aws",
      "azure",
      "gcp",
    ]);
  });

  it("is deterministic: the input order never changes the choice", () => {
    const report = fc.record({
      cloud: fc.constantFrom(...CLOUDS),
      status: fc.constantFrom("healthy", "degraded", "unhealthy", "unreachable") as fc.Arbitrary<CloudReport["status"]>,
      latencyMs: fc.integer({ min: 0, max: 500 }),
      load: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    const distinct = fc.uniqueArray(report, { selector: (x) => x.cloud, maxLength: 3 });
    fc.assert(
      fc.property(distinct, (reports) => {
        expect(rankClouds([...reports].reverse())).toEqual(rankClouds(reports));
        const best = selectCloud(reports);
        if (best) expect(["healthy", "degraded"]).toContain(reports.find((x) => x.cloud === best)!.status);
      }),
    );
  });
});

describe("routing client", () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it("sends to the best cloud and fails over when that node dies", async () => {
    cluster = await Cluster.start();
    const urls = Object.fromEntries(CLOUDS.map((c) => [c, cluster!.url(c)]));
    // Deadline 5 s: the client gives up rather than exceed the 5 s failover budget.
    const client = new RoutingClient({ urls, deadlineMs: 5_000, requestTimeoutMs: 2_000 });
    const first = await client.submit({ tenantId: "acme", payload: { n: 1 } });
    expect(first.status).toBe(202);
    await cluster.kill(first.cloud);
    const second = await client.submit({ tenantId: "acme", payload: { n: 2 } });
    expect(second.status).toBe(202);
    expect(second.cloud).not.toBe(first.cloud);
    // The event the dead node acknowledged is still final on the two survivors.
    const alive = CLOUDS.filter((c) => c !== first.cloud);
    const eventId = (first.body as { eventId: string }).eventId;
    await waitFor("first event FINAL on the survivors", async () => {
      const views = await Promise.all(alive.map((c) => cluster!.get(c, `/v1/events/${eventId}`)));
      return views.every((v) => v.body.status === "FINAL");
    });
    const read = await client.getEvent(eventId);
    expect(read).toMatchObject({ status: 200, body: { status: "FINAL" } });
  });
});
