import {
  calendarsFor,
  recommendation,
  supportAt,
  SUPPORT_CALENDAR,
  type Product,
  type ServiceCalendar,
} from "../calendar";
import { each, type Finding, type PreflightRule, type PreflightSettings, type ResourceRule } from "../rule";

/**
 * Kubernetes and PostgreSQL versions against the dated support calendar
 * (../calendar.ts). tricloud runs one Kubernetes minor and one PostgreSQL
 * major on all three clouds, so each resource's version is judged on all
 * three services of its product: a version past end of standard support on
 * any of them is an error, within 90 days of it a warning, not yet offered by
 * any of them an error. `expected` names the newest version all three support
 * at the plan's date (`--as-of`).
 */

/** Warn this many days before the first of the three clouds ends standard support. */
export const WARN_DAYS = 90;

/** "1.33", "1.33.5", "1.33.5-gke.1000000", "v1.33" -> "1.33"; anything else (unknown at preview, "latest") -> null. */
export function kubernetesMinor(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const m = /^v?(\d+)\.(\d+)(?:$|[.\-+])/.exec(value.trim());
  return m ? `${Number(m[1])}.${Number(m[2])}` : null;
}

/** "17", "17.4", "POSTGRES_17" -> "17"; other engines' versions (MYSQL_8_0, ...) -> null. */
export function postgresMajor(value: unknown): string | null {
  if (typeof value === "number" && Number.isInteger(value)) return String(value);
  if (typeof value !== "string") return null;
  const m = /^(?:POSTGRES_)?(\d+)(?:\.\d+)*$/i.exec(value.trim());
  return m ? String(Number(m[1])) : null;
}

/** GCP label values hold no dots: a label such as `kubernetes-minor: "1-36"` carries the configured minor. */
function minorFromLabels(labels: unknown): VersionRead[] {
  if (!labels || typeof labels !== "object") return [];
  return Object.entries(labels as Record<string, unknown>).flatMap(([k, v]) => {
    if (!/kubernetes.*(version|minor)/i.test(k) || typeof v !== "string") return [];
    const m = /^(\d+)[-_](\d+)$/.exec(v);
    return m ? [{ property: `resourceLabels.${k}`, value: v, version: `${Number(m[1])}.${Number(m[2])}` }] : [];
  });
}

interface VersionRead {
  readonly property: string;
  readonly value: unknown;
  readonly version: string;
}

/** Reads the versions one resource type sends (an empty list when they are unknown, as at preview). */
type Reader = (props: Record<string, any>) => VersionRead[];

const paths = (props: Record<string, any>, list: string[], parse: (v: unknown) => string | null): VersionRead[] =>
  list.flatMap((p) =>
    each(props, p).flatMap(({ path, value }) => {
      const version = parse(value);
      return version ? [{ property: path, value, version }] : [];
    }),
  );

/** Where each cluster type carries its Kubernetes version (the inputs the program sends). */
export const KUBERNETES_READERS: Record<string, Reader> = {
  "aws:eks/cluster:Cluster": (p) => paths(p, ["version"], kubernetesMinor),
  "aws:eks/nodeGroup:NodeGroup": (p) => paths(p, ["version"], kubernetesMinor),
  "azure-native:containerservice:ManagedCluster": (p) =>
    paths(p, ["kubernetesVersion", "agentPoolProfiles[].orchestratorVersion"], kubernetesMinor),
  "azure-native:containerservice:AgentPool": (p) => paths(p, ["orchestratorVersion"], kubernetesMinor),
  "gcp:container/cluster:Cluster": (p) => {
    const pinned = paths(p, ["minMasterVersion", "nodeVersion"], kubernetesMinor);
    // A cluster that follows its release channel without a pinned version says its configured minor in a label.
    return pinned.length ? pinned : minorFromLabels(p.resourceLabels);
  },
  "gcp:container/nodePool:NodePool": (p) => paths(p, ["version"], kubernetesMinor),
};

