import { describe, expect, it } from "vitest";
import { GcpBudget } from "../../components/gcp/budget";
import { GcpKubernetesCluster } from "../../components/gcp/cluster";
import { GcpPostgresDatabase } from "../../components/gcp/database";
import { GcpFunctionHost } from "../../components/gcp/function-host";
import { GcpNetwork } from "../../components/gcp/network";
import { GcpObservability } from "../../components/gcp/observability";
import { GcpContainerRegistry } from "../../components/gcp/registry";
import { GCP_APIS, GcpProjectServices } from "../../components/gcp/services";
import { buildComponent, COMPONENT_CONTEXT, expectWellFormed } from "../helpers/component";
import { CLUSTER, DATABASE, FUNCTIONS, OBSERVABILITY, TAGS } from "./args";

const project = COMPONENT_CONTEXT.gcpProject;
const region = COMPONENT_CONTEXT.gcpRegion;
/** Every GCP component waits for the project's APIs: the one other component they take. */
const apis = () => new GcpProjectServices("apis", { project });
const NETWORK = "projects/tricloud-unit/global/networks/vpc";

// One fast test per GCP component, built alone (beside the project's APIs) from the fewest arguments it takes.
describe("GCP components in isolation", () => {
  it("GcpProjectServices: one Service per API, never disabled on destroy", async () => {
    const built = await buildComponent(apis);
    expectWellFormed(built, "tricloud:gcp:ProjectServices");
    const services = built.ofType("gcp:projects/service:Service");
    expect(services.map((s) => s.inputs.service).sort()).toEqual([...GCP_APIS].sort());
    for (const s of services) expect(s.inputs).toMatchObject({ project, disableOnDestroy: false });
  });

  it("GcpNetwork: a custom VPC, a subnet with pods and services ranges, NAT, a private services range", async () => {
    const built = await buildComponent(
      () =>
        new GcpNetwork("n", {
          project,
          region,
          cidr: "10.30.0.0/20",
          podsCidr: "10.31.0.0/16",
          servicesCidr: "10.32.0.0/20",
          privateServicesCidr: "10.33.0.0/20",
          labels: TAGS,
          apis: apis(),
        }),
    );
    expectWellFormed(built, "tricloud:gcp:Network");
    expect(built.one("gcp:compute/network:Network").inputs.autoCreateSubnetworks).toBe(false);
    const subnet = built.one("gcp:compute/subnetwork:Subnetwork");
    expect(subnet.inputs).toMatchObject({ ipCidrRange: "10.30.0.0/20", privateIpGoogleAccess: true });
    expect(subnet.inputs.secondaryIpRanges.map((r: { ipCidrRange: string }) => r.ipCidrRange)).toEqual([
      "10.31.0.0/16",
      "10.32.0.0/20",
    ]);
    expect(built.ofType("gcp:compute/routerNat:RouterNat")).toHaveLength(1);
    expect(built.ofType("gcp:servicenetworking/connection:Connection")).toHaveLength(1);
  });

  it("GcpKubernetesCluster: GKE with a separate autoscaling node pool and workload identity", async () => {
    const built = await buildComponent(
      () =>
        new GcpKubernetesCluster("k", {
          ...CLUSTER,
          project,
          region,
          zones: [`${region}-a`],
          networkId: NETWORK,
          subnetworkId: `${NETWORK}/subnets/s`,
          apis: apis(),
        }),
    );
    expectWellFormed(built, "tricloud:gcp:KubernetesCluster");
    const gke = built.one("gcp:container/cluster:Cluster");
    expect(gke.inputs.removeDefaultNodePool).toBe(true);
    expect(gke.inputs.workloadIdentityConfig.workloadPool).toBe(`${project}.svc.id.goog`);
    expect(built.one("gcp:container/nodePool:NodePool").inputs.autoscaling).toEqual({
      totalMinNodeCount: 1,
      totalMaxNodeCount: 3,
      locationPolicy: "BALANCED",
    });
  });

  it("GcpPostgresDatabase: Cloud SQL PostgreSQL on a private IP only, zonal when HA is off", async () => {
    const built = await buildComponent(() => {
      const services = apis();
      return new GcpPostgresDatabase("d", {
        ...DATABASE,
        project,
        region,
        networkId: NETWORK,
        privateServicesConnection: services,
        apis: services,
      });
    });
    expectWellFormed(built, "tricloud:gcp:PostgresDatabase");
    const sql = built.one("gcp:sql/databaseInstance:DatabaseInstance");
    expect(sql.inputs).toMatchObject({ databaseVersion: "POSTGRES_17", deletionProtection: false });
    expect(sql.inputs.settings).toMatchObject({ availabilityType: "ZONAL", ipConfiguration: { ipv4Enabled: false } });
  });

  it("GcpContainerRegistry: an Artifact Registry Docker repository readable by the node accounts", async () => {
    const built = await buildComponent(
      () =>
        new GcpContainerRegistry("r", {
          project,
          region,
          repositoryId: "tricloud-unit",
          readerServiceAccounts: ["nodes@tricloud-unit.iam.gserviceaccount.com"],
          untaggedExpiryDays: 7,
          keepImages: 50,
          labels: TAGS,
          apis: apis(),
        }),
    );
    expectWellFormed(built, "tricloud:gcp:ContainerRegistry");
    expect(built.one("gcp:artifactregistry/repository:Repository").inputs).toMatchObject({
      format: "DOCKER",
      repositoryId: "tricloud-unit",
    });
    expect(built.one("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember").inputs.member).toBe(
      "serviceAccount:nodes@tricloud-unit.iam.gserviceaccount.com",
    );
  });

  it("GcpBudget: a budget in USD cents exactly (units and nanos), notifying the channels", async () => {
    const built = await buildComponent(
      () =>
        new GcpBudget("b", {
          environment: "dev",
          billingAccount: "000000-000000-000000",
          project,
          amountCents: 123_456,
          notificationChannelIds: ["projects/p/notificationChannels/1"],
          apis: apis(),
        }),
    );
    expectWellFormed(built, "tricloud:gcp:Budget");
    const budget = built.one("gcp:billing/budget:Budget");
    expect(budget.inputs.amount.specifiedAmount).toEqual({ currencyCode: "USD", units: "1234", nanos: 560_000_000 });
    expect(budget.inputs.allUpdatesRule.monitoringNotificationChannels).toEqual(["projects/p/notificationChannels/1"]);
  });

  it("GcpFunctionHost: 2nd gen API and reconciler functions with direct VPC egress to private ranges", async () => {
    const built = await buildComponent(
      () =>
        new GcpFunctionHost("f", {
          ...FUNCTIONS,
          project,
          region,
          networkName: "vpc",
          subnetworkName: "subnet",
          apis: apis(),
          database: {
            host: "10.33.0.5",
            adminPassword: "pw",
            serverCaCert: "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n",
          },
        }),
    );
    expectWellFormed(built, "tricloud:gcp:FunctionHost");
    const fns = built.ofType("gcp:cloudfunctionsv2/function:Function");
    expect(fns.map((f) => f.name).sort()).toEqual(["f-api", "f-reconcile"]);
    for (const f of fns)
      expect(f.inputs.serviceConfig).toMatchObject({
        availableMemory: "512Mi",
        directVpcEgress: "VPC_EGRESS_PRIVATE_RANGES_ONLY",
      });
    expect(built.ofType("gcp:cloudscheduler/job:Job")).toHaveLength(1);
  });

  it("GcpObservability: an e-mail channel per contact, alert policies and an uptime check", async () => {
    const built = await buildComponent(
      () =>
        new GcpObservability("o", {
          ...OBSERVABILITY,
          project,
          cluster: { name: "gke-unit", minNodes: 1 },
          database: { connectionName: `${project}:${region}:db`, size: "small" },
          labels: TAGS,
          apis: apis(),
        }),
    );
    expectWellFormed(built, "tricloud:gcp:Observability");
    expect(built.one("gcp:monitoring/notificationChannel:NotificationChannel").inputs).toMatchObject({
      type: "email",
      labels: { email_address: "ops@example.com" },
    });
    expect(built.ofType("gcp:monitoring/alertPolicy:AlertPolicy").length).toBeGreaterThan(0);
    expect(built.ofType("gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig").length).toBeGreaterThan(0);
  });
});
