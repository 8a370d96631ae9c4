import { beforeAll, describe, expect, it } from "vitest";
import type { PlanReport, PlannedResource } from "../../cli/plan/report";
import { LAMBDA_VPC_ACTIONS } from "../../components/aws/function-host";
import { ROLES } from "../../components/azure/function-host";
import { functionBundle } from "../../components/shared/bundle";
import { HOST_ENV, RECONCILE_EVENT } from "../../functions/adapters/env";
import { input, ofType, oneOfType, planStack } from "../helpers/plan";
import { mockId, mockState } from "../helpers/platform";

/** The function hosts as `tricloud plan` sees them under mocks, in dev and prod. */
let dev: PlanReport;
let prod: PlanReport;
beforeAll(async () => {
  [dev, prod] = await Promise.all([planStack("dev"), planStack("prod")]);
});

const env = (r: PlannedResource) => input(r, "environment.variables") as Record<string, string>;
/** A Function App's settings: Flex Consumption takes them from their own resource (no siteConfig on the app). */
const settings = (app: PlannedResource, report: PlanReport = dev) => {
  const own = ofType(report, "azure-native:web:WebAppApplicationSettings").filter(
    (r) => r.inputs.name === app.inputs.name,
  );
  expect(own).toHaveLength(1);
  return own[0]!.inputs.properties as Record<string, string>;
};

describe("keys and secrets", () => {
  it("generates three Ed25519 keys with @pulumi/tls", () => {
    // The mesh CA's RSA keys are its own (test/components/mesh.test.ts).
    const keys = ofType(dev, "tls:index/privateKey:PrivateKey").filter((k) => k.name.startsWith("dev-quorum-keys"));
    expect(keys.map((k) => k.name).sort()).toEqual([
      "dev-quorum-keys-aws",
      "dev-quorum-keys-azure",
      "dev-quorum-keys-gcp",
    ]);
    for (const k of keys) expect(k.inputs.algorithm).toBe("ED25519");
  });

  it.each(["dev", "prod"])("%s: no private key text or database password anywhere in the report", (stack) => {
    const report = stack === "dev" ? dev : prod;
    const text = JSON.stringify(report);
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).not.toMatch(/mock-password-/);
    expect(text).not.toMatch(/postgresql:\/\//);
  });

  it("puts each private key and database URL in its own cloud's secret store, as secret inputs", () => {
    const secretInputs = (type: string) => ofType(dev, type).map((r) => [r.name, r.secretInputs]);
    expect(secretInputs("aws:secretsmanager/secretVersion:SecretVersion")).toEqual([
      ["dev-aws-fn-database-url", ["secretString"]],
      ["dev-aws-fn-signing-key", ["secretString"]],
      ["dev-aws-gitops-cacerts", ["secretString"]],
    ]);
    // And each cluster's mesh CA.
    expect(secretInputs("azure-native:keyvault:Secret")).toEqual([
      ["dev-azure-fn-database-url", ["properties"]],
      ["dev-azure-fn-signing-key", ["properties"]],
      ["dev-azure-gitops-cacerts", ["properties"]],
    ]);
    expect(secretInputs("gcp:secretmanager/secretVersion:SecretVersion")).toEqual([
      ["dev-gcp-fn-database-url", ["secretData"]],
      ["dev-gcp-fn-signing-key", ["secretData"]],
      ["dev-gcp-gitops-cacerts", ["secretData"]],
    ]);
  });

  it("gives every function all three public keys and its two peers' URLs, and nothing secret in its environment", () => {
    const lambda = oneOfType(dev, "aws:lambda/function:Function");
    const app = oneOfType(dev, "azure-native:web:WebApp");
    const fn = oneOfType(dev, "gcp:cloudfunctionsv2/function:Function", "-api");
    const variables = {
      aws: env(lambda),
      azure: settings(app),
      gcp: input(fn, "serviceConfig.environmentVariables") as Record<string, string>,
    };
    const publicKeys = dev.outputs.functions as { publicKeys: Record<string, string> };
    for (const [cloud, vars] of Object.entries(variables)) {
      expect(JSON.parse(vars[HOST_ENV.publicKeys]!)).toEqual(publicKeys.publicKeys);
      expect(Object.keys(JSON.parse(vars[HOST_ENV.peers]!)).sort()).toEqual(
        ["aws", "azure", "gcp"].filter((c) => c !== cloud),
      );
      expect(vars[HOST_ENV.cloud]).toBe(cloud);
      expect(vars[HOST_ENV.poolMax]).toBe("2");
      // The frontend on www.<domain> calls the API from the browser: every host answers CORS for it, and only it.
      expect(JSON.parse(vars[HOST_ENV.corsOrigins]!), cloud).toEqual(["https://www.tricloud-dev.example"]);
    }
    for (const r of [lambda, app, fn]) expect(r.secretInputs).toEqual([]);
    // Peers reach each other where the edge does: AWS's Function URL, Azure's and GCP's predicted URLs match what they get.
    const awsUrl = `https://${(dev.outputs.functions as { aws: { hostname: string } }).aws.hostname}`;
    expect(JSON.parse(variables.azure[HOST_ENV.peers]!).aws).toBe(awsUrl);
    expect(JSON.parse(variables.gcp[HOST_ENV.peers]!).aws).toBe(awsUrl);
    expect(JSON.parse(variables.aws[HOST_ENV.peers]!).azure).toBe(`https://${mockState("dev", app).defaultHostName}`);
    expect(JSON.parse(variables.aws[HOST_ENV.peers]!).gcp).toBe(
      `https://us-central1-tricloud-dev.cloudfunctions.net/${fn.inputs.name}`,
    );
  });
});

