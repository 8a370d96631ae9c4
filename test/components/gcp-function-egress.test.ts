import { describe, expect, it } from "vitest";
import { GcpFunctionHost } from "../../components/gcp/function-host";
import { GcpProjectServices } from "../../components/gcp/services";
import { buildComponent, COMPONENT_CONTEXT } from "../helpers/component";
import { input, ofType, oneOfType, planStack } from "../helpers/plan";
import { mockState } from "../helpers/platform";
import { FUNCTIONS } from "./args";

const project = COMPONENT_CONTEXT.gcpProject;
const MEMBER = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember";

const host = () =>
  buildComponent(
    () =>
      new GcpFunctionHost("f", {
        ...FUNCTIONS,
        project,
        region: COMPONENT_CONTEXT.gcpRegion,
        networkName: "vpc",
        subnetworkName: "subnet",
        apis: new GcpProjectServices("apis", { project }),
        database: {
          host: "10.33.0.5",
          adminPassword: "pw",
          serverCaCert: "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n",
        },
      }),
  );

// https://cloud.google.com/functions/docs/running/direct-vpc, "Set up IAM permissions": "To authorize Direct VPC
// egress, ask your administrator to grant the Cloud Run Invoker (roles/run.invoker) role to your function's service
// account."
describe("GCP functions: Direct VPC egress is authorized", () => {
  it("each function that egresses through the VPC grants its own account run.invoker on its own service", async () => {
    const built = await host();
    const account = built.one("gcp:serviceaccount/account:Account", "f-sa").inputs;
    const runtime = `serviceAccount:${account.accountId}@${project}.iam.gserviceaccount.com`;
    for (const fn of built.ofType("gcp:cloudfunctionsv2/function:Function")) {
      expect(fn.inputs.serviceConfig).toMatchObject({
        serviceAccountEmail: `${account.accountId}@${project}.iam.gserviceaccount.com`,
        directVpcEgress: "VPC_EGRESS_PRIVATE_RANGES_ONLY",
      });
      const grants = built
        .ofType(MEMBER)
        .filter((m) => m.inputs.name === fn.inputs.name && m.inputs.member === runtime);
      expect(grants, `run.invoker for ${runtime} on ${fn.inputs.name}`).toHaveLength(1);
      // On the function's service only, in its region: not a project-wide grant.
      expect(grants[0]!.inputs).toMatchObject({ project, location: fn.inputs.location, role: "roles/run.invoker" });
    }
    expect(built.ofType("gcp:projects/iAMMember:IAMMember").filter((m) => m.inputs.member === runtime)).toEqual([]);
  });

  it("the grants follow their function and the Run API; the reconciler's schedule waits for its grant", async () => {
    const report = await planStack("dev");
    const runtime = mockState("dev", oneOfType(report, "gcp:serviceaccount/account:Account", "dev-gcp-fn-sa"));
    const run = oneOfType(report, "gcp:projects/service:Service", "apis-run");
    for (const id of ["api", "reconcile"]) {
      const fn = oneOfType(report, "gcp:cloudfunctionsv2/function:Function", `-${id}`);
      const grant = oneOfType(report, MEMBER, `fn-${id}-egress`);
      expect(grant.inputs).toMatchObject({
        name: fn.inputs.name,
        role: "roles/run.invoker",
        member: `serviceAccount:${runtime.email}`,
      });
      expect(grant.dependencies).toEqual(expect.arrayContaining([fn.urn, run.urn]));
    }
    const job = oneOfType(report, "gcp:cloudscheduler/job:Job");
    expect(job.dependencies).toContain(oneOfType(report, MEMBER, "fn-reconcile-egress").urn);
    expect(ofType(report, MEMBER).every((m) => input(m, "role") === "roles/run.invoker")).toBe(true);
  });
});
