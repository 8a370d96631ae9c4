import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalogWith, PriceCatalogError, readOverrideFile } from "../../pricing/catalog";
import { estimateCost } from "../../pricing/estimate";
import type { PricedResource } from "../../pricing/model";
import { loadUsageProfile } from "../../pricing/usage";
import { parseWhatIf, WhatIfError } from "../../pricing/what-if";
import { planStack } from "../helpers/plan";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";

let n = 0;
const r = (type: string, props: Record<string, unknown>, parent: string | null = null): PricedResource => ({ urn: `urn:${type}::${++n}`, type, name: `r${n}`, parent, props });
const monthly = (rs: PricedResource[]) => estimateCost(rs).lines.map((l) => l.monthlyUsd);

// Every expected figure below is worked by hand from pricing/price-catalog.json and 730 hours a month.
describe("cost arithmetic against hand-computed figures", () => {
  it("RDS Multi-AZ: two instances' hours and Multi-AZ gp3 storage", () => {
    // db.m6g.large 0.159 x 730 x 2 = 232.14; 100 GB x 0.23 = 23.00
    expect(monthly([r("aws:rds/instance:Instance", { engine: "postgres", instanceClass: "db.m6g.large", multiAz: true, storageType: "gp3", allocatedStorage: 100 })])).toEqual([232.14, 23, null]);
  });
  it("RDS single-AZ dev database", () => {
    // db.t3.medium 0.072 x 730 = 52.56; 20 GB x 0.115 = 2.30
    expect(monthly([r("aws:rds/instance:Instance", { engine: "postgres", instanceClass: "db.t3.medium", storageType: "gp3", allocatedStorage: 20 })])).toEqual([52.56, 2.3, null]);
  });
  it("EKS node group at its desired size", () => {
    // t3.medium 0.0416 x 730 x 3 = 91.104 -> 91.10
    expect(monthly([r("aws:eks/nodeGroup:NodeGroup", { instanceTypes: ["t3.medium"], scalingConfig: { desiredSize: 3 } })])).toEqual([91.1]);
  });
  it("Cloud SQL custom machine, regional: vCPU and memory hours doubled, HA SSD storage", () => {
    // 2 vCPU x 0.0413 x 730 x 2 = 120.596 -> 120.60; 8 GB x 0.007 x 730 x 2 = 81.76; 100 GB x 0.34 = 34.00
    expect(monthly([r("gcp:sql/databaseInstance:DatabaseInstance", { settings: { tier: "db-custom-2-8192", availabilityType: "REGIONAL", diskSize: 100, diskType: "PD_SSD" } })])).toEqual([120.6, 81.76, 34, null]);
  });
  it("GKE regional node pool: initial count per zone times the cluster's node locations", () => {
    // e2-medium 0.033503 x 730 x (1 per zone x 3 zones) = 73.37157 -> 73.37
    const cluster = r("gcp:container/cluster:Cluster", { location: "us-central1", nodeLocations: ["a", "b", "c"] }, "urn:comp");
    const pool = r("gcp:container/nodePool:NodePool", { location: "us-central1", initialNodeCount: 1, nodeConfig: { machineType: "e2-medium" } }, "urn:comp");
    expect(monthly([cluster, pool])).toEqual([73, 73.37]);
  });
  it("Azure Flexible Server with zone-redundant HA and ACR Premium by the day", () => {
    // D2ds_v5 0.178 x 730 x 2 = 259.88; 100 GB x 2 x 0.115 = 23.00; ACR 1.667 x 730/24 = 50.7046 -> 50.70
    expect(monthly([r("azure-native:dbforpostgresql:Server", { sku: { name: "Standard_D2ds_v5" }, highAvailability: { mode: "ZoneRedundant" }, storage: { storageSizeGB: 100 } })])).toEqual([259.88, 23, null]);
    expect(monthly([r("azure-native:containerregistry:Registry", { sku: { name: "Premium" } })])).toEqual([50.7]);
  });
  it("Cloudflare Load Balancing: base plus origins beyond two across the sibling pools", () => {
    const pools = [1, 2, 3].map(() => r("cloudflare:index/loadBalancerPool:LoadBalancerPool", { origins: [{}] }, "urn:lb"));
    expect(monthly([...pools, r("cloudflare:index/loadBalancer:LoadBalancer", {}, "urn:lb")])).toEqual([5, 5]);
  });
  it("usage lines take the profile's quantities: NAT data, Vercel seats", () => {
    const low = loadUsageProfile("low");
    const e = estimateCost([r("aws:ec2/natGateway:NatGateway", {}), r("vercel:index/project:Project", {})], { usage: low });
    // 20 GB x 0.045 = 0.90; 3 seats x 20 = 60
    expect(e.lines.map((l) => l.monthlyUsd)).toEqual([32.85, 0.9, 60]);
    expect(e.monthlyUsd).toBe(93.75);
  });
  it("the real prod plan sums its lines, per cloud and per component", async () => {
    const report = await planStack("prod");
    const sum = (xs: (number | null)[]) => Math.round(xs.reduce<number>((a, b) => a + (b ?? 0), 0) * 100) / 100;
    expect(report.cost.monthlyUsd).toBe(sum(report.cost.lines.map((l) => l.monthlyUsd)));
    expect(sum(Object.values(report.cost.byCloud))).toBeCloseTo(report.cost.monthlyUsd!, 2);
    expect(report.cost.byComponent?.["prod-aws-db"]).toBe(255.14); // 232.14 + 23.00
    expect(report.cost.byComponent?.["prod-gcp-db"]).toBe(236.36); // 120.60 + 81.76 + 34.00
  });
});

