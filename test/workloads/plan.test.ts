import { describe, expect, it } from "vitest";
import { SIDECAR_REQUESTS } from "../../components/workloads/render";
import { ofType, planStack } from "../helpers/plan";

/** Each cloud's GitOps agent declares the mesh's Helm releases in its own kinds. */
const HELM_KINDS: Record<string, string[]> = {
  aws: ["Application"],
  azure: ["HelmRelease", "HelmRepository"],
  gcp: ["RootSync"],
};
/**
 * The CA reaches each cluster from its cloud's secret store (EKS's through the Argo CD capability, on in every
 * stack); with the VPN on (staging), the reader token's Secret and its PushSecret come with the remote secrets.
 */
/** Cluster-scoped objects of a cloud's own: EKS Auto Mode's NodeClass and NodePool (components/aws/node-pool.ts). */
const NODE_KINDS: Record<string, string[]> = { aws: ["NodeClass", "NodePool"], azure: [], gcp: [] };
const SECRET_KINDS: Record<string, string[]> = {
  aws: ["ClusterSecretStore", "ExternalSecret", "PushSecret", "Secret"],
  azure: ["ClusterSecretStore", "ExternalSecret", "PushSecret", "Secret"],
  gcp: ["ClusterSecretStore", "ExternalSecret", "PushSecret", "Secret"],
};

describe("the staging plan shows what each cluster runs", () => {
  it("lists each cluster's rendered objects in the JSON report, with images from that cloud's registry", async () => {
    const report = await planStack("staging");
    const workloads = (report.outputs as any).workloads;
    for (const cloud of ["aws", "azure", "gcp"]) {
      const w = workloads[cloud];
      expect(w.services).toHaveLength(8);
      const kinds = new Set(w.objects.map((o: { kind: string }) => o.kind));
      expect([...kinds].sort()).toEqual(
        [
          "Deployment",
          "HorizontalPodAutoscaler",
          "Namespace",
          "NetworkPolicy",
          "PodDisruptionBudget",
          "Service",
          // The mesh: Istio's objects, the canaries (staging has a canary per service) and the Helm releases.
          "AnalysisTemplate",
          "DestinationRule",
          "Gateway",
          "PeerAuthentication",
          "Rollout",
          "VirtualService",
          ...HELM_KINDS[cloud]!,
          ...SECRET_KINDS[cloud]!,
          ...NODE_KINDS[cloud]!,
        ].sort(),
      );
      expect(w.sha256).toMatch(/^[0-9a-f]{64}$/);
      const registry = (report.outputs as any)[cloud].registry.url as string;
      const images = [...(w.manifests as string).matchAll(/image: (\S+)/g)].map((m) => m[1]);
      expect(images).toHaveLength(8);
      for (const image of images) expect(image!.startsWith(registry)).toBe(true);
      // Staging runs 2 replicas per service at half of prod's requests: 8 services, 2 each, each pod with its sidecar.
      expect(w.requested.atMinReplicas.cpuMillis).toBe(
        2 * (500 + 250 + 375 + 500 + 300 + 750 + 375 + 250 + 8 * SIDECAR_REQUESTS.cpu),
      );
    }
    expect(
      ofType(report, "tricloud:workloads:ClusterWorkloads")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["staging-aws-workloads", "staging-azure-workloads", "staging-gcp-workloads"]);
  });

  it("turns on what EKS lacks through the EKS API: metrics-server after the nodes, and the VPC CNI's network policy controller", async () => {
    const report = await planStack("staging");
    const addons = ofType(report, "aws:eks/addon:Addon");
    const metrics = addons.find((a) => a.inputs.addonName === "metrics-server");
    expect(metrics).toBeDefined();
    const cni = addons.find((a) => a.inputs.addonName === "vpc-cni")!;
    expect(JSON.parse(cni.inputs.configurationValues as string)).toEqual({ enableNetworkPolicy: "true" });
    // AKS and GKE run metrics-server themselves: nothing is added there.
    expect(report.resources.filter((r) => /metrics-server/.test(r.name) && r.cloud !== "aws")).toEqual([]);
    expect(report.preflight.filter((f) => f.level === "error")).toEqual([]);
  });
});
