import { z } from "zod";
import { CLOUDS, type Cloud } from "@tricloud/vocabulary/sizes";
import { TRAFFIC_DEFAULTS } from "../../components/workloads/render";
import { IN_CLUSTER_PROMETHEUS_URL, ISTIO_VERSION } from "../../components/shared/mesh";
import { int } from "./coerce";

/**
 * `tricloud:services`: the services the clusters run, one entry per service,
 * the same on every cloud unless `clouds` says otherwise. Quantities are kept
 * as integers (millicores, MiB) so the renderer and the cost model add them
 * exactly; components/workloads/ turns them back into Kubernetes quantities.
 */

/** A Kubernetes Service name is a DNS-1035 label. */
export const SERVICE_NAME_RE = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** An OCI tag (distribution spec), without the registry's own length limits. */
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Repository path components inside a registry (distribution spec). */
const REPOSITORY_RE = /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

// Two units cover what the matrix needs; a Kubernetes client library for two regular expressions would be heavier.
const CPU_RE = /^(\d+)m$|^(\d+(\.\d{1,3})?)$/;
const MEMORY_RE = /^(\d+(\.\d+)?)(Mi|Gi)$/;

/** CPU as "500m", "1", "1.5" or a number of cores: millicores. */
const cpu = z.preprocess(
  (v) => {
    const s = typeof v === "number" ? String(v) : v;
    if (typeof s !== "string") return s;
    const m = CPU_RE.exec(s.trim());
    if (!m) return s;
    return m[1] !== undefined ? Number(m[1]) : Math.round(Number(m[2]) * 1000);
  },
  z
    .number({ error: 'expected CPU as millicores such as "500m" or cores such as "1.5"' })
    .int()
    .min(10, { error: "expected at least 10m of CPU" })
    .max(64_000, { error: "expected at most 64 cores" }),
);

/** Memory as "512Mi" or "1.5Gi": MiB (whole MiB only). */
const memory = z.preprocess(
  (v) => {
    if (typeof v !== "string") return v;
    const m = MEMORY_RE.exec(v.trim());
    if (!m) return v;
    const mib = Number(m[1]) * (m[3] === "Gi" ? 1024 : 1);
    return Number.isInteger(mib) ? mib : v;
  },
  z
    .number({ error: 'expected memory in whole MiB such as "512Mi" or "1.5Gi"' })
    .int()
    .min(16, { error: "expected at least 16Mi of memory" })
    .max(262_144, { error: "expected at most 256Gi of memory" }),
);

const resources = z.strictObject({ cpu, memory });

const WEIGHT_ERROR =
  "expected a weight from 1 to 100 (leave the cloud out to run nothing there: a cloud that runs nothing gets no route)";
const cloudWeight = z.preprocess(
  (v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v),
  z
    .number({ error: WEIGHT_ERROR })
    .int({ error: WEIGHT_ERROR })
    .min(1, { error: WEIGHT_ERROR })
    .max(100, { error: WEIGHT_ERROR }),
);

