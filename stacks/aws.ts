import * as pulumi from "@pulumi/pulumi";
import { AwsNetwork } from "../components/aws/network";
import type { Tags } from "../components/shared/tags";
import type { StackConfig } from "./config/load";
import { awsZones } from "./zones";

/** Everything tricloud runs in the AWS region. */
export class AwsPlatform extends pulumi.ComponentResource {
  readonly network: AwsNetwork;

  constructor(name: string, config: StackConfig, tags: Tags, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:aws:Platform", name, {}, opts);
    const t = config.tricloud;
    this.network = new AwsNetwork(`${name}-net`, {
      cidr: t.network.aws.cidr,
      zones: awsZones(config),
      natPerZone: t.environment === "prod",
      tags,
    }, { parent: this });
    this.registerOutputs({ vpcId: this.network.vpcId });
  }
}
