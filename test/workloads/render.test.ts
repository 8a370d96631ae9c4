import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  imageReference,
  renderClusterWorkloads,
  requestedCapacity,
  SIDECAR_REQUESTS,
  type KubernetesObject,
} from "../../components/workloads/render";
import { toManifestYaml } from "../../components/workloads/cluster-workloads";
import { parseStackConfig } from "../../stacks/config/load";
import { CLOUDS, type Cloud } from "@tricloud/vocabulary/sizes";
import { stackConfig } from "../helpers/config";
import { REGISTRY, serviceSpec, schemaChecker, type SchemaModel } from "../helpers/workloads";

const STACKS = ["dev", "staging", "prod"] as const;

/** kubernetes-models' class per apiVersion/kind: its validate() checks the object against the Kubernetes OpenAPI schema. */
async function validators(): Promise<Record<string, SchemaModel>> {
  const [core, apps, autoscaling, policy, networking] = await Promise.all([
    import("kubernetes-models/v1"),
    import("kubernetes-models/apps/v1"),
    import("kubernetes-models/autoscaling/v2"),
    import("kubernetes-models/policy/v1"),
    import("kubernetes-models/networking.k8s.io/v1"),
  ]);
  return {
    "v1/Namespace": core.Namespace,
    "v1/Service": core.Service,
    "apps/v1/Deployment": apps.Deployment,
    "autoscaling/v2/HorizontalPodAutoscaler": autoscaling.HorizontalPodAutoscaler,
    "policy/v1/PodDisruptionBudget": policy.PodDisruptionBudget,
    "networking.k8s.io/v1/NetworkPolicy": networking.NetworkPolicy,
  };
}

/** Schema problems of one object, [] when it validates; an object of a kind no validator knows is a problem too. */
const schemaProblems = schemaChecker(validators);

const render = (stack: string, cloud: Cloud) => {
  const t = parseStackConfig(stackConfig(stack), stack).tricloud;
  return renderClusterWorkloads({
    cloud,
    kubernetesVersion: t.kubernetesVersion,
    registryUrl: REGISTRY[cloud],
    services: t.services,
  });
};

const ofKind = (objs: readonly KubernetesObject[], kind: string) => objs.filter((o) => o.kind === kind) as any[];

describe("every rendered object validates against the Kubernetes OpenAPI schema", () => {
  for (const stack of STACKS) {
    for (const cloud of CLOUDS) {
      it(`${stack} on ${cloud}`, async () => {
        const objects = render(stack, cloud);
        expect(objects.length).toBeGreaterThan(0);
        const problems = (await Promise.all(objects.map(schemaProblems))).flat();
        expect(problems).toEqual([]);
      });
    }
  }

  it("the validator refuses what the API server would (the check is not vacuous)", async () => {
    const [deployment] = ofKind(render("prod", "aws"), "Deployment");
    const broken = { ...deployment, spec: { ...deployment.spec, replicas: "three" } };
    expect(await schemaProblems(broken)).toEqual([expect.stringMatching(/replicas must be integer/)]);
    const [hpa] = ofKind(render("prod", "aws"), "HorizontalPodAutoscaler");
    const noTarget = { ...hpa, spec: { ...hpa.spec, scaleTargetRef: undefined } };
    expect(await schemaProblems(noTarget)).toEqual([expect.stringMatching(/scaleTargetRef/)]);
  });
});

