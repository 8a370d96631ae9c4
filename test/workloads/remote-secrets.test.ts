import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { istiodClusterName, meshRemoteSecrets, remoteSecretFindings } from "../../policies/portability/mesh";
import {
  meshTopology,
  readerTokenSecretName,
  type MeshRemoteSecrets,
  type MeshSecretSource,
} from "../../components/shared/mesh";
import {
  remoteKubeconfig,
  renderClusterMesh,
  ROLLOUT_OWNED_ANNOTATIONS,
  virtualServiceName,
  yieldToRollouts,
} from "../../components/workloads/mesh";
import type { KubernetesObject } from "../../components/workloads/render";
import { parseStackConfig } from "../../stacks/config/load";
import { CLOUDS, type Cloud } from "@tricloud/vocabulary/sizes";
import { stackConfig } from "../helpers/config";
import { ofType, planStack, planStackWithoutEksArgoCd } from "../helpers/plan";
import { messages, res } from "../helpers/policies";
import { schemaChecker, type SchemaModel } from "../helpers/workloads";

// The script is an ES module and this file compiles to CommonJS: it is loaded with import().
type Publish = typeof import("../../scripts/publish-manifests.mjs", { with: { "resolution-mode": "import" } });

type Model = SchemaModel;
async function validators(): Promise<Record<string, Model>> {
  const [eso, push, core, argocd] = await Promise.all([
    import("@kubernetes-models/external-secrets/external-secrets.io/v1"),
    import("@kubernetes-models/external-secrets/external-secrets.io/v1alpha1"),
    import("kubernetes-models/v1"),
    import("@kubernetes-models/argo-cd/argoproj.io/v1alpha1"),
  ]);
  return {
    "external-secrets.io/v1/ExternalSecret": eso.ExternalSecret,
    "external-secrets.io/v1/ClusterSecretStore": eso.ClusterSecretStore,
    "external-secrets.io/v1alpha1/PushSecret": push.PushSecret,
    "v1/Secret": core.Secret,
    "argoproj.io/v1alpha1/Application": argocd.Application,
  };
}
const schemaProblems = schemaChecker(validators);

const ofKind = (objs: readonly KubernetesObject[], kind: string) => objs.filter((o) => o.kind === kind) as any[];
const remoteOf = (objs: readonly KubernetesObject[]) =>
  ofKind(objs, "ExternalSecret").filter((e) => e.spec.target.template?.metadata?.labels?.["istio/multiCluster"]);
/** What External Secrets' v2 template engine makes of the one placeholder the kubeconfig holds. */
const filled = (template: string, token: string) => template.replaceAll("{{ .token }}", token);

const SECRETS: MeshSecretSource = {
  provider: { gcpsm: { projectID: "tricloud-prod" } },
  key: "tricloud-prod-gcp-istio-cacerts",
  serviceAccountAnnotations: {},
  podLabels: {},
};

function renderProd(cloud: Cloud, remote?: MeshRemoteSecrets): KubernetesObject[] {
  const c = parseStackConfig(stackConfig("prod"), "prod");
  const topology = meshTopology("prod", { aws: c.aws.region, azure: c["azure-native"].location, gcp: c.gcp.region });
  return renderClusterMesh({
    cloud,
    topology,
    services: c.tricloud.services,
    secrets: SECRETS,
    remote,
    prometheusUrl: c.tricloud.mesh.prometheusUrl,
  });
}

const PROD_REMOTE: MeshRemoteSecrets = {
  tokenKey: readerTokenSecretName("prod", "gcp"),
  peers: {
    aws: {
      clusterName: "prod-aws",
      server: "https://ABC.gr7.us-west-2.eks.amazonaws.com",
      caData: Buffer.from("aws CA").toString("base64"),
      tokenKey: readerTokenSecretName("prod", "aws"),
    },
    azure: {
      clusterName: "prod-azure",
      server: "https://prod-azure-k8s.hcp.eastus.azmk8s.io:443",
      caData: Buffer.from("azure CA").toString("base64"),
      tokenKey: readerTokenSecretName("prod", "azure"),
    },
  },
};

