import type { IDeployment } from "kubernetes-models/apps/v1/Deployment" with { "resolution-mode": "import" };
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler" with {
  "resolution-mode": "import",
};
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy" with {
  "resolution-mode": "import",
};
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget" with {
  "resolution-mode": "import",
};
import type { INamespace } from "kubernetes-models/v1/Namespace" with { "resolution-mode": "import" };
import type { IService } from "kubernetes-models/v1/Service" with { "resolution-mode": "import" };
import type { Cloud } from "@tricloud/vocabulary/sizes";

/**
 * Renders what one cluster runs as plain Kubernetes objects: no Kubernetes API
 * is called (the clusters' endpoints are private; docs/workloads.md). The same
 * service renders the same objects on every cloud but for the image's registry
 * host: what only one cloud needs (metrics-server and the network policy
 * controller on EKS) is enabled through that cloud's API, in its cluster component.
 */

/** One service as the stack config describes it (stacks/config/services.ts parses into this). */
export interface WorkloadSpec {
  readonly image: { readonly repository: string; readonly tag: string };
  readonly port: number;
  readonly replicas: number;
  /** Millicores and MiB. */
  readonly requests: { readonly cpu: number; readonly memory: number };
  readonly limits: { readonly cpu: number; readonly memory: number };
  readonly autoscaling: {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly cpuUtilizationPercent: number;
    readonly memoryUtilizationPercent: number;
  };
  /** Weight per cloud; a cloud left out runs nothing of the service. */
  readonly clouds: Readonly<Partial<Record<Cloud, number>>>;
  readonly calls: readonly string[];
  readonly public: boolean;
  /** Progressive delivery through the mesh: the new version's share, the error rate that rolls it back. */
  readonly canary?: {
    readonly weightPercent: number;
    readonly maxErrorRatePercent: number;
    readonly intervalSeconds: number;
  };
  /** Retries, timeout and circuit breaking in the mesh; TRAFFIC_DEFAULTS where absent. */
  readonly traffic?: TrafficSpec;
}

export interface TrafficSpec {
  readonly timeoutMs: number;
  readonly retries: number;
  readonly perTryTimeoutMs: number;
  /** Outlier detection: consecutive 5xx answers that eject an endpoint, and the most endpoints ejected at once. */
  readonly consecutive5xxErrors: number;
  readonly maxEjectionPercent: number;
  /** Connection pool: TCP connections to the service and HTTP requests queued for one. */
  readonly maxConnections: number;
  readonly maxPendingRequests: number;
}

export const TRAFFIC_DEFAULTS: TrafficSpec = {
  timeoutMs: 10_000,
  retries: 3,
  perTryTimeoutMs: 3_000,
  consecutive5xxErrors: 5,
  maxEjectionPercent: 50,
  maxConnections: 1024,
  maxPendingRequests: 1024,
};

export interface ClusterWorkloadsInput {
  readonly cloud: Cloud;
  /** Kubernetes minor, e.g. "1.36": the Pod Security Standard's version is pinned to it. */
  readonly kubernetesVersion: string;
  /** Where this cloud's images live: `<host>/<path>` without a tag (ContainerRegistry.repositoryUrl). */
  readonly registryUrl: string;
  readonly services: Readonly<Record<string, WorkloadSpec>>;
  /** Namespace the services run in. */
  readonly namespace?: string;
  /** Whether the cluster is in the mesh: sidecar injection on, canaries handed to their Rollout. */
  readonly mesh?: boolean;
}

/**
 * A Kubernetes object as the API takes it. Each builder below is also typed with kubernetes-models' interface for its
 * kind (types only, erased at run time), so a misspelt field fails the type-check: the OpenAPI schemas the tests
 * validate against do not refuse unknown fields.
 */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

export const DEFAULT_NAMESPACE = "platform";
/** The uid/gid the containers run as (no root, no host user). */
export const RUN_AS_USER = 10001;

/**
 * A container's security context under Pod Security `restricted`: unprivileged, no escalation, read-only root,
 * non-root, every capability dropped. A fresh object per container (YAML would write a shared one as an alias).
 */
export function restrictedContainerSecurity() {
  return {
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
  };
}

const cpu = (m: number) => `${m}m`;
const memory = (mib: number) => `${mib}Mi`;

/** The services a cloud runs: those with a weight on it. */
export function servicesOn(cloud: Cloud, services: Readonly<Record<string, WorkloadSpec>>): [string, WorkloadSpec][] {
  return Object.entries(services).filter(([, s]) => (s.clouds[cloud] ?? 0) > 0);
}

