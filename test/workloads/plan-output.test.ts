import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../cli/plan/comment";
import { meshLines, renderTable, workloadLines } from "../../cli/plan/render";
import { planStack, planStackWithoutEksArgoCd } from "../helpers/plan";

describe("the plan's table and Markdown show what each cluster runs", () => {
  it("one line per cluster: services, objects by kind, sha256 prefix, CPU at the replica floor against the pool", async () => {
    const report = await planStack("staging");
    const w = (report.outputs as any).workloads;
    const lines = workloadLines(report);
    expect(lines).toHaveLength(3);
    for (const [i, cloud] of ["aws", "azure", "gcp"].entries()) {
      const deployments = w[cloud].objects.filter((o: { kind: string }) => o.kind === "Deployment").length;
      // EKS's Auto Mode NodeClass and NodePool first, then the services' namespace and the mesh's three (istio-system,
      // external-secrets, argo-rollouts).
      expect(lines[i]).toContain(`8 services (${cloud === "aws" ? "NodeClass x1, NodePool x1, " : ""}Namespace x4,`);
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

  it("one mesh line per cluster: name, network, mesh, Istio release and its installer, the CA's source, canaries", async () => {
    const report = await planStack("staging");
    const lines = meshLines(report);
    expect(lines).toEqual([
      "AWS: staging-aws on network staging-aws-us-west-2 in tricloud-staging, Istio 1.30.4 (7 Helm releases as Argo CD Applications); CA from tricloud-staging-aws-istio-cacerts; 8 canaries",
      "Azure: staging-azure on network staging-azure-eastus in tricloud-staging, Istio 1.30.4 (7 Helm releases as Flux HelmReleases); CA from tricloud-staging-azure-istio-cacerts; 8 canaries",
      "GCP: staging-gcp on network staging-gcp-us-central1 in tricloud-staging, Istio 1.30.4 (7 Helm releases as Config Sync RootSyncs); CA from tricloud-staging-gcp-istio-cacerts; 8 canaries",
    ]);
    expect(renderTable(report)).toContain(
      `Mesh per cluster (Istio multi-primary, one network per cloud):\n  ${lines[0]}\n  ${lines[1]}\n  ${lines[2]}\n`,
    );
    expect(renderMarkdown(report)).toContain("Mesh per cluster:\n- AWS: staging-aws on network");
    // A stack without the EKS Argo CD capability says EKS has no CA entry.
    expect(meshLines(await planStackWithoutEksArgoCd("staging"))[0]).toContain(
      "; no CA secret-store entry (the cloud's GitOps is not built); ",
    );
  });

  it("says nothing for a report without workloads", async () => {
    const report = await planStack("staging");
    expect(workloadLines({ ...report, outputs: {} })).toEqual([]);
    expect(renderTable({ ...report, outputs: {} })).not.toContain("Workloads per cluster");
    expect(meshLines({ ...report, outputs: {} })).toEqual([]);
  });
});