describe("AWS: Lambda", () => {
  it("runs Node 24 on arm64 in the private subnets, from the bundle, with the RDS CA bundle it ships loaded", () => {
    const fn = oneOfType(dev, "aws:lambda/function:Function");
    expect(fn.inputs).toMatchObject({
      runtime: "nodejs24.x",
      architectures: ["arm64"],
      handler: "index.handler",
      memorySize: 512,
      reservedConcurrentExecutions: 20,
    });
    const privateSubnets = ofType(dev, "aws:ec2/subnet:Subnet")
      .filter((s) => s.name.includes("-private-"))
      .map((s) => mockId("dev", s));
    expect((input(fn, "vpcConfig.subnetIds") as string[]).sort()).toEqual(privateSubnets.sort());
    expect(input(fn, "vpcConfig.securityGroupIds")).toEqual([
      mockId("dev", oneOfType(dev, "aws:ec2/securityGroup:SecurityGroup", "dev-aws-fn-sg")),
    ]);
    expect(fn.inputs.code).toMatchObject({
      kind: "archive",
      sha256: functionBundle("aws-lambda").sha256,
      files: [{ name: "index.js" }, { name: "rds-ca-bundle.pem" }],
    });
    expect(env(fn).NODE_EXTRA_CA_CERTS).toBe("/var/task/rds-ca-bundle.pem");
    expect(Object.keys(env(fn)).sort()).toEqual(
      [
        HOST_ENV.databaseUrlSecretArn,
        "NODE_EXTRA_CA_CERTS",
        HOST_ENV.cloud,
        HOST_ENV.poolMax,
        HOST_ENV.schema,
        HOST_ENV.peers,
        HOST_ENV.privateKeySecretArn,
        HOST_ENV.publicKeys,
        HOST_ENV.region,
        HOST_ENV.corsOrigins,
      ].sort(),
    );
  });

  it("lets its role do exactly: write its own log group, read its two secrets, manage its ENIs", () => {
    const policy = JSON.parse(
      oneOfType(dev, "aws:iam/rolePolicy:RolePolicy", "dev-aws-fn-policy").inputs.policy as string,
    ) as { Statement: { Action: string[]; Resource: string | string[] }[] };
    const logGroup = mockState("dev", oneOfType(dev, "aws:cloudwatch/logGroup:LogGroup", "dev-aws-fn-logs"));
    const arn = (name: string) => mockState("dev", oneOfType(dev, "aws:secretsmanager/secret:Secret", name)).arn;
    const secrets = [arn("dev-aws-fn-signing-key"), arn("dev-aws-fn-database-url")];
    expect(policy.Statement.map((s) => [s.Action, s.Resource])).toEqual([
      [["logs:CreateLogStream", "logs:PutLogEvents"], [`${logGroup.arn}:*`]],
      [["secretsmanager:GetSecretValue"], secrets],
      [[...LAMBDA_VPC_ACTIONS], "*"],
    ]);
    expect(policy.Statement.flatMap((s) => s.Action).some((a) => a.includes("*"))).toBe(false);
    expect(
      ofType(dev, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((r) => r.name.startsWith("dev-aws-fn")),
    ).toEqual([]);
  });

  it("is public only through its Function URL, and runs the reconciler on an EventBridge schedule", () => {
    expect(oneOfType(dev, "aws:lambda/functionUrl:FunctionUrl").inputs.authorizationType).toBe("NONE");
    const perms = ofType(dev, "aws:lambda/permission:Permission").map((p) => [p.inputs.action, p.inputs.principal]);
    expect(perms.sort()).toEqual(
      [
        ["lambda:InvokeFunction", "*"],
        ["lambda:InvokeFunction", "events.amazonaws.com"],
        ["lambda:InvokeFunctionUrl", "*"],
      ].sort(),
    );
    expect(oneOfType(dev, "aws:cloudwatch/eventRule:EventRule", "dev-aws-fn").inputs.scheduleExpression).toBe(
      "rate(1 minute)",
    );
    expect(
      JSON.parse(oneOfType(dev, "aws:cloudwatch/eventTarget:EventTarget", "dev-aws-fn").inputs.input as string),
    ).toEqual(RECONCILE_EVENT);
  });

  it("reaches RDS directly in dev and through RDS Proxy (TLS required) in prod", () => {
    const dbSg = (r: PlanReport, stack: string) =>
      mockId(stack, oneOfType(r, "aws:ec2/securityGroup:SecurityGroup", "aws-db-sg"));
    const devIngress = oneOfType(
      dev,
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      "dev-aws-fn-db-from-fn",
    );
    expect(devIngress.inputs).toMatchObject({
      securityGroupId: dbSg(dev, "dev"),
      referencedSecurityGroupId: mockId("dev", oneOfType(dev, "aws:ec2/securityGroup:SecurityGroup", "dev-aws-fn-sg")),
      fromPort: 5432,
      toPort: 5432,
    });
    expect(ofType(dev, "aws:rds/proxy:Proxy")).toEqual([]);
    const proxy = oneOfType(prod, "aws:rds/proxy:Proxy");
    expect(proxy.inputs).toMatchObject({ engineFamily: "POSTGRESQL", requireTls: true });
    const proxySg = mockId("prod", oneOfType(prod, "aws:ec2/securityGroup:SecurityGroup", "prod-aws-fn-proxy-sg"));
    expect(
      oneOfType(prod, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "prod-aws-fn-db-from-proxy").inputs,
    ).toMatchObject({ securityGroupId: dbSg(prod, "prod"), referencedSecurityGroupId: proxySg });
    expect(
      ofType(prod, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
        (r) => r.name === "prod-aws-fn-db-from-fn",
      ),
    ).toEqual([]);
    // RDS Proxy refuses a startup packet's options: the function is told it is behind one (and dev is not).
    expect(env(oneOfType(prod, "aws:lambda/function:Function"))[HOST_ENV.dbPooler]).toBe("rds-proxy");
    expect(env(oneOfType(dev, "aws:lambda/function:Function"))[HOST_ENV.dbPooler]).toBeUndefined();
  });

  it("starts after its secrets hold their values and, in prod, after the proxy has its target", () => {
    const waits = (r: PlanReport) =>
      oneOfType(r, "aws:lambda/function:Function").dependencies!.map((u) => u.split("::").pop());
    expect(waits(dev)).toEqual(
      expect.arrayContaining(["dev-aws-fn-signing-key", "dev-aws-fn-database-url", "dev-aws-fn-policy"]),
    );
    expect(waits(prod)).toEqual(
      expect.arrayContaining(["prod-aws-fn-signing-key", "prod-aws-fn-database-url", "prod-aws-fn-proxy-target"]),
    );
    // The names are the SecretVersions' (the Secrets share them): the function waits for the values, not only the ARNs.
    const versions = ofType(prod, "aws:secretsmanager/secretVersion:SecretVersion").map((v) => v.urn);
    const deps = oneOfType(prod, "aws:lambda/function:Function").dependencies!;
    expect(versions.filter((v) => deps.includes(v) && /fn-(signing-key|database-url)$/.test(v))).toHaveLength(2);
  });
});

describe("Azure: Flex Consumption Function App", () => {
  it("runs on FC1 from its own storage, in the functions subnet, as its identity", () => {
    expect(oneOfType(dev, "azure-native:web:AppServicePlan").inputs.sku).toEqual({
      name: "FC1",
      tier: "FlexConsumption",
    });
    const app = oneOfType(dev, "azure-native:web:WebApp");
    const identity = mockId(
      "dev",
      oneOfType(dev, "azure-native:managedidentity:UserAssignedIdentity", "dev-azure-fn-id"),
    );
    expect(app.inputs.virtualNetworkSubnetId).toBe(
      mockId("dev", oneOfType(dev, "azure-native:network:Subnet", "functions")),
    );
    expect(app.inputs.keyVaultReferenceIdentity).toBe(identity);
    expect(input(app, "functionAppConfig.runtime")).toEqual({ name: "node", version: "22" });
    expect(input(app, "functionAppConfig.deployment.storage.authentication")).toEqual({
      type: "UserAssignedIdentity",
      userAssignedIdentityResourceId: identity,
    });
    expect(app.inputs.siteConfig).toBeUndefined();
    // Flex Consumption keeps the deployed packages in this container, which exists before the app.
    const container = oneOfType(dev, "azure-native:storage:BlobContainer", "dev-azure-fn-deployments");
    expect(input(app, "functionAppConfig.deployment.storage")).toMatchObject({
      type: "blobContainer",
      value: expect.stringMatching(/^https:\/\/[a-z0-9]+\.blob\.core\.windows\.net\/deployments$/),
    });
    expect(app.dependencies).toContain(container.urn);
    expect(oneOfType(dev, "azure-native:storage:StorageAccount", "dev-azure-fn").inputs).toMatchObject({
      allowSharedKeyAccess: false,
      allowBlobPublicAccess: false,
    });
  });

  it.each(["dev", "prod"])(
    "%s: deploys the bundle with `az functionapp deployment source config-zip` after the app settings, with no ARM one deploy",
    (stack) => {
      const report = stack === "dev" ? dev : prod;
      const app = oneOfType(report, "azure-native:web:WebApp");
      // The CLI posts the zip to the app's one deploy endpoint with the deployer's Entra sign-in, and the platform
      // stores it with the app's identity: no blob written by the program (storage.Blob writes with the account key),
      // no ARM one deploy handed an unsigned URL of a private blob, no data role on the account for the deployer.
      expect(ofType(report, "azure-native:storage:Blob")).toEqual([]);
      expect(ofType(report, "azure-native:resources:Deployment")).toEqual([]);
      const deployerRoles = ofType(report, "azure-native:authorization:RoleAssignment").filter((r) =>
        r.name.includes("-azure-fn-deployer-"),
      );
      expect(deployerRoles.map((r) => r.name)).toEqual([`${stack}-azure-fn-deployer-secrets`]);

      const sha = functionBundle("azure-functions").sha256;
      const deploy = oneOfType(report, "command:local:Command", `${stack}-azure-fn-deploy`);
      const rg = mockState(stack, oneOfType(report, "azure-native:resources:ResourceGroup")).name;
      expect(deploy.inputs.environment).toMatchObject({ RESOURCE_GROUP: rg, APP: app.inputs.name });
      expect(String(input(deploy, "environment.FILE"))).toMatch(new RegExp(`azure-functions-${sha}\\.zip$`));
      // Replaced (and so deployed again) exactly when the target or the content changes.
      expect(deploy.inputs.triggers).toEqual([rg, app.inputs.name, sha]);
      expect(deploy.inputs.create).toContain("az functionapp deployment source config-zip");
      expect(deploy.inputs.update).toBe(deploy.inputs.create);
      // After the settings (the deploy restarts the app, which resolves the Key Vault references again), the app
      // identity's grant on the deployment storage and the container the platform writes the package to.
      const storageOwner = oneOfType(
        report,
        "azure-native:authorization:RoleAssignment",
        `${stack}-azure-fn-storage-owner`,
      );
      expect(storageOwner.inputs.roleDefinitionId).toMatch(new RegExp(`${ROLES.storageBlobDataOwner}$`));
      const before = [
        oneOfType(report, "azure-native:web:WebAppApplicationSettings"),
        storageOwner,
        oneOfType(report, "azure-native:storage:BlobContainer", `${stack}-azure-fn-deployments`),
      ];
      for (const r of before) expect(deploy.dependencies).toContain(r.urn);
    },
  );

  it("reads its secrets through Key Vault references, with Key Vault Secrets User on exactly those secrets", () => {
    const s = settings(oneOfType(dev, "azure-native:web:WebApp"));
    for (const [name, secret] of [
      [HOST_ENV.privateKey, "signing-key"],
      [HOST_ENV.databaseUrl, "database-url"],
    ] as const) {
      expect(s[name]).toMatch(
        new RegExp(
          `^@Microsoft\\.KeyVault\\(SecretUri=https://[a-z0-9-]+\\.vault\\.azure\\.net/secrets/${secret}/\\)$`,
        ),
      );
    }
    expect(s[HOST_ENV.reconcileSchedule]).toBe("0 */1 * * * *");
    // The function host's own grants (the mesh's External Secrets identity has its own, on its own secret).
    const readers = ofType(dev, "azure-native:authorization:RoleAssignment").filter(
      (r) => String(r.inputs.roleDefinitionId).endsWith(ROLES.keyVaultSecretsUser) && r.name.includes("-fn-"),
    );
    const secretIds = ofType(dev, "azure-native:keyvault:Secret")
      .filter((r) => r.name.includes("-fn-"))
      .map((r) => mockId("dev", r));
    expect(readers.map((r) => r.inputs.scope).sort()).toEqual(secretIds.sort());
    const principal = mockState(
      "dev",
      oneOfType(dev, "azure-native:managedidentity:UserAssignedIdentity", "dev-azure-fn-id"),
    ).principalId;
    for (const r of readers) expect(r.inputs.principalId).toBe(principal);
    // The settings carrying the references are written only after both grants.
    const appSettings = oneOfType(dev, "azure-native:web:WebAppApplicationSettings");
    for (const r of readers) expect(appSettings.dependencies).toContain(r.urn);
  });

  it("reports to its own workspace-based Application Insights, which its error and p99 alerts query", () => {
    const insights = oneOfType(dev, "azure-native:applicationinsights:Component", "dev-azure-fn-insights");
    const workspace = oneOfType(dev, "azure-native:operationalinsights:Workspace", "dev-azure-fn-telemetry");
    expect(insights.inputs).toMatchObject({
      workspaceResourceId: mockId("dev", workspace),
      ingestionMode: "LogAnalytics",
    });
    const connection = settings(oneOfType(dev, "azure-native:web:WebApp")).APPLICATIONINSIGHTS_CONNECTION_STRING;
    expect(connection).toMatch(/^InstrumentationKey=/);
    expect(connection).toBe(mockState("dev", insights).connectionString);
    const alerts = ofType(dev, "azure-native:monitor:ScheduledQueryRule").filter((r) =>
      /-fn-quorum-(errors|p99)$/.test(r.name),
    );
    expect(alerts).toHaveLength(2);
    for (const a of alerts) expect(a.inputs.scopes).toEqual([mockId("dev", insights)]);
  });

  it("enables the Flexible Server's PgBouncer where Azure offers it (General Purpose in prod, not Burstable in dev)", () => {
    expect(oneOfType(prod, "azure-native:dbforpostgresql:Configuration", "pgbouncer").inputs).toMatchObject({
      configurationName: "pgbouncer.enabled",
      value: "true",
    });
    expect(
      ofType(dev, "azure-native:dbforpostgresql:Configuration").filter((r) => r.name.includes("pgbouncer")),
    ).toEqual([]);
    // PgBouncer refuses the runtime's startup options and its transaction pooling keeps no named
    // statement: the prod app is told it is behind one, dev (port 5432) is not.
    expect(settings(oneOfType(prod, "azure-native:web:WebApp"), prod)[HOST_ENV.dbPooler]).toBe("pgbouncer");
    expect(settings(oneOfType(dev, "azure-native:web:WebApp"))[HOST_ENV.dbPooler]).toBeUndefined();
  });
});

describe("GCP: Cloud Functions 2nd gen", () => {
  it("runs as its own service account with pinned Secret Manager versions and private-range egress into the VPC", () => {
    const fn = oneOfType(dev, "gcp:cloudfunctionsv2/function:Function", "-api");
    const sa = mockState("dev", oneOfType(dev, "gcp:serviceaccount/account:Account", "dev-gcp-fn-sa"));
    expect(input(fn, "serviceConfig.serviceAccountEmail")).toBe(sa.email);
    expect(input(fn, "serviceConfig.directVpcEgress")).toBe("VPC_EGRESS_PRIVATE_RANGES_ONLY");
    // Names, as the Cloud Functions API documents DirectVpcNetworkInterface (not resource ids).
    expect(input(fn, "serviceConfig.directVpcNetworkInterfaces")).toEqual([
      {
        network: mockState("dev", oneOfType(dev, "gcp:compute/network:Network")).name,
        subnetwork: mockState("dev", oneOfType(dev, "gcp:compute/subnetwork:Subnetwork")).name,
      },
    ]);
    expect(input(fn, "serviceConfig.secretEnvironmentVariables")).toEqual([
      { key: HOST_ENV.privateKey, projectId: "tricloud-dev", secret: "tricloud-dev-signing-key", version: "1" },
      { key: HOST_ENV.databaseUrl, projectId: "tricloud-dev", secret: "tricloud-dev-database-url", version: "1" },
    ]);
    const build = mockState("dev", oneOfType(dev, "gcp:serviceaccount/account:Account", "build-sa"));
    expect(input(fn, "buildConfig")).toMatchObject({
      runtime: "nodejs22",
      entryPoint: "api",
      serviceAccount: `projects/tricloud-dev/serviceAccounts/${build.email}`,
    });
    expect(String(input(fn, "serviceConfig.environmentVariables.TRICLOUD_DB_CA_CERT"))).toContain("BEGIN CERTIFICATE");
    // The frontend calls the API from the browser: the host answers CORS for www.<domain>.
    expect(JSON.parse(String(input(fn, `serviceConfig.environmentVariables.${HOST_ENV.corsOrigins}`)))).toEqual([
      "https://www.tricloud-dev.example",
    ]);
    const accessors = ofType(dev, "gcp:secretmanager/secretIamMember:SecretIamMember").filter((a) =>
      a.name.includes("-fn-"),
    );
    expect(accessors.map((a) => [a.inputs.secretId, a.inputs.role, a.inputs.member]).sort()).toEqual([
      ["tricloud-dev-database-url", "roles/secretmanager.secretAccessor", `serviceAccount:${sa.email}`],
      ["tricloud-dev-signing-key", "roles/secretmanager.secretAccessor", `serviceAccount:${sa.email}`],
    ]);
  });

  it("is public for the edge; its reconciler is invoked only by Cloud Scheduler's own account with an OIDC token", () => {
    const api = oneOfType(dev, "gcp:cloudfunctionsv2/function:Function", "-api");
    const reconcile = oneOfType(dev, "gcp:cloudfunctionsv2/function:Function", "-reconcile");
    const scheduler = mockState("dev", oneOfType(dev, "gcp:serviceaccount/account:Account", "scheduler-sa"));
    const runtime = mockState("dev", oneOfType(dev, "gcp:serviceaccount/account:Account", "dev-gcp-fn-sa"));
    const invokers = ofType(dev, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember").map((m) => [
      m.inputs.name,
      m.inputs.role,
      m.inputs.member,
    ]);
    // Besides these, each function's own account holds run.invoker on its service: Direct VPC egress asks for it.
    expect(invokers.sort()).toEqual(
      [
        [api.inputs.name, "roles/run.invoker", "allUsers"],
        [reconcile.inputs.name, "roles/run.invoker", `serviceAccount:${scheduler.email}`],
        [api.inputs.name, "roles/run.invoker", `serviceAccount:${runtime.email}`],
        [reconcile.inputs.name, "roles/run.invoker", `serviceAccount:${runtime.email}`],
      ].sort(),
    );
    const job = oneOfType(dev, "gcp:cloudscheduler/job:Job");
    // Cloud Run checks the OIDC audience against its run.app URI, which the job also calls.
    const url = (mockState("dev", reconcile).serviceConfig as { uri: string }).uri;
    expect(url).toMatch(/^https:\/\/tricloud-dev-reconcile-[0-9a-f]+-uc\.a\.run\.app$/);
    expect(job.inputs).toMatchObject({
      schedule: "*/1 * * * *",
      httpTarget: { uri: url, httpMethod: "POST", oidcToken: { serviceAccountEmail: scheduler.email, audience: url } },
    });
    expect(input(reconcile, "buildConfig.entryPoint")).toBe("reconcile");
  });
});

