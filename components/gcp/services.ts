import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/**
 * The service APIs the GCP components call, each enabled in the environment's
 * project before anything that needs it. A fresh project has almost none of
 * them on (https://cloud.google.com/service-usage/docs/enabled-service lists
 * the few that are), and every create call on a disabled API fails with
 * SERVICE_DISABLED. policies/preflight/rules/gcp.ts maps every resource type
 * to the APIs it needs and checks that each resource waits for them.
 */
export const GCP_APIS = [
  "compute.googleapis.com", // VPC, subnet, router, NAT, reserved ranges
  "servicenetworking.googleapis.com", // private services access (Cloud SQL's private IP)
  "container.googleapis.com", // GKE
  "sqladmin.googleapis.com", // Cloud SQL
  "iam.googleapis.com", // service accounts
  "cloudresourcemanager.googleapis.com", // project IAM bindings, project lookups
  "artifactregistry.googleapis.com", // the image registry, Cloud Functions' build images
  "cloudfunctions.googleapis.com", // Cloud Functions 2nd gen
  "run.googleapis.com", // the Cloud Run services the functions run as, their invoker bindings
  "cloudbuild.googleapis.com", // builds the functions' source
  "secretmanager.googleapis.com", // the functions' secrets
  "cloudscheduler.googleapis.com", // the reconciler's schedule
  "storage.googleapis.com", // the functions' source bucket
  "monitoring.googleapis.com", // alerts, uptime checks, dashboards, channels
  "logging.googleapis.com", // the _Default log bucket's retention
  "billingbudgets.googleapis.com", // the budget (called with this project as the quota project)
  "gkehub.googleapis.com", // the cluster's fleet membership and the Config Sync feature
  "anthosconfigmanagement.googleapis.com", // Config Sync (the configmanagement feature's backend)
] as const;
export type GcpApi = (typeof GCP_APIS)[number];

export interface GcpProjectServicesArgs {
  project: string;
}

/**
 * Every API in GCP_APIS enabled in the project. Destroying the stack leaves
 * them enabled (disableOnDestroy: false): disabling an API other projects'
 * tooling or a later stack uses is never what tearing down an environment means.
 */
export class GcpProjectServices extends pulumi.ComponentResource {
  readonly services: Readonly<Record<GcpApi, gcp.projects.Service>>;

  constructor(name: string, args: GcpProjectServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:gcp:ProjectServices", name, {}, opts);
    const services = {} as Record<GcpApi, gcp.projects.Service>;
    for (const api of GCP_APIS) {
      services[api] = new gcp.projects.Service(
        `${name}-${api.split(".")[0]}`,
        {
          project: args.project,
          service: api,
          disableOnDestroy: false,
          disableDependentServices: false,
        },
        { parent: this },
      );
    }
    this.services = services;
    this.registerOutputs({ services: GCP_APIS });
  }

  /** The Service resources of these APIs, for a resource's dependsOn. */
  of(...apis: GcpApi[]): gcp.projects.Service[] {
    return apis.map((a) => this.services[a]);
  }
}
