import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  DOWNSCALER_IMAGE,
  DOWNSCALER_NAMESPACE,
  placement,
  renderDownscaler,
} from "../../components/workloads/downscaler";
import { DEFAULT_NAMESPACE, type KubernetesObject } from "../../components/workloads/render";
import { CLOUDS } from "@tricloud/vocabulary/sizes";
import { planStack } from "../helpers/plan";
import { REGISTRY, schemaChecker } from "../helpers/workloads";

const UPTIME = "Mon-Fri 07:00-19:00 America/New_York";
const render = (cloud: (typeof CLOUDS)[number]) =>
  renderDownscaler({ cloud, kubernetesVersion: "1.36", registryUrl: REGISTRY[cloud], uptime: UPTIME });
const one = (objs: readonly KubernetesObject[], kind: string) => objs.find((o) => o.kind === kind) as any;

/** kubernetes-models' class per apiVersion/kind: validate() checks an object against the Kubernetes OpenAPI schema. */
const validate = schemaChecker(async () => {
  const [core, apps, rbac] = await Promise.all([
    import("kubernetes-models/v1"),
    import("kubernetes-models/apps/v1"),
    import("kubernetes-models/rbac.authorization.k8s.io/v1"),
  ]);
  return {
    "v1/Namespace": core.Namespace,
    "v1/ServiceAccount": core.ServiceAccount,
    "apps/v1/Deployment": apps.Deployment,
    "rbac.authorization.k8s.io/v1/Role": rbac.Role,
    "rbac.authorization.k8s.io/v1/RoleBinding": rbac.RoleBinding,
  };
});

describe("the downscaler's objects", () => {
  it.each(CLOUDS)("%s: every object validates against the Kubernetes OpenAPI schema", async (cloud) => {
    const objs = render(cloud);
    expect(objs.map((o) => o.kind)).toEqual(["Namespace", "ServiceAccount", "Role", "RoleBinding", "Deployment"]);
    const problems = (await Promise.all(objs.map(validate))).flat();
    expect(problems).toEqual([]);
  });

  it.each(CLOUDS)("%s: scales only the services' namespace, through a namespaced Role", (cloud) => {
    const objs = render(cloud);
    const container = one(objs, "Deployment").spec.template.spec.containers[0];
    expect(container.args).toEqual([
      "--interval=60",
      `--namespace=${DEFAULT_NAMESPACE}`,
      "--include-resources=deployments",
      `--default-uptime=${UPTIME}`,
    ]);
    expect(one(objs, "Role").metadata.namespace).toBe(DEFAULT_NAMESPACE);
    expect(one(objs, "Role").rules).toContainEqual({
      apiGroups: ["apps"],
      resources: ["deployments"],
      verbs: ["get", "watch", "list", "update", "patch"],
    });
    expect(objs.some((o) => o.kind.startsWith("Cluster"))).toBe(false);
    expect(one(objs, "RoleBinding").subjects).toEqual([
      { kind: "ServiceAccount", name: "kube-downscaler", namespace: DOWNSCALER_NAMESPACE },
    ]);
  });

  it.each(CLOUDS)("%s: runs under the restricted Pod Security profile, from the stack's own registry", (cloud) => {
    const objs = render(cloud);
    expect(one(objs, "Namespace").metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const pod = one(objs, "Deployment").spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.containers[0].securityContext).toEqual({
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod.containers[0].image.startsWith(REGISTRY[cloud])).toBe(true);
    expect(pod.containers[0].image).toContain(DOWNSCALER_IMAGE.tag);
    expect(pod.containers[0].resources.requests).toEqual({ cpu: "200m", memory: "300Mi" });
  });

  it("stays on what does not drain: the AKS system pool, the EKS node group, GKE's one pool", () => {
    expect(placement("azure")).toEqual({
      nodeSelector: { "kubernetes.azure.com/mode": "system" },
      tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists", effect: "NoSchedule" }],
    });
    expect(
      placement("aws").affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    ).toEqual([{ matchExpressions: [{ key: "eks.amazonaws.com/compute-type", operator: "NotIn", values: ["auto"] }] }]);
    expect(placement("gcp")).toEqual({});
  });
});

describe("the plan's schedule output", () => {
  it("dev renders the downscaler for every cluster and sets the AKS and GKE pools' minimum to 0", async () => {
    const r = await planStack("dev");
    const s = (r as any).outputs.schedule;
    expect(s).toMatchObject({ uptime: UPTIME, hoursPerMonth: 730, hoursOffPerMonth: 469.29 });
    for (const cloud of CLOUDS) {
      const docs = parseAllDocuments(s.downscaler[cloud].manifests).map((d) => d.toJSON());
      expect(docs.map((d) => d.kind)).toEqual(["Namespace", "ServiceAccount", "Role", "RoleBinding", "Deployment"]);
      expect(s.downscaler[cloud].sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const inputs = (type: string) => r.resources.find((x) => x.type === type)!.inputs as any;
    expect(inputs("azure-native:containerservice:AgentPool").minCount).toBe(0);
    expect(inputs("gcp:container/nodePool:NodePool").autoscaling.totalMinNodeCount).toBe(0);
    // Nothing autoscales the EKS node group: its floor stays (Auto Mode's nodes above it drain on their own).
    expect(inputs("aws:eks/nodeGroup:NodeGroup").scalingConfig.minSize).toBe(1);
  });

  it("prod has no schedule and keeps its pools' minimums", async () => {
    const r = await planStack("prod");
    expect((r as any).outputs.schedule).toBeUndefined();
    const pool = r.resources.find((x) => x.type === "azure-native:containerservice:AgentPool")!.inputs as any;
    expect(pool.minCount).toBeGreaterThanOrEqual(2);
  });
});
