import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nodeAllocatable } from "@tricloud/vocabulary/allocatable";
import { SIDECAR_REQUESTS } from "../../components/workloads/render";
import { parseStackConfig } from "../../stacks/config/load";
import { CLOUDS, SIZES } from "@tricloud/vocabulary/sizes";
import { configProblems, planThroughBin, stackConfig } from "../helpers/config";

describe("what one node allocates to pods, per cloud and size class", () => {
  it.each([
    // EKS: CPU 2000 - (60 + 10) = 1930 (4 vCPU: - 80); memory - (11 x 110 + 255) - 100 = - 1565.
    ["aws", "small", "t3.medium", 1930, 4096 - 1565],
    ["aws", "medium", "m6i.large", 1930, 8192 - 1565],
    ["aws", "large", "m6i.xlarge", 3920, 16384 - 1565],
    // AKS: CPU 100m on 2 cores, 140m on 4; memory - min(20 x 30 + 50, 25%) - 100 = - 750.
    ["azure", "small", "Standard_D2s_v3", 1900, 8192 - 750],
    ["azure", "medium", "Standard_D2s_v5", 1900, 8192 - 750],
    ["azure", "large", "Standard_D4s_v5", 3860, 16384 - 750],
    // GKE: the shared-core e2-medium keeps 1060m; memory 25% of 4 GiB, 20% of the next 4, 10% of the next 8, + 100.
    ["gcp", "small", "e2-medium", 940, 4096 - 1024 - 100],
    ["gcp", "medium", "e2-standard-2", 1930, Math.floor(8192 - 1024 - 819.2 - 100)],
    ["gcp", "large", "e2-standard-4", 3920, Math.floor(16384 - 1024 - 819.2 - 819.2 - 100)],
  ] as const)("%s %s (%s): %im CPU, %iMi memory", (cloud, size, machine, cpuMillis, memoryMiB) => {
    expect(nodeAllocatable(cloud, size)).toEqual({ machine, cpuMillis, memoryMiB });
  });

  it("the sidecar request added is the one istiod is configured with (Istio's default, 100m and 128Mi)", () => {
    expect(SIDECAR_REQUESTS).toEqual({ cpu: 100, memory: 128 });
  });
});

