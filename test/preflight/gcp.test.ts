import { describe, expect, it } from "vitest";
import { runPreflight } from "../../policies/preflight/engine";
import { isStackRule, type PreflightResource } from "../../policies/preflight/rule";
import { GCP_TYPE_APIS, gcpPrerequisites, gcpRules } from "../../policies/preflight/rules/gcp";
import { GCP_APIS } from "../../components/gcp/services";
import { channelVersion } from "../../components/gcp/cluster";
import { readStackFile } from "../../cli/plan/stackfile";
import { input, ofType, oneOfType, planStack } from "../helpers/plan";
import { AS_OF, r, ruleHarness } from "../helpers/preflight";

const { findings, props } = ruleHarness(gcpRules);

/** [rule, type, passing props, failing props, properties the failing one reports] per resource rule. */
const RESOURCE_CASES: [string, string, Record<string, unknown>, Record<string, unknown>, string[]][] = [
  [
    "preflight-gcp-serviceusage-service-keep-on-destroy",
    "gcp:projects/service:Service",
    { service: "compute.googleapis.com", disableOnDestroy: false },
    { service: "compute.googleapis.com" },
    ["disableOnDestroy"],
  ],
  [
    "preflight-gcp-compute-resource-name",
    "gcp:compute/network:Network",
    { name: "dev-gcp-net-vpc" },
    { name: "Dev_VPC" },
    ["name"],
  ],
  [
    "preflight-gcp-compute-resource-name",
    "gcp:compute/routerNat:RouterNat",
    { name: "nat-1" },
    { name: `n${"a".repeat(63)}` },
    ["name"],
  ],
  [
    "preflight-gcp-container-name",
    "gcp:container/cluster:Cluster",
    { name: "dev-gcp-k8s" },
    { name: `k${"8".repeat(40)}` },
    ["name"],
  ],
  [
    "preflight-gcp-iam-service-account-id",
    "gcp:serviceaccount/account:Account",
    { accountId: "tricloud-prod-fn-sched" },
    { accountId: "fn" },
    ["accountId"],
  ],
  [
    "preflight-gcp-iam-service-account-id",
    "gcp:serviceaccount/account:Account",
    { accountId: "tricloud-dev-fn" },
    { accountId: "tricloud-production-fn-scheduler" },
    ["accountId"],
  ],
  [
    "preflight-gcp-sql-instance-name",
    "gcp:sql/databaseInstance:DatabaseInstance",
    { project: "tricloud-dev", name: "dev-gcp-db-pg" },
    { project: "tricloud-dev", name: "1db" },
    ["name"],
  ],
  [
    "preflight-gcp-sql-disk-size",
    "gcp:sql/databaseInstance:DatabaseInstance",
    { settings: { diskSize: 20 } },
    { settings: { diskSize: 5 } },
    ["settings.diskSize"],
  ],
  [
    "preflight-gcp-sql-edition-tier-log-retention",
    "gcp:sql/databaseInstance:DatabaseInstance",
    {
      settings: {
        edition: "ENTERPRISE",
        tier: "db-custom-2-8192",
        backupConfiguration: { transactionLogRetentionDays: 7 },
      },
    },
    {
      settings: {
        edition: "ENTERPRISE",
        tier: "db-perf-optimized-N-2",
        backupConfiguration: { transactionLogRetentionDays: 14 },
      },
    },
    ["settings.tier", "settings.backupConfiguration.transactionLogRetentionDays"],
  ],
  [
    "preflight-gcp-resourcemanager-labels",
    "gcp:storage/bucket:Bucket",
    { labels: { owner: "platform", "cost-center": "cc-1001" } },
    { labels: { Owner: "platform", team: "Platform Team" } },
    ["labels.Owner", "labels.team"],
  ],
  [
    "preflight-gcp-resourcemanager-labels",
    "gcp:container/nodePool:NodePool",
    { nodeConfig: { resourceLabels: { env: "dev" } } },
    { nodeConfig: { resourceLabels: { env: "x".repeat(64) } } },
    ["nodeConfig.resourceLabels.env"],
  ],
  [
    "preflight-gcp-resourcemanager-labels",
    "gcp:monitoring/notificationChannel:NotificationChannel",
    { labels: { email_address: "a@b.example" }, userLabels: { env: "dev" } },
    { userLabels: { "9env": "dev" } },
    ["userLabels.9env"],
  ],
  [
    "preflight-gcp-artifactregistry-repository-id",
    "gcp:artifactregistry/repository:Repository",
    { repositoryId: "tricloud-dev" },
    { repositoryId: "tricloud_dev" },
    ["repositoryId"],
  ],
  [
    "preflight-gcp-cloudfunctions-function-name",
    "gcp:cloudfunctionsv2/function:Function",
    {
      name: "tricloud-dev-api",
      buildConfig: { serviceAccount: "projects/p/serviceAccounts/b@p.iam.gserviceaccount.com" },
    },
    { name: "Tricloud_Api" },
    ["name"],
  ],
  [
    "preflight-gcp-cloudfunctions-build-service-account",
    "gcp:cloudfunctionsv2/function:Function",
    { name: "f", buildConfig: { serviceAccount: "projects/p/serviceAccounts/b@p.iam.gserviceaccount.com" } },
    { name: "f", buildConfig: { runtime: "nodejs22" } },
    ["buildConfig.serviceAccount"],
  ],
  [
    "preflight-gcp-cloudfunctions-build-service-account",
    "gcp:cloudfunctionsv2/function:Function",
    { name: "f", buildConfig: { serviceAccount: "projects/p/serviceAccounts/b@p.iam.gserviceaccount.com" } },
    { name: "f", buildConfig: { serviceAccount: "b@p.iam.gserviceaccount.com" } },
    ["buildConfig.serviceAccount"],
  ],
  [
    "preflight-gcp-cloudfunctions-direct-vpc-names",
    "gcp:cloudfunctionsv2/function:Function",
    { serviceConfig: { directVpcNetworkInterfaces: [{ network: "dev-vpc", subnetwork: "dev-subnet" }] } },
    {
      serviceConfig: {
        directVpcNetworkInterfaces: [
          {
            network: "projects/p/global/networks/dev-vpc",
            subnetwork: "projects/p/regions/us-central1/subnetworks/dev-subnet",
          },
        ],
      },
    },
    ["serviceConfig.directVpcNetworkInterfaces[0].network", "serviceConfig.directVpcNetworkInterfaces[0].subnetwork"],
  ],
  [
    "preflight-gcp-servicenetworking-connection-abandon",
    "gcp:servicenetworking/connection:Connection",
    { deletionPolicy: "ABANDON" },
    { service: "servicenetworking.googleapis.com" },
    ["deletionPolicy"],
  ],
  [
    "preflight-gcp-monitoring-uptime-period",
    "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig",
    { period: "60s", timeout: "10s" },
    { period: "30s", timeout: "90s" },
    ["period", "timeout"],
  ],
  [
    "preflight-gcp-monitoring-filter-one-of",
    "gcp:monitoring/dashboard:Dashboard",
    { dashboardJson: JSON.stringify({ filter: 'resource.label.service_name=one_of("a", "b")' }) },
    { dashboardJson: JSON.stringify({ filter: 'resource.label.service_name=("a" OR "b")' }) },
    ["dashboardJson"],
  ],
  [
    "preflight-gcp-monitoring-absent-condition-reduced",
    "gcp:monitoring/alertPolicy:AlertPolicy",
    {
      conditions: [
        {
          conditionAbsent: {
            aggregations: [
              {
                perSeriesAligner: "ALIGN_MEAN",
                crossSeriesReducer: "REDUCE_COUNT",
                groupByFields: ["resource.label.cluster_name"],
              },
            ],
          },
        },
      ],
    },
    {
      conditions: [
        { conditionThreshold: {} },
        { conditionAbsent: { aggregations: [{ perSeriesAligner: "ALIGN_MEAN" }] } },
      ],
    },
    ["conditions[1].conditionAbsent.aggregations"],
  ],
  [
    "preflight-gcp-logging-bucket-retention",
    "gcp:logging/projectBucketConfig:ProjectBucketConfig",
    { retentionDays: 90 },
    { retentionDays: 3651 },
    ["retentionDays"],
  ],
  [
    "preflight-gcp-secretmanager-secret-id",
    "gcp:secretmanager/secret:Secret",
    { secretId: "tricloud-dev-signing-key" },
    { secretId: "tricloud/dev/key" },
    ["secretId"],
  ],
  [
    "preflight-gcp-storage-bucket-name",
    "gcp:storage/bucket:Bucket",
    { name: "tricloud-dev-fn-source" },
    { name: "Tricloud.Source-" },
    ["name"],
  ],
];