describe("the remote secrets' objects", () => {
  it("every new object validates against its CRD's (or Kubernetes') OpenAPI schema, and the validators refuse a broken one", async () => {
    const objects = renderProd("gcp", PROD_REMOTE);
    const fresh = objects.filter(
      (o) => ["Secret", "PushSecret"].includes(o.kind) || o.metadata.name.startsWith("istio-remote-secret-"),
    );
    expect(fresh.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Secret/istio-reader-token",
      "PushSecret/istio-reader-token",
      "ExternalSecret/istio-remote-secret-prod-aws",
      "ExternalSecret/istio-remote-secret-prod-azure",
    ]);
    expect((await Promise.all(fresh.map(schemaProblems))).flat()).toEqual([]);
    const [push] = ofKind(objects, "PushSecret");
    expect(await schemaProblems({ ...push, spec: { ...push.spec, updatePolicy: "Sometimes" } })).toEqual([
      expect.stringMatching(/updatePolicy/),
    ]);
    const [es] = remoteOf(objects);
    const bad = structuredClone(es);
    bad.spec.target.template.engineVersion = "v9";
    expect(await schemaProblems(bad)).toEqual([expect.stringMatching(/engineVersion/)]);
  });

  it("the reader's long-lived token Secret and the PushSecret that copies its token to the cloud's own store", () => {
    const objects = renderProd("gcp", PROD_REMOTE);
    const [token] = ofKind(objects, "Secret");
    expect(token).toMatchObject({
      type: "kubernetes.io/service-account-token",
      metadata: {
        name: "istio-reader-token",
        namespace: "istio-system",
        annotations: { "kubernetes.io/service-account.name": "istio-reader-service-account" },
      },
    });
    const [push] = ofKind(objects, "PushSecret");
    expect(push.metadata.namespace).toBe("istio-system");
    expect(push.spec).toMatchObject({
      deletionPolicy: "None",
      updatePolicy: "Replace",
      secretStoreRefs: [{ kind: "ClusterSecretStore", name: "mesh-ca" }],
      selector: { secret: { name: "istio-reader-token" } },
    });
    expect(push.spec.data).toEqual([
      {
        match: { secretKey: "token", remoteRef: { remoteKey: "tricloud-prod-gcp-istio-reader-token" } },
        // GCP: keep the program's labels on the entry (the default would replace them: an update not granted).
        metadata: {
          apiVersion: "kubernetes.external-secrets.io/v1alpha1",
          kind: "PushSecretMetadata",
          spec: { mergePolicy: "Merge" },
        },
      },
    ]);
    const aws = ofKind(renderProd("aws", { ...PROD_REMOTE, tokenKey: "k" }), "PushSecret")[0];
    expect(aws.spec.data[0].metadata.spec).toEqual({ secretPushFormat: "string" });
    // AWS: never `tags`, even when handed some. Without them External Secrets (2.4.0 and later) leaves the entry's tags
    // alone; with them it untags what is not listed, which the operator's role may not (UntagResource).
    const tagged = ofKind(
      renderProd("aws", { ...PROD_REMOTE, tokenKey: "k", storeTags: { owner: "o" } }),
      "PushSecret",
    );
    expect(tagged[0].spec.data[0].metadata.spec).toEqual({ secretPushFormat: "string" });
    const azure = ofKind(
      renderProd("azure", { ...PROD_REMOTE, tokenKey: "k", storeTags: { owner: "o" } }),
      "PushSecret",
    )[0];
    expect(azure.spec.data[0].metadata.spec).toEqual({ tags: { owner: "o" } });
  });

  it("per peer, a Secret as istioctl create-remote-secret writes it: the label, the cluster annotation, one kubeconfig named after the peer", () => {
    const [aws] = remoteOf(renderProd("gcp", PROD_REMOTE));
    expect(aws.metadata).toMatchObject({ name: "istio-remote-secret-prod-aws", namespace: "istio-system" });
    expect(aws.spec.data).toEqual([{ secretKey: "token", remoteRef: { key: "tricloud-prod-aws-istio-reader-token" } }]);
    const t = aws.spec.target;
    expect(t).toMatchObject({ name: "istio-remote-secret-prod-aws", creationPolicy: "Owner" });
    expect(t.template.metadata).toEqual({
      labels: { "istio/multiCluster": "true" },
      annotations: { "networking.istio.io/cluster": "prod-aws" },
    });
    expect(Object.keys(t.template.data)).toEqual(["prod-aws"]);
    const kubeconfig = parse(filled(t.template.data["prod-aws"], "aaa.bbb.ccc"));
    expect(kubeconfig).toEqual({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "prod-aws",
          cluster: {
            server: "https://ABC.gr7.us-west-2.eks.amazonaws.com",
            "certificate-authority-data": Buffer.from("aws CA").toString("base64"),
          },
        },
      ],
      contexts: [{ name: "prod-aws", context: { cluster: "prod-aws", user: "prod-aws" } }],
      "current-context": "prod-aws",
      users: [{ name: "prod-aws", user: { token: "aaa.bbb.ccc" } }],
    });
    expect(remoteKubeconfig({ clusterName: "x", server: "https://x", caData: "Yw==" }, "{{ .token }}")).toContain(
      "{{ .token }}",
    );
  });

  it("without remote secrets (the VPN off, or no secret store) none of them is rendered", () => {
    const objects = renderProd("gcp");
    expect(ofKind(objects, "Secret")).toEqual([]);
    expect(ofKind(objects, "PushSecret")).toEqual([]);
    expect(remoteOf(objects)).toEqual([]);
  });
});