/**
 * The image reference on one cloud. ECR holds one repository per stack, so a
 * service's image is a tag `<repository>-<tag>` in it; ACR and Artifact Registry
 * hold one repository per service under the registry's path.
 */
export function imageReference(cloud: Cloud, registryUrl: string, image: WorkloadSpec["image"]): string {
  return cloud === "aws"
    ? `${registryUrl}:${image.repository}-${image.tag}`
    : `${registryUrl}/${image.repository}:${image.tag}`;
}

const selector = (name: string) => ({ "app.kubernetes.io/name": name });
const labels = (name: string) => ({
  ...selector(name),
  "app.kubernetes.io/part-of": "tricloud",
  "app.kubernetes.io/managed-by": "tricloud",
});

function namespaceObject(ns: string, version: string, mesh: boolean): INamespace & KubernetesObject {
  // Pod Security admission: the restricted profile, pinned to the cluster's minor so an upgrade cannot loosen it.
  const pss = Object.fromEntries(
    ["enforce", "audit", "warn"].flatMap((mode) => [
      [`pod-security.kubernetes.io/${mode}`, "restricted"],
      [`pod-security.kubernetes.io/${mode}-version`, `v${version}`],
    ]),
  );
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: ns,
      labels: { "app.kubernetes.io/part-of": "tricloud", ...pss, ...(mesh ? { "istio-injection": "enabled" } : {}) },
    },
  };
}

function deployment(name: string, s: WorkloadSpec, image: string, ns: string): IDeployment & KubernetesObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns, labels: labels(name) },
    spec: {
      // No count: every service has an HPA (or a Rollout its HPA scales), which owns it. A declared count would be
      // re-applied by the GitOps agent on every sync, undoing the HPA and the off-hours downscaler (Kubernetes:
      // "Migrating Deployments and StatefulSets to horizontal autoscaling", kubernetes.io/docs/tasks/run-application/
      // horizontal-pod-autoscale/, read 2026-11-30). `replicas` in the config is the expected steady count the cost
      // model prices.
      selector: { matchLabels: selector(name) },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: labels(name) },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS_USER,
            runAsGroup: RUN_AS_USER,
            fsGroup: RUN_AS_USER,
            seccompProfile: { type: "RuntimeDefault" },
          },
          // Spread over zones where the pool has them; never refuse to schedule for it.
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: selector(name) },
            },
          ],
          containers: [
            {
              name,
              image,
              ports: [{ name: "http", containerPort: s.port, protocol: "TCP" }],
              resources: {
                requests: { cpu: cpu(s.requests.cpu), memory: memory(s.requests.memory) },
                limits: { cpu: cpu(s.limits.cpu), memory: memory(s.limits.memory) },
              },
              securityContext: restrictedContainerSecurity(),
              readinessProbe: { tcpSocket: { port: s.port }, periodSeconds: 10 },
              livenessProbe: { tcpSocket: { port: s.port }, initialDelaySeconds: 15, periodSeconds: 20 },
              // The root filesystem is read-only; scratch space is a bounded in-memory volume.
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } }],
        },
      },
    },
  };
}

function service(name: string, s: WorkloadSpec, ns: string): IService & KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: ns, labels: labels(name) },
    spec: {
      type: "ClusterIP",
      selector: selector(name),
      ports: [{ name: "http", port: s.port, targetPort: "http", protocol: "TCP" }],
    },
  };
}

function autoscaler(
  name: string,
  s: WorkloadSpec,
  ns: string,
  byRollout: boolean,
): IHorizontalPodAutoscaler & KubernetesObject {
  const a = s.autoscaling;
  const target = (resource: "cpu" | "memory", averageUtilization: number) => ({
    type: "Resource",
    resource: { name: resource, target: { type: "Utilization", averageUtilization } },
  });
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name, namespace: ns, labels: labels(name) },
    spec: {
      scaleTargetRef: byRollout
        ? { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name }
        : { apiVersion: "apps/v1", kind: "Deployment", name },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [target("cpu", a.cpuUtilizationPercent), target("memory", a.memoryUtilizationPercent)],
      // Up within 30 s, down only after 5 minutes of lower load.
      behavior: { scaleUp: { stabilizationWindowSeconds: 30 }, scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };
}

function disruptionBudget(name: string, ns: string): IPodDisruptionBudget & KubernetesObject {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace: ns, labels: labels(name) },
    spec: { maxUnavailable: 1, selector: { matchLabels: selector(name) } },
  };
}