describe("GCP resource rules: a passing and a failing case each", () => {
  it.each(RESOURCE_CASES)("%s on %s", (name, type, good, bad, reported) => {
    expect(findings(name, [r(type, good)])).toEqual([]);
    expect(props(name, [r(type, bad)])).toEqual(reported);
  });

  it("checks the auto-name Pulumi gives when no name is set (logical name + 8)", () => {
    expect(
      props("preflight-gcp-container-name", [
        r("gcp:container/cluster:Cluster", {}, { name: "a-logical-name-that-is-long-enough" }),
      ]),
    ).toEqual(["name (auto-named)"]);
    expect(
      findings("preflight-gcp-container-name", [r("gcp:container/cluster:Cluster", {}, { name: "dev-gcp-k8s" })]),
    ).toEqual([]);
  });

  it("every resource rule has a case here", () => {
    const covered = new Set(RESOURCE_CASES.map(([name]) => name));
    expect(gcpRules.filter((x) => !isStackRule(x) && !covered.has(x.name)).map((x) => x.name)).toEqual([]);
  });
});

describe("preflight-gcp-serviceusage-api-enabled-first", () => {
  const NAME = "preflight-gcp-serviceusage-api-enabled-first";
  const service = (api: string) =>
    r(
      "gcp:projects/service:Service",
      { project: "p", service: api, disableOnDestroy: false },
      { name: `svc-${api.split(".")[0]}` },
    );

  it("passes a resource that waits for its API's Service, directly or through another resource", () => {
    const compute = service("compute.googleapis.com");
    const net = r("gcp:compute/network:Network", { project: "p" }, { dependencies: [compute.urn] });
    const subnet = r("gcp:compute/subnetwork:Subnetwork", { project: "p" }, { dependencies: [net.urn] });
    expect(findings(NAME, [compute, net, subnet])).toEqual([]);
  });

  it("fails a resource whose API is not enabled, or enabled but not waited for", () => {
    const sql = r("gcp:sql/databaseInstance:DatabaseInstance", { project: "p" });
    expect(findings(NAME, [sql])).toEqual([
      expect.objectContaining({
        urn: sql.urn,
        value: "not enabled in the program",
        expected: "to wait for a gcp.projects.Service enabling sqladmin.googleapis.com",
      }),
    ]);
    const sqladmin = service("sqladmin.googleapis.com");
    expect(findings(NAME, [sqladmin, sql])).toEqual([
      expect.objectContaining({ urn: sql.urn, value: "does not wait for it" }),
    ]);
  });

  it("needs every API a type calls (2nd gen functions: Cloud Functions, Cloud Run, Cloud Build, Artifact Registry)", () => {
    const only = service("cloudfunctions.googleapis.com");
    const fn = r("gcp:cloudfunctionsv2/function:Function", { project: "p" }, { dependencies: [only.urn] });
    expect(findings(NAME, [only, fn]).map((f) => f.expected)).toEqual(
      ["run", "cloudbuild", "artifactregistry"].map(
        (a) => `to wait for a gcp.projects.Service enabling ${a}.googleapis.com`,
      ),
    );
  });

  it("a Service in another project does not count", () => {
    const other = r("gcp:projects/service:Service", { project: "other", service: "compute.googleapis.com" });
    const net = r("gcp:compute/network:Network", { project: "p" }, { dependencies: [other.urn] });
    expect(findings(NAME, [other, net])).toHaveLength(1);
  });

  it("a GCP type without an API mapping is itself a finding", () => {
    const unknown = r("gcp:pubsub/topic:Topic", { project: "p" });
    expect(findings(NAME, [unknown])).toEqual([
      expect.objectContaining({ property: "type", value: "gcp:pubsub/topic:Topic" }),
    ]);
  });

  it("the component enables every API the mapping names", () => {
    const needed = new Set(Object.values(GCP_TYPE_APIS).flat());
    expect([...needed].filter((api) => !(GCP_APIS as readonly string[]).includes(api))).toEqual([]);
  });
});

