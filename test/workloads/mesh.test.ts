import { describe, expect, it } from "vitest";
import { meshTopology, type MeshSecretSource, type MeshTopology } from "../../components/shared/mesh";
import {
  ANALYSIS_MIN_WINDOW_S,
  renderClusterMesh,
  SCRAPE_INTERVAL_S,
  virtualServiceName,
} from "../../components/workloads/mesh";
import { renderClusterWorkloads, type KubernetesObject } from "../../components/workloads/render";
import { parseStackConfig, type StackConfig } from "../../stacks/config/load";
import { CLOUDS, type Cloud } from "@tricloud/vocabulary/sizes";
import { stackConfig } from "../helpers/config";
import { planStack, planStackWithoutEksArgoCd } from "../helpers/plan";
import { schemaChecker, type SchemaModel } from "../helpers/workloads";
import { PROD_EKS_APPLICATION_WAVES } from "../helpers/waves";

const STACKS = ["dev", "staging", "prod"] as const;

/** A secret source in each cloud's form, as components/<cloud>/gitops.ts builds it. */
const SECRETS: Record<Cloud, MeshSecretSource> = {
  aws: {
    provider: { aws: { service: "SecretsManager", region: "us-west-2" } },
    key: "tricloud-prod-aws-istio-cacerts",
    serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/external-secrets" },
    podLabels: {},
  },
  azure: {
    provider: {
      azurekv: {
        vaultUrl: "https://tcmesh-prod-abc123.vault.azure.net/",
        tenantId: "00000000-0000-0000-0000-000000000001",
        authType: "WorkloadIdentity",
        serviceAccountRef: { name: "external-secrets", namespace: "external-secrets" },
      },
    },
    key: "tricloud-prod-azure-istio-cacerts",
    serviceAccountAnnotations: { "azure.workload.identity/client-id": "00000000-0000-0000-0000-000000000002" },
    podLabels: { "azure.workload.identity/use": "true" },
  },
  gcp: {
    provider: { gcpsm: { projectID: "tricloud-prod" } },
    key: "tricloud-prod-gcp-istio-cacerts",
    serviceAccountAnnotations: {
      "iam.gke.io/gcp-service-account": "tricloud-mesh-secrets@tricloud-prod.iam.gserviceaccount.com",
    },
    podLabels: {},
  },
};

const topologyOf = (c: StackConfig): MeshTopology =>
  meshTopology(
    c.tricloud.environment,
    { aws: c.aws.region, azure: c["azure-native"].location, gcp: c.gcp.region },
    c.tricloud.mesh.istioVersion,
  );

function render(stack: string, cloud: Cloud, ...overrides: string[]): KubernetesObject[] {
  const c = parseStackConfig(stackConfig(stack, ...overrides), stack);
  return renderClusterMesh({
    cloud,
    topology: topologyOf(c),
    services: c.tricloud.services,
    secrets: SECRETS[cloud],
    prometheusUrl: c.tricloud.mesh.prometheusUrl,
  });
}

type Model = SchemaModel;

/** The CRD schemas, from packages generated from each project's own CRDs (istio 1.29.2, Argo Rollouts, ESO, Flux, Argo CD). */
async function validators(): Promise<Record<string, Model>> {
  const [istio, security, rollouts, eso, helm, source, argocd, core] = await Promise.all([
    import("@kubernetes-models/istio/networking.istio.io/v1"),
    import("@kubernetes-models/istio/security.istio.io/v1"),
    import("@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1"),
    import("@kubernetes-models/external-secrets/external-secrets.io/v1"),
    import("@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2"),
    import("@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1"),
    import("@kubernetes-models/argo-cd/argoproj.io/v1alpha1"),
    import("kubernetes-models/v1"),
  ]);
  return {
    "networking.istio.io/v1/Gateway": istio.Gateway,
    "networking.istio.io/v1/DestinationRule": istio.DestinationRule,
    "networking.istio.io/v1/VirtualService": istio.VirtualService,
    "security.istio.io/v1/PeerAuthentication": security.PeerAuthentication,
    "argoproj.io/v1alpha1/Rollout": rollouts.Rollout,
    "argoproj.io/v1alpha1/AnalysisTemplate": rollouts.AnalysisTemplate,
    "argoproj.io/v1alpha1/Application": argocd.Application,
    "external-secrets.io/v1/ClusterSecretStore": eso.ClusterSecretStore,
    "external-secrets.io/v1/ExternalSecret": eso.ExternalSecret,
    "helm.toolkit.fluxcd.io/v2/HelmRelease": helm.HelmRelease,
    "source.toolkit.fluxcd.io/v1/HelmRepository": source.HelmRepository,
    "v1/Namespace": core.Namespace,
    "apps/v1/Deployment": (await import("kubernetes-models/apps/v1")).Deployment,
    "policy/v1/PodDisruptionBudget": (await import("kubernetes-models/policy/v1")).PodDisruptionBudget,
    "autoscaling/v2/HorizontalPodAutoscaler": (await import("kubernetes-models/autoscaling/v2"))
      .HorizontalPodAutoscaler,
    "v1/Service": core.Service,
    "networking.k8s.io/v1/NetworkPolicy": (await import("kubernetes-models/networking.k8s.io/v1")).NetworkPolicy,
  };
}

