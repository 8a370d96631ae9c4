import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { parseCidr } from "../shared/cidr";
import type { Tags } from "../shared/tags";
import type { GcpProjectServices } from "./services";

export interface GcpNetworkArgs {
  project: string;
  region: string;
  /** Primary range of the regional subnet (nodes, functions egress). */
  cidr: string;
  /** Secondary range for GKE pods (VPC-native). */
  podsCidr: string;
  /** Secondary range for GKE services. */
  servicesCidr: string;
  /** Range reserved for private services access (Cloud SQL private IP). */
  privateServicesCidr: string;
  labels: Tags;
  /** The project's enabled APIs; every resource here waits for the ones it calls. */
  apis: GcpProjectServices;
}

export const PODS_RANGE = "pods";
export const SERVICES_RANGE = "services";

/** A custom-mode VPC, one regional subnet with GKE secondary ranges, Cloud NAT and private services access. */
export class GcpNetwork extends pulumi.ComponentResource {
  readonly networkId: pulumi.Output<string>;
  /** The VPC's and the subnet's short names (what Direct VPC egress takes). */
  readonly networkName: pulumi.Output<string>;
  readonly subnetworkName: pulumi.Output<string>;
  readonly networkSelfLink: pulumi.Output<string>;
  readonly subnetworkId: pulumi.Output<string>;
  readonly subnetworkSelfLink: pulumi.Output<string>;
  readonly privateServicesConnection: gcp.servicenetworking.Connection;
  readonly cidr: string;

  constructor(name: string, args: GcpNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:gcp:Network", name, {}, opts);
    const child = { parent: this, dependsOn: args.apis.of("compute.googleapis.com") };

    const vpc = new gcp.compute.Network(
      `${name}-vpc`,
      {
        project: args.project,
        autoCreateSubnetworks: false,
        routingMode: "REGIONAL",
        description: "tricloud platform network",
      },
      child,
    );

    const sub = new gcp.compute.Subnetwork(
      `${name}-subnet`,
      {
        project: args.project,
        region: args.region,
        network: vpc.id,
        ipCidrRange: args.cidr,
        privateIpGoogleAccess: true,
        secondaryIpRanges: [
          { rangeName: PODS_RANGE, ipCidrRange: args.podsCidr },
          { rangeName: SERVICES_RANGE, ipCidrRange: args.servicesCidr },
        ],
        logConfig: { aggregationInterval: "INTERVAL_5_MIN", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
      },
      child,
    );

    const router = new gcp.compute.Router(
      `${name}-router`,
      { project: args.project, region: args.region, network: vpc.id },
      child,
    );
    new gcp.compute.RouterNat(
      `${name}-nat`,
      {
        project: args.project,
        region: args.region,
        router: router.name,
        natIpAllocateOption: "AUTO_ONLY",
        sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
        logConfig: { enable: true, filter: "ERRORS_ONLY" },
      },
      child,
    );

    const psa = parseCidr(args.privateServicesCidr)!; // validated by the stack schema
    const reserved = new gcp.compute.GlobalAddress(
      `${name}-private-services`,
      {
        project: args.project,
        network: vpc.id,
        purpose: "VPC_PEERING",
        addressType: "INTERNAL",
        address: args.privateServicesCidr.split("/")[0],
        prefixLength: psa.prefix,
        labels: { ...args.labels },
      },
      child,
    );
    this.privateServicesConnection = new gcp.servicenetworking.Connection(
      `${name}-private-services`,
      {
        network: vpc.id,
        service: "servicenetworking.googleapis.com",
        reservedPeeringRanges: [reserved.name],
        // Service networking refuses to delete the connection while Cloud SQL (gone minutes before, its
        // producer resources still held) uses the peering, which blocks tearing down dev. ABANDON drops
        // it from the state and the peering goes with the VPC (the provider's documented remedy).
        deletionPolicy: "ABANDON",
      },
      { parent: this, dependsOn: args.apis.of("compute.googleapis.com", "servicenetworking.googleapis.com") },
    );

    this.networkId = vpc.id;
    this.networkName = vpc.name;
    this.subnetworkName = sub.name;
    this.networkSelfLink = vpc.selfLink;
    this.subnetworkId = sub.id;
    this.subnetworkSelfLink = sub.selfLink;
    this.cidr = args.cidr;
    this.registerOutputs({ networkId: this.networkId, subnetworkId: this.subnetworkId });
  }
}