describe("what one cluster runs", () => {
  const objects = render("prod", "gcp");

  it("puts the services in a namespace held to the restricted Pod Security Standard at the cluster's version", () => {
    const [ns] = ofKind(objects, "Namespace");
    expect(ns.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "v1.36",
    });
    expect(objects[0]!.kind).toBe("Namespace");
  });

  it("runs every container as non-root, on a read-only root filesystem, unprivileged, with requests and limits", () => {
    const deployments = ofKind(objects, "Deployment");
    expect(deployments).toHaveLength(8);
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      for (const c of pod.containers) {
        expect(c.securityContext).toEqual({
          privileged: false,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ["ALL"] },
        });
        expect(c.resources.requests).toEqual({
          cpu: expect.stringMatching(/^\d+m$/),
          memory: expect.stringMatching(/^\d+Mi$/),
        });
        expect(c.resources.limits).toEqual({
          cpu: expect.stringMatching(/^\d+m$/),
          memory: expect.stringMatching(/^\d+Mi$/),
        });
        expect(c.image.startsWith(`${REGISTRY.gcp}/`)).toBe(true);
      }
    }
    const slon = deployments.find((d) => d.metadata.name === "slon-finance");
    expect(slon.spec.template.spec.containers[0].resources.requests).toEqual({ cpu: "1000m", memory: "1536Mi" });
  });

  it("autoscales each service with autoscaling/v2 on 70 % CPU and 80 % memory between 2 and 10 replicas, and keeps one disruption at a time", () => {
    for (const hpa of ofKind(objects, "HorizontalPodAutoscaler")) {
      expect(hpa.spec).toMatchObject({
        minReplicas: 2,
        maxReplicas: 10,
        scaleTargetRef: { kind: "Deployment", name: hpa.metadata.name },
      });
      expect(hpa.spec.metrics.map((m: any) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([
        ["cpu", 70],
        ["memory", 80],
      ]);
    }
    expect(ofKind(objects, "PodDisruptionBudget").map((p) => p.spec.maxUnavailable)).toEqual(Array(8).fill(1));
  });

  it("declares no replica count on any Deployment: its HPA owns it, and a GitOps agent would re-apply a declared one", () => {
    const deployments = ofKind(objects, "Deployment");
    expect(deployments).toHaveLength(8);
    for (const d of deployments) expect(d.spec).not.toHaveProperty("replicas");
    const scaled = ofKind(objects, "HorizontalPodAutoscaler").map((h) => h.spec.scaleTargetRef.name);
    expect(scaled.sort()).toEqual(deployments.map((d) => d.metadata.name).sort());
  });

  it("denies all traffic by default and admits exactly the calls the matrix lists", () => {
    const policies = ofKind(objects, "NetworkPolicy");
    // DNS leaves by port alone, wherever the cloud answers it.
    expect(policies.find((p) => p.metadata.name === "allow-dns").spec.egress).toEqual([
      {
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ]);
    expect(policies.find((p) => p.metadata.name === "default-deny").spec).toEqual({
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
    });
    const ingress = (name: string) => policies.find((p) => p.metadata.name === `${name}-ingress`);
    // auth-service is called by every other service; slon-finance only by the gateway; the gateway by anyone (the edge).
    const callersOf = (name: string) =>
      ingress(name)
        .spec.ingress[0].from.map((f: any) => f.podSelector.matchLabels["app.kubernetes.io/name"])
        .sort();
    expect(callersOf("auth-service")).toHaveLength(7);
    expect(callersOf("slon-finance")).toEqual(["api-gateway"]);
    expect(ingress("api-gateway").spec.ingress).toEqual([{ ports: [{ protocol: "TCP", port: 8080 }] }]);
    // auth-service calls nothing: no egress policy beyond DNS.
    expect(policies.find((p) => p.metadata.name === "auth-service-egress")).toBeUndefined();
  });

  it("renders the same objects on every cloud but for the image's registry", () => {
    const strip = (objs: KubernetesObject[]) => JSON.stringify(objs).replaceAll(/"image":"[^"]*"/g, '"image":""');
    expect(strip(render("prod", "aws"))).toEqual(strip(render("prod", "gcp")));
    expect(strip(render("prod", "azure"))).toEqual(strip(render("prod", "gcp")));
  });

  it("gives a cloud that runs nothing no objects, and leaves a service off a cloud its weights leave out", () => {
    const services = { a: serviceSpec({ aws: 100 }, "a") };
    expect(
      renderClusterWorkloads({ cloud: "gcp", kubernetesVersion: "1.36", registryUrl: REGISTRY.gcp, services }),
    ).toEqual([]);
    expect(
      ofKind(
        renderClusterWorkloads({ cloud: "aws", kubernetesVersion: "1.36", registryUrl: REGISTRY.aws, services }),
        "Deployment",
      ),
    ).toHaveLength(1);
    expect(requestedCapacity("gcp", services).atMinReplicas).toEqual({ cpuMillis: 0, memoryMiB: 0 });
    // 2 replicas at the floor and 4 at the ceiling, each 100m and 128 MiB plus its Istio sidecar's.
    const pod = { cpu: 100 + SIDECAR_REQUESTS.cpu, memory: 128 + SIDECAR_REQUESTS.memory };
    expect(requestedCapacity("aws", services)).toEqual({
      atMinReplicas: { cpuMillis: 2 * pod.cpu, memoryMiB: 2 * pod.memory },
      atMaxReplicas: { cpuMillis: 4 * pod.cpu, memoryMiB: 4 * pod.memory },
    });
  });

  it("names images by each registry's layout: a tag in ECR's one repository, a repository per service elsewhere", () => {
    const image = { repository: "auth-service", tag: "1.4.2" };
    expect(imageReference("aws", REGISTRY.aws, image)).toBe(`${REGISTRY.aws}:auth-service-1.4.2`);
    expect(imageReference("azure", REGISTRY.azure, image)).toBe("tricloudprod.azurecr.io/auth-service:1.4.2");
    expect(imageReference("gcp", REGISTRY.gcp, image)).toBe(`${REGISTRY.gcp}/auth-service:1.4.2`);
  });

  it("writes one YAML document per object, which reads back to the same objects", () => {
    const yaml = toManifestYaml(objects);
    const docs = yaml.split(/^---$/m).map((d) => parse(d));
    expect(docs).toEqual(JSON.parse(JSON.stringify(objects)));
  });
});
