import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
// The script is an ES module and this file compiles to CommonJS: it is loaded with import().
type Publish = typeof import("../../scripts/publish-manifests.mjs", { with: { "resolution-mode": "import" } });
let P: Publish;
beforeAll(async () => {
  P = await import("../../scripts/publish-manifests.mjs");
});
import { kindSource } from "../../components/workloads/order";
import { input, oneOfType, planStack, planStackWithoutEksArgoCd } from "../helpers/plan";

const docs = (text: string | undefined) => parseAllDocuments(text ?? "").map((d) => d.toJSON());
const byKey = (list: any[]) => list.map((d) => `${d.kind}/${d.metadata.namespace ?? ""}/${d.metadata.name}`).sort();

type Step = {
  argv?: string[];
  stdinFrom?: string[];
  unless?: string[];
  write?: string;
  text?: string;
  argoApplication?: { repositoryUrl: string; tag: string };
  serverFrom?: string[];
  curlArgv?: (server: string, headerFile: string, bodyFile: string) => string[];
  clusterArnFrom?: string[];
};
const commands = (steps: Step[]) => steps.filter((s) => s.argv).map((s) => s.argv!.join(" "));

describe("the publish step reads only outputs the program exports", () => {
  it("dev: every cluster's files go where its agent reads, with the downscaler and its mirrored image", async () => {
    const r = await planStack("dev");
    const o = r.outputs as any;
    const steps = P.publishPlan(o, "/w") as Step[];
    const cmds = commands(steps);
    // AKS: the Flux AzureBlob container, signed in with the deployer's Entra identity.
    expect(cmds).toContain(
      `az storage blob upload-batch --auth-mode login --account-name ${o.gitops.azure.storageAccountName} --destination manifests --source /w/azure --overwrite true`,
    );
    // The container is the one the Flux configuration reads.
    const flux = oneOfType(r, "azure-native:kubernetesconfiguration:FluxConfiguration");
    expect(input(flux, "azureBlob.containerName")).toBe(o.gitops.azure.containerName);
    // GKE: the OCI package Config Sync syncs, at a content tag, then tagged as the reference Config Sync reads.
    const fm = oneOfType(r, "gcp:gkehub/featureMembership:FeatureMembership");
    expect(input(fm, "configmanagement.configSync.oci.syncRepo")).toBe(o.gitops.gcp.syncRepo);
    const gcpFiles = P.clusterFiles(o, "gcp");
    const gcpRef = `${o.gitops.gcp.syncRepo}:${P.contentTag(gcpFiles)}`;
    expect(cmds).toContain(`oras push ${gcpRef} gcp.tar.gz:${P.LAYER_MEDIA_TYPE}`);
    expect(cmds).toContain(`oras tag ${gcpRef} latest`);
    // EKS: the stack's ECR repository.
    expect(cmds).toContain(
      `oras push ${o.aws.registry.url}:${P.contentTag(P.clusterFiles(o, "aws"))} aws.tar.gz:${P.LAYER_MEDIA_TYPE}`,
    );
    // Each cluster gets its services' manifests and the downscaler's, exactly as the stack output holds them; AKS's
    // in one folder per Flux kustomization (below).
    const written = (path: string) => steps.find((s) => s.write === path)?.text;
    const folders = P.FLUX_KUSTOMIZATIONS.map((k) => docs(written(`/w/azure/${k.name}/${k.name}.yaml`)));
    expect(byKey(folders.flat())).toEqual(byKey(docs(o.workloads.azure.manifests)));
    expect(written("/w/azure/workloads/downscaler.yaml")).toBe(o.schedule.downscaler.azure.manifests);
    for (const cloud of ["aws", "gcp"]) {
      expect(written(`/w/${cloud}/workloads.yaml`)).toBe(o.workloads[cloud].manifests);
      expect(written(`/w/${cloud}/downscaler.yaml`)).toBe(o.schedule.downscaler[cloud].manifests);
    }
    for (const cloud of ["aws", "azure", "gcp"]) {
      const image = o.schedule.downscaler[cloud].image;
      expect(cmds).toContain(`oras cp ${o.schedule.downscalerUpstream} ${image}`);
      // The image the downscaler's Deployment pulls is the one mirrored.
      const deployment = parseAllDocuments(o.schedule.downscaler[cloud].manifests)
        .map((d) => d.toJSON())
        .find((d) => d.kind === "Deployment");
      expect(deployment.spec.template.spec.containers[0].image).toBe(image);
    }
    // The capability is on in dev too: the bootstrap Application points at dev's pushed tag.
    expect(steps.find((s) => s.argoApplication)?.argoApplication).toMatchObject({
      repositoryUrl: o.aws.registry.url,
      tag: P.contentTag(P.clusterFiles(o, "aws")),
    });
    // A stack without an Identity Center instance has no capability, so no Application.
    const without = P.publishPlan((await planStackWithoutEksArgoCd("dev")).outputs, "/w") as Step[];
    expect(without.some((s) => s.argoApplication)).toBe(false);
  });

  it("AKS: the operator, then cacerts, then the charts, then the rest, each Flux kustomization after the one it needs", async () => {
    const r = await planStack("prod");
    const o = r.outputs as any;
    const files = P.fluxFiles(o);
    const names = P.FLUX_KUSTOMIZATIONS.map((k) => k.name);
    expect(names).toEqual(["external-secrets", "ca", "infra", "workloads"]);
    // The Flux configuration declares the same kustomizations, each waiting for the one before it.
    const kustomizations = input(
      oneOfType(r, "azure-native:kubernetesconfiguration:FluxConfiguration"),
      "kustomizations",
    ) as Record<string, any>;
    expect(Object.keys(kustomizations).sort()).toEqual([...names].sort());
    names.forEach((name, i) => {
      expect(kustomizations[name]).toMatchObject({ path: `./${name}`, prune: true });
      expect(kustomizations[name].dependsOn).toEqual(i === 0 ? undefined : [names[i - 1]]);
      // Ready means healthy for all but the last: the next one starts only then.
      expect(kustomizations[name].wait).toBe(i < names.length - 1 ? true : undefined);
    });
    const stage = new Map<string, number>();
    names.forEach((name, i) => {
      for (const d of docs(files[`${name}/${name}.yaml`])) stage.set(byKey([d])[0]!, i);
    });
    const at = (kind: string, name: string, ns = "") => stage.get(`${kind}/${ns}/${name}`);
    const release = (name: string) => at("HelmRelease", name, "flux-system");
    expect(release("external-secrets")).toBe(0);
    expect(at("ClusterSecretStore", "mesh-ca")).toBe(1);
    expect(at("ExternalSecret", "cacerts", "istio-system")).toBe(1);
    for (const r of ["istio-base", "istio-cni", "istiod", "istio-eastwestgateway", "argo-rollouts", "prometheus"])
      expect(release(r)).toBe(2);
    // The namespaces and chart sources first; every custom kind's object after the kustomization of each release it
    // needs (its CRD's chart, its webhook's: components/workloads/order.ts), hence Istio's objects after istiod's.
    for (const d of docs(o.workloads.azure.manifests)) {
      const k = byKey([d])[0]!;
      if (d.kind === "Namespace" || d.kind === "HelmRepository") expect(stage.get(k), k).toBe(0);
      const source = kindSource(d);
      for (const r of [source?.crd, source?.webhook]) if (r) expect(stage.get(k), k).toBeGreaterThan(release(r)!);
    }
    for (const d of docs(files["workloads/workloads.yaml"]).filter((x) => x.kind === "VirtualService"))
      expect(d.metadata.annotations?.["argocd.argoproj.io/sync-wave"]).toBeUndefined();
    // A HelmRelease's dependsOn are in its kustomization or an earlier one.
    for (const d of docs(o.workloads.azure.manifests).filter((x) => x.kind === "HelmRelease"))
      for (const dep of d.spec.dependsOn ?? [])
        expect(release(dep.name)!).toBeLessThanOrEqual(release(d.metadata.name)!);
  });

  it("prod: no schedule, so no mirror, and a downscaler.yaml left from before is deleted after the upload", async () => {
    const o = (await planStack("prod")).outputs as any;
    const cmds = commands(P.publishPlan(o, "/w") as Step[]);
    expect(cmds.some((c) => c.startsWith("oras cp"))).toBe(false);
    const upload = cmds.findIndex((c) => c.startsWith("az storage blob upload-batch"));
    const del = cmds.findIndex((c) => c.startsWith("az storage blob delete-batch"));
    expect(upload).toBeGreaterThanOrEqual(0);
    expect(del).toBeGreaterThan(upload);
    expect(cmds[del]).toContain("--pattern workloads/downscaler.yaml");
  });

  it("with the EKS capability: the bootstrap Application points at the pushed tag, through the capability by name", async () => {
    const r = await planStack("staging");
    const o = r.outputs as any;
    expect(o.gitops.aws.argoCd).toBe(true);
    const step = (P.publishPlan(o, "/w") as Step[]).find((s) => s.argoApplication)!;
    expect(step.argoApplication).toMatchObject({
      repositoryUrl: o.aws.registry.url,
      tag: P.contentTag(P.clusterFiles(o, "aws")),
    });
    expect(input(oneOfType(r, "aws:eks/capability:Capability"), "capabilityName")).toBe(P.ARGOCD_CAPABILITY);
    expect(step.serverFrom).toEqual(expect.arrayContaining(["describe-capability", o.gitops.aws.clusterName]));
    expect(step.serverFrom).toContain("capability.configuration.argoCd.serverUrl");
    expect(step.clusterArnFrom).toEqual(expect.arrayContaining(["describe-cluster", o.aws.cluster.name]));
  });

  it("a missing output is an error naming it", async () => {
    const o = structuredClone((await planStack("dev")).outputs) as any;
    delete o.gitops.gcp.syncRepo;
    expect(() => P.publishPlan(o, "/w")).toThrow(P.PublishError);
    expect(() => P.publishPlan(o, "/w")).toThrow(/stack output gitops\.gcp\.syncRepo: expected a non-empty string/);
    expect(() => P.publishPlan({}, "/w")).toThrow(/stack output gitops: missing/);
  });

  it("a secret output, as `pulumi stack output --json` prints it without --show-secrets, is refused, never published", async () => {
    const o = structuredClone((await planStack("staging")).outputs) as any;
    o.workloads.aws.manifests = "[secret]";
    expect(() => P.publishPlan(o, "/w")).toThrow(
      /stack output workloads\.aws\.manifests: expected its value, got "\[secret\]"/,
    );
  });

  it("a dry run writes nothing and runs nothing", () => {
    const lines: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), "publish-"));
    P.run([{ write: join(dir, "x.yaml"), text: "a" }, { argv: ["false"] }], {
      dryRun: true,
      log: (l: string) => lines.push(l),
    });
    expect(lines).toEqual([`write ${join(dir, "x.yaml")}`, "false"]);
    expect(() => readFileSync(join(dir, "x.yaml"))).toThrow();
  });
});