const service = z
  .strictObject({
    /** A repository in the stack's own registries and an immutable tag; the registry host is each cloud's. */
    image: z.strictObject({
      repository: z
        .string({ error: "expected a repository path such as auth-service" })
        .regex(REPOSITORY_RE, {
          error:
            "expected a repository path of lowercase letters, digits and . _ - / (no registry host: images come from the stack's own registries)",
        })
        // Docker reads a first component with a dot or named localhost as a registry host.
        .refine((r) => !(r.includes("/") && /^(localhost|[^/]*\.[^/]*)\//.test(r)), {
          error: "expected a repository path without a registry host (images come from the stack's own registries)",
        }),
      tag: z
        .string({ error: 'expected an image tag such as "1.4.2"' })
        .regex(TAG_RE, { error: "expected an image tag of letters, digits, _ . - (at most 128 characters)" })
        .refine((t) => t !== "latest", {
          error: 'expected a versioned tag, not "latest" (the registries keep tags immutable)',
        }),
    }),
    /** The container port; the Service listens on the same port. */
    port: int(1, 65535),
    /** Replicas at rollout; the HPA then moves between its bounds. */
    replicas: int(1, 100),
    requests: resources,
    limits: resources,
    autoscaling: z
      .strictObject({
        minReplicas: int(1, 100).default(2),
        maxReplicas: int(1, 100).default(10),
        cpuUtilizationPercent: int(1, 100).default(70),
        memoryUtilizationPercent: int(1, 100).default(80),
      })
      .prefault({}),
    /** Which clouds run the service, with the share of its traffic each gets; a cloud left out runs nothing of it. */
    clouds: z
      .strictObject(
        { aws: cloudWeight, azure: cloudWeight, gcp: cloudWeight },
        { error: "expected { aws, azure, gcp } weights" },
      )
      .partial()
      .default({ aws: 60, azure: 30, gcp: 10 }),
    /** Progressive delivery: the new version's share and the error rate that rolls it back. */
    canary: z
      .strictObject({
        weightPercent: int(1, 50).default(10),
        maxErrorRatePercent: int(1, 50).default(5),
        intervalSeconds: int(10, 3600).default(60),
      })
      .optional(),
    /** The mesh's traffic policy for calls to this service (components/workloads/mesh.ts). */
    traffic: z
      .strictObject({
        timeoutMs: int(100, 600_000).default(TRAFFIC_DEFAULTS.timeoutMs),
        retries: int(0, 10).default(TRAFFIC_DEFAULTS.retries),
        perTryTimeoutMs: int(100, 600_000).default(TRAFFIC_DEFAULTS.perTryTimeoutMs),
        consecutive5xxErrors: int(1, 100).default(TRAFFIC_DEFAULTS.consecutive5xxErrors),
        maxEjectionPercent: int(1, 100).default(TRAFFIC_DEFAULTS.maxEjectionPercent),
        maxConnections: int(1, 100_000).default(TRAFFIC_DEFAULTS.maxConnections),
        maxPendingRequests: int(1, 100_000).default(TRAFFIC_DEFAULTS.maxPendingRequests),
      })
      .prefault({}),
    /** Services this one calls: the NetworkPolicies admit exactly these paths. */
    calls: z.array(z.string()).default([]),
    /** Reached from outside the cluster (the edge's entry point); everything else only from its callers. */
    public: z
      .preprocess(
        (v) => (v === "true" ? true : v === "false" ? false : v),
        z.boolean({ error: "expected true or false" }),
      )
      .default(false),
  })
  .superRefine((s, ctx) => {
    const at = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (s.port < 1024)
      at(
        ["port"],
        `expected a port from 1024 to 65535 (the containers run as non-root, which cannot bind below 1024), got ${s.port}`,
      );
    const a = s.autoscaling;
    if (a.minReplicas > a.maxReplicas)
      at(["autoscaling", "minReplicas"], `expected minReplicas (${a.minReplicas}) <= maxReplicas (${a.maxReplicas})`);
    if (s.replicas < a.minReplicas || s.replicas > a.maxReplicas) {
      at(
        ["replicas"],
        `expected replicas between autoscaling.minReplicas (${a.minReplicas}) and maxReplicas (${a.maxReplicas}), got ${s.replicas}`,
      );
    }
    if (s.requests.cpu > s.limits.cpu)
      at(["requests", "cpu"], `expected requests.cpu (${s.requests.cpu}m) <= limits.cpu (${s.limits.cpu}m)`);
    if (s.requests.memory > s.limits.memory)
      at(
        ["requests", "memory"],
        `expected requests.memory (${s.requests.memory}Mi) <= limits.memory (${s.limits.memory}Mi)`,
      );
    if (s.traffic.perTryTimeoutMs > s.traffic.timeoutMs)
      at(
        ["traffic", "perTryTimeoutMs"],
        `expected perTryTimeoutMs (${s.traffic.perTryTimeoutMs}) <= timeoutMs (${s.traffic.timeoutMs}): the route's timeout bounds all tries together`,
      );
    const weights = CLOUDS.map((c) => s.clouds[c] ?? 0);
    const sum = weights.reduce((x, y) => x + y, 0);
    if (sum !== 100)
      at(
        ["clouds"],
        `expected weights that sum to 100, got ${CLOUDS.map((c) => `${c} ${s.clouds[c] ?? 0}`).join(" + ")} = ${sum}`,
      );
    if (s.image.tag.length + s.image.repository.length + 1 > 128) {
      at(
        ["image", "tag"],
        "expected repository and tag of at most 127 characters together (the ECR tag is <repository>-<tag>, 128 at most)",
      );
    }
  });

export type ServiceSpec = z.output<typeof service>;

export const services = z
  .record(
    z.string().regex(SERVICE_NAME_RE, {
      error:
        "expected a service name that is a DNS label: lowercase letters, digits and -, starting with a letter, at most 63 characters",
    }),
    service,
  )
  .superRefine((all, ctx) => {
    for (const [name, s] of Object.entries(all)) {
      s.calls.forEach((callee, i) => {
        const target = all[callee];
        if (!target) {
          ctx.addIssue({
            code: "custom",
            path: [name, "calls", i],
            message: `expected the name of a service in tricloud:services, got "${callee}"`,
          });
          return;
        }
        if (callee === name)
          ctx.addIssue({
            code: "custom",
            path: [name, "calls", i],
            message: "expected another service (a service reaches itself without a policy)",
          });
        // A call stays inside one cluster: the callee must run wherever the caller does.
        for (const cloud of servedClouds(s)) {
          if (!servedClouds(target).includes(cloud)) {
            ctx.addIssue({
              code: "custom",
              path: [name, "calls", i],
              message: `expected "${callee}" to run on ${cloud} too (${name} runs there and calls it), or ${name} to leave ${cloud} out`,
            });
          }
        }
      });
    }
  });

export type ServicesConfig = z.output<typeof services>;

/** The clouds a service runs on (a weight above 0). */
export function servedClouds(s: Pick<ServiceSpec, "clouds">): Cloud[] {
  return CLOUDS.filter((c) => (s.clouds[c] ?? 0) > 0);
}

/** The clouds at least one service runs on. */
export function cloudsRunningServices(all: ServicesConfig): Set<Cloud> {
  return new Set(Object.values(all).flatMap(servedClouds));
}

/**
 * `tricloud:mesh`: the Istio mesh over the three clusters (docs/workloads.md). Its names come from the environment
 * and the regions; what a team may set is the Istio version (preflight checks it against the Kubernetes minor) and
 * where the canary analysis reads Istio's request metrics.
 */
export const mesh = z
  .strictObject({
    istioVersion: z
      .string({ error: 'expected an Istio release such as "1.30.4"' })
      .regex(/^1\.\d+\.\d+$/, { error: 'expected an Istio release as major.minor.patch, such as "1.30.4"' })
      .default(ISTIO_VERSION),
    prometheusUrl: z
      .url({ protocol: /^https?$/, error: "expected an http(s) URL of a Prometheus-compatible query API" })
      // The Prometheus the mesh installs in each cluster; another URL means bring your own, and none is installed.
      .default(IN_CLUSTER_PROMETHEUS_URL),
  })
  .prefault({});

export type MeshConfig = z.output<typeof mesh>;
