import { standardTags } from "../components/shared/tags";
import { AwsPlatform } from "./aws";
import { AzurePlatform } from "./azure";
import type { StackConfig } from "./config/load";
import { edge } from "./edge";
import { GcpPlatform } from "./gcp";

/** Builds one environment from its validated configuration and returns the stack outputs. */
export function platform(config: StackConfig) {
  const t = config.tricloud;
  const tags = standardTags(t.tags, t.environment);
  const prefix = t.environment;

  const aws = new AwsPlatform(`${prefix}-aws`, config, tags);
  const azure = new AzurePlatform(`${prefix}-azure`, config, tags);
  const gcp = new GcpPlatform(`${prefix}-gcp`, config, tags);
  // Origins come from config for now; pass the function hosts' endpoints as edge(config, { aws, azure, gcp }).
  const front = edge(config);

  return {
    environment: t.environment,
    // The cost pack's stack policy reads the ceiling from here: stack policies see the Stack's outputs, not its config.
    costCeilingUsd: t.costCeilingUsd,
    aws: { region: config.aws.region, vpcId: aws.network.vpcId, ...aws.outputs },
    azure: { location: config["azure-native"].location, vnetId: azure.network.vnetId, ...azure.outputs },
    gcp: { region: config.gcp.region, networkId: gcp.network.networkId, ...gcp.outputs },
    edge: front.outputs,
  };
}

export type PlatformOutputs = ReturnType<typeof platform>;

