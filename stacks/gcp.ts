import * as pulumi from "@pulumi/pulumi";
import { GcpNetwork } from "../components/gcp/network";
import type { Tags } from "../components/shared/tags";
import type { StackConfig } from "./config/load";

/** Everything tricloud runs in the GCP region. */
export class GcpPlatform extends pulumi.ComponentResource {
  readonly network: GcpNetwork;

  constructor(name: string, config: StackConfig, labels: Tags, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:gcp:Platform", name, {}, opts);
    const n = config.tricloud.network.gcp;
    this.network = new GcpNetwork(`${name}-net`, {
      project: config.gcp.project,
      region: config.gcp.region,
      cidr: n.cidr,
      podsCidr: n.podsCidr,
      servicesCidr: n.servicesCidr,
      privateServicesCidr: n.privateServicesCidr,
      labels,
    }, { parent: this });
    this.registerOutputs({ networkId: this.network.networkId });
  }
}
