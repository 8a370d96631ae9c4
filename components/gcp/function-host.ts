import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { HOST_ENV } from "../../functions/adapters/env";
import { functionBundle } from "../shared/bundle";
import { baseUrlOf, databaseUrl, hostnameOf } from "../shared/function-urls";
import type { GcpProjectServices } from "./services";
import {
  ADMIN_USERNAME,
  DATABASE_NAME,
  FUNCTION_POOL_MAX,
  POSTGRES_PORT,
  functionSchema,
  type FunctionHost,
  type FunctionHostBaseArgs,
} from "../shared/platform";

export interface GcpFunctionHostArgs extends FunctionHostBaseArgs {
  project: string;
  region: string;
  /** The VPC's and the subnet's short names: Direct VPC egress takes names, not resource ids. */
  networkName: pulumi.Input<string>;
  subnetworkName: pulumi.Input<string>;
  /** The project's enabled APIs; every resource here waits for the ones it calls. */
  apis: GcpProjectServices;
  database: {
    /** Cloud SQL's private IP. */
    host: pulumi.Input<string>;
    adminPassword: pulumi.Input<string>;
    /** The instance's server CA: the function verifies the server against it. */
    serverCaCert: pulumi.Input<string>;
  };
}

/**
 * Roles Google lists for a user-specified service account that builds functions
 * (https://cloud.google.com/run/docs/configuring/services/build-service-account): write build logs,
 * push the built image, and Storage Object Admin "for retrieving the function source from the
 * Cloud Storage bucket". Google keeps deployed function code in a source bucket of its own
 * (gcf-v2-sources-<number>-<region>, https://cloud.google.com/functions/docs/building), so a
 * grant on the program's bucket alone (as before) may not reach what the build reads.
 */
export const GCP_BUILD_PROJECT_ROLES = [
  "roles/logging.logWriter",
  "roles/artifactregistry.writer",
  "roles/storage.objectAdmin",
] as const;

/** The public function's name; peers are given its cloudfunctions.net URL before it exists. */
export const gcpFunctionName = (environment: string) => `tricloud-${environment}-api`;
/** https://<region>-<project>.cloudfunctions.net/<name>: fixed by name, so peers can be told it up front. */
export const gcpFunctionUrl = (project: string, region: string, environment: string) =>
  `https://${region}-${project}.cloudfunctions.net/${gcpFunctionName(environment)}`;

/**
 * The health/quorum function on GCP: Cloud Functions 2nd gen with a dedicated service
 * account that may read exactly its two Secret Manager secrets, direct VPC egress for
 * private ranges only (Cloud SQL's private IP), a public "api" function as the
 * Cloudflare origin, and a private "reconcile" function that Cloud Scheduler calls
 * with an OIDC token of its own service account.
 */
export class GcpFunctionHost extends pulumi.ComponentResource implements FunctionHost {
  readonly cloud = "gcp" as const;
  readonly hostname: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  readonly bundle: { readonly bytes: number; readonly sha256: string };