/** Where each database type carries its PostgreSQL major. */
export const POSTGRES_READERS: Record<string, Reader> = {
  "aws:rds/instance:Instance": (p) =>
    p.engine === undefined || p.engine === "postgres" ? paths(p, ["engineVersion"], postgresMajor) : [],
  "azure-native:dbforpostgresql:Server": (p) => paths(p, ["version"], postgresMajor),
  "gcp:sql/databaseInstance:DatabaseInstance": (p) => paths(p, ["databaseVersion"], postgresMajor),
};

type Verdict = "ended" | "ending" | "not-offered";

/** What each service of the product says about one version at the plan's date, for one verdict. */
function judge(version: string, verdict: Verdict, services: readonly ServiceCalendar[], asOf: string): string[] {
  // An approaching end is news only while every cloud still supports the version; otherwise an error says more.
  if (verdict === "ending" && services.some((c) => supportAt(c, version, asOf).state !== "standard")) return [];
  return services.flatMap((c) => {
    const s = supportAt(c, version, asOf);
    if (verdict === "not-offered" && s.state === "not-offered")
      return [
        s.window ? `${c.service} offers ${version} from ${s.window.start}` : `${c.service} does not list ${version}`,
      ];
    if (verdict === "ended" && s.state === "ended")
      return [`${c.service} ended standard support on ${s.window.standardEnd}`];
    if (verdict === "ending" && s.state === "standard" && s.daysLeft <= WARN_DAYS)
      return [`${c.service} ends standard support on ${s.window.standardEnd} (${s.daysLeft} days)`];
    return [];
  });
}

function versionRule(
  product: Product,
  verdict: Verdict,
  meta: Pick<ResourceRule, "name" | "description" | "level">,
): ResourceRule {
  const readers = product === "kubernetes" ? KUBERNETES_READERS : POSTGRES_READERS;
  const services = calendarsFor(product, SUPPORT_CALENDAR);
  const label = product === "kubernetes" ? "Kubernetes" : "PostgreSQL";
  return {
    ...meta,
    source: { url: services.map((c) => c.url).join(" ; "), read: services[0]!.read },
    types: Object.keys(readers),
    check: (props, resource, settings: PreflightSettings): Finding[] =>
      readers[resource.type]!(props).flatMap(({ property, value, version }) => {
        const why = judge(version, verdict, services, settings.asOf);
        return why.length
          ? [
              {
                property,
                value,
                expected: `${label} ${version}: ${why.join("; ")}; ${recommendation(product, settings.asOf)}`,
              },
            ]
          : [];
      }),
  };
}

export const versionRules: readonly PreflightRule[] = [
  versionRule("kubernetes", "ended", {
    name: "preflight-versions-kubernetes-past-standard-support",
    description:
      "A Kubernetes minor past end of standard support on EKS, AKS or GKE at the plan's date (tricloud runs one minor on all three).",
    level: "error",
  }),
  versionRule("kubernetes", "ending", {
    name: "preflight-versions-kubernetes-standard-support-ending",
    description: `A Kubernetes minor whose standard support ends within ${WARN_DAYS} days on EKS, AKS or GKE.`,
    level: "warning",
  }),
  versionRule("kubernetes", "not-offered", {
    name: "preflight-versions-kubernetes-not-offered",
    description: "A Kubernetes minor that EKS, AKS or GKE (Regular channel) does not offer yet at the plan's date.",
    level: "error",
  }),
  versionRule("postgres", "ended", {
    name: "preflight-versions-postgres-past-standard-support",
    description:
      "A PostgreSQL major past end of standard support on RDS, Azure flexible server or Cloud SQL at the plan's date (tricloud runs one major on all three).",
    level: "error",
  }),
  versionRule("postgres", "ending", {
    name: "preflight-versions-postgres-standard-support-ending",
    description: `A PostgreSQL major whose standard support ends within ${WARN_DAYS} days on RDS, Azure flexible server or Cloud SQL.`,
    level: "warning",
  }),
  versionRule("postgres", "not-offered", {
    name: "preflight-versions-postgres-not-offered",
    description:
      "A PostgreSQL major that RDS, Azure flexible server or Cloud SQL does not offer yet at the plan's date.",
    level: "error",
  }),
];
