import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { PlanReport } from "../../cli/plan/report";
import { VM_SIZES } from "../../policies/preflight/rules/azure";
import { planStack } from "../helpers/plan";

/**
 * docs/first-deploy-azure.md against the plan's own prerequisites (policies/preflight/rules/azure.ts), which follow
 * from the resources the program declares and the stack's config: the provider loop and the vCPU quota figures.
 */
const doc = readFileSync(join(__dirname, "..", "..", "docs", "first-deploy-azure.md"), "utf8");
/** The prose with its line breaks and indentation folded into single spaces. */
const prose = doc.replace(/\s+/g, " ");

let dev: PlanReport;
let prod: PlanReport;
beforeAll(async () => {
  [dev, prod] = await Promise.all([planStack("dev"), planStack("prod")]);
});

const azure = (r: PlanReport) => r.prerequisites.filter((p) => p.cloud === "azure");

describe("docs/first-deploy-azure.md", () => {
  it("registers exactly the resource providers the dev and prod plans ask for", () => {
    const loop = /for ns in ([^;]+); do\n\s+az provider register --namespace "\$ns"/.exec(doc);
    expect(loop, "the `for ns in ...; do az provider register` loop").not.toBeNull();
    const documented = loop![1]!.split(/[\s\\]+/).filter(Boolean);
    const planned = new Set(
      [dev, prod].flatMap((r) =>
        azure(r).flatMap((p) => /^resource provider (\S+) registered/.exec(p.what)?.slice(1, 2) ?? []),
      ),
    );
    expect(planned).toContain("Microsoft.KubernetesConfiguration");
    expect(documented.sort()).toEqual([...planned].sort());
  });

  it.each(["dev", "prod"])("states %s's AKS vCPU quota, pools and VM size as the plan computes them", (stack) => {
    const quotas = azure(stack === "dev" ? dev : prod).filter((p) => p.what.startsWith("vCPU quota"));
    expect(quotas).toHaveLength(1);
    const [, family, vcpus] = /^vCPU quota "([^"]+)" and "Total Regional vCPUs" of at least (\d+)/.exec(
      quotas[0]!.what,
    )!;
    // "<stack>-azure-k8s-workers: 3-40 x Standard_D2s_v3; <stack>-azure-k8s/system: 3-3 x Standard_D2s_v3"
    const pools = Object.fromEntries(
      [...quotas[0]!.why.matchAll(/(workers|system): (\d+)-(\d+) x (\w+)/g)].map(([, pool, min, max, size]) => [
        pool,
        { min, max, size },
      ]),
    );
    const { workers, system } = pools as Record<"workers" | "system", { min: string; max: string; size: string }>;
    expect(workers.size).toBe(system.size);
    expect(system.min).toBe(system.max);

    if (stack === "prod") {
      expect(prose).toContain(`prod asks for **${vcpus} "${family}"**`);
      expect(prose).toContain(`system pool ${system.max} x ${system.size}, workers ${workers.min}-${workers.max} x`);
    } else {
      expect(prose).toContain(
        `dev asks for ${vcpus} (system pool ${system.max}, workers ${workers.min}-${workers.max}:`,
      );
    }
    expect(prose).toContain(`${workers.size} has ${VM_SIZES[workers.size]!.vcpus} vCPUs`);
    const perVm = VM_SIZES[workers.size]!.vcpus;
    expect(prose).toContain(`(${system.max} + 1) x ${perVm} + (${workers.max} + 1) x ${perVm}`);
    expect((Number(system.max) + 1 + Number(workers.max) + 1) * perVm).toBe(Number(vcpus));
  });
});
