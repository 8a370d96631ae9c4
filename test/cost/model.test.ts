import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalogWith, PriceCatalogError, readOverrideFile } from "../../pricing/catalog";
import { estimateCost } from "../../pricing/estimate";
import { argoCdApplicationsOf, type PricedResource } from "../../pricing/model";
import { loadUsageProfile } from "../../pricing/usage";
import { parseWhatIf, WhatIfError } from "../../pricing/what-if";
import { planStack } from "../helpers/plan";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";

let n = 0;
const r = (type: string, props: Record<string, unknown>, parent: string | null = null): PricedResource => ({
  urn: `urn:${type}::${++n}`,
  type,
  name: `r${n}`,
  parent,
  props,
});
const monthly = (rs: PricedResource[]) => estimateCost(rs).lines.map((l) => l.monthlyUsd);

// Every expected figure below is worked by hand from pricing/price-catalog.json and 730 hours a month.
describe("cost arithmetic against hand-computed figures", () => {
  it("RDS Multi-AZ: two instances' hours and Multi-AZ gp3 storage", () => {
    // db.m6g.large 0.159 x 730 x 2 = 232.14; 100 GB x 0.23 = 23.00
    expect(
      monthly([
        r("aws:rds/instance:Instance", {
          engine: "postgres",
          instanceClass: "db.m6g.large",
          multiAz: true,
          storageType: "gp3",
          allocatedStorage: 100,
        }),
      ]),
    ).toEqual([232.14, 23, null]);
  });
  it("RDS single-AZ dev database", () => {
    // db.t3.medium 0.072 x 730 = 52.56; 20 GB x 0.115 = 2.30
    expect(
      monthly([
        r("aws:rds/instance:Instance", {
          engine: "postgres",
          instanceClass: "db.t3.medium",
          storageType: "gp3",
          allocatedStorage: 20,
        }),
      ]),
    ).toEqual([52.56, 2.3, null]);
  });
  it("EKS node group at its desired size", () => {
    // t3.medium 0.0416 x 730 x 3 = 91.104 -> 91.10
    expect(
      monthly([r("aws:eks/nodeGroup:NodeGroup", { instanceTypes: ["t3.medium"], scalingConfig: { desiredSize: 3 } })]),
    ).toEqual([91.1]);
  });
  it("Cloud SQL custom machine, regional: vCPU and memory hours doubled, HA SSD storage", () => {
    // 2 vCPU x 0.0413 x 730 x 2 = 120.596 -> 120.60; 8 GB x 0.007 x 730 x 2 = 81.76; 100 GB x 0.34 = 34.00
    expect(
      monthly([
        r("gcp:sql/databaseInstance:DatabaseInstance", {
          settings: { tier: "db-custom-2-8192", availabilityType: "REGIONAL", diskSize: 100, diskType: "PD_SSD" },
        }),
      ]),
    ).toEqual([120.6, 81.76, 34, null]);
  });
  it("GKE regional node pool: initial count per zone times the cluster's node locations", () => {
    // e2-medium 0.033503 x 730 x (1 per zone x 3 zones) = 73.37157 -> 73.37
    const cluster = r(
      "gcp:container/cluster:Cluster",
      { location: "us-central1", nodeLocations: ["a", "b", "c"] },
      "urn:comp",
    );
    const pool = r(
      "gcp:container/nodePool:NodePool",
      { location: "us-central1", initialNodeCount: 1, nodeConfig: { machineType: "e2-medium" } },
      "urn:comp",
    );
    // Boot disks: GKE's default, pd-balanced 100 GB, on each of the 3 nodes: 300 GB-months x $0.10 = 30.00
    expect(monthly([cluster, pool])).toEqual([73, 73.37, 30]);
  });
  it("GKE node boot disks at their type and size, and Cloud NAT's gateway per VM and NAT IP by the hour", () => {
    const cluster = r("gcp:container/cluster:Cluster", { location: "us-central1-a" }, "urn:gke");
    const pool = r(
      "gcp:container/nodePool:NodePool",
      {
        location: "us-central1-a",
        initialNodeCount: 3,
        nodeConfig: { machineType: "e2-medium", diskType: "pd-balanced", diskSizeGb: 50 },
      },
      "urn:gke",
    );
    const nat = r("gcp:compute/routerNat:RouterNat", { natIpAllocateOption: "AUTO_ONLY" }, "urn:net");
    const lines = estimateCost([cluster, pool, nat]).lines;
    expect(lines.map((l) => [l.priceId, l.quantity, l.monthlyUsd])).toEqual([
      ["gcp.gke.cluster-management", 730, 73],
      // e2-medium 0.033503 x 730 x 3 = 73.37
      ["gcp.compute.e2-medium", 2190, 73.37],
      // 50 GB x 3 nodes x $0.10 per GB-month = 15.00
      ["gcp.disk.pd-balanced", 150, 15],
      // $0.0014 x 3 VMs x 730 h = 3.066 -> 3.07
      ["gcp.cloudnat.gateway.vm", 2190, 3.07],
      // one address (AUTO_ONLY, 64 ports a VM: 1,008 VMs an address) x $0.005 x 730 h = 3.65
      ["gcp.cloudnat.ip", 730, 3.65],
      ["gcp.cloudnat.data", null, null],
    ]);
    // Past 32 VMs the gateway bills the capped rate, $0.044 x 730 = 32.12; MANUAL_ONLY bills the addresses it lists.
    const big = r(
      "gcp:container/nodePool:NodePool",
      { location: "us-central1-a", initialNodeCount: 40, nodeConfig: { machineType: "e2-medium" } },
      "urn:gke",
    );
    const manual = r(
      "gcp:compute/routerNat:RouterNat",
      { natIpAllocateOption: "MANUAL_ONLY", natIps: ["a", "b"] },
      "urn:net",
    );
    const nat2 = estimateCost([cluster, big, manual]).lines.filter((l) =>
      (l.priceId ?? "").startsWith("gcp.cloudnat."),
    );
    expect(nat2.map((l) => [l.priceId, l.quantity, l.monthlyUsd])).toEqual([
      ["gcp.cloudnat.gateway.capped", 730, 32.12],
      ["gcp.cloudnat.ip", 1460, 7.3],
      ["gcp.cloudnat.data", null, null],
    ]);
  });
  it("Azure Flexible Server with zone-redundant HA and ACR Premium by the day", () => {
    // D2ds_v5 0.178 x 730 x 2 = 259.88; 100 GB x 2 x 0.115 = 23.00; ACR 1.667 x 730/24 = 50.7046 -> 50.70
    expect(
      monthly([
        r("azure-native:dbforpostgresql:Server", {
          sku: { name: "Standard_D2ds_v5" },
          highAvailability: { mode: "ZoneRedundant" },
          storage: { storageSizeGB: 100 },
        }),
      ]),
    ).toEqual([259.88, 23, null]);
    expect(monthly([r("azure-native:containerregistry:Registry", { sku: { name: "Premium" } })])).toEqual([50.7]);
  });
  it("Cloudflare Load Balancing: base plus origins beyond two across the sibling pools", () => {
    const pools = [1, 2, 3].map(() =>
      r("cloudflare:index/loadBalancerPool:LoadBalancerPool", { origins: [{}] }, "urn:lb"),
    );
    expect(monthly([...pools, r("cloudflare:index/loadBalancer:LoadBalancer", {}, "urn:lb")])).toEqual([5, 5]);
  });
  it("usage lines take the profile's quantities: NAT data, Vercel seats", () => {
    const low = loadUsageProfile("low");
    const e = estimateCost([r("aws:ec2/natGateway:NatGateway", {}), r("vercel:index/project:Project", {})], {
      usage: low,
    });
    // 20 GB x 0.045 = 0.90; 3 seats x 20 = 60
    expect(e.lines.map((l) => l.monthlyUsd)).toEqual([32.85, 0.9, 60]);
    expect(e.monthlyUsd).toBe(93.75);
  });
  it("function hosts: Lambda at its architecture's rate, Flex Consumption on instance memory, Cloud Functions 2nd gen at Cloud Run rates", () => {
    const low = loadUsageProfile("low"); // 1M requests of 100 ms
    // Lambda arm64 512 MB: 1M x 0.20 = 0.20; 1M x 0.1 s x 0.5 GB = 50,000 GB-s x 0.0000133334 = 0.66667 -> 0.67
    expect(
      estimateCost([r("aws:lambda/function:Function", { architectures: ["arm64"], memorySize: 512 })], {
        usage: low,
      }).lines.map((l) => [l.priceId, l.monthlyUsd]),
    ).toEqual([
      ["aws.lambda.requests", 0.2],
      ["aws.lambda.arm64.gb-seconds", 0.67],
    ]);
    // Flex Consumption (FC1 plan beside the app, which bills nothing itself), default 2048 MB instances:
    // 1M x 0.40 = 0.40; 1M x 0.1 s x 2 GB = 200,000 GB-s x 0.000026 = 5.20
    const flex = estimateCost(
      [
        r("azure-native:web:AppServicePlan", { sku: { name: "FC1", tier: "FlexConsumption" } }, "urn:fn"),
        r("azure-native:web:WebApp", { kind: "functionapp,linux" }, "urn:fn"),
      ],
      { usage: low },
    );
    expect(flex.lines.map((l) => [l.priceId, l.monthlyUsd])).toEqual([
      ["azure.functions.flex.requests", 0.4],
      ["azure.functions.flex.gb-seconds", 5.2],
    ]);
    // Cloud Functions 2nd gen, 1Gi (0.583 vCPU by default): 1M x 0.40 = 0.40; 100,000 s x 0.583 = 58,300 vCPU-s x 0.000024 = 1.3992 -> 1.40;
    // 100,000 s x 1 GiB x 0.0000025 = 0.25
    expect(
      estimateCost([r("gcp:cloudfunctionsv2/function:Function", { serviceConfig: { availableMemory: "1Gi" } })], {
        usage: low,
      }).lines.map((l) => l.monthlyUsd),
    ).toEqual([0.4, 1.4, 0.25]);
  });
  it("a zone-redundant Flex Consumption plan bills the always-ready instances zone redundancy keeps, whatever the traffic", () => {
    // 2 scaling groups (HTTP, the reconcile timer) x 2 instances x 0.5 GB x 730 h x 3,600 s = 5,256,000 GB-s
    // x 0.000004 = 21.024 -> 21.02, with no usage profile at all; without zone redundancy, nothing fixed.
    const app = (zoneRedundant: boolean) =>
      estimateCost([
        r(
          "azure-native:web:AppServicePlan",
          { sku: { name: "FC1", tier: "FlexConsumption" }, ...(zoneRedundant ? { zoneRedundant } : {}) },
          "urn:zr",
        ),
        r(
          "azure-native:web:WebApp",
          { kind: "functionapp,linux", functionAppConfig: { scaleAndConcurrency: { instanceMemoryMB: 512 } } },
          "urn:zr",
        ),
      ]).lines.filter((l) => l.basis === "fixed");
    expect(app(true).map((l) => [l.priceId, l.quantity, l.monthlyUsd])).toEqual([
      ["azure.functions.flex.always-ready.baseline", 5_256_000, 21.02],
    ]);
    expect(app(false)).toEqual([]);
  });

  it("a dedicated App Service plan bills its SKU's hours, and says when the catalog has no price for it", () => {
    const e = estimateCost([
      r("azure-native:web:AppServicePlan", { sku: { name: "P1v3", tier: "PremiumV3", capacity: 2 } }),
    ]);
    expect(e.unpriced.map((l) => [l.priceId, l.quantity])).toEqual([["azure.appservice.P1v3", 1460]]);
  });
  it("RDS Proxy bills the vCPUs of the instance it targets in another component, at least 2", () => {
    // db.m6g.xlarge = 4 vCPUs: 4 x 730 x 0.015 = 43.80; no target found: 2 x 730 x 0.015 = 21.90
    const db = {
      ...r(
        "aws:rds/instance:Instance",
        { engine: "postgres", instanceClass: "db.m6g.xlarge", allocatedStorage: 20, storageType: "gp3" },
        "urn:db",
      ),
      name: "prod-aws-db-pg",
    };
    const proxy = r("aws:rds/proxy:Proxy", { name: "p" }, "urn:fn");
    const target = r(
      "aws:rds/proxyTarget:ProxyTarget",
      { dbProxyName: "p", dbInstanceIdentifier: "prod-aws-db-pg" },
      "urn:fn",
    );
    const line = (rs: PricedResource[]) => estimateCost(rs).lines.find((l) => l.priceId === "aws.rds.proxy.vcpu")!;
    expect(line([db, proxy, target]).monthlyUsd).toBe(43.8);
    expect(line([proxy]).monthlyUsd).toBe(21.9);
    expect(line([proxy]).note).toContain("2-vCPU minimum");
  });
  it("the EKS Argo CD capability: its hours, and each Application it manages per hour (the rendered ones and the bootstrap one)", () => {
    // 0.03 x 730 = 21.90; 3 rendered + 1 bootstrap = 4 Applications: 4 x 730 x 0.0015 = 4.38
    const app = (name: string) => ({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name } });
    const objects = [app("istio-base"), app("istiod"), { apiVersion: "v1", kind: "Namespace" }, app("argo-rollouts")];
    const stack = r("pulumi:pulumi:Stack", { workloads: { aws: { objects } } });
    const cap = r("aws:eks/capability:Capability", { type: "ARGOCD", capabilityName: "argocd" }, "urn:gitops");
    const lines = estimateCost([stack, cap]).lines.filter((l) => l.resourceType === "aws:eks/capability:Capability");
    expect(lines.map((l) => [l.name, l.monthlyUsd])).toEqual([
      ["EKS Capability for Argo CD", 21.9],
      ["Argo CD Applications managed x 4", 4.38],
    ]);
    expect(argoCdApplicationsOf(undefined)).toBe(1);
    // A capability the program does not create (ACK, kro) is not priced as Argo CD.
    expect(estimateCost([r("aws:eks/capability:Capability", { type: "ACK" })]).lines).toEqual([]);
  });

  it("secret stores and the scheduler: per secret, per active version and location, per job; reads from the profile", () => {
    const medium = loadUsageProfile("medium"); // 50,000 secret reads a month
    // Secrets Manager: 0.40 + 5 x 10K calls x 0.05 = 0.25
    expect(
      estimateCost([r("aws:secretsmanager/secret:Secret", {})], { usage: medium }).lines.map((l) => l.monthlyUsd),
    ).toEqual([0.4, 0.25]);
    // Secret Manager, user-managed replication in two regions: 2 x 0.06 = 0.12; automatic: 0.06. Scheduler job 0.10.
    const two = r(
      "gcp:secretmanager/secret:Secret",
      {
        secretId: "s2",
        replication: { userManaged: { replicas: [{ location: "us-central1" }, { location: "us-east1" }] } },
      },
      "urn:a",
    );
    const auto = r("gcp:secretmanager/secret:Secret", { secretId: "s1", replication: { auto: {} } }, "urn:a");
    const versions = [
      r("gcp:secretmanager/secretVersion:SecretVersion", { secret: "projects/p/secrets/s2" }, "urn:a"),
      r("gcp:secretmanager/secretVersion:SecretVersion", { secret: "projects/p/secrets/s1" }, "urn:a"),
    ];
    expect(
      estimateCost([two, auto, ...versions])
        .lines.filter((l) => l.basis === "fixed")
        .map((l) => l.monthlyUsd),
    ).toEqual([0.12, 0.06]);
    expect(monthly([r("gcp:cloudscheduler/job:Job", {})])).toEqual([0.1]);
  });
  it("the GCP reconciler's once-a-minute requests come from its own profile entry, not the API's traffic", () => {
    const medium = loadUsageProfile("medium"); // API: 20M requests of 150 ms; reconcile: 43,800 of 150 ms
    const fn = (name: string): PricedResource => ({
      urn: `urn:${name}`,
      type: "gcp:cloudfunctionsv2/function:Function",
      name,
      parent: null,
      props: { serviceConfig: { availableMemory: "512Mi" } },
    });
    const requests = estimateCost([fn("prod-gcp-fn-api"), fn("prod-gcp-fn-reconcile")], { usage: medium })
      .lines.filter((l) => l.priceId === "gcp.cloudrun.requests")
      .map((l) => l.quantity);
    expect(requests).toEqual([20, 0.0438]);
  });
  it("the real prod plan sums its lines, per cloud and per component", async () => {
    const report = await planStack("prod");
    const sum = (xs: (number | null)[]) => Math.round(xs.reduce<number>((a, b) => a + (b ?? 0), 0) * 100) / 100;
    expect(report.cost.monthlyUsd).toBe(sum(report.cost.lines.map((l) => l.monthlyUsd)));
    expect(sum(Object.values(report.cost.byCloud))).toBeCloseTo(report.cost.monthlyUsd!, 2);
    expect(report.cost.byComponent?.["prod-aws-db"]).toBe(255.14); // 232.14 + 23.00
    expect(report.cost.byComponent?.["prod-gcp-db"]).toBe(236.36); // 120.60 + 81.76 + 34.00
    // The Argo CD capability: 21.90, and 7 Helm releases plus the bootstrap Application: 8 x 730 x 0.0015 = 8.76.
    expect(
      report.cost.lines.filter((l) => l.resourceType === "aws:eks/capability:Capability").map((l) => l.monthlyUsd),
    ).toEqual([21.9, 8.76]);
  });
});

