import { describe, expect, it } from "vitest";
import { cidrsOverlap, parseCidr } from "../../components/shared/cidr";
import type { PlanReport } from "../../cli/plan/report";
import { ancestors, input, ofType, oneOfType, planStack } from "../helpers/plan";
import { stackConfig } from "../helpers/platform";

/** Every address range the plan assigns, per cloud. */
function ranges(report: PlanReport): { cloud: string; cidr: string }[] {
  const out: { cloud: string; cidr: string }[] = [];
  for (const v of ofType(report, "aws:ec2/vpc:Vpc")) out.push({ cloud: "aws", cidr: input(v, "cidrBlock") as string });
  for (const v of ofType(report, "azure-native:network:VirtualNetwork")) {
    for (const c of input(v, "addressSpace.addressPrefixes") as string[]) out.push({ cloud: "azure", cidr: c });
  }
  for (const s of ofType(report, "gcp:compute/subnetwork:Subnetwork")) {
    out.push({ cloud: "gcp", cidr: input(s, "ipCidrRange") as string });
    for (const r of input(s, "secondaryIpRanges") as { ipCidrRange: string }[])
      out.push({ cloud: "gcp", cidr: r.ipCidrRange });
  }
  for (const a of ofType(report, "gcp:compute/globalAddress:GlobalAddress")) {
    out.push({ cloud: "gcp", cidr: `${input(a, "address")}/${input(a, "prefixLength")}` });
  }
  return out;
}