describe("edge", () => {
  it.each(["dev", "prod"])(
    "%s: each Cloudflare pool's origin is its cloud's function hostname, probed on /health",
    (stack) => {
      const report = stack === "dev" ? dev : prod;
      const hosts = report.outputs.functions as Record<"aws" | "azure" | "gcp", { hostname: string }>;
      const pools = ofType(report, "cloudflare:index/loadBalancerPool:LoadBalancerPool");
      expect(pools).toHaveLength(3);
      for (const pool of pools) {
        const [origin] = pool.inputs.origins as {
          name: "aws" | "azure" | "gcp";
          address: string;
          header: { hosts: string[] };
        }[];
        expect(origin!.address).toBe(hosts[origin!.name].hostname);
        expect(origin!.header.hosts).toEqual([hosts[origin!.name].hostname]);
      }
      expect(oneOfType(report, "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor").inputs.path).toBe("/health");
    },
  );

  it("reports each deployed bundle's size and hash as stack outputs", () => {
    const out = dev.outputs.functions as Record<string, { bundle: { bytes: number; sha256: string } }>;
    expect(out.aws!.bundle).toEqual({
      bytes: functionBundle("aws-lambda").bytes,
      sha256: functionBundle("aws-lambda").sha256,
    });
    expect(out.azure!.bundle.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(out.gcp!.bundle.bytes).toBeLessThanOrEqual(1024 * 1024);
  });
});