describe("remote secrets in the plans", () => {
  it("staging with the EKS capability: each istiod reads both peers at their VPN endpoints, with their CAs, both ways", async () => {
    const r = await planStack("staging");
    const o = r.outputs as any;
    const endpoints = o.crossCloud.apiEndpoints;
    for (const cloud of CLOUDS) {
      const w = o.workloads[cloud];
      const peers = CLOUDS.filter((c) => c !== cloud);
      expect(w.mesh.remoteClusters).toEqual(peers.map((p) => `staging-${p}`));
      expect(w.mesh.readerTokenTo).toBe(`tricloud-staging-${cloud}-istio-reader-token`);
      const secrets = remoteOf(w.objects);
      expect(secrets.map((s) => s.spec.target.template.metadata.annotations["networking.istio.io/cluster"])).toEqual(
        peers.map((p) => `staging-${p}`),
      );
      for (const [i, p] of peers.entries()) {
        const kc = parse(filled(secrets[i].spec.target.template.data[`staging-${p}`], "a.b.c"));
        expect(kc.clusters[0].cluster.server).toBe(endpoints[p]);
        // The CA each cluster's own output carries (the mocks answer "mock CA of <cluster>").
        expect(Buffer.from(kc.clusters[0].cluster["certificate-authority-data"], "base64").toString()).toMatch(
          new RegExp(`^mock CA of staging-${p}-k8s`),
        );
      }
    }
    expect(remoteSecretFindings(o.workloads, endpoints)).toEqual([]);
  });

  it("staging without it: EKS has no secret store, so only AKS and GKE read each other", async () => {
    const o = (await planStackWithoutEksArgoCd("staging")).outputs as any;
    expect(o.workloads.aws.mesh.remoteClusters).toEqual([]);
    expect(remoteOf(o.workloads.aws.objects)).toEqual([]);
    expect(o.workloads.azure.mesh.remoteClusters).toEqual(["staging-gcp"]);
    expect(o.workloads.gcp.mesh.remoteClusters).toEqual(["staging-azure"]);
    expect(Object.keys(o.gitops.readerTokens)).toEqual(["azure", "gcp"]);
    expect(remoteSecretFindings(o.workloads, o.crossCloud.apiEndpoints)).toEqual([]);
  });

  it("dev (the VPN off): no remote secret, no token entry, nothing for the copy step", async () => {
    const r = await planStack("dev");
    const o = r.outputs as any;
    expect(o.crossCloud).toBeUndefined();
    for (const cloud of CLOUDS) {
      expect(remoteOf(o.workloads[cloud].objects)).toEqual([]);
      expect(ofKind(o.workloads[cloud].objects, "PushSecret")).toEqual([]);
    }
    expect(o.gitops.readerTokens).toEqual({});
    expect(r.resources.filter((x) => x.name.includes("reader-token"))).toEqual([]);
  });

  it("the policy catches a cluster name that is no peer's, a wrong endpoint, a token from the wrong entry, a missing direction, and any remote secret with the VPN off", async () => {
    const o = (await planStack("staging")).outputs as any;
    const endpoints = o.crossCloud.apiEndpoints;
    const broken = structuredClone(o.workloads);
    const [toAws] = remoteOf(broken.gcp.objects);
    toAws.spec.target.template.metadata.annotations["networking.istio.io/cluster"] = "staging-eks";
    expect(remoteSecretFindings(broken, endpoints)).toEqual([
      expect.stringMatching(
        /^gcp: ExternalSecret istio-system\/istio-remote-secret-staging-aws names cluster "staging-eks", which is no peer's global.multiCluster.clusterName/,
      ),
      "gcp: no remote secret for aws, though both push their reader tokens",
    ]);
    expect(remoteSecretFindings(o.workloads, { ...endpoints, azure: "https://10.9.9.9" })).toEqual([
      expect.stringMatching(
        /^aws: .*istio-remote-secret-staging-azure points at https:\/\/staging-azure.*, not azure's endpoint over the VPN https:\/\/10.9.9.9$/,
      ),
      expect.stringMatching(/^gcp: .*istio-remote-secret-staging-azure points at/),
    ]);
    // The peer's istiod installed under another name than the one its remote secrets carry: caught from the Helm
    // values each agent applies (Argo CD on EKS, Flux on AKS, Config Sync on GKE).
    expect(CLOUDS.map((c) => istiodClusterName(o.workloads[c]))).toEqual(CLOUDS.map((c) => `staging-${c}`));
    const renamed = structuredClone(o.workloads);
    const istiod = renamed.gcp.objects.find((x: any) => x.kind === "RootSync" && x.metadata.name === "istiod");
    istiod.spec.helm.values.global.multiCluster.clusterName = "staging-gke";
    expect(remoteSecretFindings(renamed, endpoints)).toEqual([
      expect.stringMatching(/^aws: .*istio-remote-secret-staging-gcp names cluster "staging-gcp", which is no peer's/),
      "aws: no remote secret for gcp, though both push their reader tokens",
      expect.stringMatching(
        /^azure: .*istio-remote-secret-staging-gcp names cluster "staging-gcp", which is no peer's/,
      ),
      "azure: no remote secret for gcp, though both push their reader tokens",
    ]);
    const wrongEntry = structuredClone(o.workloads);
    remoteOf(wrongEntry.azure.objects)[0].spec.data[0].remoteRef.key = "tricloud-staging-aws-istio-cacerts";
    expect(remoteSecretFindings(wrongEntry, endpoints)).toEqual([
      expect.stringMatching(
        /reads its token from tricloud-staging-aws-istio-cacerts, but aws pushes its token to tricloud-staging-aws-istio-reader-token/,
      ),
    ]);
    expect(remoteSecretFindings(o.workloads, undefined)).toEqual(
      CLOUDS.map(
        (c) =>
          `${c}: 2 remote secret(s) while tricloud:network.crossCloud is off: no peer's private API server is reachable`,
      ),
    );
  });
});

describe("portability-workloads-mesh-remote-secrets, run by the policy engine on the stack's outputs", () => {
  it("passes staging's outputs and reports a cluster name that is no peer's, naming where it is rendered", async () => {
    const o = (await planStack("staging")).outputs as any;
    const stack = (workloads: unknown, crossCloud: unknown) => [
      res("pulumi:pulumi:Stack", {}, { outputs: { workloads, ...(crossCloud ? { crossCloud } : {}) } }),
    ];
    expect(await messages(meshRemoteSecrets, stack(o.workloads, o.crossCloud))).toEqual([]);
    const broken = structuredClone(o.workloads);
    // AKS's remote secret for EKS, now that EKS has the Argo CD capability in every stack.
    const [toAws] = remoteOf(broken.azure.objects);
    expect(toAws.metadata.name).toBe("istio-remote-secret-staging-aws");
    toAws.spec.target.template.metadata.annotations["networking.istio.io/cluster"] = "staging-eks";
    expect(await messages(meshRemoteSecrets, stack(broken, o.crossCloud))).toEqual([
      expect.stringMatching(
        /^azure: ExternalSecret istio-system\/istio-remote-secret-staging-aws names cluster "staging-eks", .*\(components\/workloads\/mesh.ts renders them from stacks\/workloads.ts, remoteSecretsOf\)\.$/,
      ),
      expect.stringMatching(/^azure: no remote secret for aws, though both push their reader tokens/),
    ]);
    // The same objects in a stack without the VPN's output: each of the three clusters is told, with its 2 peers.
    expect(await messages(meshRemoteSecrets, stack(o.workloads, undefined))).toEqual(
      CLOUDS.map((c) =>
        expect.stringMatching(new RegExp(`^${c}: 2 remote secret\\(s\\) while tricloud:network.crossCloud is off`)),
      ),
    );
  });
});

describe("the store entries and what the External Secrets identities may do with them", () => {
  it("AWS: its own entry tagged for the operator, which may write it and read only the peers' copies", async () => {
    const r = await planStack("staging");
    const secrets = ofType(r, "aws:secretsmanager/secret:Secret").filter((s) => s.name.includes("reader-token"));
    expect(secrets.map((s) => [s.inputs.name, (s.inputs as any).tags?.["managed-by"]])).toEqual([
      ["tricloud-staging-aws-istio-reader-token", "external-secrets"],
      ["tricloud-staging-azure-istio-reader-token", "tricloud"],
      ["tricloud-staging-gcp-istio-reader-token", "tricloud"],
    ]);
    // No version: the push and the copy step write the values.
    expect(
      ofType(r, "aws:secretsmanager/secretVersion:SecretVersion").filter((v) => v.name.includes("reader-token")),
    ).toEqual([]);
    const [policy] = ofType(r, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.name.endsWith("-external-secrets"));
    const doc = JSON.parse(String(policy!.inputs.policy));
    // Secrets Manager ARNs end in the name, a hyphen and six random characters.
    const arn = (k: string) => expect.stringMatching(new RegExp(`:secret:${k}-[0-9A-Za-z]{6}$`));
    expect(doc.Statement).toEqual([
      {
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        Resource: [
          arn("tricloud-staging-aws-istio-cacerts"),
          arn("tricloud-staging-azure-istio-reader-token"),
          arn("tricloud-staging-gcp-istio-reader-token"),
        ],
      },
      {
        Effect: "Allow",
        Action: [
          "secretsmanager:GetSecretValue",
          "secretsmanager:DescribeSecret",
          "secretsmanager:PutSecretValue",
          "secretsmanager:DeleteResourcePolicy",
        ],
        Resource: arn("tricloud-staging-aws-istio-reader-token"),
      },
    ]);
    // Those four are what External Secrets' AWS provider calls for this PushSecret (docs/workloads.md, "What a push
    // calls on AWS"): its metadata names no tags (no TagResource/UntagResource), no resource policy (so
    // DeleteResourcePolicy), no replication; deletionPolicy None (no DeleteSecret); the entry exists (no CreateSecret).
    const [push] = ofKind((r.outputs as any).workloads.aws.objects, "PushSecret");
    expect(push.spec.deletionPolicy).toBe("None");
    expect(push.spec.data).toEqual([
      {
        match: { secretKey: "token", remoteRef: { remoteKey: "tricloud-staging-aws-istio-reader-token" } },
        metadata: {
          apiVersion: "kubernetes.external-secrets.io/v1alpha1",
          kind: "PushSecretMetadata",
          spec: { secretPushFormat: "string" },
        },
      },
    ]);
  });

  it("Azure: Key Vault Secrets Officer on its own entry only, Secrets User on each peer's copy", async () => {
    const r = await planStack("staging");
    const secrets = ofType(r, "azure-native:keyvault:Secret").filter((s) => s.name.includes("reader-token"));
    expect(secrets.map((s) => [s.inputs.secretName, (s.inputs as any).tags?.["managed-by"]]).sort()).toEqual([
      ["tricloud-staging-aws-istio-reader-token", "tricloud"],
      ["tricloud-staging-azure-istio-reader-token", "external-secrets"],
      ["tricloud-staging-gcp-istio-reader-token", "tricloud"],
    ]);
    // The operator's write keeps the project's tags only because the PushSecret hands them back (Azure).
    const own = secrets.find((s) => s.inputs.secretName === "tricloud-staging-azure-istio-reader-token")!;
    const o = (r.outputs as any).workloads.azure.objects;
    const { "managed-by": _, ...rest } = (own.inputs as any).tags;
    expect(ofKind(o, "PushSecret")[0].spec.data[0].metadata.spec.tags).toEqual(rest);
    const grants = ofType(r, "azure-native:authorization:RoleAssignment").filter((a) =>
      a.name.includes("-external-secrets-token-"),
    );
    const role = (a: (typeof grants)[number]) => String(a.inputs.roleDefinitionId).split("/").pop();
    // Secrets Officer b86a8fe4-…, Secrets User 4633458b-… (Azure's built-in role ids).
    expect(
      grants.map((a) => [a.name.split("-token-")[1], role(a), String(a.inputs.scope).split("/").pop()]).sort(),
    ).toEqual([
      ["aws", "4633458b-17de-408a-b874-0445c86b69e6", "tricloud-staging-aws-istio-reader-token"],
      ["azure", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "tricloud-staging-azure-istio-reader-token"],
      ["gcp", "4633458b-17de-408a-b874-0445c86b69e6", "tricloud-staging-gcp-istio-reader-token"],
    ]);
  });

  it("GCP: its own entry labelled for the operator, which may read it and add versions, and only read the peers' copies", async () => {
    const r = await planStack("staging");
    const secrets = ofType(r, "gcp:secretmanager/secret:Secret").filter((s) => s.name.includes("reader-token"));
    expect(secrets.map((s) => [s.inputs.secretId, (s.inputs as any).labels?.["managed-by"]]).sort()).toEqual([
      ["tricloud-staging-aws-istio-reader-token", "tricloud"],
      ["tricloud-staging-azure-istio-reader-token", "tricloud"],
      ["tricloud-staging-gcp-istio-reader-token", "external-secrets"],
    ]);
    const grants = ofType(r, "gcp:secretmanager/secretIamMember:SecretIamMember").filter((g) =>
      g.name.includes("-token-"),
    );
    expect(grants.map((g) => [g.inputs.secretId, g.inputs.role]).sort()).toEqual([
      ["tricloud-staging-aws-istio-reader-token", "roles/secretmanager.secretAccessor"],
      ["tricloud-staging-azure-istio-reader-token", "roles/secretmanager.secretAccessor"],
      ["tricloud-staging-gcp-istio-reader-token", "roles/secretmanager.secretAccessor"],
      ["tricloud-staging-gcp-istio-reader-token", "roles/secretmanager.secretVersionAdder"],
      ["tricloud-staging-gcp-istio-reader-token", "roles/secretmanager.viewer"],
    ]);
  });
});

describe("drift: what Argo Rollouts edits is left to it, and config changes still arrive", () => {
  const c = (...overrides: string[]) => parseStackConfig(stackConfig("prod", ...overrides), "prod");
  const vsOf = (objects: KubernetesObject[], service: string) =>
    ofKind(objects, "VirtualService").find((v) => v.spec.hosts[0] === `${service}.platform.svc.cluster.local`);
  const mesh = (...overrides: string[]) => {
    const config = c(...overrides);
    const topology = meshTopology("prod", {
      aws: config.aws.region,
      azure: config["azure-native"].location,
      gcp: config.gcp.region,
    });
    return renderClusterMesh({
      cloud: "azure",
      topology,
      services: config.tricloud.services,
      prometheusUrl: config.tricloud.mesh.prometheusUrl,
    });
  };

  it("a changed timeout or retry count is a new VirtualService name, which the Rollout follows; an unrelated change is not", () => {
    const before = vsOf(mesh(), "auth-service");
    const timeout = vsOf(mesh("tricloud:services.auth-service.traffic.timeoutMs=5500"), "auth-service");
    const retries = vsOf(mesh("tricloud:services.auth-service.traffic.retries=5"), "auth-service");
    const unrelated = vsOf(mesh("tricloud:services.auth-service.autoscaling.maxReplicas=9"), "auth-service");
    expect(new Set([before.metadata.name, timeout.metadata.name, retries.metadata.name]).size).toBe(3);
    expect(unrelated.metadata.name).toBe(before.metadata.name);
    expect(timeout.metadata.name).toBe(virtualServiceName("auth-service", timeout.spec));
    const rollout = ofKind(mesh("tricloud:services.auth-service.traffic.timeoutMs=5500"), "Rollout").find(
      (r) => r.metadata.name === "auth-service",
    );
    expect(rollout.spec.strategy.canary.trafficRouting.istio.virtualService.name).toBe(timeout.metadata.name);
  });

  it("each agent's annotation on exactly the canaried services' VirtualService and stable and canary Services", async () => {
    const o = (await planStack("prod")).outputs as any;
    const ENGINES = { aws: "argocd", azure: "flux", gcp: "configsync" } as const;
    for (const cloud of CLOUDS) {
      const objects: any[] = o.workloads[cloud].objects;
      const marked = objects
        .filter((x) => Object.keys(ROLLOUT_OWNED_ANNOTATIONS.flux).some((k) => x.metadata.annotations?.[k]))
        .concat(
          objects.filter((x) =>
            Object.keys(ROLLOUT_OWNED_ANNOTATIONS.configsync).some((k) => x.metadata.annotations?.[k]),
          ),
        );
      const canaried = ofKind(objects, "Rollout").map((r) => r.metadata.name);
      expect(canaried.length).toBeGreaterThan(0);
      const expected = canaried.flatMap((n) => [
        `Service/${n}`,
        `VirtualService/${vsOf(objects, n).metadata.name}`,
        `Service/${n}-canary`,
      ]);
      const engine = ENGINES[cloud];
      if (engine === "argocd") expect(marked).toEqual([]);
      else {
        expect(marked.map((x) => `${x.kind}/${x.metadata.name}`).sort()).toEqual(expected.sort());
        for (const x of marked) expect(x.metadata.annotations).toMatchObject(ROLLOUT_OWNED_ANNOTATIONS[engine]);
      }
    }
    // A service without a canary keeps the agent's full control (dev has none).
    const dev = (await planStack("dev")).outputs as any;
    expect(
      dev.workloads.azure.objects.filter((x: any) => x.metadata.annotations?.["kustomize.toolkit.fluxcd.io/ssa"]),
    ).toEqual([]);
    expect(yieldToRollouts([], "flux")).toEqual([]);
  });

  it("Argo CD: the bootstrap Application's ignoreDifferences validate against the Application CRD", async () => {
    const P: Publish = await import("../../scripts/publish-manifests.mjs");
    const app = P.argoApplication({
      repositoryUrl: "1.dkr.ecr.us-west-2.amazonaws.com/t/prod",
      tag: "manifests-1",
      clusterArn: "arn:aws:eks:us-west-2:1:cluster/prod-aws-k8s",
    });
    expect(await schemaProblems(app)).toEqual([]);
    // Its first sync applies the charts and the objects whose CRDs they install together: the dry run must not
    // refuse those objects before the CRDs exist, and the sync retries until they do.
    expect(app.spec.syncPolicy.syncOptions).toContain("SkipDryRunOnMissingResource=true");
    expect(app.spec.syncPolicy.retry).toMatchObject({ limit: 10 });
    const bad = structuredClone(app) as any;
    bad.spec.ignoreDifferences[1].jqPathExpressions = ".spec.http[].route[].weight";
    expect(await schemaProblems(bad)).toEqual([expect.stringMatching(/jqPathExpressions/)]);
  });
});
