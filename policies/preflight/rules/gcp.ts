import {
  byUrnOf,
  at,
  checkOneOf,
  checkString,
  each,
  waitsFor,
  type Finding,
  type PreflightResource,
  type PreflightRule,
  type PrerequisiteRule,
  type StackFinding,
} from "../rule";

const READ = "2026-11-30";
const src = (url: string) => ({ url, read: READ });

/**
 * The service API each GCP resource type calls. A type the program declares that is missing here is itself
 * a finding, so a new type cannot slip in without its API. Sources: each product's "Before you begin" /
 * "Enable the API" step; Cloud Functions 2nd gen lists Cloud Functions, Cloud Build, Artifact Registry and
 * Cloud Run (https://cloud.google.com/functions/docs/create-deploy-http-nodejs).
 */
export const GCP_TYPE_APIS: Readonly<Record<string, readonly string[]>> = {
  "gcp:compute/network:Network": ["compute.googleapis.com"],
  "gcp:compute/subnetwork:Subnetwork": ["compute.googleapis.com"],
  "gcp:compute/router:Router": ["compute.googleapis.com"],
  "gcp:compute/routerNat:RouterNat": ["compute.googleapis.com"],
  "gcp:compute/globalAddress:GlobalAddress": ["compute.googleapis.com"],
  // The cross-cloud VPN (components/gcp/vpn.ts): HA VPN, its tunnels and BGP sessions are Compute Engine resources.
  "gcp:compute/haVpnGateway:HaVpnGateway": ["compute.googleapis.com"],
  "gcp:compute/externalVpnGateway:ExternalVpnGateway": ["compute.googleapis.com"],
  "gcp:compute/vPNTunnel:VPNTunnel": ["compute.googleapis.com"],
  "gcp:compute/routerInterface:RouterInterface": ["compute.googleapis.com"],
  "gcp:compute/routerPeer:RouterPeer": ["compute.googleapis.com"],
  "gcp:compute/firewall:Firewall": ["compute.googleapis.com"],
  "gcp:servicenetworking/connection:Connection": ["servicenetworking.googleapis.com", "compute.googleapis.com"],
  "gcp:container/cluster:Cluster": ["container.googleapis.com", "compute.googleapis.com"],
  "gcp:container/nodePool:NodePool": ["container.googleapis.com", "compute.googleapis.com"],
  "gcp:serviceaccount/account:Account": ["iam.googleapis.com"],
  "gcp:serviceaccount/iAMMember:IAMMember": ["iam.googleapis.com"],
  "gcp:gkehub/membership:Membership": ["gkehub.googleapis.com"],
  // The configmanagement feature is served by the Config Management API behind the fleet API.
  "gcp:gkehub/feature:Feature": ["gkehub.googleapis.com", "anthosconfigmanagement.googleapis.com"],
  "gcp:gkehub/featureMembership:FeatureMembership": ["gkehub.googleapis.com", "anthosconfigmanagement.googleapis.com"],
  "gcp:projects/iAMMember:IAMMember": ["cloudresourcemanager.googleapis.com"],
  "gcp:sql/databaseInstance:DatabaseInstance": ["sqladmin.googleapis.com"],
  "gcp:sql/database:Database": ["sqladmin.googleapis.com"],
  "gcp:sql/user:User": ["sqladmin.googleapis.com"],
  "gcp:artifactregistry/repository:Repository": ["artifactregistry.googleapis.com"],
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": ["artifactregistry.googleapis.com"],
  "gcp:cloudfunctionsv2/function:Function": [
    "cloudfunctions.googleapis.com",
    "run.googleapis.com",
    "cloudbuild.googleapis.com",
    "artifactregistry.googleapis.com",
  ],
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": ["run.googleapis.com"],
  "gcp:cloudscheduler/job:Job": ["cloudscheduler.googleapis.com"],
  "gcp:secretmanager/secret:Secret": ["secretmanager.googleapis.com"],
  "gcp:secretmanager/secretVersion:SecretVersion": ["secretmanager.googleapis.com"],
  "gcp:secretmanager/secretIamMember:SecretIamMember": ["secretmanager.googleapis.com"],
  "gcp:storage/bucket:Bucket": ["storage.googleapis.com"],
  "gcp:storage/bucketObject:BucketObject": ["storage.googleapis.com"],
  "gcp:storage/bucketIAMMember:BucketIAMMember": ["storage.googleapis.com"],
  "gcp:monitoring/alertPolicy:AlertPolicy": ["monitoring.googleapis.com"],
  "gcp:monitoring/dashboard:Dashboard": ["monitoring.googleapis.com"],
  "gcp:monitoring/notificationChannel:NotificationChannel": ["monitoring.googleapis.com"],
  "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": ["monitoring.googleapis.com"],
  "gcp:logging/projectBucketConfig:ProjectBucketConfig": ["logging.googleapis.com"],
  "gcp:logging/projectSink:ProjectSink": ["logging.googleapis.com"],
  "gcp:billing/budget:Budget": ["billingbudgets.googleapis.com"],
};