describe("pieces", () => {
  it("the content tag changes with any file and not with their order", () => {
    const a = P.contentTag({ "a.yaml": "1", "b.yaml": "2" });
    expect(a).toMatch(/^manifests-[0-9a-f]{16}$/);
    expect(P.contentTag({ "b.yaml": "2", "a.yaml": "1" })).toBe(a);
    expect(P.contentTag({ "a.yaml": "1", "b.yaml": "3" })).not.toBe(a);
  });

  it("splits a reference's tag from a registry port", () => {
    expect(P.splitReference("host:5000/a/b")).toEqual({ repository: "host:5000/a/b", tag: undefined });
    expect(P.splitReference("host:5000/a/b:v1")).toEqual({ repository: "host:5000/a/b", tag: "v1" });
  });

  it("the Application uses the cluster's ARN, leaves replicas to the HPAs and the downscaler and a canary's weights and selectors to Argo Rollouts", () => {
    const app = P.argoApplication({
      repositoryUrl: "1.dkr.ecr.us-west-2.amazonaws.com/t/dev",
      tag: "manifests-1",
      clusterArn: "arn:aws:eks:us-west-2:1:cluster/dev-aws-k8s",
    });
    expect(app.metadata).toEqual({ name: P.APPLICATION_NAME, namespace: "argocd" });
    expect(app.spec.source).toEqual({
      repoURL: "oci://1.dkr.ecr.us-west-2.amazonaws.com/t/dev",
      targetRevision: "manifests-1",
      path: ".",
    });
    expect(app.spec.destination).toEqual({ server: "arn:aws:eks:us-west-2:1:cluster/dev-aws-k8s" });
    expect(app.spec.ignoreDifferences).toEqual([
      { group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] },
      { group: "networking.istio.io", kind: "VirtualService", jqPathExpressions: [".spec.http[].route[].weight"] },
      { group: "", kind: "Service", jsonPointers: ["/spec/selector/rollouts-pod-template-hash"] },
    ]);
    // Without RespectIgnoreDifferences a sync would still apply the ignored fields; ApplyOutOfSyncOnly keeps a sync
    // of other objects from re-applying an unchanged VirtualService at all.
    // SkipDryRunOnMissingResource: the first sync holds the charts and the objects whose CRDs they install.
    expect(app.spec.syncPolicy.syncOptions).toEqual([
      "RespectIgnoreDifferences=true",
      "ApplyOutOfSyncOnly=true",
      "SkipDryRunOnMissingResource=true",
    ]);
  });
});

