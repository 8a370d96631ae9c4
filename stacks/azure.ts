import * as pulumi from "@pulumi/pulumi";
import { AzureNetwork } from "../components/azure/network";
import type { Tags } from "../components/shared/tags";
import type { StackConfig } from "./config/load";

/** Everything tricloud runs in the Azure location. */
export class AzurePlatform extends pulumi.ComponentResource {
  readonly network: AzureNetwork;

  constructor(name: string, config: StackConfig, tags: Tags, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:azure:Platform", name, {}, opts);
    const t = config.tricloud;
    this.network = new AzureNetwork(`${name}-net`, {
      location: config["azure-native"].location,
      cidr: t.network.azure.cidr,
      tags,
    }, { parent: this });
    this.registerOutputs({ vnetId: this.network.vnetId });
  }
}