describe("a service's pod must fit one node of every cloud that runs it", () => {
  it("refuses the old prod request (debt-agent-ai 2000m: 2100m with the sidecar, above a 2-vCPU node on every cloud)", () => {
    const found = configProblems(
      stackConfig(
        "prod",
        "tricloud:services.debt-agent-ai.requests.cpu=2000m",
        "tricloud:services.debt-agent-ai.limits.cpu=4000m",
      ),
      "prod",
    );
    expect(found).toEqual([
      "tricloud:services.debt-agent-ai.requests.cpu: expected at most 1800m: with the Istio sidecar's 100m the pod requests 2100m, more than one node allocates on aws (size small, t3.medium: 1930m CPU and 2531Mi memory allocatable), azure (size small, Standard_D2s_v3: 1900m CPU and 7442Mi memory allocatable), gcp (size medium, e2-standard-2: 1930m CPU and 6248Mi memory allocatable), so it would never be scheduled there; lower the request or choose a larger tricloud:clusters.aws.size, tricloud:clusters.azure.size, tricloud:clusters.gcp.size",
    ]);
  });

  it("refuses the old prod GKE size: e2-medium allocates 940m, below the 1000m services and their sidecars", () => {
    const found = configProblems(stackConfig("prod", "tricloud:clusters.gcp.size=small"), "prod");
    expect(found.map((p) => p.split(": ")[0])).toEqual([
      "tricloud:services.api-gateway.requests.cpu",
      "tricloud:services.slon-finance.requests.cpu",
      "tricloud:services.debt-agent-ai.requests.cpu",
    ]);
    expect(found[0]).toMatch(/expected at most 840m: .* 1100m, .* on gcp \(size small, e2-medium: 940m CPU and 2972Mi/);
  });

  it("refuses memory the same way, naming only the clouds it does not fit", () => {
    const found = configProblems(
      stackConfig(
        "prod",
        "tricloud:services.debt-agent-ai.requests.memory=3Gi",
        "tricloud:services.debt-agent-ai.limits.memory=3Gi",
      ),
      "prod",
    );
    expect(found).toEqual([
      "tricloud:services.debt-agent-ai.requests.memory: expected at most 2403Mi: with the Istio sidecar's 128Mi the pod requests 3200Mi, more than one node allocates on aws (size small, t3.medium: 1930m CPU and 2531Mi memory allocatable), so it would never be scheduled there; lower the request or choose a larger tricloud:clusters.aws.size",
    ]);
  });

  it("accepts the new prod values, and the old request once every cloud runs a 4-vCPU size", () => {
    const prod = parseStackConfig(stackConfig("prod"), "prod").tricloud;
    expect(prod.services["debt-agent-ai"]!.requests).toEqual({ cpu: 1500, memory: 2048 });
    expect(prod.services["debt-agent-ai"]!.limits.cpu).toBeLessThanOrEqual(1800);
    const large = CLOUDS.map((c) => `tricloud:clusters.${c}.size=large`);
    const old = [
      "tricloud:services.debt-agent-ai.requests.cpu=2000m",
      "tricloud:services.debt-agent-ai.limits.cpu=4000m",
    ];
    expect(configProblems(stackConfig("prod", ...large, ...old), "prod")).toEqual([]);
  });

  it("skips a cloud the service leaves out", () => {
    // Only GKE runs it (callers that run elsewhere are told so, by key, not by this check).
    const found = configProblems(
      stackConfig(
        "dev",
        'tricloud:services.infusion-processor.clouds={"gcp":100}',
        "tricloud:clusters.gcp.size=large",
        "tricloud:services.infusion-processor.requests.cpu=3000m",
        "tricloud:services.infusion-processor.limits.cpu=3000m",
      ),
      "dev",
    );
    expect(found.filter((p) => p.includes(".requests."))).toEqual([]);
  });

  it("property: refused exactly when request + sidecar exceeds a served cloud's allocatable, for CPU and memory", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CLOUDS),
        fc.constantFrom(...SIZES),
        fc.integer({ min: 10, max: 4500 }),
        fc.integer({ min: 16, max: 16 * 1024 }),
        (cloud, size, cpu, memory) => {
          const found = configProblems(
            stackConfig(
              "dev",
              `tricloud:clusters.${cloud}.size=${size}`,
              `tricloud:services.debt-agent-ai.requests.cpu=${cpu}m`,
              `tricloud:services.debt-agent-ai.limits.cpu=${cpu}m`,
              `tricloud:services.debt-agent-ai.requests.memory=${memory}Mi`,
              `tricloud:services.debt-agent-ai.limits.memory=${memory}Mi`,
            ),
            "dev",
          );
          // The other clouds keep dev's small size: the refusal is the strictest served cloud's.
          const nodes = CLOUDS.map((c) => nodeAllocatable(c, c === cloud ? size : "small"));
          const cpuShort = nodes.some((n) => cpu + SIDECAR_REQUESTS.cpu > n.cpuMillis);
          const memShort = nodes.some((n) => memory + SIDECAR_REQUESTS.memory > n.memoryMiB);
          const keys = found.map((p) => p.split(": ")[0]!);
          expect(keys.includes("tricloud:services.debt-agent-ai.requests.cpu")).toBe(cpuShort);
          expect(keys.includes("tricloud:services.debt-agent-ai.requests.memory")).toBe(memShort);
          expect(keys.filter((k) => !k.startsWith("tricloud:services.debt-agent-ai.requests."))).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("exits 2 through the plan with the key and the nodes' allocatable in the message", () => {
    const r = planThroughBin(
      "prod",
      "tricloud:services.debt-agent-ai.requests.cpu=2000m",
      "tricloud:services.debt-agent-ai.limits.cpu=4000m",
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /tricloud:services\.debt-agent-ai\.requests\.cpu: expected at most 1800m: .* aws \(size small, t3\.medium: 1930m CPU/,
    );
  });
});
