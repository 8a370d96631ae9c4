import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ofType, planStack } from "../helpers/plan";

const ROOT = join(__dirname, "..", "..");
const POOL = "cloudflare:index/loadBalancerPool:LoadBalancerPool";
const MONITOR = "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor";

/**
 * Cloudflare sizes the Load Balancing add-on per account (origins, load balancers, probe regions, shortest monitor
 * interval) and refuses a pool beyond it. Every stack file names its account: the first-deploy guide's figures must be
 * the sum over the stacks that share one, or the last stack deployed (prod) is the one refused.
 */
describe("the Load Balancing add-on the first-deploy guide sizes", () => {
  it("adds up every stack on the shared account", async () => {
    const stacks = readdirSync(ROOT)
      .map((f) => /^Pulumi\.([a-z0-9-]+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined);
    const reports = await Promise.all(stacks.map((s) => planStack(s)));
    const accounts = new Set(reports.flatMap((r) => ofType(r, POOL).map((p) => String(p.inputs.accountId))));
    expect(accounts.size).toBe(1);
    const pools = reports.flatMap((r) => ofType(r, POOL));
    const origins = pools.reduce((n, p) => n + (p.inputs.origins as unknown[]).length, 0);
    const balancers = reports.reduce((n, r) => n + ofType(r, "cloudflare:index/loadBalancer:LoadBalancer").length, 0);
    const regions = [...new Set(pools.flatMap((p) => p.inputs.checkRegions as string[]))].sort();
    const shortest = Math.min(...reports.flatMap((r) => ofType(r, MONITOR).map((m) => Number(m.inputs.interval))));
    const guide = readFileSync(join(ROOT, "docs", "first-deploy-gcp-edge.md"), "utf8");
    const sizing =
      /add them up \((\d+) origins, (\d+) load balancers, regions ([A-Z, ]+), shortest interval (\d+) s\)/.exec(guide);
    expect(sizing, "the guide's sizing sentence").not.toBeNull();
    const [, o, lb, r, i] = sizing!;
    expect({ origins, balancers, regions, shortest }).toEqual({
      origins: Number(o),
      balancers: Number(lb),
      regions: r!.split(", ").sort(),
      shortest: Number(i),
    });
  });
});
