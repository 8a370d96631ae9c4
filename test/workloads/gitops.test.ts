import { describe, expect, it } from "vitest";
import { STORAGE_BLOB_DATA_READER } from "../../components/azure/gitops";
import { ARGOCD_NAMESPACE } from "../../components/workloads/helm";
import { stackConfig } from "../helpers/config";
import { input, ofType, oneOfType, planStack, planStackWithoutEksArgoCd } from "../helpers/plan";

describe("each cluster's managed GitOps agent, enabled through the cloud's API", () => {
  it("AKS: the Flux extension and a Flux configuration reading a private blob container with the kubelet identity", async () => {
    const report = await planStack("staging");
    const ext = oneOfType(report, "azure-native:kubernetesconfiguration:Extension");
    expect(ext.inputs).toMatchObject({
      extensionType: "microsoft.flux",
      clusterRp: "Microsoft.ContainerService",
      clusterResourceName: "managedClusters",
      scope: { cluster: { releaseNamespace: "flux-system" } },
    });
    const flux = oneOfType(report, "azure-native:kubernetesconfiguration:FluxConfiguration");
    expect(flux.inputs).toMatchObject({
      clusterRp: "Microsoft.ContainerService",
      clusterResourceName: "managedClusters",
      scope: "cluster",
      sourceKind: "AzureBlob",
      azureBlob: { containerName: "manifests", syncIntervalInSeconds: 120 },
      // The External Secrets operator, then cacerts, then the charts (istiod reads cacerts once, at start), then
      // the objects whose CRDs they install (Flux dry-runs a whole kustomization before applying any of it); each
      // waited for before the next.
      kustomizations: {
        "external-secrets": { path: "./external-secrets", prune: true, wait: true },
        ca: { path: "./ca", prune: true, wait: true, dependsOn: ["external-secrets"] },
        infra: { path: "./infra", prune: true, wait: true, dependsOn: ["ca"] },
        workloads: { path: "./workloads", prune: true, dependsOn: ["infra"] },
      },
    });
    // The configuration waits for the extension (it installs Flux's CRDs) and for the read grant.
    const reader = oneOfType(report, "azure-native:authorization:RoleAssignment", "gitops-reader");
    expect(flux.dependencies).toEqual(expect.arrayContaining([ext.urn, reader.urn]));
    expect(reader.inputs.roleDefinitionId).toMatch(new RegExp(`/roleDefinitions/${STORAGE_BLOB_DATA_READER}$`));
    expect(reader.inputs.principalType).toBe("ServicePrincipal");
    const account = oneOfType(report, "azure-native:storage:StorageAccount", "gitops");
    expect(account.inputs).toMatchObject({
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      minimumTlsVersion: "TLS1_2",
    });
    expect(account.inputs.accountName).toMatch(/^[a-z0-9]{3,24}$/);
    const container = oneOfType(report, "azure-native:storage:BlobContainer", "gitops-manifests");
    expect(container.inputs).toMatchObject({ containerName: "manifests", publicAccess: "None" });
    expect(reader.dependencies).toContain(container.urn);
    expect(report.preflight.filter((f) => f.level === "error")).toEqual([]);
    // Extensions and Flux configurations need their resource provider registered in the subscription.
    const rp = report.prerequisites.find(
      (p) => p.cloud === "azure" && p.what.includes("Microsoft.KubernetesConfiguration"),
    );
    expect(rp?.why).toMatch(/Extension/);
    expect(rp?.why).toMatch(/FluxConfiguration/);
  });

  it("GKE: the cluster in the fleet, Config Sync on it syncing the OCI package with a Workload Identity reader", async () => {
    const report = await planStack("staging");
    const cluster = oneOfType(report, "gcp:container/cluster:Cluster");
    const membership = oneOfType(report, "gcp:gkehub/membership:Membership");
    expect(membership.dependencies).toContain(cluster.urn);
    const feature = oneOfType(report, "gcp:gkehub/feature:Feature");
    expect(feature.inputs).toMatchObject({ name: "configmanagement", location: "global" });
    const fm = oneOfType(report, "gcp:gkehub/featureMembership:FeatureMembership");
    expect(fm.inputs).toMatchObject({
      location: "global",
      configmanagement: {
        management: "MANAGEMENT_AUTOMATIC",
        configSync: {
          enabled: true,
          sourceFormat: "unstructured",
          oci: { policyDir: ".", secretType: "gcpserviceaccount", syncWaitSecs: "120" },
        },
      },
    });
    const manifests = oneOfType(report, "gcp:artifactregistry/repository:Repository", "gitops-manifests");
    expect(input(fm, "configmanagement.configSync.oci.syncRepo")).toBe(
      `${String(input(manifests, "location"))}-docker.pkg.dev/${String(input(manifests, "project"))}/tricloud-manifests/workloads`,
    );
    expect(fm.dependencies).toEqual(expect.arrayContaining([feature.urn, membership.urn]));
    // The root reconciler impersonates the reader, which may read the manifests repository and nothing else.
    const wi = oneOfType(report, "gcp:serviceaccount/iAMMember:IAMMember", "gitops-wi");
    expect(wi.inputs).toMatchObject({ role: "roles/iam.workloadIdentityUser" });
    expect(wi.inputs.member).toMatch(
      /^serviceAccount:[a-z0-9-]+\.svc\.id\.goog\[config-management-system\/root-reconciler\]$/,
    );
    const access = oneOfType(
      report,
      "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
      "gitops-reader-access",
    );
    expect(access.inputs).toMatchObject({ role: "roles/artifactregistry.reader", repository: "tricloud-manifests" });
    expect(fm.dependencies).toEqual(expect.arrayContaining([wi.urn, access.urn]));
    const apis = ofType(report, "gcp:projects/service:Service").map((r) => r.inputs.service);
    expect(apis).toEqual(expect.arrayContaining(["gkehub.googleapis.com", "anthosconfigmanagement.googleapis.com"]));
    expect(membership.dependencies).toEqual(
      expect.arrayContaining(
        ofType(report, "gcp:projects/service:Service")
          .filter((r) => r.inputs.service === "gkehub.googleapis.com")
          .map((r) => r.urn),
      ),
    );
  });

  it("EKS: the Argo CD capability only with an IAM Identity Center instance, its role trusted by EKS capabilities and reading one ECR repository", async () => {
    const none = await planStackWithoutEksArgoCd("staging");
    expect(ofType(none, "aws:eks/capability:Capability")).toEqual([]);
    expect(ofType(none, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")).toEqual([]);
    // The instance the stack file names (the example organisation's) reaches the capability.
    const arn = (JSON.parse(stackConfig("staging")["tricloud:clusters"]!) as { eksArgoCdIdcInstanceArn: string })
      .eksArgoCdIdcInstanceArn;
    expect(arn).toMatch(/^arn:aws:sso:::instance\/ssoins-[0-9a-f]{16}$/);
    const report = await planStack("staging");
    const cap = oneOfType(report, "aws:eks/capability:Capability");
    expect(cap.inputs).toMatchObject({
      type: "ARGOCD",
      capabilityName: "argocd",
      deletePropagationPolicy: "RETAIN",
      configuration: { argoCd: { awsIdc: { idcInstanceArn: arn }, namespace: ARGOCD_NAMESPACE } },
    });
    // Every rendered Application is in the namespace the capability reads.
    const apps = (report.outputs as any).workloads.aws.objects.filter((o: any) => o.kind === "Application");
    expect(apps.length).toBeGreaterThan(0);
    for (const a of apps) expect(a.metadata.namespace).toBe(ARGOCD_NAMESPACE);
    const role = oneOfType(report, "aws:iam/role:Role", "gitops-argocd");
    expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "capabilities.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
      },
    ]);
    const policy = JSON.parse(
      oneOfType(report, "aws:iam/rolePolicy:RolePolicy", "gitops-ecr-read").inputs.policy as string,
    );
    const repo = oneOfType(report, "aws:ecr/repository:Repository");
    const pulls = policy.Statement.find((s: { Action: unknown }) => Array.isArray(s.Action));
    expect(pulls.Action).toContain("ecr:BatchGetImage");
    expect(pulls.Resource).toMatch(/^arn:aws:ecr:/);
    expect(cap.dependencies).toEqual(expect.arrayContaining([role.urn]));
    // EKS gives the role an access entry with no Kubernetes permissions: the program associates the cluster-wide
    // admin policy with it, after the capability, and creates no access entry of its own.
    const access = oneOfType(report, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "gitops-argocd-admin");
    expect(access.inputs).toEqual({
      clusterName: cap.inputs.clusterName,
      principalArn: cap.inputs.roleArn,
      policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
      accessScope: { type: "cluster" },
    });
    expect(access.dependencies).toEqual(expect.arrayContaining([cap.urn]));
    expect(ofType(report, "aws:eks/accessEntry:AccessEntry")).toEqual([]);
    expect(repo).toBeDefined();
    expect(report.preflight.filter((f) => f.level === "error")).toEqual([]);
  });

  it("refuses an Identity Center instance ARN of the wrong shape, naming the key", async () => {
    const err = await planStack("staging", ["tricloud:clusters.eksArgoCdIdcInstanceArn=ssoins-1234"]).catch(
      (e: unknown) => e,
    );
    expect(String(err)).toMatch(/clusters\.eksArgoCdIdcInstanceArn/);
    expect(String(err)).toContain("expected an IAM Identity Center instance ARN");
  });
});
