import { standardTags } from "../components/shared/tags";
import { AwsPlatform } from "./aws";
import { AzurePlatform } from "./azure";
import type { StackConfig } from "./config/load";
import { GcpPlatform } from "./gcp";

/** Builds one environment from its validated configuration and returns the stack outputs. */
export function platform(config: StackConfig) {
  const t = config.tricloud;
  const tags = standardTags(t.tags, t.environment);
  const prefix = t.environment;

  const aws = new AwsPlatform(`${prefix}-aws`, config, tags);
  const azure = new AzurePlatform(`${prefix}-azure`, config, tags);
  const gcp = new GcpPlatform(`${prefix}-gcp`, config, tags);

  return {
    environment: t.environment,
    aws: { region: config.aws.region, vpcId: aws.network.vpcId },
    azure: { location: config["azure-native"].location, vnetId: azure.network.vnetId },
    gcp: { region: config.gcp.region, networkId: gcp.network.networkId },
  };
}

export type PlatformOutputs = ReturnType<typeof platform>;

