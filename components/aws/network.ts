import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { subnet } from "../shared/cidr";
import type { Tags } from "../shared/tags";
import type { AwsZone } from "./zones";

export interface AwsNetworkArgs {
  /** VPC address range, e.g. 10.10.0.0/16. Public subnets take the first /20s, private the next. */
  cidr: string;
  /**
   * Availability Zones to spread subnets over (at least two for EKS), by AZ ID: the subnets are created with
   * `availabilityZoneId`, the same physical zone in every account; each zone's label names its resources
   * (components/aws/zones.ts).
   */
  zones: readonly AwsZone[];
  /** One NAT gateway per zone (prod) instead of one shared NAT (dev). */
  natPerZone: boolean;
  tags: Tags;
}

/** A VPC with public and private subnets in every zone, NAT egress for the private ones. */
export class AwsNetwork extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly cidr: string;
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetIds: pulumi.Output<string>[];
  /** The private subnets' route tables, one per zone: a VPN gateway propagates the other clouds' routes into them. */
  readonly privateRouteTableIds: pulumi.Output<string>[];
  readonly zones: readonly AwsZone[];
  /**
   * The zones' codes in the deploying account (us-west-2a, ...), in the order of `zones`: the private subnets'
   * `availabilityZone`, which EC2 answers for a subnet created by AZ ID. Read a zone's code from here, not from its
   * label, which is the account's code only where the account maps codes that way.
   */
  readonly zoneNames: pulumi.Output<string>[];

  constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:aws:Network", name, {}, opts);
    const child = { parent: this };
    // A subnet's zone is fixed at creation (availability_zone_id is ForceNew in the provider). Stacks deployed before
    // zones were named by AZ ID have subnets created by zone code (us-west-2a), whose AZ IDs differ per account: a
    // new AZ ID in the inputs would replace them, and the replacement, created first with the same CIDR block, is
    // refused by EC2. Ignoring later changes keeps an existing subnet where it is; a new subnet is created by AZ ID.
    const keepZone = { ...child, ignoreChanges: ["availabilityZoneId"] };
    const tags = (extra: Record<string, string> = {}) => ({ ...args.tags, ...extra });

    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.cidr,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: tags({ Name: `${name}-vpc` }),
      },
      child,
    );

    const igw = new aws.ec2.InternetGateway(
      `${name}-igw`,
      { vpcId: vpc.id, tags: tags({ Name: `${name}-igw` }) },
      child,
    );

    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public`,
      {
        vpcId: vpc.id,
        routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
        tags: tags({ Name: `${name}-public` }),
      },
      child,
    );

    const publicSubnets = args.zones.map(
      ({ id, label }, i) =>
        new aws.ec2.Subnet(
          `${name}-public-${label}`,
          {
            vpcId: vpc.id,
            availabilityZoneId: id,
            cidrBlock: subnet(args.cidr, 4, i),
            mapPublicIpOnLaunch: false,
            tags: tags({ Name: `${name}-public-${label}`, tier: "public", "kubernetes.io/role/elb": "1" }),
          },
          keepZone,
        ),
    );
    publicSubnets.forEach(
      (s, i) =>
        new aws.ec2.RouteTableAssociation(
          `${name}-public-${args.zones[i]!.label}`,
          { subnetId: s.id, routeTableId: publicRoutes.id },
          child,
        ),
    );

    const natCount = args.natPerZone ? args.zones.length : 1;
    const nats = publicSubnets.slice(0, natCount).map((s, i) => {
      const zone = args.zones[i]!.label;
      const eip = new aws.ec2.Eip(
        `${name}-nat-${zone}`,
        { domain: "vpc", tags: tags({ Name: `${name}-nat-${zone}` }) },
        child,
      );
      return new aws.ec2.NatGateway(
        `${name}-nat-${zone}`,
        {
          allocationId: eip.id,
          subnetId: s.id,
          connectivityType: "public",
          tags: tags({ Name: `${name}-nat-${zone}` }),
        },
        { parent: this, dependsOn: [igw] },
      );
    });

    const privateRouteTables: aws.ec2.RouteTable[] = [];
    const privateSubnets = args.zones.map(({ id, label: zone }, i) => {
      const s = new aws.ec2.Subnet(
        `${name}-private-${zone}`,
        {
          vpcId: vpc.id,
          availabilityZoneId: id,
          cidrBlock: subnet(args.cidr, 4, 8 + i),
          mapPublicIpOnLaunch: false,
          tags: tags({ Name: `${name}-private-${zone}`, tier: "private", "kubernetes.io/role/internal-elb": "1" }),
        },
        keepZone,
      );
      const nat = nats[args.natPerZone ? i : 0]!;
      const routes = new aws.ec2.RouteTable(
        `${name}-private-${zone}`,
        {
          vpcId: vpc.id,
          routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
          tags: tags({ Name: `${name}-private-${zone}` }),
        },
        child,
      );
      new aws.ec2.RouteTableAssociation(`${name}-private-${zone}`, { subnetId: s.id, routeTableId: routes.id }, child);
      privateRouteTables.push(routes);
      return s;
    });

    this.vpcId = vpc.id;
    this.cidr = args.cidr;
    this.zones = args.zones;
    this.zoneNames = privateSubnets.map((s) => s.availabilityZone);
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.privateRouteTableIds = privateRouteTables.map((r) => r.id);
    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
    });
  }
}
