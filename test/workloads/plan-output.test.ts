import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../cli/plan/comment";
import { renderTable, workloadLines } from "../../cli/plan/render";
import { planStack } from "../helpers/plan";

describe("the plan's table and Markdown show what each cluster runs", () => {
  it("one line per cluster: services, objects by kind, sha256 prefix, CPU at the replica floor against the pool", async () => {
    const report = await planStack("staging");
    const w = (report.outputs as any).workloads;
    const lines = workloadLines(report);
    expect(lines).toHaveLength(3);
    for (const [i, cloud] of ["aws", "azure", "gcp"].entries()) {
      const deployments = w[cloud].objects.filter((o: { kind: string }) => o.kind === "Deployment").length;
      // The services' namespace and the mesh's three (istio-system, external-secrets, argo-rollouts).
      expect(lines[i]).toContain(`8 services (Namespace x4,`);
      expect(lines[i]).toContain(`Deployment x${deployments}`);
      expect(lines[i]).toContain(`sha256 ${w[cloud].sha256.slice(0, 12)}`);
      expect(lines[i]).toContain(
        `${w[cloud].requested.atMinReplicas.cpuMillis} of ${w[cloud].capacity.cpuMillis} mCPU`,
      );
    }
    expect(lines[0]).toMatch(/^AWS: /);
    const table = renderTable(report);
    expect(table).toContain(
      `Workloads per cluster (rendered, applied by each cloud's GitOps agent):\n  ${lines[0]}\n  ${lines[1]}\n  ${lines[2]}\n`,
    );
    const md = renderMarkdown(report);
    expect(md).toContain("Workloads per cluster:\n- AWS: 8 services");
  });

  it("says nothing for a report without workloads", async () => {
    const report = await planStack("staging");
    expect(workloadLines({ ...report, outputs: {} })).toEqual([]);
    expect(renderTable({ ...report, outputs: {} })).not.toContain("Workloads per cluster");
  });
});