describe("preflight-gcp-cloudfunctions-wait-for-secret-access", () => {
  const NAME = "preflight-gcp-cloudfunctions-wait-for-secret-access";
  const sa = "tricloud-dev-fn@p.iam.gserviceaccount.com";
  const grant = r("gcp:secretmanager/secretIamMember:SecretIamMember", {
    secretId: "tricloud-dev-signing-key",
    role: "roles/secretmanager.secretAccessor",
    member: `serviceAccount:${sa}`,
  });
  const fn = (deps: string[]) =>
    r(
      "gcp:cloudfunctionsv2/function:Function",
      {
        serviceConfig: {
          serviceAccountEmail: sa,
          secretEnvironmentVariables: [{ key: "K", secret: "tricloud-dev-signing-key", version: "1" }],
        },
      },
      { dependencies: deps },
    );

  it("passes a function that waits for its account's accessor grant", () => {
    expect(findings(NAME, [grant, fn([grant.urn])])).toEqual([]);
  });

  it("fails a function that does not wait for it", () => {
    expect(props(NAME, [grant, fn([])])).toEqual(["serviceConfig.secretEnvironmentVariables[0].secret"]);
  });
});

describe("GCP prerequisites", () => {
  const list = (resources: PreflightResource[]) => runPreflight(resources, AS_OF, [], gcpPrerequisites).prerequisites;

  it("lists Domain Restricted Sharing when the stack grants allUsers, and nothing otherwise", () => {
    const pub = r("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", {
      project: "p",
      role: "roles/run.invoker",
      member: "allUsers",
    });
    expect(list([pub]).map((p) => p.what)).toEqual([expect.stringContaining("iam.allowedPolicyMemberDomains")]);
    expect(
      list([
        r("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", {
          role: "roles/run.invoker",
          member: "serviceAccount:s@p.iam.gserviceaccount.com",
        }),
      ]),
    ).toEqual([]);
  });

  it("lists the budget's quota project and billing role, and the project bootstrap for enabled services", () => {
    const budget = r("gcp:billing/budget:Budget", { billingAccount: "012345-6789AB-CDEF01" });
    const svc = r("gcp:projects/service:Service", { project: "p", service: "compute.googleapis.com" });
    const what = list([budget, svc]).map((p) => p.what);
    expect(what).toEqual([
      expect.stringContaining("Project p: linked to a billing account"),
      expect.stringContaining("gcp:billingProject"),
    ]);
    // Read through Cloud Resource Manager, billed to the quota project, after each API is enabled.
    expect(what[0]).toContain("cloudresourcemanager.googleapis.com");
  });
});

