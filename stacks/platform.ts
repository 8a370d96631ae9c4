import { MANIFESTS_CONTAINER } from "../components/azure/gitops";
import { azureFunctionAppName, azureFunctionHostname } from "../components/azure/function-host";
import { gcpFunctionUrl } from "../components/gcp/function-host";
import { QuorumKeys } from "../components/shared/keys";
import { standardTags } from "../components/shared/tags";
import { AwsPlatform } from "./aws";
import { AzurePlatform } from "./azure";
import type { StackConfig } from "./config/load";
import { crossCloud } from "./cross-cloud";
import { edge } from "./edge";
import { GcpPlatform } from "./gcp";
import { observability } from "./observability";
import { offHours } from "./schedule";
import { mesh, readerTokens, workloads } from "./workloads";

/** Builds one environment from its validated configuration and returns the stack outputs. */
export function platform(config: StackConfig) {
  const t = config.tricloud;
  const tags = standardTags(t.tags, t.environment);
  const prefix = t.environment;

  // The quorum's keys, once per stack: each private key goes to its own cloud only, every public key to all.
  const keys = new QuorumKeys(`${prefix}-quorum-keys`);
  const publicKeysJson = keys.publicKeysJson();
  // Azure's and GCP's function URLs follow from their names, so the AWS function (whose URL is
  // assigned at creation) can be told them up front, and they are told its URL: no cycle.
  const azureAppName = azureFunctionAppName(prefix, t.domain);
  const azureUrl = `https://${azureFunctionHostname(azureAppName)}`;
  const gcpUrl = gcpFunctionUrl(config.gcp.project, config.gcp.region, prefix);

  // The mesh's CA, once per stack: each cluster's intermediate goes to its own cloud's secret store only.
  const theMesh = mesh(config);

  const aws = new AwsPlatform(
    `${prefix}-aws`,
    config,
    tags,
    { privateKeyPem: keys.privateKeyPems.aws, publicKeysJson, peerUrls: { azure: azureUrl, gcp: gcpUrl } },
    theMesh.member("aws"),
  );
  const azure = new AzurePlatform(
    `${prefix}-azure`,
    config,
    tags,
    {
      privateKeyPem: keys.privateKeyPems.azure,
      publicKeysJson,
      peerUrls: { aws: aws.functions.url, gcp: gcpUrl },
      appName: azureAppName,
    },
    theMesh.member("azure"),
  );
  const gcp = new GcpPlatform(
    `${prefix}-gcp`,
    config,
    tags,
    {
      privateKeyPem: keys.privateKeyPems.gcp,
      publicKeysJson,
      peerUrls: { aws: aws.functions.url, azure: azureUrl },
    },
    theMesh.member("gcp"),
  );
  // The Cloudflare pools' origins are the functions' own hostnames, probed on /health; an origin
  // set in tricloud:traffic.origins (say, a custom domain in front of a function) still wins.
  const o = t.traffic.origins;
  const origins = {
    aws: o.aws ?? aws.functions.hostname,
    azure: o.azure ?? azure.functions.hostname,
    gcp: o.gcp ?? gcp.functions.hostname,
  };
  const front = edge(config, origins);
  const watch = observability(
    config,
    {
      aws,
      azure,
      gcp,
      edge: front,
      origins,
      functions: {
        aws: [{ name: "quorum", functionName: aws.functions.functionName }],
        azure: [{ name: "quorum", resourceId: azure.functions.resourceId, insightsId: azure.functions.insightsId }],
        gcp: [{ name: "quorum", serviceName: gcp.functions.serviceName }],
      },
    },
    tags,
  );
  // The production lock on the Azure database server comes last on that server: Azure refuses to delete
  // anything under a locked scope, and Pulumi deletes the lock before what it depends on.
  azure.database.lockServer([watch.azure.databaseLogs]);

  // The site-to-site VPN between the three networks, when tricloud:network.crossCloud.enabled (docs/cross-cloud.md).
  const vpn = crossCloud(config, { aws, azure, gcp }, tags);

  const clusterWorkloads = workloads(
    config,
    {
      aws: {
        registryUrl: aws.registry.repositoryUrl,
        parent: aws,
        meshSecrets: aws.gitops?.meshSecrets,
        caData: aws.cluster.caData,
        autoModeNodeNetwork: aws.cluster.autoModeNodeNetwork,
      },
      azure: {
        registryUrl: azure.registry.repositoryUrl,
        parent: azure,
        meshSecrets: azure.gitops.meshSecrets,
        caData: azure.cluster.caData,
      },
      gcp: {
        registryUrl: gcp.registry.repositoryUrl,
        parent: gcp,
        meshSecrets: gcp.gitops.meshSecrets,
        caData: gcp.cluster.caData,
      },
    },
    theMesh.topology,
    vpn?.apiEndpoints,
    tags,
  );
  const schedule = offHours(config, {
    aws: { registryUrl: aws.registry.repositoryUrl, parent: aws },
    azure: { registryUrl: azure.registry.repositoryUrl, parent: azure },
    gcp: { registryUrl: gcp.registry.repositoryUrl, parent: gcp },
  });

  return {
    environment: t.environment,
    // The cost pack's stack policy reads the ceiling from here: stack policies see the Stack's outputs, not its config.
    costCeilingUsd: t.costCeilingUsd,
    aws: { region: config.aws.region, vpcId: aws.network.vpcId, ...aws.outputs },
    azure: { location: config["azure-native"].location, vnetId: azure.network.vnetId, ...azure.outputs },
    gcp: { region: config.gcp.region, networkId: gcp.network.networkId, ...gcp.outputs },
    edge: front.outputs,
    observability: watch.outputs,
    // Where each cloud's function answers, and what was deployed there (bytes, sha256 of the bundle).
    functions: {
      aws: { hostname: aws.functions.hostname, bundle: aws.functions.bundle },
      azure: { hostname: azure.functions.hostname, bundle: azure.functions.bundle },
      gcp: { hostname: gcp.functions.hostname, bundle: gcp.functions.bundle },
      publicKeys: keys.publicKeyPems,
    },
    // What each cluster runs, rendered for the cloud's GitOps agent (docs/workloads.md).
    workloads: clusterWorkloads,
    // Where CI publishes each cluster's manifests for its GitOps agent (scripts/publish-manifests.mjs).
    gitops: {
      aws: {
        clusterName: aws.cluster.clusterName,
        repositoryUrl: aws.registry.repositoryUrl,
        argoCd: aws.gitops !== undefined,
      },
      azure: {
        storageAccountName: azure.gitops.storageAccountName,
        containerName: MANIFESTS_CONTAINER,
        containerUrl: azure.gitops.containerUrl,
      },
      gcp: { syncRepo: gcp.gitops.syncRepo },
      // Where each cluster's Istio reader token is pushed and its peers' copies go (scripts/copy-reader-tokens.mjs);
      // only the clouds with remote secrets (the VPN on, a secret store built).
      readerTokens: readerTokens(config, azure),
    },
    // Off-hours scale-to-zero (tricloud:schedule): the downscaler's objects per cluster and the hours off a month.
    ...(schedule ? { schedule } : {}),
    // How each cluster's API is reached from the other clouds over the VPN, and the gateways' public addresses.
    ...(vpn ? { crossCloud: vpn } : {}),
  };
}

export type PlatformOutputs = ReturnType<typeof platform>;