  constructor(name: string, args: GcpFunctionHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:gcp:FunctionHost", name, {}, opts);
    const { project, region, apis } = args;
    const on = (...names: Parameters<GcpProjectServices["of"]>) => ({ parent: this, dependsOn: apis.of(...names) });
    const labels = { ...args.tags };
    const env = args.environment;
    const bundle = functionBundle("gcp-functions");

    const runtimeSa = new gcp.serviceaccount.Account(
      `${name}-sa`,
      { project, accountId: `tricloud-${env}-fn`, displayName: "tricloud quorum function" },
      on("iam.googleapis.com"),
    );
    const schedulerSa = new gcp.serviceaccount.Account(
      `${name}-scheduler-sa`,
      { project, accountId: `tricloud-${env}-fn-sched`, displayName: "tricloud reconciler schedule (invoker only)" },
      on("iam.googleapis.com"),
    );
    // Builds run as their own account: projects created since mid-2024 give the Compute default
    // account (the builds' default) no rights (https://cloud.google.com/build/docs/cloud-build-service-account-updates).
    const buildSa = new gcp.serviceaccount.Account(
      `${name}-build-sa`,
      { project, accountId: `tricloud-${env}-fn-build`, displayName: "tricloud function builds" },
      on("iam.googleapis.com"),
    );
    const buildMember = pulumi.interpolate`serviceAccount:${buildSa.email}`;
    const buildGrants: pulumi.Resource[] = GCP_BUILD_PROJECT_ROLES.map(
      (role) =>
        new gcp.projects.IAMMember(
          `${name}-build-${role.split("/")[1]!.replace(/\./g, "-").toLowerCase()}`,
          { project, role, member: buildMember },
          on("cloudresourcemanager.googleapis.com"),
        ),
    );

    const runtimeMember = pulumi.interpolate`serviceAccount:${runtimeSa.email}`;
    const secretOpts = on("secretmanager.googleapis.com");
    // Deploying a revision checks that its account may read each referenced secret: the functions wait for these grants.
    const accessors: pulumi.Resource[] = [];
    const secret = (id: string, value: pulumi.Input<string>) => {
      const s = new gcp.secretmanager.Secret(
        `${name}-${id}`,
        { project, secretId: `tricloud-${env}-${id}`, replication: { auto: {} }, labels },
        secretOpts,
      );
      const v = new gcp.secretmanager.SecretVersion(
        `${name}-${id}`,
        { secret: s.id, secretData: pulumi.secret(value) },
        secretOpts,
      );
      accessors.push(
        new gcp.secretmanager.SecretIamMember(
          `${name}-${id}-accessor`,
          {
            project,
            secretId: s.secretId,
            role: "roles/secretmanager.secretAccessor",
            member: runtimeMember,
          },
          secretOpts,
        ),
      );
      return { secretId: s.secretId, version: v.version };
    };
    const key = secret("signing-key", args.privateKeyPem);
    const db = secret(
      "database-url",
      databaseUrl({
        host: args.database.host,
        port: POSTGRES_PORT,
        database: DATABASE_NAME,
        user: ADMIN_USERNAME,
        password: args.database.adminPassword,
        // The server certificate names the instance, not its IP: verify the chain against the instance's CA.
        params: { uselibpqcompat: "true", sslmode: "verify-ca" },
      }),
    );

    const bucket = new gcp.storage.Bucket(
      `${name}-source`,
      {
        project,
        location: region,
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        forceDestroy: true,
        labels,
      },
      on("storage.googleapis.com"),
    );
    // Content-addressed: a new bundle is a new object, which redeploys the functions.
    const source = new gcp.storage.BucketObject(
      `${name}-source`,
      {
        bucket: bucket.name,
        name: `tricloud-gcp-functions-${bundle.sha256.slice(0, 16)}.zip`,
        source: bundle.archive(),
      },
      on("storage.googleapis.com"),
    );

    const common = {
      project,
      location: region,
      labels,
    };
    const serviceConfig = (entryMaxInstances: number) => ({
      maxInstanceCount: entryMaxInstances,
      minInstanceCount: 0,
      availableMemory: `${args.memoryMb}Mi`,
      timeoutSeconds: 60,
      serviceAccountEmail: runtimeSa.email,
      allTrafficOnLatestRevision: true,
      // Private ranges (Cloud SQL) through the VPC; peers over the internet directly.
      // Names, as the Cloud Functions API documents DirectVpcNetworkInterface's network and subnetwork.
      directVpcNetworkInterfaces: [{ network: args.networkName, subnetwork: args.subnetworkName }],
      directVpcEgress: "VPC_EGRESS_PRIVATE_RANGES_ONLY",
      environmentVariables: {
        [HOST_ENV.cloud]: "gcp",
        [HOST_ENV.region]: region,
        [HOST_ENV.peers]: pulumi.jsonStringify(args.peerUrls),
        [HOST_ENV.publicKeys]: args.publicKeysJson,
        [HOST_ENV.schema]: functionSchema("gcp"),
        [HOST_ENV.poolMax]: String(FUNCTION_POOL_MAX),
        [HOST_ENV.databaseCaCert]: args.database.serverCaCert,
        ...(args.corsOrigins?.length ? { [HOST_ENV.corsOrigins]: JSON.stringify(args.corsOrigins) } : {}),
        // Express's error pages then carry no stack traces.
        NODE_ENV: "production",
      },
      // Pinned versions: rotating a secret is a new version and a new revision, never a silent change.
      secretEnvironmentVariables: [
        { key: HOST_ENV.privateKey, projectId: project, secret: key.secretId, version: key.version },
        { key: HOST_ENV.databaseUrl, projectId: project, secret: db.secretId, version: db.version },
      ],
    });
    const buildConfig = (entryPoint: string) => ({
      runtime: "nodejs22",
      entryPoint,
      source: { storageSource: { bucket: bucket.name, object: source.name } },
      // The API takes the account's full resource name.
      serviceAccount: pulumi.interpolate`projects/${project}/serviceAccounts/${buildSa.email}`,
    });
    const functionOpts = {
      parent: this,
      dependsOn: [
        ...apis.of(
          "cloudfunctions.googleapis.com",
          "run.googleapis.com",
          "cloudbuild.googleapis.com",
          "artifactregistry.googleapis.com",
        ),
        ...accessors,
        ...buildGrants,
      ],
    };

    const api = new gcp.cloudfunctionsv2.Function(
      `${name}-api`,
      {
        ...common,
        name: gcpFunctionName(env),
        description: "tricloud health/quorum node (gcp)",
        buildConfig: buildConfig("api"),
        serviceConfig: { ...serviceConfig(args.maxInstances), ingressSettings: "ALLOW_ALL" },
      },
      functionOpts,
    );
    // The public origin behind Cloudflare, as the Lambda Function URL and the Function App are.
    new gcp.cloudrunv2.ServiceIamMember(
      `${name}-api-public`,
      { project, location: region, name: api.name, role: "roles/run.invoker", member: "allUsers" },
      on("run.googleapis.com"),
    );
    // Direct VPC egress: "To authorize Direct VPC egress, ask your administrator to grant the Cloud Run Invoker
    // (roles/run.invoker) role to your function's service account"
    // (https://cloud.google.com/functions/docs/running/direct-vpc, "Set up IAM permissions"). The page names no
    // scope; the narrowest that holds the role is the function's own Cloud Run service (named as the function), not
    // the project, which would let the account invoke every service in it. A grant on the service can only be created
    // after the function that creates the service, so the function cannot wait for it (the page does not say that
    // deploying checks it); what starts calls through the VPC path waits for it instead (the reconciler's schedule).
    const egressGrant = (id: string, fn: gcp.cloudfunctionsv2.Function) =>
      new gcp.cloudrunv2.ServiceIamMember(
        `${name}-${id}-egress`,
        { project, location: region, name: fn.name, role: "roles/run.invoker", member: runtimeMember },
        on("run.googleapis.com"),
      );
    egressGrant("api", api);

    const reconcile = new gcp.cloudfunctionsv2.Function(
      `${name}-reconcile`,
      {
        ...common,
        name: `tricloud-${env}-reconcile`,
        description: "tricloud reconciler pass (gcp), called by Cloud Scheduler",
        buildConfig: buildConfig("reconcile"),
        // One pass at a time is enough; only the scheduler's identity may invoke it.
        serviceConfig: { ...serviceConfig(1), ingressSettings: "ALLOW_ALL" },
      },
      functionOpts,
    );
    const reconcileEgress = egressGrant("reconcile", reconcile);
    const reconcileInvoker = new gcp.cloudrunv2.ServiceIamMember(
      `${name}-reconcile-invoker`,
      {
        project,
        location: region,
        name: reconcile.name,
        role: "roles/run.invoker",
        member: pulumi.interpolate`serviceAccount:${schedulerSa.email}`,
      },
      on("run.googleapis.com"),
    );
    // The Cloud Run URI (https://<service>-<hash>-<region code>.a.run.app), the URL Cloud Run checks an OIDC audience against.
    const reconcileUri = runUri(reconcile);
    new gcp.cloudscheduler.Job(
      `${name}-reconcile`,
      {
        project,
        region,
        description: "Runs the quorum reconciler",
        schedule: `*/${args.reconcileEveryMinutes} * * * *`,
        timeZone: "Etc/UTC",
        attemptDeadline: "120s",
        retryConfig: { retryCount: 0 },
        httpTarget: {
          uri: reconcileUri,
          httpMethod: "POST",
          oidcToken: { serviceAccountEmail: schedulerSa.email, audience: reconcileUri },
        },
      },
      // Runs start once the invoker grant exists: before it, each run is a 403, recorded as failed and not retried.
      // And once the reconciler's egress grant exists: each run reaches Cloud SQL through the VPC.
      { parent: this, dependsOn: [...apis.of("cloudscheduler.googleapis.com"), reconcileInvoker, reconcileEgress] },
    );

    // The origin is the run.app host: `url` (https://<region>-<project>.cloudfunctions.net/<name>) needs
    // its path, and a load-balancer origin is a bare host, probed on /health.
    const apiUri = runUri(api);
    this.url = baseUrlOf(apiUri);
    this.hostname = hostnameOf(apiUri);
    this.serviceName = api.name;
    this.bundle = { bytes: bundle.bytes, sha256: bundle.sha256 };
    this.registerOutputs({ hostname: this.hostname, url: this.url, serviceName: this.serviceName });
  }
}

/** A 2nd gen function's Cloud Run URI (`serviceConfig.uri`); fails loudly when the API gave none. */
export function runUri(fn: gcp.cloudfunctionsv2.Function): pulumi.Output<string> {
  return fn.serviceConfig.apply((c) => {
    if (!c?.uri) throw new Error("Cloud Functions returned no serviceConfig.uri for a 2nd gen function");
    return c.uri;
  });
}
