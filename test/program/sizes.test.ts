import { describe, expect, it } from "vitest";
import {
  CLOUDS,
  DATABASE_SIZES,
  MACHINE_SPECS,
  NODE_SIZES,
  SIZES,
  databaseMachine,
  nodeMachine,
  supportsHighAvailability,
} from "@tricloud/vocabulary/sizes";
import { input, oneOfType, planStack } from "../helpers/plan";
import { expectConfigError, stackConfig } from "../helpers/platform";

describe("the portable size mapping", () => {
  it("maps small to the reference architecture's nodes", () => {
    expect(CLOUDS.map((c) => nodeMachine(c, "small"))).toEqual(["t3.medium", "Standard_D2s_v3", "e2-medium"]);
  });

  it("gives every size class a machine on every cloud that meets the class's floor", () => {
    for (const size of SIZES) {
      for (const cloud of CLOUDS) {
        for (const [kind, floor, machine] of [
          ["node", NODE_SIZES[size], nodeMachine(cloud, size)],
          ["database", DATABASE_SIZES[size], databaseMachine(cloud, size)],
        ] as const) {
          const spec = MACHINE_SPECS[machine];
          expect(spec, `${kind} ${size} on ${cloud}: ${machine} has no recorded spec`).toBeDefined();
          expect(spec!.vcpus, `${machine} vCPUs`).toBeGreaterThanOrEqual(floor.vcpus);
          expect(spec!.memoryGiB, `${machine} memory`).toBeGreaterThanOrEqual(floor.memoryGiB);
        }
      }
    }
  });

  it("grows from small to large: each step raises the floor, and no cloud's machine shrinks", () => {
    for (const table of [NODE_SIZES, DATABASE_SIZES]) {
      for (let i = 1; i < SIZES.length; i++) {
        const lo = table[SIZES[i - 1]!];
        const hi = table[SIZES[i]!];
        expect(hi.vcpus * 1000 + hi.memoryGiB).toBeGreaterThan(lo.vcpus * 1000 + lo.memoryGiB);
      }
    }
    for (const cloud of CLOUDS) {
      for (const pick of [nodeMachine, databaseMachine]) {
        const specs = SIZES.map((s) => MACHINE_SPECS[pick(cloud, s)]!);
        for (let i = 1; i < specs.length; i++) {
          expect(specs[i]!.vcpus).toBeGreaterThanOrEqual(specs[i - 1]!.vcpus);
          expect(specs[i]!.memoryGiB).toBeGreaterThanOrEqual(specs[i - 1]!.memoryGiB);
        }
      }
    }
  });

  it("names Cloud SQL custom machines that exist: the name matches the spec, memory within Cloud SQL's per-vCPU limits", () => {
    for (const size of SIZES) {
      const tier = databaseMachine("gcp", size);
      const m = /^db-custom-(\d+)-(\d+)$/.exec(tier);
      expect(m, tier).not.toBeNull();
      const [vcpus, mib] = [Number(m![1]), Number(m![2])];
      expect(MACHINE_SPECS[tier]).toEqual({ vcpus, memoryGiB: mib / 1024 });
      expect(vcpus === 1 || vcpus % 2 === 0).toBe(true);
      expect(mib % 256).toBe(0);
      expect(mib).toBeGreaterThanOrEqual(3840);
      expect(mib / 1024 / vcpus).toBeGreaterThanOrEqual(0.9);
      expect(mib / 1024 / vcpus).toBeLessThanOrEqual(6.5);
    }
  });

  it("knows which sizes Azure can make highly available (never Burstable), and the schema agrees for every size", async () => {
    for (const size of SIZES) {
      expect(supportsHighAvailability(size)).toBe(DATABASE_SIZES[size].azure.tier !== "Burstable");
      const overrides = [`tricloud:database.size=${size}`, "tricloud:database.highAvailability=true"];
      if (supportsHighAvailability(size)) expect(stackConfig("dev", overrides).tricloud.database.size).toBe(size);
      else await expectConfigError("dev", overrides, "tricloud:database.size");
    }
    expect(supportsHighAvailability("small")).toBe(false);
  });
});

describe("the plan uses the mapping", () => {
  it("sizes every pool and database from its own key", async () => {
    const r = await planStack("dev", [
      "tricloud:clusters.aws.size=large",
      "tricloud:clusters.azure.size=medium",
      "tricloud:clusters.gcp.size=small",
      "tricloud:database.size=large",
    ]);
    expect(input(oneOfType(r, "aws:eks/nodeGroup:NodeGroup"), "instanceTypes")).toEqual([NODE_SIZES.large.aws]);
    expect(input(oneOfType(r, "azure-native:containerservice:AgentPool"), "vmSize")).toBe(NODE_SIZES.medium.azure);
    expect(input(oneOfType(r, "gcp:container/nodePool:NodePool"), "nodeConfig.machineType")).toBe(NODE_SIZES.small.gcp);
    expect(input(oneOfType(r, "aws:rds/instance:Instance"), "instanceClass")).toBe(DATABASE_SIZES.large.aws);
    expect(input(oneOfType(r, "azure-native:dbforpostgresql:Server"), "sku")).toEqual(DATABASE_SIZES.large.azure);
    expect(input(oneOfType(r, "gcp:sql/databaseInstance:DatabaseInstance"), "settings.tier")).toBe(
      DATABASE_SIZES.large.gcp,
    );
  });

  it.each([
    ["tricloud:clusters.aws.size=huge", "tricloud:clusters.aws.size"],
    ["tricloud:clusters.gcp.size=Small", "tricloud:clusters.gcp.size"],
    ["tricloud:database.size=tiny", "tricloud:database.size"],
  ])("rejects %s naming the key", async (override, key) => {
    await expectConfigError("dev", [override], key);
  });
});
