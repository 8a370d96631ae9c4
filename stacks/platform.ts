import { standardTags } from "../components/shared/tags";
import { AwsPlatform } from "./aws";
import { AzurePlatform } from "./azure";
import type { StackConfig } from "./config/load";
import { edge } from "./edge";
import { GcpPlatform } from "./gcp";
import { observability } from "./observability";

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
  // Function hosts: pass the same origins as edge(), and `functions: { aws, azure, gcp }` for their alarms.
  const watch = observability(config, { aws, azure, gcp, edge: front }, tags);

  return {
    environment: t.environment,
    // The cost pack's stack policy reads the ceiling from here: stack policies see the Stack's outputs, not its config.
    costCeilingUsd: t.costCeilingUsd,
    aws: { region: config.aws.region, vpcId: aws.network.vpcId, ...aws.outputs },
    azure: { location: config["azure-native"].location, vnetId: azure.network.vnetId, ...azure.outputs },
    gcp: { region: config.gcp.region, networkId: gcp.network.networkId, ...gcp.outputs },
    edge: front.outputs,
    observability: watch.outputs,
  };
}

export type PlatformOutputs = ReturnType<typeof platform>;