const SERVICE_TYPE = "gcp:projects/service:Service";

/** Pulumi auto-names a resource without an explicit name as `<logical name>-<7 hex>`; check that form when no name is set. */
function nameOf(
  props: Record<string, any>,
  resource: PreflightResource,
  key = "name",
): { property: string; value: string } | undefined {
  const v = props[key];
  if (typeof v === "string") return { property: key, value: v };
  if (v !== undefined) return undefined; // unknown at preview
  return { property: `${key} (auto-named)`, value: `${resource.name}-0000000` };
}

const nameFinding = (
  n: { property: string; value: string } | undefined,
  pattern: RegExp,
  max: number,
  expected: string,
  min = 1,
): Finding[] =>
  n && (!pattern.test(n.value) || n.value.length > max || n.value.length < min)
    ? [{ property: n.property, value: n.value, expected }]
    : [];

/** RFC 1035 labels, as most GCP resource ids: a lowercase letter, then lowercase letters, digits or hyphens, not ending in a hyphen. */
const RFC1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
const LABEL_PATHS = ["labels", "userLabels", "resourceLabels", "nodeConfig.resourceLabels", "settings.userLabels"];

export const gcpRules: readonly PreflightRule[] = [
  {
    name: "preflight-gcp-serviceusage-api-enabled-first",
    description:
      "Every GCP resource calls a service API that a fresh project has off; each must wait for a gcp.projects.Service enabling it.",
    level: "error",
    source: src("https://cloud.google.com/service-usage/docs/enable-disable"),
    checkStack(resources: readonly PreflightResource[]): StackFinding[] {
      const byUrn = byUrnOf(resources);
      const services = resources.filter((r) => r.type === SERVICE_TYPE);
      const out: StackFinding[] = [];
      for (const r of resources) {
        if (!r.type.startsWith("gcp:") || r.type === SERVICE_TYPE) continue;
        const apis = GCP_TYPE_APIS[r.type];
        if (!apis) {
          out.push({
            urn: r.urn,
            property: "type",
            value: r.type,
            expected: "a service API mapped for this type in GCP_TYPE_APIS (policies/preflight/rules/gcp.ts)",
          });
          continue;
        }
        const waits = waitsFor(r, byUrn);
        for (const api of apis) {
          const enabled = services.filter(
            (s) =>
              s.props.service === api &&
              (s.props.project === undefined || r.props.project === undefined || s.props.project === r.props.project),
          );
          if (!enabled.some((s) => waits.has(s.urn))) {
            out.push({
              urn: r.urn,
              property: "dependsOn",
              value: enabled.length ? "does not wait for it" : "not enabled in the program",
              expected: `to wait for a gcp.projects.Service enabling ${api}`,
            });
          }
        }
      }
      return out;
    },
  },
  {
    name: "preflight-gcp-serviceusage-service-keep-on-destroy",
    description:
      "A service API the stack enables stays enabled when the stack is destroyed (disableOnDestroy: false), so tearing down one environment never disables what other tools in the project use.",
    level: "warning",
    source: src("https://www.pulumi.com/registry/packages/gcp/api-docs/projects/service/"),
    types: [SERVICE_TYPE],
    check: (props) =>
      props.disableOnDestroy === false
        ? []
        : [{ property: "disableOnDestroy", value: props.disableOnDestroy, expected: "false" }],
  },
  {
    name: "preflight-gcp-compute-resource-name",
    description:
      "Compute Engine names (networks, subnets, routers, NAT, addresses) are RFC 1035 labels of at most 63 characters.",
    level: "error",
    source: src("https://cloud.google.com/compute/docs/naming-resources"),
    types: [
      "gcp:compute/network:Network",
      "gcp:compute/subnetwork:Subnetwork",
      "gcp:compute/router:Router",
      "gcp:compute/routerNat:RouterNat",
      "gcp:compute/globalAddress:GlobalAddress",
    ],
    check: (props, r) =>
      nameFinding(
        nameOf(props, r),
        RFC1035,
        63,
        "a lowercase letter, then lowercase letters, digits or hyphens, not ending in a hyphen; at most 63 characters",
      ),
  },
  {
    name: "preflight-gcp-container-name",
    description:
      "GKE cluster and node pool names are lowercase letters, digits and hyphens, start with a letter, end with a letter or digit, at most 40 characters.",
    level: "error",
    source: src(
      "https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters#Cluster",
    ),
    types: ["gcp:container/cluster:Cluster", "gcp:container/nodePool:NodePool"],
    check: (props, r) =>
      nameFinding(
        nameOf(props, r),
        RFC1035,
        40,
        "a lowercase letter, then lowercase letters, digits or hyphens, not ending in a hyphen; at most 40 characters",
      ),
  },
  {
    name: "preflight-gcp-iam-service-account-id",
    description:
      "A service account id is 6 to 30 lowercase letters, digits and hyphens, starting with a letter and not ending in a hyphen.",
    level: "error",
    source: src("https://cloud.google.com/iam/docs/service-accounts-create"),
    types: ["gcp:serviceaccount/account:Account"],
    check: (props) =>
      checkString(props, "accountId", {
        pattern: RFC1035,
        min: 6,
        max: 30,
        expected:
          "6 to 30 characters: a lowercase letter, then lowercase letters, digits or hyphens, not ending in a hyphen",
      }),
  },
  {
    name: "preflight-gcp-sql-instance-name",
    description:
      "A Cloud SQL instance id is lowercase letters, digits and hyphens, starts with a letter, and with the project id and a colon is at most 98 characters.",
    level: "error",
    source: src("https://cloud.google.com/sql/docs/postgres/create-instance"),
    types: ["gcp:sql/databaseInstance:DatabaseInstance"],
    check: (props, r) => {
      const n = nameOf(props, r);
      const project = typeof props.project === "string" ? props.project : "";
      return nameFinding(
        n,
        RFC1035,
        97 - project.length,
        `a lowercase letter, then lowercase letters, digits or hyphens; "${project || "<project>"}:<instance>" at most 98 characters`,
      );
    },
  },
  {
    name: "preflight-gcp-sql-disk-size",
    description: "Cloud SQL storage is 10 GB to 64 TB.",
    level: "error",
    source: src("https://cloud.google.com/sql/docs/postgres/instance-settings"),
    types: ["gcp:sql/databaseInstance:DatabaseInstance"],
    check: (props) => {
      const size = at(props, "settings.diskSize");
      return typeof size === "number" && (size < 10 || size > 65_536 || !Number.isInteger(size))
        ? [{ property: "settings.diskSize", value: size, expected: "a whole number of GB from 10 to 65536" }]
        : [];
    },
  },
  {
    name: "preflight-gcp-sql-edition-tier-log-retention",
    description:
      "Cloud SQL refuses db-perf-optimized tiers on the Enterprise edition and other tiers on Enterprise Plus, and keeps transaction logs 1 to 7 days on Enterprise (35 on Enterprise Plus).",
    level: "error",
    source: src("https://cloud.google.com/sql/docs/postgres/editions-intro"),
    types: ["gcp:sql/databaseInstance:DatabaseInstance"],
    check: (props) => {
      const edition = at(props, "settings.edition") ?? "ENTERPRISE";
      const tier = at(props, "settings.tier");
      const days = at(props, "settings.backupConfiguration.transactionLogRetentionDays");
      const plus = edition === "ENTERPRISE_PLUS";
      const out: Finding[] = [];
      if (typeof tier === "string" && tier.startsWith("db-perf-optimized") !== plus) {
        out.push({
          property: "settings.tier",
          value: tier,
          expected: plus
            ? "a db-perf-optimized-N-* tier on ENTERPRISE_PLUS"
            : "a db-custom-*, db-f1-micro or db-g1-small tier on ENTERPRISE (db-perf-optimized is ENTERPRISE_PLUS only)",
        });
      }
      const max = plus ? 35 : 7;
      if (typeof days === "number" && (days < 1 || days > max))
        out.push({
          property: "settings.backupConfiguration.transactionLogRetentionDays",
          value: days,
          expected: `1 to ${max} days on ${edition}`,
        });
      return out;
    },
  },
  {
    name: "preflight-gcp-resourcemanager-labels",
    description:
      "GCP label keys start with a lowercase letter and hold at most 63 lowercase letters, digits, _ or -; values at most 63 of the same; at most 64 labels.",
    level: "error",
    source: src("https://cloud.google.com/resource-manager/docs/labels-overview#requirements"),
    types: Object.keys(GCP_TYPE_APIS),
    check: (props, r) =>
      // A notification channel's `labels` configure the channel (email_address), not resource labels.
      LABEL_PATHS.filter(
        (path) => !(path === "labels" && r.type === "gcp:monitoring/notificationChannel:NotificationChannel"),
      ).flatMap((path) => {
        const labels = at(props, path);
        if (!labels || typeof labels !== "object" || Array.isArray(labels)) return [];
        const entries = Object.entries(labels as Record<string, unknown>);
        const out: Finding[] =
          entries.length > 64 ? [{ property: path, value: entries.length, expected: "at most 64 labels" }] : [];
        for (const [k, v] of entries) {
          if (!LABEL_KEY.test(k))
            out.push({
              property: `${path}.${k}`,
              value: k,
              expected: "a key: a lowercase letter, then at most 62 lowercase letters, digits, _ or -",
            });
          if (typeof v === "string" && !LABEL_VALUE.test(v))
            out.push({
              property: `${path}.${k}`,
              value: v,
              expected: "a value of at most 63 lowercase letters, digits, _ or -",
            });
        }
        return out;
      }),
  },
  {
    name: "preflight-gcp-artifactregistry-repository-id",
    description:
      "An Artifact Registry repository id is lowercase letters, digits and hyphens, starts with a letter, ends with a letter or digit, at most 63 characters.",
    level: "error",
    source: src("https://cloud.google.com/artifact-registry/docs/repositories/create-repos"),
    types: ["gcp:artifactregistry/repository:Repository"],
    check: (props) =>
      checkString(props, "repositoryId", {
        pattern: RFC1035,
        max: 63,
        expected:
          "a lowercase letter, then lowercase letters, digits or hyphens, not ending in a hyphen; at most 63 characters",
      }),
  },
  {
    name: "preflight-gcp-cloudfunctions-function-name",
    description:
      "A 2nd gen function runs as the Cloud Run service of its name: lowercase letters, digits and hyphens, starting with a letter, not ending in a hyphen, at most 63 characters.",
    level: "error",
    source: src("https://cloud.google.com/functions/docs/reference/rest/v2/projects.locations.functions"),
    types: ["gcp:cloudfunctionsv2/function:Function"],
    check: (props, r) =>
      nameFinding(
        nameOf(props, r),
        RFC1035,
        63,
        "a lowercase letter, then lowercase letters, digits or hyphens, not ending in a hyphen; at most 63 characters",
      ),
  },
  {
    name: "preflight-gcp-cloudfunctions-build-service-account",
    description:
      "Projects created since mid-2024 give the default build account (the Compute default) no rights: a function names its own build service account by full resource name.",
    level: "error",
    source: src("https://cloud.google.com/functions/docs/securing/build-custom-sa"),
    types: ["gcp:cloudfunctionsv2/function:Function"],
    check: (props) => {
      const sa = at(props, "buildConfig.serviceAccount");
      if (sa === undefined || sa === null)
        return [
          {
            property: "buildConfig.serviceAccount",
            value: sa ?? null,
            expected:
              "projects/<project>/serviceAccounts/<email> of an account with roles/logging.logWriter, roles/artifactregistry.writer and read access to the source",
          },
        ];
      return checkString(props, "buildConfig.serviceAccount", {
        pattern: /^projects\/[^/]+\/serviceAccounts\/[^/@]+@[^/]+$/,
        expected: "projects/<project>/serviceAccounts/<email>",
      });
    },
  },
  {
    name: "preflight-gcp-cloudfunctions-direct-vpc-names",
    description: "Direct VPC egress takes the network's and subnetwork's names, not their resource ids or self links.",
    level: "error",
    source: src(
      "https://cloud.google.com/functions/docs/reference/rest/v2/projects.locations.functions#directvpcnetworkinterface",
    ),
    types: ["gcp:cloudfunctionsv2/function:Function"],
    check: (props) => [
      ...checkString(props, "serviceConfig.directVpcNetworkInterfaces[].network", {
        pattern: /^[^/]+$/,
        expected: "the VPC network's name (no path)",
      }),
      ...checkString(props, "serviceConfig.directVpcNetworkInterfaces[].subnetwork", {
        pattern: /^[^/]+$/,
        expected: "the subnetwork's name (no path)",
      }),
    ],
  },
  {
    name: "preflight-gcp-cloudfunctions-wait-for-secret-access",
    description:
      "Deploying a function revision checks that its service account may read every secret it references, so the function must wait for those grants.",
    level: "error",
    source: src("https://cloud.google.com/functions/docs/configuring/secrets#grant_access"),
    checkStack(resources: readonly PreflightResource[]): StackFinding[] {
      const byUrn = byUrnOf(resources);
      const grants = resources.filter(
        (r) =>
          r.type === "gcp:secretmanager/secretIamMember:SecretIamMember" &&
          r.props.role === "roles/secretmanager.secretAccessor",
      );
      return resources
        .filter((r) => r.type === "gcp:cloudfunctionsv2/function:Function")
        .flatMap((fn) => {
          const account = at(fn.props, "serviceConfig.serviceAccountEmail");
          const waits = waitsFor(fn, byUrn);
          return each(fn.props, "serviceConfig.secretEnvironmentVariables[].secret").flatMap(({ path, value }) => {
            if (typeof value !== "string" || typeof account !== "string") return [];
            const ok = grants.some(
              (g) => waits.has(g.urn) && g.props.secretId === value && g.props.member === `serviceAccount:${account}`,
            );
            return ok
              ? []
              : [
                  {
                    urn: fn.urn,
                    property: path,
                    value,
                    expected: `to wait for roles/secretmanager.secretAccessor on ${value} for serviceAccount:${account}`,
                  },
                ];
          });
        });
    },
  },
  {
    name: "preflight-gcp-servicenetworking-connection-abandon",
    description:
      "Service networking refuses to delete a private services connection Cloud SQL still holds, which blocks a teardown; deletionPolicy ABANDON lets it go with the network.",
    level: "warning",
    source: src("https://www.pulumi.com/registry/packages/gcp/api-docs/servicenetworking/connection/"),
    types: ["gcp:servicenetworking/connection:Connection"],
    check: (props) =>
      props.deletionPolicy === "ABANDON"
        ? []
        : [{ property: "deletionPolicy", value: props.deletionPolicy ?? null, expected: "ABANDON" }],
  },
  {
    name: "preflight-gcp-monitoring-uptime-period",
    description: "Uptime checks run every 60s, 300s, 600s or 900s, with a timeout of 1 to 60 seconds.",
    level: "error",
    source: src("https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.uptimeCheckConfigs"),
    types: ["gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig"],
    check: (props) => [
      ...checkOneOf(props, "period", ["60s", "300s", "600s", "900s"]),
      ...checkString(props, "timeout", { pattern: /^([1-9]|[1-5][0-9]|60)s$/, expected: "1s to 60s" }),
    ],
  },
  {
    name: "preflight-gcp-monitoring-filter-one-of",
    description:
      "Monitoring filters match one of several values with one_of(...); a parenthesised OR list after = is not the documented form.",
    level: "error",
    source: src("https://cloud.google.com/monitoring/api/v3/filters#comparisons"),
    types: ["gcp:monitoring/dashboard:Dashboard", "gcp:monitoring/alertPolicy:AlertPolicy"],
    check: (props) => {
      const bad = /=\s*\(\s*"[^"]*"\s+OR\s+"/;
      const texts: { property: string; value: unknown }[] = [
        { property: "dashboardJson", value: props.dashboardJson },
        ...each(props, "conditions[].conditionThreshold.filter").map((e) => ({ property: e.path, value: e.value })),
        ...each(props, "conditions[].conditionAbsent.filter").map((e) => ({ property: e.path, value: e.value })),
      ];
      // dashboardJson holds the filters JSON-escaped (\"); read them as the API will.
      return texts.flatMap((t) => {
        const text = typeof t.value === "string" ? t.value.replace(/\\"/g, '"') : "";
        const m = bad.exec(text);
        return m ? [{ property: t.property, value: m[0], expected: 'label=one_of("a", "b")' }] : [];
      });
    },
  },
  {
    name: "preflight-gcp-monitoring-absent-condition-reduced",
    description:
      "An absence condition without a cross-series reducer watches each series, so every series that ends (a node scaled away) fires it; reduce across the group that must not vanish.",
    level: "warning",
    source: src("https://cloud.google.com/monitoring/alerts/types-of-conditions#metric-absence"),
    types: ["gcp:monitoring/alertPolicy:AlertPolicy"],
    check: (props) =>
      each(props, "conditions[].conditionAbsent").flatMap(({ path, value }) => {
        const aggs = (value?.aggregations ?? []) as { crossSeriesReducer?: string }[];
        return aggs.some((a) => a.crossSeriesReducer && a.crossSeriesReducer !== "REDUCE_NONE")
          ? []
          : [
              {
                property: `${path}.aggregations`,
                value: aggs,
                expected: "a crossSeriesReducer (e.g. REDUCE_COUNT grouped by the cluster)",
              },
            ];
      }),
  },
  {
    name: "preflight-gcp-logging-bucket-retention",
    description: "A log bucket keeps logs 1 to 3650 days.",
    level: "error",
    source: src("https://cloud.google.com/logging/docs/buckets#custom-retention"),
    types: ["gcp:logging/projectBucketConfig:ProjectBucketConfig"],
    check: (props) => {
      const d = props.retentionDays;
      return typeof d === "number" && (d < 1 || d > 3650 || !Number.isInteger(d))
        ? [{ property: "retentionDays", value: d, expected: "a whole number of days from 1 to 3650" }]
        : [];
    },
  },
  {
    name: "preflight-gcp-secretmanager-secret-id",
    description: "A Secret Manager secret id is 1 to 255 letters, digits, underscores and hyphens.",
    level: "error",
    source: src("https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/create"),
    types: ["gcp:secretmanager/secret:Secret"],
    check: (props) =>
      checkString(props, "secretId", {
        pattern: /^[A-Za-z0-9_-]{1,255}$/,
        expected: "1 to 255 letters, digits, _ or -",
      }),
  },
  {
    name: "preflight-gcp-storage-bucket-name",
    description:
      "A bucket name is 3 to 63 lowercase letters, digits, hyphens, underscores and dots, starting and ending with a letter or digit, and unique across all of Cloud Storage.",
    level: "error",
    source: src("https://cloud.google.com/storage/docs/buckets#naming"),
    types: ["gcp:storage/bucket:Bucket"],
    check: (props, r) =>
      nameFinding(
        nameOf(props, r),
        /^[a-z0-9][a-z0-9._-]*[a-z0-9]$/,
        63,
        "3 to 63 lowercase letters, digits, -, _ or ., starting and ending with a letter or digit",
        3,
      ),
  },
];

const member = (r: PreflightResource) => r.props.member;
const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"];

/** What a team must arrange in GCP before `pulumi up` (listed by the plan). */
export const gcpPrerequisites: readonly PrerequisiteRule[] = [
  {
    name: "preflight-gcp-project-bootstrap",
    list: (resources) => {
      const projects = [
        ...new Set(
          resources
            .filter((r) => r.type === SERVICE_TYPE)
            .map((r) => String(r.props.project ?? "the provider's project")),
        ),
      ];
      return projects.map((p) => ({
        cloud: "gcp" as const,
        what: `Project ${p}: linked to a billing account, the Service Usage API (serviceusage.googleapis.com) and the Cloud Resource Manager API (cloudresourcemanager.googleapis.com) enabled, and the deploying identity able to enable services (roles/serviceusage.serviceUsageAdmin), create service accounts and act as them (roles/iam.serviceAccountUser)`,
        why: "the stack enables every other API itself with gcp.projects.Service, which calls Service Usage; paid APIs (compute, container, sqladmin) refuse to enable without billing; with gcp:userProjectOverride (the stack files set it) each gcp.projects.Service then reads the project through Cloud Resource Manager billed to the quota project (terraform-provider-google, resource_google_project_service.go), which fails until that API is on, and enabling it in the same run races those reads",
        source: src("https://cloud.google.com/service-usage/docs/enable-disable"),
      }));
    },
  },
  {
    name: "preflight-gcp-iam-domain-restricted-sharing",
    list: (resources) =>
      resources
        .filter((r) => PUBLIC_MEMBERS.includes(member(r)))
        .slice(0, 1)
        .map((r) => ({
          cloud: "gcp" as const,
          what: `The organization policy constraint iam.allowedPolicyMemberDomains (Domain Restricted Sharing) must not apply to project ${r.props.project ?? "(the provider's project)"}, or must allow allUsers (an exception for the project, or iam.managed.allowedPolicyMembers listing allUsers)`,
          why: `${r.type.split(":").pop()} grants ${r.props.role} to ${member(r)} (the public function behind Cloudflare); under Domain Restricted Sharing the grant is refused`,
          source: src("https://cloud.google.com/resource-manager/docs/organization-policy/restricting-domains"),
        })),
  },
  {
    name: "preflight-gcp-billing-budget-quota-project",
    list: (resources) =>
      resources
        .filter((r) => r.type === "gcp:billing/budget:Budget")
        .map((r) => ({
          cloud: "gcp" as const,
          what: `Budget on billing account ${r.props.billingAccount}: the deploying identity holds roles/billing.costsManager (or billing.admin) on it; with user credentials (gcloud auth application-default login) the stack sets gcp:billingProject to a project with billingbudgets.googleapis.com enabled and gcp:userProjectOverride: true (a service account needs neither)`,
          why: "the Budget API bills its quota to a quota project, which user credentials do not carry; without one the call fails",
          source: src("https://cloud.google.com/billing/docs/how-to/budget-api-overview"),
        })),
  },
];
