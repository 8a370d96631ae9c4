import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as storage from "@pulumi/azure-native/storage";
import * as web from "@pulumi/azure-native/web";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { HOST_ENV } from "../../functions/adapters/env";
import { functionBundle } from "../shared/bundle";
import { baseUrlOf, databaseUrl, nameHash } from "../shared/function-urls";
import {
  ADMIN_USERNAME,
  DATABASE_NAME,
  FUNCTION_POOL_MAX,
  functionSchema,
  type FunctionHost,
  type FunctionHostBaseArgs,
} from "../shared/platform";
import { PGBOUNCER_PORT } from "./database";
import { deployPackage, writePackage } from "./package-deploy";

export interface AzureFunctionHostArgs extends FunctionHostBaseArgs {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  /** Subnet delegated to Microsoft.App/environments (Flex Consumption VNet integration). */
  functionsSubnetId: pulumi.Input<string>;
  /** Globally unique Function App name: its default hostname is <appName>.azurewebsites.net, which peers are given up front. */
  appName: string;
  /** The kind of principal that runs `pulumi up` (its role assignments must say it; azure-native's default is User). */
  deployerPrincipalType: "ServicePrincipal" | "User" | "Group";
  database: {
    host: pulumi.Input<string>;
    /** PgBouncer's port (6432) when the server runs it, else 5432. */
    port: number;
    adminPassword: pulumi.Input<string>;
  };
}

/** Built-in role ids (the same in every tenant). */
export const ROLES = {
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  keyVaultSecretsOfficer: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
  storageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
} as const;

/** The blob container Flex Consumption keeps the deployed packages in (the platform writes them with the app's identity). */
const DEPLOYMENT_CONTAINER = "deployments";

/** A globally unique, stable Function App name for one environment of one domain. */
export const azureFunctionAppName = (environment: string, domain: string) =>
  `tricloud-${environment}-fn-${nameHash(`${domain}/${environment}`, 8)}`;

/** The host name Azure gives a Function App named `appName` (no per-app random label is requested). */
export const azureFunctionHostname = (appName: string) => `${appName}.azurewebsites.net`;

/** A Key Vault reference: the app setting names the secret (latest version), the platform resolves it. */
const kvReference = (secretUri: pulumi.Input<string>) =>
  pulumi.interpolate`@Microsoft.KeyVault(SecretUri=${secretUri})`;

/**
 * The health/quorum function on Azure: a Function App on a Flex Consumption plan
 * (zone-redundant in production), integrated into the functions subnet, running as a
 * user-assigned identity that may read exactly its two Key Vault secrets (Key Vault has no
 * Ed25519 keys, so the key is a secret) and use the storage account; an HTTP trigger for
 * every route and a timer for the reconciler. The bundle is deployed with the Azure CLI under the
 * deployer's Entra sign-in (one deploy: the platform writes it to the deployment container with the
 * app's identity, so neither an account key nor a blob URL is involved), keyed on its sha256; app
 * settings are written after the identity's Key Vault grants, so the references resolve.
 */
export class AzureFunctionHost extends pulumi.ComponentResource implements FunctionHost {
  readonly cloud = "azure" as const;
  readonly hostname: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly resourceId: pulumi.Output<string>;
  /** The app's Application Insights: where its requests land and its alerts look. */
  readonly insightsId: pulumi.Output<string>;
  readonly bundle: { readonly bytes: number; readonly sha256: string };

  constructor(name: string, args: AzureFunctionHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:azure:FunctionHost", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };
    const rg = args.resourceGroupName;
    const production = args.environment === "prod";
    const bundle = functionBundle("azure-functions");
    const client = authorization.getClientConfigOutput({ parent: this });
    const role = (id: string) =>
      pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${id}`;

    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-id`,
      { resourceGroupName: rg, location: args.location, tags },
      child,
    );

    // Storage: the deployment package and the Functions host's own state (timer locks), identity-based only.
    const account = new storage.StorageAccount(
      `${name}-st`,
      {
        resourceGroupName: rg,
        location: args.location,
        accountName: `tcfn${args.environment}${nameHash(args.appName, 8)}`.slice(0, 24),
        kind: "StorageV2",
        sku: { name: production ? "Standard_ZRS" : "Standard_LRS" },
        allowBlobPublicAccess: false,
        allowSharedKeyAccess: false,
        minimumTlsVersion: "TLS1_2",
        enableHttpsTrafficOnly: true,
        tags,
      },
      child,
    );
    const container = new storage.BlobContainer(
      `${name}-deployments`,
      { resourceGroupName: rg, accountName: account.name, containerName: DEPLOYMENT_CONTAINER, publicAccess: "None" },
      child,
    );
    const storageRole = new authorization.RoleAssignment(
      `${name}-storage-owner`,
      {
        principalId: identity.principalId,
        principalType: "ServicePrincipal",
        roleDefinitionId: role(ROLES.storageBlobDataOwner),
        scope: account.id,
        description: "Function App: deployment package and host state",
      },
      child,
    );

