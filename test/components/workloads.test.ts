import { describe, expect, it } from "vitest";
import { AwsGitOps } from "../../components/aws/gitops";
import { AzureGitOps, STORAGE_BLOB_DATA_READER } from "../../components/azure/gitops";
import { GcpGitOps } from "../../components/gcp/gitops";
import { GcpProjectServices } from "../../components/gcp/services";
import { ClusterWorkloads } from "../../components/workloads/cluster-workloads";
import { buildComponent, expectWellFormed } from "../helpers/component";
import { REGISTRY, serviceSpec } from "../helpers/workloads";
import { AWS_GITOPS, AZURE_GITOPS, GCP_GITOPS } from "./args";

// One fast test per component of the workloads layer, each built alone under the plan's mocks.
describe("workloads components in isolation", () => {
  it("ClusterWorkloads: renders only (no cloud resource), outputs the objects, their YAML and its sha256", async () => {
    const built = await buildComponent(
      () =>
        new ClusterWorkloads("w", {
          cloud: "azure",
          kubernetesVersion: "1.36",
          registryUrl: REGISTRY.azure,
          services: { api: serviceSpec({ aws: 50, azure: 50 }, "api"), batch: serviceSpec({ aws: 100 }, "batch") },
        }),
    );
    const root = built.one("tricloud:workloads:ClusterWorkloads");
    expect(built.withOutputs.has(root.urn)).toBe(true);
    // Nothing here may call the cluster's private API: no child resources at all.
    expect(built.resources.filter((r) => r.parent === root.urn)).toEqual([]);
    expect(built.component.services).toEqual(["api"]);
    const objects = await new Promise<{ kind: string }[]>((resolve) => built.component.objects.apply(resolve));
    expect(new Set(objects.map((o) => o.kind))).toEqual(
      new Set([
        "Namespace",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
      ]),
    );
    const [yaml, sha] = await new Promise<[string, string]>((resolve) =>
      built.component.manifests.apply((m) => built.component.sha256.apply((h) => resolve([m, h]))),
    );
    const { createHash } = await import("node:crypto");
    expect(sha).toBe(createHash("sha256").update(yaml).digest("hex"));
    expect(yaml).toContain(`image: ${REGISTRY.azure}/api:1.0.0`);
  });

  it("AwsGitOps: a capability role trusted by EKS capabilities, ECR read on the stack's repository, the Argo CD capability", async () => {
    const { repositoryArn } = AWS_GITOPS;
    const built = await buildComponent(() => new AwsGitOps("g", AWS_GITOPS));
    expectWellFormed(built, "tricloud:aws:GitOps");
    const trust = JSON.parse(built.one("aws:iam/role:Role").inputs.assumeRolePolicy);
    expect(JSON.stringify(trust)).toContain("capabilities.eks.amazonaws.com");
    expect(JSON.stringify(trust)).toContain("sts:TagSession");
    expect(built.one("aws:iam/rolePolicy:RolePolicy").inputs.policy).toContain(repositoryArn);
    expect(built.one("aws:eks/capability:Capability").inputs).toMatchObject({ type: "ARGOCD" });
  });

  it("AzureGitOps: a private blob container read by the kubelet identity, the Flux extension, one Flux configuration", async () => {
    const built = await buildComponent(() => new AzureGitOps("g", AZURE_GITOPS));
    expectWellFormed(built, "tricloud:azure:GitOps");
    expect(built.one("azure-native:storage:StorageAccount").inputs).toMatchObject({
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
    });
    const reader = built.one("azure-native:authorization:RoleAssignment");
    expect(reader.inputs.roleDefinitionId).toContain(STORAGE_BLOB_DATA_READER);
    expect(reader.inputs.principalId).toBe("00000000-0000-0000-0000-000000000002");
    expect(built.one("azure-native:kubernetesconfiguration:Extension").inputs.extensionType).toBe("microsoft.flux");
    expect(built.one("azure-native:kubernetesconfiguration:FluxConfiguration").inputs).toMatchObject({
      sourceKind: "AzureBlob",
      azureBlob: { syncIntervalInSeconds: 120 },
    });
  });

  it("GcpGitOps: fleet membership, Config Sync from its own manifests repository, a reader service account with Workload Identity", async () => {
    const built = await buildComponent(() => {
      const apis = new GcpProjectServices("apis", { project: "tricloud-unit" });
      return new GcpGitOps("g", { ...GCP_GITOPS, apis });
    });
    expectWellFormed(built, "tricloud:gcp:GitOps");
    expect(built.one("gcp:gkehub/membership:Membership").inputs.endpoint.gkeCluster.resourceLink).toBe(
      "//container.googleapis.com/projects/tricloud-unit/locations/us-central1/clusters/dev-gke",
    );
    const fm = built.one("gcp:gkehub/featureMembership:FeatureMembership").inputs;
    expect(fm.configmanagement.configSync.oci.syncRepo).toBe(
      "us-central1-docker.pkg.dev/tricloud-unit/tricloud-manifests/workloads",
    );
    // Tags move (Config Sync follows latest), unlike the images repository's; the reader may read this one only.
    const repo = built.one("gcp:artifactregistry/repository:Repository").inputs;
    expect(repo).toMatchObject({ format: "DOCKER", repositoryId: "tricloud-manifests", location: "us-central1" });
    expect(repo.dockerConfig).toEqual({ immutableTags: false });
    const reader = built.one("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember").inputs;
    expect(reader.role).toBe("roles/artifactregistry.reader");
    expect(reader.repository).toBe(repo.repositoryId);
    expect(built.one("gcp:serviceaccount/iAMMember:IAMMember").inputs.member).toBe(
      "serviceAccount:tricloud-unit.svc.id.goog[config-management-system/root-reconciler]",
    );
  });
});