/** Nothing in or out of the namespace but DNS, unless a policy below admits it. */
function defaultDeny(ns: string): (INetworkPolicy & KubernetesObject)[] {
  // Port 53 to any destination, not to kube-dns pods: DNS is not always a pod in kube-system (EKS Auto Mode answers
  // on the node, GKE's NodeLocal DNSCache on a link-local address), and a pod selector would then block it.
  const dns = {
    ports: [
      { protocol: "UDP" as const, port: 53 },
      { protocol: "TCP" as const, port: 53 },
    ],
  };
  return [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "default-deny", namespace: ns },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "allow-dns", namespace: ns },
      spec: { podSelector: {}, policyTypes: ["Egress"], egress: [dns] },
    },
  ];
}

/** Each service admits its callers (and anyone, when public) on its port, and may reach the services it calls. */
function allows(
  name: string,
  s: WorkloadSpec,
  running: ReadonlyMap<string, WorkloadSpec>,
  ns: string,
): (INetworkPolicy & KubernetesObject)[] {
  const callers = [...running].filter(([, other]) => other.calls.includes(name)).map(([caller]) => caller);
  const out: (INetworkPolicy & KubernetesObject)[] = [];
  const port = [{ protocol: "TCP" as const, port: s.port }];
  if (s.public || callers.length > 0) {
    // No `from` admits every source: the entry point is reached by the edge's load balancer.
    const ingress = s.public
      ? [{ ports: port }]
      : [{ from: callers.map((c) => ({ podSelector: { matchLabels: selector(c) } })), ports: port }];
    out.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `${name}-ingress`, namespace: ns, labels: labels(name) },
      spec: { podSelector: { matchLabels: selector(name) }, policyTypes: ["Ingress"], ingress },
    });
  }
  const callees = s.calls.filter((c) => running.has(c));
  if (callees.length > 0) {
    const egress = callees.map((c) => ({
      to: [{ podSelector: { matchLabels: selector(c) } }],
      ports: [{ protocol: "TCP" as const, port: running.get(c)!.port }],
    }));
    out.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `${name}-egress`, namespace: ns, labels: labels(name) },
      spec: { podSelector: { matchLabels: selector(name) }, policyTypes: ["Egress"], egress },
    });
  }
  return out;
}

/** Every object one cluster runs, in apply order (namespace first). Empty when the cloud runs no service. */
export function renderClusterWorkloads(input: ClusterWorkloadsInput): KubernetesObject[] {
  const ns = input.namespace ?? DEFAULT_NAMESPACE;
  const running = new Map(servicesOn(input.cloud, input.services));
  if (running.size === 0) return [];
  const mesh = input.mesh ?? false;
  const objects: KubernetesObject[] = [namespaceObject(ns, input.kubernetesVersion, mesh), ...defaultDeny(ns)];
  for (const [name, s] of running) {
    const image = imageReference(input.cloud, input.registryUrl, s.image);
    const byRollout = mesh && s.canary !== undefined;
    objects.push(
      deployment(name, s, image, ns),
      service(name, s, ns),
      autoscaler(name, s, ns, byRollout),
      disruptionBudget(name, ns),
      ...allows(name, s, running, ns),
    );
  }
  return objects;
}

/**
 * What Istio's sidecar requests in every service pod (millicores, MiB): Istio's own default (the istiod chart's
 * `global.proxy.resources.requests`), stated in istiod's values (mesh.ts) so that what the program adds up is what the clusters
 * really run: the stack schema checks that each pod with its sidecar fits one node (stacks/config/schema.ts), and
 * requestedCapacity counts it in every replica.
 */
export const SIDECAR_REQUESTS = { cpu: 100, memory: 128 } as const;

/** Requests of what a cluster runs at its replica floor and at its ceiling: what node capacity must hold. */
export function requestedCapacity(cloud: Cloud, services: Readonly<Record<string, WorkloadSpec>>) {
  let minCpu = 0, minMemory = 0, maxCpu = 0, maxMemory = 0; // prettier-ignore
  for (const [, s] of servicesOn(cloud, services)) {
    const floor = Math.max(s.replicas, s.autoscaling.minReplicas);
    const cpu = s.requests.cpu + SIDECAR_REQUESTS.cpu;
    const memory = s.requests.memory + SIDECAR_REQUESTS.memory;
    minCpu += floor * cpu;
    minMemory += floor * memory;
    maxCpu += s.autoscaling.maxReplicas * cpu;
    maxMemory += s.autoscaling.maxReplicas * memory;
  }
  return {
    atMinReplicas: { cpuMillis: minCpu, memoryMiB: minMemory },
    atMaxReplicas: { cpuMillis: maxCpu, memoryMiB: maxMemory },
  };
}