    // Secrets, readable by this identity only (RBAC on each secret, not the vault). A deleted vault's
    // name stays reserved for its soft-delete retention (90 days in prod, with purge protection):
    // the random suffix lets a re-created vault take a new name. 3-24 letters, digits and hyphens.
    const vaultSuffix = new random.RandomString(
      `${name}-kv-suffix`,
      { length: 6, special: false, upper: false },
      child,
    );
    const vault = new keyvault.Vault(
      `${name}-kv`,
      {
        resourceGroupName: rg,
        location: args.location,
        vaultName: pulumi.interpolate`tcfn-${args.environment}-${vaultSuffix.result}`,
        properties: {
          tenantId: client.tenantId,
          sku: { family: "A", name: "standard" },
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: production ? 90 : 7,
          ...(production ? { enablePurgeProtection: true } : {}),
        },
        tags,
      },
      child,
    );
    // The deployer (whoever runs `pulumi up`) gets the one data role its own steps need: deleting the
    // secrets on a destroy (RBAC vaults have no access policies). The package deploy needs none: the
    // platform writes it to the deployment container with the app's identity.
    const officer = new authorization.RoleAssignment(
      `${name}-deployer-secrets`,
      {
        principalId: client.objectId,
        principalType: args.deployerPrincipalType,
        roleDefinitionId: role(ROLES.keyVaultSecretsOfficer),
        scope: vault.id,
        description: "tricloud deployer manages (and on destroy deletes) the function's secrets",
      },
      child,
    );
    // azure-native deletes a secret through the vault's data plane, on this grant: each secret depends
    // on it, so a destroy deletes the secrets before the grant (else DeleteSecret answers 403).
    const secret = (id: string, value: pulumi.Input<string>) => {
      const s = new keyvault.Secret(
        `${name}-${id}`,
        {
          resourceGroupName: rg,
          vaultName: vault.name,
          secretName: id,
          properties: { value: pulumi.secret(value), contentType: "text/plain" },
          tags,
        },
        { parent: this, dependsOn: [officer] },
      );
      const grant = new authorization.RoleAssignment(
        `${name}-${id}-reader`,
        {
          principalId: identity.principalId,
          principalType: "ServicePrincipal",
          roleDefinitionId: role(ROLES.keyVaultSecretsUser),
          scope: s.id,
          description: `Function App reads ${id}`,
        },
        child,
      );
      // No version in the URI: the app follows the latest version (rotation without a deploy).
      return { uri: pulumi.interpolate`${vault.properties.vaultUri}secrets/${id}/`, grant };
    };
    const key = secret("signing-key", args.privateKeyPem);
    const db = secret(
      "database-url",
      databaseUrl({
        host: args.database.host,
        port: args.database.port,
        database: DATABASE_NAME,
        user: ADMIN_USERNAME,
        password: args.database.adminPassword,
        params: { sslmode: "verify-full" },
      }),
    );

    // Zone redundancy is fixed at creation; Flex Consumption offers it in the locations listed on
    // https://learn.microsoft.com/en-us/azure/reliability/reliability-functions (eastus among them).
    const plan = new web.AppServicePlan(
      `${name}-plan`,
      {
        resourceGroupName: rg,
        location: args.location,
        kind: "functionapp",
        reserved: true,
        sku: { name: "FC1", tier: "FlexConsumption" },
        ...(production ? { zoneRedundant: true } : {}),
        tags,
      },
      child,
    );

    // The app's own telemetry, built with the app (the platform's observability comes later and
    // alerts on this component): requests, failures and durations for the error and p99 alerts.
    const telemetryLogs = new operationalinsights.Workspace(
      `${name}-telemetry`,
      {
        resourceGroupName: rg,
        location: args.location,
        sku: { name: "PerGB2018" },
        retentionInDays: Math.min(730, Math.max(30, args.logRetentionDays)),
        tags,
      },
      child,
    );
    const insights = new applicationinsights.Component(
      `${name}-insights`,
      {
        resourceGroupName: rg,
        location: args.location,
        resourceName: `${args.appName}-insights`,
        kind: "web",
        applicationType: "web",
        workspaceResourceId: telemetryLogs.id,
        ingestionMode: "LogAnalytics",
        tags,
      },
      child,
    );

