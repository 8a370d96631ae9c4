/**
 * The dated support calendar: when each cloud starts and stops standard
 * support of a Kubernetes minor (EKS, AKS, GKE) and a PostgreSQL major (RDS,
 * Azure Database for PostgreSQL flexible server, Cloud SQL).
 *
 * Every date is a day (YYYY-MM-DD, UTC). Where a cloud's page gives only a
 * month, the day is the conservative one and the window says so: a start is
 * the month's last day (not offered before then), an end is the day the page
 * defines or, failing that, the month's first day. Each window carries a
 * status, like the price catalog's:
 * - firm: the day is on the cloud's own page (the copy read on `read`);
 * - month: the cloud's page gives a month; the day chosen is stated in `note`;
 * - secondary: the cloud's page in the stored copies lacks the row; the dates
 *   are endoflife.date's machine copy of that page (endoflife-date/endoflife.date,
 *   products/*.md at a70eca3, 2026-08-22), cross-checked where `note` says;
 * - estimated: not verified anywhere; derived from the cloud's stated policy,
 *   `note` says how. A plan that depends on one should be re-read first.
 *
 * Semantics the rules rely on: a version is offered from `start` (inclusive)
 * and past standard support from `standardEnd` (inclusive: on that day the
 * cloud bills extended support, or retires the version). A version missing
 * from a cloud's list is not offered there.
 *
 * This module imports nothing of the project: the preflight pack and the CLI share it.
 */

export type Product = "kubernetes" | "postgres";
export type CalendarCloud = "aws" | "azure" | "gcp";
export type DateStatus = "firm" | "month" | "secondary" | "estimated";

export interface SupportWindow {
  /** "1.36" for Kubernetes, "17" for PostgreSQL. */
  readonly version: string;
  /** First day the cloud offers it for new clusters/servers (GA; GKE: the Regular channel). */
  readonly start: string;
  /** The day standard support ends (from this day on the version is past it). */
  readonly standardEnd: string;
  /** The day paid extended/LTS support ends, where the cloud has one. */
  readonly extendedEnd?: string;
  readonly status: DateStatus;
  /** Which day was chosen for a month, or why a date is secondary/estimated. */
  readonly note?: string;
}

export interface ServiceCalendar {
  readonly cloud: CalendarCloud;
  readonly product: Product;
  /** EKS, AKS, GKE, RDS for PostgreSQL, ... */
  readonly service: string;
  /** The cloud's own calendar page. */
  readonly url: string;
  /** When the page (or its copy) was read. */
  readonly read: string;
  /** What the page calls extended support, and what it takes, where the cloud has one. */
  readonly extended?: string;
  readonly windows: readonly SupportWindow[];
}

const READ = "2026-11-30";
const EOL_COPY = "endoflife.date's copy of the cloud's page (endoflife-date/endoflife.date products/";

const EKS: ServiceCalendar = {
  cloud: "aws",
  product: "kubernetes",
  service: "EKS",
  url: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar",
  read: READ,
  extended:
    "EKS extended support: 12 more months at a higher cluster-hour price, on by default (upgradePolicy.supportType EXTENDED)",
  windows: [
    { version: "1.29", start: "2024-01-23", standardEnd: "2025-03-23", extendedEnd: "2026-03-23", status: "firm" },
    { version: "1.30", start: "2024-05-23", standardEnd: "2025-07-23", extendedEnd: "2026-07-23", status: "firm" },
    { version: "1.31", start: "2024-09-26", standardEnd: "2025-11-26", extendedEnd: "2026-11-26", status: "firm" },
    { version: "1.32", start: "2025-01-23", standardEnd: "2026-03-23", extendedEnd: "2027-03-23", status: "firm" },
    { version: "1.33", start: "2025-05-29", standardEnd: "2026-07-29", extendedEnd: "2027-07-29", status: "firm" },
    { version: "1.34", start: "2025-10-02", standardEnd: "2026-12-02", extendedEnd: "2027-12-02", status: "firm" },
    {
      version: "1.35",
      start: "2026-01-28",
      standardEnd: "2027-03-27",
      extendedEnd: "2028-03-27",
      status: "secondary",
      note: `${EOL_COPY}amazon-eks.md); the end dates agree with the aws-samples EKS calendar (verified 2026-04-24)`,
    },
    {
      version: "1.36",
      start: "2026-06-02",
      standardEnd: "2027-08-02",
      extendedEnd: "2028-08-02",
      status: "secondary",
      note: `${EOL_COPY}amazon-eks.md); EKS's own release notes confirm 1.36 is available; end = start + 14 months, the EKS policy`,
    },
  ],
};