/**
 * Config Sync's RootSync is the one kind no package ships a schema for (the CRD lives in Google's kpt-config-sync
 * repository, not on npm): its objects are checked for the documented fields below instead, and the gap is listed
 * in docs/workloads.md.
 */
const UNVALIDATED = new Set(["configsync.gke.io/v1beta1/RootSync"]);

const schemaProblems = schemaChecker(validators, UNVALIDATED);

const ofKind = (objs: readonly KubernetesObject[], kind: string) => objs.filter((o) => o.kind === kind) as any[];

describe("every mesh object validates against its CRD's OpenAPI schema", () => {
  for (const stack of STACKS) {
    for (const cloud of CLOUDS) {
      it(`${stack} on ${cloud}`, async () => {
        const objects = render(stack, cloud);
        expect(objects.length).toBeGreaterThan(0);
        expect((await Promise.all(objects.map(schemaProblems))).flat()).toEqual([]);
      });
    }
  }

  it("the validators refuse what the API server would (the checks are not vacuous)", async () => {
    const objects = render("prod", "aws");
    const [pa] = ofKind(objects, "PeerAuthentication");
    expect(await schemaProblems({ ...pa, spec: { mtls: { mode: "STRICTEST" } } })).toEqual([
      expect.stringMatching(/mode must be equal to one of the allowed values/),
    ]);
    const [dr] = ofKind(objects, "DestinationRule");
    const badPool = structuredClone(dr);
    badPool.spec.trafficPolicy.outlierDetection.consecutive5xxErrors = "five";
    expect(await schemaProblems(badPool)).toEqual([expect.stringMatching(/consecutive5xxErrors/)]);
    const [ro] = ofKind(objects, "Rollout");
    const badStep = structuredClone(ro);
    badStep.spec.strategy.canary.steps[0].setWeight = "ten";
    expect(await schemaProblems(badStep)).toEqual([expect.stringMatching(/setWeight/)]);
    const [es] = ofKind(objects, "ExternalSecret");
    const badTarget = structuredClone(es);
    badTarget.spec.target.creationPolicy = "Sometimes";
    expect(await schemaProblems(badTarget)).toEqual([expect.stringMatching(/creationPolicy/)]);
    expect(
      await schemaProblems({ apiVersion: "networking.istio.io/v9", kind: "Gateway", metadata: { name: "x" } }),
    ).toEqual(["no schema for networking.istio.io/v9/Gateway"]);
  });
});