    const settings: Record<string, pulumi.Input<string>> = {
      [HOST_ENV.cloud]: "azure",
      [HOST_ENV.region]: args.location,
      [HOST_ENV.peers]: pulumi.jsonStringify(args.peerUrls),
      [HOST_ENV.publicKeys]: args.publicKeysJson,
      [HOST_ENV.schema]: functionSchema("azure"),
      [HOST_ENV.poolMax]: String(FUNCTION_POOL_MAX),
      // PgBouncer (transaction pooling) refuses the runtime's startup options and cannot keep a
      // named prepared statement: the runtime sets its session settings another way, unnamed.
      ...(args.database.port === PGBOUNCER_PORT ? { [HOST_ENV.dbPooler]: "pgbouncer" } : {}),
      [HOST_ENV.reconcileSchedule]: `0 */${args.reconcileEveryMinutes} * * * *`,
      ...(args.corsOrigins?.length ? { [HOST_ENV.corsOrigins]: JSON.stringify(args.corsOrigins) } : {}),
      [HOST_ENV.privateKey]: kvReference(key.uri),
      [HOST_ENV.databaseUrl]: kvReference(db.uri),
      // Host storage through the identity: no account key anywhere.
      AzureWebJobsStorage__accountName: account.name,
      AzureWebJobsStorage__credential: "managedidentity",
      AzureWebJobsStorage__clientId: identity.clientId,
      // Not a credential (it only lets a sender add telemetry), so a plain setting as Microsoft documents.
      APPLICATIONINSIGHTS_CONNECTION_STRING: insights.connectionString,
    };
    const app = new web.WebApp(
      `${name}-app`,
      {
        name: args.appName,
        resourceGroupName: rg,
        location: args.location,
        kind: "functionapp,linux",
        serverFarmId: plan.id,
        httpsOnly: true,
        identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
        keyVaultReferenceIdentity: identity.id,
        virtualNetworkSubnetId: args.functionsSubnetId,
        // PostgreSQL is private (VNet + private DNS); everything else leaves through the subnet's NAT.
        outboundVnetRouting: { allTraffic: true },
        functionAppConfig: {
          deployment: {
            storage: {
              type: "blobContainer",
              value: pulumi.interpolate`${account.primaryEndpoints.blob}${DEPLOYMENT_CONTAINER}`,
              authentication: { type: "UserAssignedIdentity", userAssignedIdentityResourceId: identity.id },
            },
          },
          runtime: { name: "node", version: "22" },
          scaleAndConcurrency: { maximumInstanceCount: args.maxInstances, instanceMemoryMB: args.memoryMb },
        },
        // No siteConfig: Flex Consumption refuses some of its fields (ftpsState, netFrameworkVersion), and
        // azure-native fills netFrameworkVersion whenever siteConfig is given. TLS 1.2 is the platform default.
        tags,
      },
      // Flex Consumption requires the deployment container to exist already
      // (https://learn.microsoft.com/en-us/azure/azure-functions/flex-consumption-how-to#configure-deployment-settings).
      { parent: this, dependsOn: [storageRole, container] },
    );

    // App settings on their own, after the identity may read the secrets: a Key Vault reference
    // resolved before its grant applies stays unresolved until the app restarts.
    const appSettings = new web.WebAppApplicationSettings(
      `${name}-settings`,
      {
        name: app.name,
        resourceGroupName: rg,
        properties: settings,
      },
      { parent: this, dependsOn: [key.grant, db.grant, storageRole] },
    );

    // One deploy of this bundle with the deployer's Entra sign-in (`az functionapp deployment source
    // config-zip`), redone when the sha256 changes. It runs after the settings and restarts the app,
    // which resolves the Key Vault references again; the platform writes the package to the deployment
    // container with the app's identity, hence the storage grant.
    deployPackage(
      `${name}-deploy`,
      {
        resourceGroupName: rg,
        appName: app.name,
        sha256: bundle.sha256,
        file: pulumi.output(writePackage(bundle.sha256, bundle.archive())),
      },
      { parent: this, dependsOn: [appSettings, storageRole, container] },
    );

    this.url = baseUrlOf(pulumi.interpolate`https://${app.defaultHostName}`);
    this.hostname = app.defaultHostName;
    this.resourceId = app.id;
    this.insightsId = insights.id;
    this.bundle = { bytes: bundle.bytes, sha256: bundle.sha256 };
    this.registerOutputs({ hostname: this.hostname, url: this.url, resourceId: this.resourceId });
  }
}