/** AKS: "Unless an explicit date is provided, the End of Life date is the last day of the specified month." */
const AKS_MONTH =
  "AKS GA and end of life are given as months: GA taken as the month's last day; end of life as the month's last day, as the page defines it";

const AKS: ServiceCalendar = {
  cloud: "azure",
  product: "kubernetes",
  service: "AKS",
  url: "https://learn.microsoft.com/en-us/azure/aks/supported-kubernetes-versions#aks-kubernetes-release-calendar-and-upcoming-versions",
  read: READ,
  extended: "AKS long-term support (LTS): one more year, needs the Premium tier and supportPlan AKSLongTermSupport",
  windows: [
    {
      version: "1.29",
      start: "2024-03-31",
      standardEnd: "2025-03-31",
      extendedEnd: "2026-04-30",
      status: "month",
      note: AKS_MONTH,
    },
    {
      version: "1.30",
      start: "2024-07-31",
      standardEnd: "2025-08-22",
      extendedEnd: "2026-07-31",
      status: "month",
      note: `${AKS_MONTH}; end of life Aug 22, 2025 is given as a day`,
    },
    {
      version: "1.31",
      start: "2024-11-30",
      standardEnd: "2025-11-01",
      extendedEnd: "2026-11-30",
      status: "month",
      note: `${AKS_MONTH}; end of life Nov 1, 2025 is given as a day`,
    },
    {
      version: "1.32",
      start: "2025-04-30",
      standardEnd: "2026-03-31",
      extendedEnd: "2027-03-31",
      status: "month",
      note: AKS_MONTH,
    },
    {
      version: "1.33",
      start: "2025-06-30",
      standardEnd: "2026-07-31",
      extendedEnd: "2027-07-31",
      status: "month",
      note: AKS_MONTH,
    },
    {
      version: "1.34",
      start: "2025-11-30",
      standardEnd: "2026-11-30",
      extendedEnd: "2027-11-30",
      status: "month",
      note: AKS_MONTH,
    },
    {
      version: "1.35",
      start: "2026-03-31",
      standardEnd: "2027-03-31",
      extendedEnd: "2028-03-31",
      status: "month",
      note: AKS_MONTH,
    },
    {
      version: "1.36",
      start: "2026-06-30",
      standardEnd: "2027-06-30",
      extendedEnd: "2028-06-30",
      status: "month",
      note: `${AKS_MONTH}; GA confirmed by AKS release 2026-06-19`,
    },
    {
      version: "1.37",
      start: "2026-10-31",
      standardEnd: "2027-10-31",
      extendedEnd: "2028-10-31",
      status: "estimated",
      note: "the page read (ms.date 2026-08-05) plans GA for Oct 2026; GA not confirmed in any stored copy",
    },
  ],
};

const GKE_COPY = `${EOL_COPY}google-kubernetes-engine.md): start = availability in the Regular channel, end = end of standard support; the GKE release schedule's table was not in the stored copies`;

const GKE: ServiceCalendar = {
  cloud: "gcp",
  product: "kubernetes",
  service: "GKE",
  url: "https://cloud.google.com/kubernetes-engine/docs/release-schedule",
  read: READ,
  extended:
    "GKE extended support (to about 24 months after Regular availability) only for clusters in the Extended channel; tricloud's clusters use REGULAR, so none applies",
  windows: [
    { version: "1.29", start: "2024-01-26", standardEnd: "2025-04-12", status: "secondary", note: GKE_COPY },
    { version: "1.30", start: "2024-07-31", standardEnd: "2025-09-30", status: "secondary", note: GKE_COPY },
    { version: "1.31", start: "2024-10-25", standardEnd: "2026-01-16", status: "secondary", note: GKE_COPY },
    { version: "1.32", start: "2025-02-11", standardEnd: "2026-04-11", status: "secondary", note: GKE_COPY },
    { version: "1.33", start: "2025-06-03", standardEnd: "2026-08-03", status: "secondary", note: GKE_COPY },
    { version: "1.34", start: "2025-09-30", standardEnd: "2026-10-01", status: "secondary", note: GKE_COPY },
    { version: "1.35", start: "2026-02-11", standardEnd: "2027-04-11", status: "secondary", note: GKE_COPY },
    {
      version: "1.36",
      start: "2026-06-09",
      standardEnd: "2027-08-09",
      status: "secondary",
      note: `${GKE_COPY}; GKE release notes list 1.34 to 1.36 in Regular`,
    },
    // 1.37: in the Rapid channel only in the newest release notes read (Regular: 1.34 to 1.36), so not offered to a REGULAR cluster.
  ],
};