describe("what-if", () => {
  it("parses provider=+/-pct and names the flag on bad input", () => {
    expect(parseWhatIf(["aws=+30%", "gcp=-10", "azure=15.5%"])).toEqual([
      { provider: "aws", percent: 30 },
      { provider: "gcp", percent: -10 },
      { provider: "azure", percent: 15.5 },
    ]);
    expect(() => parseWhatIf(["oracle=+5%"])).toThrow(/--what-if: unknown provider "oracle"/);
    expect(() => parseWhatIf(["aws=+5%", "aws=+6%"])).toThrow(WhatIfError);
    expect(() => parseWhatIf(["aws=-100%"])).toThrow(/100%/);
  });
  it("re-prices exactly the provider it names, by exactly that factor (any provider, any percent)", async () => {
    const report = await planStack("prod");
    const resources = report.resources.map((x) => ({
      urn: x.urn,
      type: x.type,
      name: x.name,
      parent: x.parent,
      props: x.inputs,
    }));
    const base = estimateCost(resources);
    fc.assert(
      fc.property(
        fc.constantFrom("aws", "azure", "gcp", "cloudflare"),
        fc.integer({ min: -90, max: 300 }),
        (provider, pct) => {
          const e = estimateCost(resources, { whatIf: parseWhatIf([`${provider}=${pct}%`]) });
          e.lines.forEach((l, i) => {
            const b = base.lines[i]!;
            if (l.cloud === provider && b.unitPriceUsd !== null)
              expect(l.unitPriceUsd).toBeCloseTo(b.unitPriceUsd * (1 + pct / 100), 10);
            else expect(l.unitPriceUsd).toBe(b.unitPriceUsd);
          });
          for (const cloud of Object.keys(base.byCloud))
            if (cloud !== provider) expect(e.byCloud[cloud as "aws"]).toBe(base.byCloud[cloud as "aws"]);
          expect(e.baselineMonthlyUsd).toBe(base.monthlyUsd);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("price overrides", () => {
  it("replace a shipped price, marked as the user's", () => {
    const c = catalogWith(
      { "aws.ec2.t3.medium": { usd: 0.03, source: "our EDP contract", seenAt: "2026-11" } },
      "mine.json",
    );
    expect(c.prices["aws.ec2.t3.medium"]).toMatchObject({
      usd: 0.03,
      per: "hour",
      status: "user",
      source: "our EDP contract",
    });
    expect(
      estimateCost(
        [r("aws:eks/nodeGroup:NodeGroup", { instanceTypes: ["t3.medium"], scalingConfig: { desiredSize: 1 } })],
        { catalog: c },
      ).monthlyUsd,
    ).toBe(21.9);
  });
  it("reject a new price without a unit, a changed unit, or a file without source and date, naming the file and entry", () => {
    expect(() => catalogWith({ "aws.ec2.c7g.large": { usd: 0.07, source: "x", seenAt: "2026" } }, "mine.json")).toThrow(
      /mine.json: prices.aws.ec2.c7g.large: a new price needs "per"/,
    );
    const c = catalogWith({ "aws.kms.key": { usd: 1, per: "hour", source: "x", seenAt: "2026" } }, "mine.json");
    expect(() => estimateCost([r("aws:kms/key:Key", {})], { catalog: c })).toThrow(PriceCatalogError);
    const dir = mkdtempSync(`${tmpdir()}/prices-`);
    writeFileSync(`${dir}/p.json`, JSON.stringify({ prices: { "aws.kms.key": { usd: 2 } } }));
    expect(() => readOverrideFile(`${dir}/p.json`)).toThrow(/--prices: .*p.json: prices.aws.kms.key.source/);
  });
});