describe.each(["dev", "prod"])("%s network plan", (stack) => {
  it("has one network per cloud with its core resources", async () => {
    const r = await planStack(stack);
    expect(ofType(r, "tricloud:aws:Network")).toHaveLength(1);
    expect(ofType(r, "tricloud:azure:Network")).toHaveLength(1);
    expect(ofType(r, "tricloud:gcp:Network")).toHaveLength(1);
    expect(ofType(r, "aws:ec2/vpc:Vpc")).toHaveLength(1);
    expect(ofType(r, "azure-native:network:VirtualNetwork")).toHaveLength(1);
    expect(ofType(r, "gcp:compute/network:Network")).toHaveLength(1);
    expect(input(oneOfType(r, "gcp:compute/network:Network"), "autoCreateSubnetworks")).toBe(false);
    expect(ofType(r, "gcp:compute/routerNat:RouterNat")).toHaveLength(1);
    expect(ofType(r, "gcp:servicenetworking/connection:Connection")).toHaveLength(1);
  });

  it("address ranges never overlap, within or across clouds", async () => {
    const all = ranges(await planStack(stack));
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        const a = parseCidr(all[i]!.cidr)!;
        const b = parseCidr(all[j]!.cidr)!;
        expect(cidrsOverlap(a, b), `${all[i]!.cloud} ${all[i]!.cidr} vs ${all[j]!.cloud} ${all[j]!.cidr}`).toBe(false);
      }
    }
  });

  it("AWS subnets sit inside the VPC, one public and one private per zone, and never hand out public IPs", async () => {
    const r = await planStack(stack);
    const vpc = parseCidr(input(oneOfType(r, "aws:ec2/vpc:Vpc"), "cidrBlock") as string)!;
    const subnets = ofType(r, "aws:ec2/subnet:Subnet");
    const zones = stack === "prod" ? 3 : 2;
    expect(subnets.filter((s) => input(s, "tags.tier") === "private")).toHaveLength(zones);
    expect(subnets.filter((s) => input(s, "tags.tier") === "public")).toHaveLength(zones);
    for (const s of subnets) {
      const c = parseCidr(input(s, "cidrBlock") as string)!;
      expect(cidrsOverlap(c, vpc) && c.prefix > vpc.prefix).toBe(true);
      expect(input(s, "mapPublicIpOnLaunch")).toBe(false);
    }
  });

  it("private route tables send egress to a NAT gateway, never the internet gateway", async () => {
    const r = await planStack(stack);
    const privateTables = ofType(r, "aws:ec2/routeTable:RouteTable").filter((t) => t.name.includes("-private-"));
    expect(privateTables.length).toBe(stack === "prod" ? 3 : 2);
    for (const t of privateTables) {
      const routes = input(t, "routes") as Record<string, unknown>[];
      expect(routes).toHaveLength(1);
      expect(routes[0]!.natGatewayId).toMatch(/^nat-[0-9a-f]{17}$/);
      expect(routes[0]!.gatewayId).toBeUndefined();
    }
  });

  it("NAT: one shared gateway in dev, one per zone in prod", async () => {
    const r = await planStack(stack);
    expect(ofType(r, "aws:ec2/natGateway:NatGateway")).toHaveLength(stack === "prod" ? 3 : 1);
  });

  it("Azure has cluster, database (delegated to PostgreSQL) and functions (delegated) subnets inside the VNet", async () => {
    const r = await planStack(stack);
    const vnet = parseCidr(
      (input(oneOfType(r, "azure-native:network:VirtualNetwork"), "addressSpace.addressPrefixes") as string[])[0]!,
    )!;
    const subnets = ofType(r, "azure-native:network:Subnet");
    // The VPN gateway's GatewaySubnet where the cross-cloud VPN is on (prod).
    const vpn = stackConfig(stack).tricloud.network.crossCloud.enabled ? ["gateway"] : [];
    expect(subnets.map((s) => s.name.split("-").pop()).sort()).toEqual(
      ["cluster", "database", "functions", ...vpn].sort(),
    );
    for (const s of subnets) expect(cidrsOverlap(parseCidr(input(s, "addressPrefix") as string)!, vnet)).toBe(true);
    const db = subnets.find((s) => s.name.endsWith("database"))!;
    expect(input(db, "delegations")).toEqual([
      { name: "postgres", serviceName: "Microsoft.DBforPostgreSQL/flexibleServers" },
    ]);
    const fn = subnets.find((s) => s.name.endsWith("functions"))!;
    expect((input(fn, "delegations") as { serviceName: string }[])[0]!.serviceName).toBe("Microsoft.App/environments");
  });

  it("GCP subnet is VPC-native with pods and services ranges and private Google access", async () => {
    const r = await planStack(stack);
    const s = oneOfType(r, "gcp:compute/subnetwork:Subnetwork");
    expect(input(s, "privateIpGoogleAccess")).toBe(true);
    expect((input(s, "secondaryIpRanges") as { rangeName: string }[]).map((x) => x.rangeName)).toEqual([
      "pods",
      "services",
    ]);
    expect(input(oneOfType(r, "gcp:compute/globalAddress:GlobalAddress"), "purpose")).toBe("VPC_PEERING");
  });

  it("every taggable network resource carries the configured and standard tags", async () => {
    const r = await planStack(stack);
    const taggable = r.resources.filter(
      (x) =>
        x.custom &&
        ((x.type.startsWith("aws:ec2/") && !x.type.includes("Association") && !x.type.includes("RoutePropagation")) ||
          x.type.startsWith("azure-native:network:VirtualNetwork") ||
          x.type === "azure-native:resources:ResourceGroup"),
    );
    expect(taggable.length).toBeGreaterThan(5);
    for (const x of taggable) {
      expect(input(x, "tags"), x.urn).toMatchObject({
        owner: "platform",
        "cost-center": "cc-1001",
        "managed-by": "tricloud",
        environment: stack,
      });
    }
    expect(input(oneOfType(r, "gcp:compute/globalAddress:GlobalAddress"), "labels")).toMatchObject({
      owner: "platform",
      environment: stack,
    });
  });

  it("every resource has a parent chain up to a tricloud component, and every component registers its outputs", async () => {
    const r = await planStack(stack);
    for (const x of r.resources.filter((x) => x.custom)) {
      expect(
        ancestors(r, x).some((a) => a.type.startsWith("tricloud:")),
        x.urn,
      ).toBe(true);
    }
    for (const c of r.resources.filter((x) => !x.custom)) expect(c.registeredOutputs, c.urn).toBe(true);
  });

  it("URNs follow the engine's form with the full parent type chain", async () => {
    const r = await planStack(stack);
    const vpc = oneOfType(r, "aws:ec2/vpc:Vpc");
    expect(vpc.urn).toBe(
      `urn:pulumi:${stack}::tricloud::tricloud:aws:Platform$tricloud:aws:Network$aws:ec2/vpc:Vpc::${stack}-aws-net-vpc`,
    );
  });
});