const RDS_COPY = `${EOL_COPY}amazon-rds-postgresql.md): start = first RDS release of the major, ends from the calendar's "RDS end of standard support" and "end of Extended Support" columns`;

const RDS: ServiceCalendar = {
  cloud: "aws",
  product: "postgres",
  service: "RDS for PostgreSQL",
  url: "https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html",
  read: READ,
  extended: "RDS Extended Support: up to 3 more years at an added vCPU-hour price, enrolled automatically",
  windows: [
    {
      version: "13",
      start: "2021-02-24",
      standardEnd: "2026-02-28",
      extendedEnd: "2029-02-28",
      status: "secondary",
      note: RDS_COPY,
    },
    {
      version: "14",
      start: "2022-02-03",
      standardEnd: "2027-02-28",
      extendedEnd: "2030-02-28",
      status: "secondary",
      note: RDS_COPY,
    },
    {
      version: "15",
      start: "2023-02-27",
      standardEnd: "2028-02-29",
      extendedEnd: "2031-02-28",
      status: "secondary",
      note: RDS_COPY,
    },
    {
      version: "16",
      start: "2023-11-17",
      standardEnd: "2029-02-28",
      extendedEnd: "2032-02-29",
      status: "secondary",
      note: RDS_COPY,
    },
    {
      version: "17",
      start: "2024-11-14",
      standardEnd: "2030-02-28",
      extendedEnd: "2033-02-28",
      status: "secondary",
      note: RDS_COPY,
    },
    {
      version: "18",
      start: "2025-11-14",
      standardEnd: "2031-02-28",
      extendedEnd: "2034-02-28",
      status: "secondary",
      note: RDS_COPY,
    },
  ],
};

const FLEX_COPY = `newer than the page read: ${EOL_COPY}azure-database-for-postgresql.md, columns "Azure Standard Support Start/End Date")`;

const FLEXIBLE_SERVER: ServiceCalendar = {
  cloud: "azure",
  product: "postgres",
  service: "Azure Database for PostgreSQL flexible server",
  url: "https://learn.microsoft.com/en-us/azure/postgresql/flexible-server/concepts-version-policy",
  read: READ,
  windows: [
    {
      version: "13",
      start: "2021-05-25",
      standardEnd: "2026-07-31",
      status: "secondary",
      note: `the page read (ms.date 2025-03-12) gives retirement 13-Nov-25; the end used is ${FLEX_COPY}`,
    },
    { version: "14", start: "2022-06-29", standardEnd: "2026-11-12", status: "firm" },
    { version: "15", start: "2023-05-15", standardEnd: "2027-11-11", status: "firm" },
    { version: "16", start: "2023-10-15", standardEnd: "2028-11-09", status: "firm" },
    {
      version: "17",
      start: "2024-09-30",
      standardEnd: "2029-11-08",
      status: "firm",
      note: "the start is Azure's support start (PostgreSQL 17 began in preview)",
    },
    {
      version: "18",
      start: "2025-09-25",
      standardEnd: "2030-11-14",
      status: "secondary",
      note: `not on the page read; ${FLEX_COPY}; the start may be the preview's`,
    },
  ],
};