describe("the Helm installs, per GitOps agent", () => {
  const charts = (objects: KubernetesObject[]) =>
    objects.flatMap((o: any) =>
      o.kind === "Application"
        ? [[o.metadata.name, o.spec.source.chart, o.spec.source.targetRevision, o.spec.source.helm.valuesObject]]
        : o.kind === "HelmRelease"
          ? [[o.metadata.name, o.spec.chart.spec.chart, o.spec.chart.spec.version, o.spec.values]]
          : o.kind === "RootSync"
            ? [[o.metadata.name, o.spec.helm.chart, o.spec.helm.version, o.spec.helm.values]]
            : [],
    ) as [string, string, string, any][];

  it("installs Istio's base, cni, istiod and gateway, External Secrets and Argo Rollouts at exact versions on every cloud", () => {
    for (const cloud of CLOUDS) {
      const got = charts(render("prod", cloud));
      expect(got.map(([name, chart, version]) => `${name}=${chart}@${version}`)).toEqual([
        "external-secrets=external-secrets@2.14.0",
        "istio-base=base@1.30.4",
        "istio-cni=cni@1.30.4",
        "istiod=istiod@1.30.4",
        "istio-eastwestgateway=gateway@1.30.4",
        "argo-rollouts=argo-rollouts@2.41.1",
        "prometheus=prometheus@27.52.0",
      ]);
    }
  });

  it("puts the CNI plugin where GKE's nodes read it, since Config Sync renders the chart without the cluster's version", () => {
    const cni = (cloud: (typeof CLOUDS)[number]) =>
      charts(render("prod", cloud)).find(([name]) => name === "istio-cni")![3];
    expect(cni("gcp")).toEqual({ global: { platform: "gke" }, cniBinDir: "/home/kubernetes/bin" });
    // EKS and AKS use the chart's default (/opt/cni/bin), which their agents render against the live cluster anyway.
    expect(cni("aws").cniBinDir).toBeUndefined();
    expect(cni("azure").cniBinDir).toBeUndefined();
  });

  it("gives istiod the mesh id, the cluster's name and its network, all from the config", () => {
    const c = parseStackConfig(stackConfig("prod"), "prod");
    for (const cloud of CLOUDS) {
      const istiod = charts(render("prod", cloud)).find(([name]) => name === "istiod")!;
      const region = { aws: c.aws.region, azure: c["azure-native"].location, gcp: c.gcp.region }[cloud];
      expect(istiod[3].global).toMatchObject({
        meshID: "tricloud-prod",
        multiCluster: { clusterName: `prod-${cloud}` },
        network: `prod-${cloud}-${region}`,
      });
      expect(istiod[3].pilot.cni.enabled).toBe(true);
      // The sidecar's request, stated (Istio's default) so that the schema's pod-fits-a-node check adds this value.
      expect(istiod[3].global.proxy.resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" } });
      const gateway = charts(render("prod", cloud)).find(([name]) => name === "istio-eastwestgateway")!;
      expect(gateway[3].networkGateway).toBe(`prod-${cloud}-${region}`);
      // The east-west gateway stays on the private network (the path between the clouds carries it).
      expect(Object.keys(gateway[3].service.annotations)).toHaveLength(1);
    }
    const names = new Set(
      CLOUDS.map((cloud) => charts(render("prod", cloud)).find(([n]) => n === "istiod")![3].global.network),
    );
    expect(names.size).toBe(3);
  });

  it("follows tricloud:mesh.istioVersion", () => {
    const got = charts(render("dev", "gcp", "tricloud:mesh.istioVersion=1.31.0"));
    expect(got.filter(([, , version]) => version === "1.31.0").map(([name]) => name)).toEqual([
      "istio-base",
      "istio-cni",
      "istiod",
      "istio-eastwestgateway",
    ]);
  });

  it("installs its own Prometheus only while tricloud:mesh.prometheusUrl is the in-cluster default", () => {
    const own = charts(render("prod", "aws")).find(([name]) => name === "prometheus")!;
    expect(own[3].server).toMatchObject({ fullnameOverride: "prometheus", service: { servicePort: 9090 } });
    // A rate needs two samples in its window: the analysis's shortest window (60 s) holds four scrapes.
    expect(own[3].server.global).toEqual({ scrape_interval: "15s" });
    expect(ANALYSIS_MIN_WINDOW_S / SCRAPE_INTERVAL_S).toBe(4);
    const external = render("prod", "aws", "tricloud:mesh.prometheusUrl=https://metrics.example.com/prometheus");
    expect(charts(external).map(([name]) => name)).not.toContain("prometheus");
    const [template] = ofKind(external, "AnalysisTemplate");
    expect(template.spec.metrics[0].provider.prometheus.address).toBe("https://metrics.example.com/prometheus");
  });

  it("orders the releases: Flux by dependsOn, Argo CD by sync wave; Config Sync's RootSyncs carry the documented helm fields", () => {
    const flux = ofKind(render("prod", "azure"), "HelmRelease");
    expect(flux.find((r) => r.metadata.name === "istiod").spec.dependsOn.map((d: any) => d.name)).toEqual([
      "istio-base",
      "istio-cni",
      "external-secrets",
    ]);
    expect(
      ofKind(render("prod", "azure"), "HelmRepository")
        .map((r) => r.spec.url)
        .sort(),
    ).toEqual([
      "https://argoproj.github.io/argo-helm",
      "https://charts.external-secrets.io",
      "https://istio-release.storage.googleapis.com/charts",
      "https://prometheus-community.github.io/helm-charts",
    ]);
    const waves = Object.fromEntries(
      ofKind(render("prod", "aws"), "Application").map((a) => [
        a.metadata.name,
        a.metadata.annotations["argocd.argoproj.io/sync-wave"],
      ]),
    );
    // istiod after the cacerts ExternalSecret (wave 2, after its store in 1: test/workloads/order.test.ts).
    expect(waves).toEqual(PROD_EKS_APPLICATION_WAVES);
    for (const a of ofKind(render("prod", "aws"), "Application")) expect(a.spec.destination.name).toBe("in-cluster");
    for (const r of ofKind(render("prod", "gcp"), "RootSync")) {
      expect(r.apiVersion).toBe("configsync.gke.io/v1beta1");
      expect(r.metadata.namespace).toBe("config-management-system");
      expect(r.spec).toMatchObject({ sourceType: "helm", sourceFormat: "unstructured" });
      expect(Object.keys(r.spec.helm).sort()).toEqual(
        ["auth", "chart", "includeCRDs", "namespace", "period", "releaseName", "repo", "values", "version"].sort(),
      );
      expect(r.spec.helm.version).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });
});

describe("traffic from tricloud:services", () => {
  it("mTLS STRICT mesh-wide and in the services' namespace", () => {
    for (const cloud of CLOUDS) {
      const pas = ofKind(render("prod", cloud), "PeerAuthentication");
      expect(pas.map((p) => [p.metadata.namespace, p.spec.mtls.mode])).toEqual([
        ["istio-system", "STRICT"],
        ["platform", "STRICT"],
      ]);
    }
  });

  it("weights each cloud's region by the service's cloud weights (60/30/10 in prod) from every region", () => {
    const c = parseStackConfig(stackConfig("prod"), "prod");
    const region = { aws: c.aws.region, azure: c["azure-native"].location, gcp: c.gcp.region };
    const dr = ofKind(render("prod", "azure"), "DestinationRule").find((d) => d.metadata.name === "slon-finance");
    const { distribute, enabled } = dr.spec.trafficPolicy.loadBalancer.localityLbSetting;
    expect(enabled).toBe(true);
    expect(distribute.map((d: any) => d.from)).toEqual(CLOUDS.map((cl) => `${region[cl]}/*`));
    for (const d of distribute)
      expect(d.to).toEqual({ [`${region.aws}/*`]: 60, [`${region.azure}/*`]: 30, [`${region.gcp}/*`]: 10 });
    // Locality weighting only takes effect with outlier detection (Istio's locality load balancing docs).
    expect(dr.spec.trafficPolicy.outlierDetection).toMatchObject({ consecutive5xxErrors: 5, maxEjectionPercent: 50 });
    expect(dr.spec.trafficPolicy.connectionPool.tcp.maxConnections).toBe(1024);
  });

  it("a cloud the service leaves out gets no share", () => {
    const c = parseStackConfig(stackConfig("dev"), "dev");
    const debt = { ...c.tricloud.services["debt-agent-ai"]!, clouds: { aws: 80, azure: 20 } };
    const objects = renderClusterMesh({
      cloud: "aws",
      topology: topologyOf(c),
      services: { "debt-agent-ai": debt },
      prometheusUrl: c.tricloud.mesh.prometheusUrl,
    });
    const dr = ofKind(objects, "DestinationRule").find((d) => d.metadata.name === "debt-agent-ai");
    const to = dr.spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to;
    expect(to).toEqual({ [`${c.aws.region}/*`]: 80, [`${c["azure-native"].location}/*`]: 20 });
    // And a cloud that runs none of the services renders no mesh objects at all.
    expect(
      renderClusterMesh({
        cloud: "gcp",
        topology: topologyOf(c),
        services: { "debt-agent-ai": debt },
        prometheusUrl: "http://p:9090",
      }),
    ).toEqual([]);
  });

  it("retries and timeout from the config on the VirtualService; its canary route starts all on stable", () => {
    const vs = ofKind(
      render("prod", "gcp", "tricloud:services.auth-service.traffic.timeoutMs=5500"),
      "VirtualService",
    ).find((v) => v.spec.hosts[0] === "auth-service.platform.svc.cluster.local");
    // A canaried service's VirtualService is named after its spec (docs/workloads.md, drift).
    expect(vs.metadata.name).toBe(virtualServiceName("auth-service", vs.spec));
    const [route] = vs.spec.http;
    expect(route.name).toBe("primary");
    expect(route.timeout).toBe("5500ms");
    expect(route.retries).toMatchObject({ attempts: 3, perTryTimeout: "3s" });
    expect(route.route.map((r: any) => [r.destination.host, r.weight])).toEqual([
      ["auth-service.platform.svc.cluster.local", 100],
      ["auth-service-canary.platform.svc.cluster.local", 0],
    ]);
  });

  it("the canary: 10 % first, analysis on Istio's 5xx share with the config's 5 % threshold, rollback at the first failure", () => {
    const objects = render("prod", "aws");
    const ro = ofKind(objects, "Rollout").find((r) => r.metadata.name === "api-gateway");
    const canary = ro.spec.strategy.canary;
    expect(canary.steps[0]).toEqual({ setWeight: 10 });
    expect(canary.steps[1]).toEqual({ pause: { duration: "60s" } });
    const vs = ofKind(objects, "VirtualService").find(
      (v) => v.spec.hosts[0] === "api-gateway.platform.svc.cluster.local",
    );
    expect(vs.metadata.name).toMatch(/^api-gateway-[0-9a-f]{8}$/);
    expect(canary.trafficRouting.istio.virtualService).toEqual({ name: vs.metadata.name, routes: ["primary"] });
    expect(ro.spec.workloadRef).toMatchObject({ kind: "Deployment", name: "api-gateway" });
    const at = ofKind(objects, "AnalysisTemplate").find((t) => t.metadata.name === "api-gateway-error-rate");
    const [metric] = at.spec.metrics;
    expect(metric.successCondition).toBe("len(result) == 0 || isNaN(result[0]) || result[0] < 0.05");
    // No 5xx series is a rate of 0, not an empty result (which Argo Rollouts counts as an error, never a failure).
    expect(metric.provider.prometheus.query).toMatch(
      /^\(sum\(rate\(.*response_code=~"5\.\."\}\[60s\]\)\) or on\(\) vector\(0\)\) \/ sum\(rate/,
    );
    expect(metric.failureLimit).toBe(0);
    expect(metric.provider.prometheus.query).toContain('response_code=~"5.."');
    expect(metric.provider.prometheus.address).toBe("http://prometheus.istio-system.svc:9090");
    const strict = render("prod", "aws", "tricloud:services.api-gateway.canary.maxErrorRatePercent=2");
    const t2 = ofKind(strict, "AnalysisTemplate").find((t) => t.metadata.name === "api-gateway-error-rate");
    expect(t2.spec.metrics[0].successCondition).toBe("len(result) == 0 || isNaN(result[0]) || result[0] < 0.02");
  });

  it("in the mesh, a canary's Deployment leaves its replicas to the Rollout and its HPA scales the Rollout", async () => {
    const c = parseStackConfig(stackConfig("prod"), "prod");
    const workloads = (mesh: boolean) =>
      renderClusterWorkloads({
        cloud: "gcp",
        kubernetesVersion: c.tricloud.kubernetesVersion,
        registryUrl: "us-central1-docker.pkg.dev/p/r",
        services: c.tricloud.services,
        mesh,
      });
    const inMesh = workloads(true);
    const [ns] = ofKind(inMesh, "Namespace");
    expect(ns.metadata.labels["istio-injection"]).toBe("enabled");
    const deployment = ofKind(inMesh, "Deployment").find((d) => d.metadata.name === "api-gateway");
    expect(deployment.spec.replicas).toBeUndefined();
    // Nor does the Rollout (the mesh's objects) declare a count: its HPA writes spec.replicas, and a GitOps agent
    // re-applying a declared one on every sync would undo it.
    const rollouts = ofKind(render("prod", "gcp"), "Rollout");
    expect(rollouts.length).toBeGreaterThan(0);
    for (const r of rollouts) expect(r.spec, r.metadata.name).not.toHaveProperty("replicas");
    const hpa = ofKind(inMesh, "HorizontalPodAutoscaler").find((h) => h.metadata.name === "api-gateway");
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      name: "api-gateway",
    });
    expect((await Promise.all(inMesh.map(schemaProblems))).flat()).toEqual([]);
    // Outside the mesh: no Rollout, the HPA scales the Deployment (which declares no count either), no injection label.
    const plain = workloads(false);
    expect(ofKind(plain, "Rollout")).toEqual([]);
    expect(ofKind(plain, "Deployment").find((d) => d.metadata.name === "api-gateway").spec.replicas).toBeUndefined();
    expect(ofKind(plain, "HorizontalPodAutoscaler")[0].spec.scaleTargetRef.kind).toBe("Deployment");
    expect(ofKind(plain, "Namespace")[0].metadata.labels["istio-injection"]).toBeUndefined();
  });

  it("dev has no canary: no Rollout, and the VirtualService routes to the one Service", () => {
    const objects = render("dev", "azure");
    expect(ofKind(objects, "Rollout")).toEqual([]);
    const vs = ofKind(objects, "VirtualService")[0];
    expect(vs.spec.http[0].route).toEqual([
      { destination: { host: `${vs.metadata.name}.platform.svc.cluster.local` } },
    ]);
  });
});

