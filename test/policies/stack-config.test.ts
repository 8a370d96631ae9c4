import { describe, expect, it } from "vitest";
import { portabilityConfigFor, servicePlacement } from "../../policies/stack-config";
import { parseStackConfig } from "../../stacks/config/load";
import { stackConfig } from "../helpers/config";
import { planStack } from "../helpers/plan";

const PLACEMENT = "portability-workloads-services-on-every-cluster";
const config = (stack: string, ...overrides: string[]) => parseStackConfig(stackConfig(stack, ...overrides), stack);

describe("policies/stack-config.ts: where each service runs, from tricloud:services.<name>.clouds", () => {
  it("gives each service the clouds with a weight above 0, in the stack file's services", () => {
    const c = config("dev");
    const placement = (portabilityConfigFor(c)[PLACEMENT] as { clouds: Record<string, string[]> }).clouds;
    expect(Object.keys(placement).sort()).toEqual(Object.keys(c.tricloud.services).sort());
    for (const clouds of Object.values(placement)) expect(clouds).toEqual(["aws", "azure", "gcp"]);
  });

  it("leaves out a cloud the weights leave out or set to 0", () => {
    expect(
      servicePlacement({ a: { clouds: { aws: 70, gcp: 30 } }, b: { clouds: { aws: 100, azure: 0, gcp: 0 } } }),
    ).toEqual({ a: ["aws", "gcp"], b: ["aws"] });
  });

  it("the plan passes it: a service configured for two clouds is no violation, nor is any service of the stacks", async () => {
    // infusion-processor on AWS and GCP only; api-gateway calls it, so the configuration moves it off Azure too.
    const two = ["infusion-processor", "api-gateway"].map((s) => `tricloud:services.${s}.clouds={"aws":50,"gcp":50}`);
    const c = config("dev", ...two);
    expect(servicePlacement(c.tricloud.services)["infusion-processor"]).toEqual(["aws", "gcp"]);
    const report = await planStack("dev", two);
    expect((report.outputs.workloads as any).azure.services).not.toContain("infusion-processor");
    expect(report.policies.violations.filter((v) => v.policy === PLACEMENT)).toEqual([]);
  });
});