const CLOUD_SQL: ServiceCalendar = {
  cloud: "gcp",
  product: "postgres",
  service: "Cloud SQL for PostgreSQL",
  url: "https://cloud.google.com/sql/docs/postgres/db-versions",
  read: READ,
  extended:
    "Cloud SQL extended support: automatic and billed from the 'extended support start date' to the deprecation date",
  windows: [
    { version: "13", start: "2020-11-05", standardEnd: "2026-02-01", extendedEnd: "2029-02-01", status: "firm" },
    { version: "14", start: "2021-11-11", standardEnd: "2027-02-01", extendedEnd: "2030-02-01", status: "firm" },
    { version: "15", start: "2023-05-24", standardEnd: "2028-02-01", extendedEnd: "2031-02-01", status: "firm" },
    { version: "16", start: "2024-06-07", standardEnd: "2029-02-01", extendedEnd: "2032-02-01", status: "firm" },
    { version: "17", start: "2024-10-22", standardEnd: "2030-02-01", extendedEnd: "2033-02-01", status: "firm" },
    {
      version: "18",
      start: "2025-12-24",
      standardEnd: "2031-02-01",
      extendedEnd: "2034-02-01",
      status: "estimated",
      note: "no stored copy of the page lists 18 (the google provider accepts POSTGRES_18); start = community GA 2025-09-25 + the 90 days Cloud SQL's policy allows; ends follow the page's pattern (Feb 1 after community EOL 2030-11-14, deprecation 3 years later)",
    },
  ],
};

/** Every service calendar, in cloud order (aws, azure, gcp) per product. */
export const SUPPORT_CALENDAR: readonly ServiceCalendar[] = [EKS, AKS, GKE, RDS, FLEXIBLE_SERVER, CLOUD_SQL];

// ---- queries --------------------------------------------------------------------------------

/** Numeric comparison of dotted versions: "1.9" < "1.10". */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export const calendarsFor = (product: Product, calendars: readonly ServiceCalendar[] = SUPPORT_CALENDAR) =>
  calendars.filter((c) => c.product === product);

export function windowOf(calendar: ServiceCalendar, version: string): SupportWindow | undefined {
  return calendar.windows.find((w) => compareVersions(w.version, version) === 0);
}

export type SupportState =
  | { readonly state: "not-offered"; readonly window?: SupportWindow }
  | { readonly state: "standard"; readonly window: SupportWindow; readonly daysLeft: number }
  | { readonly state: "ended"; readonly window: SupportWindow };

/** Where one version stands on one service at a date. */
export function supportAt(calendar: ServiceCalendar, version: string, asOf: string): SupportState {
  const window = windowOf(calendar, version);
  if (!window || asOf < window.start) return window ? { state: "not-offered", window } : { state: "not-offered" };
  if (asOf >= window.standardEnd) return { state: "ended", window };
  return { state: "standard", window, daysLeft: daysBetween(asOf, window.standardEnd) };
}

export interface CommonVersion {
  readonly version: string;
  /** The earliest end of standard support among the services, and whose it is. */
  readonly until: string;
  readonly endsFirstOn: string;
}

/**
 * The newest version every service of the product offers in standard support
 * at `asOf`, with the day the first of them ends it; null when there is none.
 * With `verified`, versions with an estimated window on any service are
 * skipped: a team should not move to a version whose availability is a guess.
 */
export function newestCommonVersion(
  product: Product,
  asOf: string,
  opts: { verified?: boolean } = {},
  calendars: readonly ServiceCalendar[] = SUPPORT_CALENDAR,
): CommonVersion | null {
  const services = calendarsFor(product, calendars);
  const versions = [...new Set(services.flatMap((c) => c.windows.map((w) => w.version)))]
    .sort(compareVersions)
    .reverse();
  for (const version of versions) {
    const states = services.map((c) => ({ c, s: supportAt(c, version, asOf) }));
    if (!states.every(({ s }) => s.state === "standard")) continue;
    if (opts.verified && states.some(({ s }) => s.window?.status === "estimated")) continue;
    const first = states.reduce((a, b) => (b.s.window!.standardEnd < a.s.window!.standardEnd ? b : a));
    return { version, until: first.s.window!.standardEnd, endsFirstOn: first.c.service };
  }
  return null;
}

/**
 * What a finding's `expected` recommends: "use 1.36, the newest version EKS,
 * AKS and GKE all support at 2026-11-30 (standard support until 2027-06-30 on
 * AKS)"; a newer version whose dates are estimated on some service is named
 * as such, not recommended.
 */