describe("the CA reaches istio-system/cacerts from the cloud's secret store, never from a manifest", () => {
  it("renders a ClusterSecretStore of the cloud's provider, usable from istio-system only, and an ExternalSecret named cacerts", () => {
    for (const cloud of CLOUDS) {
      const objects = render("prod", cloud);
      const [store] = ofKind(objects, "ClusterSecretStore");
      expect(store.spec.provider).toEqual(SECRETS[cloud].provider);
      expect(store.spec.conditions).toEqual([{ namespaces: ["istio-system"] }]);
      const [es] = ofKind(objects, "ExternalSecret");
      expect(es.metadata).toMatchObject({ name: "cacerts", namespace: "istio-system" });
      expect(es.spec.dataFrom).toEqual([{ extract: { key: SECRETS[cloud].key } }]);
      expect(ofKind(objects, "Secret")).toEqual([]);
    }
  });

  it("the staging plan: no private key in any cluster's manifests, while the keys exist in the cloud secret stores", async () => {
    const report = await planStack("staging");
    const w = (report.outputs as any).workloads;
    for (const cloud of CLOUDS) expect(w[cloud].manifests).not.toMatch(/PRIVATE KEY/);
    // The keys went to Secrets Manager, Key Vault and Secret Manager as secrets, and each cluster reads its own.
    const entries = {
      aws: "aws:secretsmanager/secretVersion:SecretVersion",
      azure: "azure-native:keyvault:Secret",
      gcp: "gcp:secretmanager/secretVersion:SecretVersion",
    };
    for (const cloud of CLOUDS) {
      expect(report.resources.filter((r) => r.type === entries[cloud] && r.name.endsWith("-cacerts"))).toHaveLength(1);
      expect(w[cloud].mesh.cacertsFrom).toBe(`tricloud-staging-${cloud}-istio-cacerts`);
      expect(ofKind(w[cloud].objects, "ExternalSecret").filter((e) => e.metadata.name === "cacerts")).toHaveLength(1);
    }
    // Without the Argo CD capability nothing is applied to EKS: no store entry, no ExternalSecret.
    const none = await planStackWithoutEksArgoCd("staging");
    const wn = (none.outputs as any).workloads;
    expect(wn.aws.mesh.cacertsFrom).toBeNull();
    expect(ofKind(wn.aws.objects, "ExternalSecret")).toEqual([]);
    expect(none.resources.filter((r) => r.type === entries.aws && r.name.endsWith("-cacerts"))).toEqual([]);
  });
});
