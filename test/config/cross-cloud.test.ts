import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../stacks/config/load";
import { configProblems, stackConfig } from "../helpers/config";

const KEY = "tricloud:network.crossCloud";
/** The problems of the staging stack (VPN on) with `-c` overrides. */
const problems = (...overrides: string[]) => configProblems(stackConfig("staging", ...overrides), "staging");

describe(`${KEY}`, () => {
  it("is on in staging and prod, off in dev, with the documented defaults", () => {
    const on = (stack: string) => parseStackConfig(stackConfig(stack), stack).tricloud.network.crossCloud;
    expect(on("staging")).toEqual({
      enabled: true,
      asns: { aws: 64512, azure: 65515, gcp: 65534 },
      tunnelCidr: "169.254.21.0/24",
      azureGatewaySku: "VpnGw1AZ",
    });
    expect(on("prod").enabled).toBe(true);
    expect(on("dev").enabled).toBe(false);
    expect(problems()).toEqual([]);
  });

  it("takes other private ASNs, a smaller range and a larger SKU", () => {
    expect(
      problems(
        `${KEY}.asns.aws=4200000000`,
        `${KEY}.asns.azure=65010`,
        `${KEY}.asns.gcp=65020`,
        `${KEY}.tunnelCidr=169.254.22.64/26`,
        `${KEY}.azureGatewaySku=VpnGw2AZ`,
      ),
    ).toEqual([]);
  });

  it("names the key and what each cloud accepts for a bad ASN", () => {
    expect(problems(`${KEY}.asns.aws=7224`)).toEqual([
      `${KEY}.asns.aws: expected a private ASN (64512-65534 or 4200000000-4294967294) for the AWS virtual private gateway, got 7224`,
    ]);
    expect(problems(`${KEY}.asns.gcp=65517`)).toEqual([
      `${KEY}.asns.gcp: expected an ASN Azure accepts for a peer (Azure reserves 65515 and 65517-65520), got 65517`,
    ]);
    expect(problems(`${KEY}.asns.azure=65518`)[0]).toMatch(
      /^tricloud:network\.crossCloud\.asns\.azure: expected an ASN Azure allows/,
    );
    expect(problems(`${KEY}.asns.gcp=4200000000`)).toEqual([
      `${KEY}.asns.gcp: expected at most 2147483647 (the largest ASN an AWS customer gateway takes), got 4200000000`,
    ]);
    expect(problems(`${KEY}.asns.gcp=64512`)).toEqual([
      `${KEY}.asns.aws: expected an ASN of its own (each cloud is its own BGP neighbour), got 64512 twice`,
    ]);
    expect(problems(`${KEY}.asns.aws=seven`)).toEqual([
      `${KEY}.asns.aws: expected a whole number from 1 to 4294967294`,
    ]);
  });

  it("refuses a tunnel range outside Azure's APIPA range or too small for ten /30s", () => {
    for (const bad of ["169.254.0.0/24", "169.254.21.0/27", "169.254.22.0/23", "10.0.0.0/24"]) {
      const got = problems(`${KEY}.tunnelCidr=${bad}`);
      expect(got, bad).toHaveLength(1);
      expect(got[0]).toContain(`${KEY}.tunnelCidr: expected a range inside Azure's APIPA BGP range`);
    }
    expect(problems(`${KEY}.tunnelCidr=169.254.21.1/24`)[0]).toMatch(
      /tunnelCidr: expected an IPv4 network in CIDR form/,
    );
  });

  it("refuses a non-AZ or Basic Azure gateway SKU and a misspelt key", () => {
    expect(problems(`${KEY}.azureGatewaySku=VpnGw1`)).toEqual([
      `${KEY}.azureGatewaySku: expected one of VpnGw1AZ, VpnGw2AZ, VpnGw3AZ, VpnGw4AZ, VpnGw5AZ (new gateways must use an AZ SKU; VpnGw1-5 without AZ and Basic are refused)`,
    ]);
    expect(problems(`${KEY}.enable=true`)[0]).toMatch(/^tricloud:network\.crossCloud: /);
  });

  it("refuses a public cluster endpoint while the VPN is on (EKS would resolve to public addresses)", () => {
    expect(problems('tricloud:clusters.publicAccessCidrs=["203.0.113.0/24"]')).toEqual([
      "tricloud:clusters.publicAccessCidrs: expected [] (private endpoints only) when tricloud:network.crossCloud.enabled is true: with a public endpoint EKS resolves its name to public addresses and the other clouds would not use the VPN",
    ]);
    expect(configProblems(stackConfig("dev", 'tricloud:clusters.publicAccessCidrs=["203.0.113.0/24"]'), "dev")).toEqual(
      [],
    );
  });
});