export function recommendation(
  product: Product,
  asOf: string,
  calendars: readonly ServiceCalendar[] = SUPPORT_CALENDAR,
): string {
  const names = calendarsFor(product, calendars).map((c) => c.service);
  const list = `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  const best =
    newestCommonVersion(product, asOf, { verified: true }, calendars) ??
    newestCommonVersion(product, asOf, {}, calendars);
  if (!best) return `no version is in standard support on ${list} all at ${asOf}`;
  const newer = newestCommonVersion(product, asOf, {}, calendars);
  const also =
    newer && newer.version !== best.version
      ? `; ${newer.version} too, but its dates are estimated on some of them`
      : "";
  return `use ${best.version}, the newest version ${list} all support at ${asOf} (standard support until ${best.until} on ${best.endsFirstOn})${also}`;
}

// ---- Istio ----------------------------------------------------------------------------------

/**
 * One Istio minor: when it came out, when its support ends, and the Kubernetes minors it supports. Istio's policy
 * (https://istio.io/latest/docs/releases/supported-releases/#support-policy, read 2026-11-30): a minor is supported
 * until 6 weeks after the N+2 minor's release.
 */
export interface IstioRelease {
  /** "1.30". */
  readonly minor: string;
  readonly released: string;
  /** The day support ends; absent while the N+2 minor is not out (the end is not known yet). */
  readonly end?: string;
  /** The oldest and newest Kubernetes minor it supports. */
  readonly kubernetes: readonly [string, string];
  readonly status: DateStatus;
  readonly note: string;
}

export const ISTIO_SUPPORT_URL =
  "https://istio.io/latest/docs/releases/supported-releases/#support-status-of-istio-releases";
const ISTIO_EOL_COPY = "endoflife.date's copy of Istio's table (endoflife-date/endoflife.date products/istio.md)";
const SIX_WEEKS = "end = the N+2 minor's release + 6 weeks (the policy)";

/** Istio's support table, newest first. */
export const ISTIO_RELEASES: readonly IstioRelease[] = [
  {
    minor: "1.30",
    released: "2026-05-18",
    kubernetes: ["1.32", "1.36"],
    status: "secondary",
    note: "released per https://istio.io/latest/news/releases/1.30.x/; the Kubernetes range from IBM Cloud's add-on table (https://cloud.ibm.com/docs/containers?topic=containers-supported-cluster-addon-versions: >=1.32.0 <1.37.0); no end until 1.32.0 is out",
  },
  {
    minor: "1.29",
    released: "2026-02-16",
    end: "2026-10-12",
    kubernetes: ["1.31", "1.35"],
    status: "secondary",
    note: `${ISTIO_EOL_COPY}; ${SIX_WEEKS} (1.31.0: 2026-08-31, github.com/istio/istio/releases)`,
  },
  {
    minor: "1.28",
    released: "2025-11-05",
    end: "2026-06-29",
    kubernetes: ["1.30", "1.34"],
    status: "secondary",
    note: `${ISTIO_EOL_COPY}; ${SIX_WEEKS} (1.30.0: 2026-05-18)`,
  },
  {
    minor: "1.27",
    released: "2025-08-11",
    end: "2026-03-30",
    kubernetes: ["1.29", "1.33"],
    status: "secondary",
    note: `${ISTIO_EOL_COPY}; ${SIX_WEEKS} (1.29.0: 2026-02-16)`,
  },
];

export const istioRelease = (version: string, table: readonly IstioRelease[] = ISTIO_RELEASES) =>
  table.find((r) => r.minor === version.split(".").slice(0, 2).join("."));

// ---- The other pinned Helm charts ----------------------------------------------------------

/**
 * One release (or a family of releases) of a chart and the Kubernetes minors its project documents it for. `version`
 * matches a chart version exactly or as a prefix at a dot ("2.9" matches 2.9.0 and 2.9.3); `kubernetes[1]` is null
 * where the project states a floor only.
 */
export interface ChartRelease {
  readonly version: string;
  /** The application version the chart ships, where it differs from the chart's. */
  readonly app?: string;
  readonly kubernetes: readonly [string, string | null];
  /** The range is the chart's own `kubeVersion`, which Helm enforces: outside it the install is refused. Otherwise it
   * is the range the project tests or guarantees, and a cluster outside it runs an untested combination. */
  readonly enforcedByHelm?: boolean;
  readonly status: DateStatus;
  readonly note: string;
}

export interface ChartSupport {
  /** The chart's name as the GitOps agents install it (components/shared/mesh.ts). */
  readonly chart: string;
  readonly project: string;
  /** Where the project documents the Kubernetes versions it supports. */
  readonly url: string;
  readonly read: string;
  /** What the project publishes, in a sentence: a support table, its test matrix, or no matrix at all. */
  readonly publishes: string;
  readonly releases: readonly ChartRelease[];
}

const ESO_COPY =
  "External Secrets' table (docs/introduction/stability-support.md at external-secrets/external-secrets cc5bfbc, 2026-08-08)";
const ROLLOUTS_MATRIX = "the e2e matrix of .github/workflows/testing.yaml";

/** The charts the mesh installs besides Istio's, with the Kubernetes range each project documents. */
export const CHART_SUPPORT: readonly ChartSupport[] = [
  {
    chart: "external-secrets",
    project: "External Secrets Operator",
    url: "https://external-secrets.io/latest/introduction/stability-support/",
    read: "2026-11-30",
    publishes:
      "a table of the Kubernetes minors each ESO minor is tested on, the only ones it guarantees (the chart version is the ESO version)",
    releases: [
      { version: "2.9", kubernetes: ["1.36", "1.36"], status: "firm", note: ESO_COPY },
      { version: "2.8", kubernetes: ["1.35", "1.36"], status: "firm", note: ESO_COPY },
      { version: "2.7", kubernetes: ["1.35", "1.35"], status: "firm", note: ESO_COPY },
      ...["2.6", "2.5", "2.4", "2.3", "2.2", "2.1", "2.0"].map((version): ChartRelease => ({
        version,
        kubernetes: ["1.34", "1.35"],
        status: "firm",
        note: ESO_COPY,
      })),
      ...["1.3", "1.2", "1.1", "1.0"].map((version): ChartRelease => ({
        version,
        kubernetes: ["1.34", "1.34"],
        status: "firm",
        note: ESO_COPY,
      })),
    ],
  },
  {
    chart: "argo-rollouts",
    project: "Argo Rollouts",
    url: "https://argoproj.github.io/argo-rollouts/installation/#supported-versions",
    read: "2026-11-30",
    publishes: `no table: its installation page points to ${ROLLOUTS_MATRIX} at each release's tag as the Kubernetes versions fully tested`,
    releases: [
      {
        version: "2.41.1",
        app: "1.9.1",
        kubernetes: ["1.32", "1.35"],
        status: "secondary",
        note: `${ROLLOUTS_MATRIX} at argoproj/argo-rollouts v1.9.1 (b6bd3bc, 2026-07-06); chart 2.41.1 ships v1.9.1 per its release, https://github.com/argoproj/argo-helm/releases/tag/argo-rollouts-2.41.1 (not in the stored argo-helm copy, which ends at 2.41.0)`,
      },
      {
        version: "2.41.0",
        app: "1.9.0",
        kubernetes: ["1.31", "1.34"],
        status: "firm",
        note: `${ROLLOUTS_MATRIX} at argoproj/argo-rollouts v1.9.0; appVersion v1.9.0 in charts/argo-rollouts/Chart.yaml at argoproj/argo-helm 8796aea`,
      },
    ],
  },
  {
    chart: "prometheus",
    project: "Prometheus (prometheus-community chart)",
    url: "https://github.com/prometheus-community/helm-charts/blob/prometheus-27.52.0/charts/prometheus/Chart.yaml",
    read: "2026-11-30",
    publishes:
      'no Kubernetes support matrix (Prometheus publishes none); the chart declares a floor, kubeVersion ">=1.19.0-0" in Chart.yaml, which Helm enforces at install, and its README asks for Kubernetes 1.19+',
    releases: [
      {
        version: "27.52.0",
        kubernetes: ["1.19", null],
        enforcedByHelm: true,
        status: "firm",
        note: "kubeVersion in charts/prometheus/Chart.yaml at tag prometheus-27.52.0 (f8423ab, 2025-12-17); no upper bound is documented",
      },
    ],
  },
];

/** The table of a chart, and the row of one of its versions (undefined when the table does not list it). */
export function chartRelease(
  chart: string,
  version: string,
  table: readonly ChartSupport[] = CHART_SUPPORT,
): { support?: ChartSupport; release?: ChartRelease } {
  const support = table.find((s) => s.chart === chart);
  const release = support?.releases.find((r) => version === r.version || version.startsWith(`${r.version}.`));
  return { ...(support ? { support } : {}), ...(release ? { release } : {}) };
}
