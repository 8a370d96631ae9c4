import { describe, expect, it } from "vitest";
import { ACR_PULL } from "../../components/azure/registry";
import { input, ofType, oneOfType, planStack } from "../helpers/plan";
import { mockId, mockState, owningComponents, stackConfig } from "../helpers/platform";

const ECR = "aws:ecr/repository:Repository";
const ACR = "azure-native:containerregistry:Registry";
const GAR = "gcp:artifactregistry/repository:Repository";

interface LifecycleRule {
  selection: { tagStatus: string; countType: string; countNumber: number };
  action: { type: string };
}

describe.each(["dev", "prod"])("%s registries", (stack) => {
  const prod = stack === "prod";
  const t = stackConfig(stack).tricloud;

  it("has exactly one registry per cloud, each under its component", async () => {
    const r = await planStack(stack);
    for (const cloud of ["aws", "azure", "gcp"])
      expect(ofType(r, `tricloud:${cloud}:ContainerRegistry`)).toHaveLength(1);
    for (const type of [ECR, ACR, GAR]) {
      // Config Sync's manifests repository (tricloud:gcp:GitOps) is not an images registry.
      const [registry, ...others] = ofType(r, type).filter((x) => !x.name.endsWith("-gitops-manifests"));
      expect(others, type).toHaveLength(0);
      expect(owningComponents(r, registry!).slice(0, 2)).toEqual([
        `tricloud:${registry!.cloud}:ContainerRegistry`,
        `tricloud:${registry!.cloud}:Platform`,
      ]);
    }
  });

  it("ECR: scans on push, immutable tags, a lifecycle policy that expires untagged and old images", async () => {
    const r = await planStack(stack);
    const repo = oneOfType(r, ECR);
    expect(input(repo, "imageTagMutability")).toBe("IMMUTABLE");
    expect(input(repo, "imageScanningConfiguration.scanOnPush")).toBe(true);
    expect(input(repo, "forceDelete")).toBe(!prod);
    const lifecycle = oneOfType(r, "aws:ecr/lifecyclePolicy:LifecyclePolicy");
    expect(input(lifecycle, "repository")).toBe(mockState(stack, repo).name);
    const rules = (JSON.parse(input(lifecycle, "policy") as string) as { rules: LifecycleRule[] }).rules;
    expect(rules.every((x) => x.action.type === "expire")).toBe(true);
    expect(rules.find((x) => x.selection.tagStatus === "untagged")?.selection.countType).toBe("sinceImagePushed");
    expect(rules.find((x) => x.selection.tagStatus === "any")?.selection.countType).toBe("imageCountMoreThan");
  });

  it("ECR: the EKS nodes may pull, through their role's pull-only policy", async () => {
    const r = await planStack(stack);
    const role = oneOfType(r, "aws:iam/role:Role", "-k8s-nodes");
    expect(input(oneOfType(r, "aws:eks/nodeGroup:NodeGroup"), "nodeRoleArn")).toBe(mockState(stack, role).arn);
    const attachments = ofType(r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
      (a) => input(a, "role") === mockState(stack, role).name,
    );
    expect(attachments.map((a) => input(a, "policyArn"))).toContain(
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    );
    // Pull only: nothing that could push or delete images.
    expect(
      attachments
        .map((a) => input(a, "policyArn") as string)
        .filter((arn) => /ContainerRegistry(FullAccess|PowerUser)/.test(arn)),
    ).toEqual([]);
  });

  it("ACR: no admin user, no anonymous pull, and the AKS kubelet identity holds AcrPull on it", async () => {
    const r = await planStack(stack);
    const acr = oneOfType(r, ACR);
    expect(input(acr, "adminUserEnabled")).toBe(false);
    expect(input(acr, "anonymousPullEnabled")).toBe(false);
    expect(input(acr, "registryName")).toMatch(/^[a-z0-9]{5,50}$/);
    expect(input(acr, "sku.name")).toBe(prod ? "Premium" : "Basic");
    if (prod) expect(input(acr, "policies.retentionPolicy.status")).toBe("enabled");

    const grant = oneOfType(r, "azure-native:authorization:RoleAssignment", "-acrpull-");
    const aks = mockState(stack, oneOfType(r, "azure-native:containerservice:ManagedCluster")) as {
      identityProfile: { kubeletidentity: { objectId: string } };
    };
    expect(input(grant, "principalId")).toBe(aks.identityProfile.kubeletidentity.objectId);
    expect(input(grant, "roleDefinitionId")).toMatch(new RegExp(`/roleDefinitions/${ACR_PULL}$`));
    expect(input(grant, "scope")).toBe(mockId(stack, acr));
  });

  it("Artifact Registry: a Docker repository with immutable tags, live cleanup policies, read access for the GKE nodes", async () => {
    const r = await planStack(stack);
    const repo = oneOfType(r, GAR, "-registry-repo");
    expect(input(repo, "format")).toBe("DOCKER");
    expect(input(repo, "dockerConfig.immutableTags")).toBe(true);
    expect(input(repo, "cleanupPolicyDryRun")).toBe(false);
    const policies = input(repo, "cleanupPolicies") as { action: string; condition?: { tagState: string } }[];
    expect(policies.some((p) => p.action === "DELETE" && p.condition?.tagState === "UNTAGGED")).toBe(true);
    expect(policies.some((p) => p.action === "KEEP")).toBe(true);

    const reader = oneOfType(r, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "-registry-reader");
    const nodes = mockState(stack, oneOfType(r, "gcp:serviceaccount/account:Account", "-k8s-nodes")) as {
      email: string;
    };
    expect(reader.inputs).toMatchObject({
      role: "roles/artifactregistry.reader",
      member: `serviceAccount:${nodes.email}`,
      repository: mockState(stack, repo).name,
    });
    expect(input(oneOfType(r, "gcp:container/nodePool:NodePool"), "nodeConfig.serviceAccount")).toBe(nodes.email);
  });

  it("carries the configured tags and labels, and exports each registry's URL", async () => {
    const r = await planStack(stack);
    const want = { ...t.tags, environment: t.environment };
    expect(input(oneOfType(r, ECR), "tags")).toMatchObject(want);
    expect(input(oneOfType(r, ACR), "tags")).toMatchObject(want);
    expect(input(oneOfType(r, GAR, "-registry-repo"), "labels")).toMatchObject(want);
    const urls = (["aws", "azure", "gcp"] as const).map(
      (c) => (r.outputs[c] as { registry: { url: string } }).registry.url,
    );
    expect(urls[0]).toMatch(/\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\//);
    expect(urls[1]).toMatch(/\.azurecr\.io$/);
    expect(urls[2]).toMatch(/-docker\.pkg\.dev\//);
  });
});