describe("what-if", () => {
  it("parses provider=+/-pct and names the flag on bad input", () => {
    expect(parseWhatIf(["aws=+30%", "gcp=-10", "azure=15.5%"])).toEqual([{ provider: "aws", percent: 30 }, { provider: "gcp", percent: -10 }, { provider: "azure", percent: 15.5 }]);
    expect(() => parseWhatIf(["oracle=+5%"])).toThrow(/--what-if: unknown provider "oracle"/);
    expect(() => parseWhatIf(["aws=+5%", "aws=+6%"])).toThrow(WhatIfError);
    expect(() => parseWhatIf(["aws=-100%"])).toThrow(/100%/);
  });
  it("re-prices exactly the provider it names, by exactly that factor (any provider, any percent)", async () => {
    const report = await planStack("prod");
    const resources = report.resources.map((x) => ({ urn: x.urn, type: x.type, name: x.name, parent: x.parent, props: x.inputs }));
    const base = estimateCost(resources);
    fc.assert(
      fc.property(fc.constantFrom("aws", "azure", "gcp", "cloudflare"), fc.integer({ min: -90, max: 300 }), (provider, pct) => {
        const e = estimateCost(resources, { whatIf: parseWhatIf([`${provider}=${pct}%`]) });
        e.lines.forEach((l, i) => {
          const b = base.lines[i]!;
          if (l.cloud === provider && b.unitPriceUsd !== null) expect(l.unitPriceUsd).toBeCloseTo(b.unitPriceUsd * (1 + pct / 100), 10);
          else expect(l.unitPriceUsd).toBe(b.unitPriceUsd);
        });
        for (const cloud of Object.keys(base.byCloud)) if (cloud !== provider) expect(e.byCloud[cloud as "aws"]).toBe(base.byCloud[cloud as "aws"]);
        expect(e.baselineMonthlyUsd).toBe(base.monthlyUsd);
      }),
      { numRuns: 40 },
    );
  });
});

describe("price overrides", () => {
  it("replace a shipped price, marked as the user's", () => {
    const c = catalogWith({ "aws.ec2.t3.medium": { usd: 0.03, source: "our EDP contract", seenAt: "2026-11" } }, "mine.json");
    expect(c.prices["aws.ec2.t3.medium"]).toMatchObject({ usd: 0.03, per: "hour", status: "user", source: "our EDP contract" });
    expect(estimateCost([r("aws:eks/nodeGroup:NodeGroup", { instanceTypes: ["t3.medium"], scalingConfig: { desiredSize: 1 } })], { catalog: c }).monthlyUsd).toBe(21.9);
  });
  it("reject a new price without a unit, a changed unit, or a file without source and date, naming the file and entry", () => {
    expect(() => catalogWith({ "aws.ec2.c7g.large": { usd: 0.07, source: "x", seenAt: "2026" } }, "mine.json")).toThrow(/mine.json: prices.aws.ec2.c7g.large: a new price needs "per"/);
    const c = catalogWith({ "aws.kms.key": { usd: 1, per: "hour", source: "x", seenAt: "2026" } }, "mine.json");
    expect(() => estimateCost([r("aws:kms/key:Key", {})], { catalog: c })).toThrow(PriceCatalogError);
    const dir = mkdtempSync(`${tmpdir()}/prices-`);
    writeFileSync(`${dir}/p.json`, JSON.stringify({ prices: { "aws.kms.key": { usd: 2 } } }));
    expect(() => readOverrideFile(`${dir}/p.json`)).toThrow(/--prices: .*p.json: prices.aws.kms.key.source/);
  });
});