describe("running the steps", () => {
  it("a failing command stops the run with its hint", () => {
    expect(() => P.run([{ argv: ["false"], hint: "say why" }], { log: () => {} })).toThrow(
      /false … exited 1\n {2}say why/,
    );
  });
  it("a step whose result is already there is skipped", () => {
    const lines: string[] = [];
    P.run([{ argv: ["false"], unless: ["true"] }], { log: (l: string) => lines.push(l) });
    expect(lines).toEqual(["false  (unless: true)", "  already there, skipped"]);
  });
});

describe("the bootstrap Application's request", () => {
  it("posts to the capability's Argo CD API with the token in a header file, never on the command line", async () => {
    const r = await planStack("staging");
    const step = (P.publishPlan(r.outputs, "/w") as Step[]).find((s) => s.argoApplication)!;
    const argv = step.curlArgv!(
      "abc.eks-capabilities.us-west-2.amazonaws.com",
      "/w/authorization.header",
      "/w/app.json",
    );
    expect(argv).toEqual([
      "curl",
      "--fail-with-body",
      "--silent",
      "--show-error",
      "--request",
      "POST",
      "--header",
      "@/w/authorization.header",
      "--header",
      "content-type: application/json",
      "--data-binary",
      "@/w/app.json",
      "https://abc.eks-capabilities.us-west-2.amazonaws.com/api/v1/applications?upsert=true",
    ]);
    expect(step.curlArgv!("https://x.example", "h", "b").at(-1)).toBe(
      "https://x.example/api/v1/applications?upsert=true",
    );
  });
});