describe("the GKE version (#15.2)", () => {
  it("is the channel's newest patch of the configured minor, else the channel default", () => {
    expect(
      channelVersion(
        {
          releaseChannelLatestVersion: { REGULAR: "1.36.5-gke.1" },
          releaseChannelDefaultVersion: { REGULAR: "1.35.2-gke.9" },
        },
        "1.36",
      ),
    ).toBe("1.36.5-gke.1");
    expect(
      channelVersion(
        {
          releaseChannelLatestVersion: { RAPID: "1.37.1-gke.1" },
          releaseChannelDefaultVersion: { REGULAR: "1.35.2-gke.9" },
        },
        "1.37",
      ),
    ).toBe("1.35.2-gke.9");
    expect(() => channelVersion({}, "1.36")).toThrow(/no REGULAR channel versions/);
  });
});

describe.each(["dev", "prod"])("the %s plan", (stack) => {
  it("has no GCP preflight error and lists the GCP prerequisites", async () => {
    const report = await planStack(stack);
    expect(report.preflight!.filter((f) => f.rule.startsWith("preflight-gcp-"))).toEqual([]);
    expect((report.prerequisites ?? []).filter((p) => p.cloud === "gcp").map((p) => p.what.split(":")[0])).toEqual([
      `Project tricloud-${stack}`,
      "The organization policy constraint iam.allowedPolicyMemberDomains (Domain Restricted Sharing) must not apply to project tricloud-" +
        stack +
        ", or must allow allUsers (an exception for the project, or iam.managed.allowedPolicyMembers listing allUsers)",
      "Budget on billing account 012345-6789AB-CDEF01",
    ]);
  });

  it("enables each API once, left enabled on destroy, and every GCP resource waits for its own", async () => {
    const report = await planStack(stack);
    const services = ofType(report, "gcp:projects/service:Service");
    expect(services.map((s) => input(s, "service")).sort()).toEqual([...GCP_APIS].sort());
    for (const s of services) expect(s.inputs).toMatchObject({ project: `tricloud-${stack}`, disableOnDestroy: false });
    // The stack rule itself ran clean above; here, that it had something to check.
    const cluster = oneOfType(report, "gcp:container/cluster:Cluster");
    const byUrn = new Map(services.map((s) => [s.urn, input(s, "service")]));
    expect(
      cluster
        .dependencies!.map((d) => byUrn.get(d))
        .filter(Boolean)
        .sort(),
    ).toEqual(["compute.googleapis.com", "container.googleapis.com"]);
  });

  it("GKE starts on the REGULAR channel's patch of the configured minor and will not chase it (#15.2)", async () => {
    const report = await planStack(stack);
    const minor = readStackFile(`${__dirname}/../..`, "tricloud", stack).config["tricloud:kubernetesVersion"]!;
    const cluster = oneOfType(report, "gcp:container/cluster:Cluster");
    expect(input(cluster, "releaseChannel")).toEqual({ channel: "REGULAR" });
    expect(String(input(cluster, "minMasterVersion"))).toMatch(
      new RegExp(`^${minor.replace(".", "\\.")}\\.\\d+-gke\\.\\d+$`),
    );
  });

  it("the budget's quota project is the environment's own, with user project override (#15.4)", () => {
    const config = readStackFile(`${__dirname}/../..`, "tricloud", stack).config;
    expect(config["gcp:billingProject"]).toBe(config["gcp:project"]);
    expect(config["gcp:userProjectOverride"]).toBe("true");
  });

  it("service networking is abandoned on destroy (#15.8) and functions build as their own account (#15.3)", async () => {
    const report = await planStack(stack);
    expect(input(oneOfType(report, "gcp:servicenetworking/connection:Connection"), "deletionPolicy")).toBe("ABANDON");
    const build = oneOfType(report, "gcp:serviceaccount/account:Account", "build-sa");
    const grants = ofType(report, "gcp:projects/iAMMember:IAMMember").filter((m) =>
      String(input(m, "member")).includes(String(input(build, "accountId"))),
    );
    // Google's list for a build account, Storage Object Admin included: Google keeps function code in a
    // source bucket of its own, which a grant on the program's bucket does not reach.
    expect(grants.map((g) => input(g, "role")).sort()).toEqual([
      "roles/artifactregistry.writer",
      "roles/logging.logWriter",
      "roles/storage.objectAdmin",
    ]);
    expect(ofType(report, "gcp:storage/bucketIAMMember:BucketIAMMember")).toEqual([]);
  });

  // IAM grants take minutes to propagate (https://cloud.google.com/iam/docs/access-change-propagation): what runs as
  // an account starts after its grant is created, not beside it.
  it("the reconciler's schedule waits for its run.invoker grant, the node pool for its node account's role", async () => {
    const report = await planStack(stack);
    const job = oneOfType(report, "gcp:cloudscheduler/job:Job");
    const invoker = oneOfType(report, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "reconcile-invoker");
    expect(input(invoker, "role")).toBe("roles/run.invoker");
    expect(input(invoker, "member")).toBe(
      `serviceAccount:${String(input(job, "httpTarget.oidcToken.serviceAccountEmail"))}`,
    );
    expect(job.dependencies).toContain(invoker.urn);

    const pool = oneOfType(report, "gcp:container/nodePool:NodePool");
    const nodeRole = ofType(report, "gcp:projects/iAMMember:IAMMember").find(
      (m) => input(m, "role") === "roles/container.defaultNodeServiceAccount",
    )!;
    expect(input(nodeRole, "member")).toBe(`serviceAccount:${String(input(pool, "nodeConfig.serviceAccount"))}`);
    expect(pool.dependencies).toContain(nodeRole.urn);
  });
});
