import { describe, expect, it } from "vitest";
import { clusterEndpoints, tlsMinimum, wafPresent } from "../../../policies/portability/security-edge";
import { messages, res } from "../../helpers/policies";

describe("security-kubernetes-cluster-disallow-public-endpoint", () => {
  it("passes private endpoints and public endpoints restricted to CIDRs", async () => {
    expect(
      await messages(clusterEndpoints, [
        res("aws:eks/cluster:Cluster", { vpcConfig: { endpointPublicAccess: false } }),
        res("aws:eks/cluster:Cluster", {
          vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
        }),
        res("azure-native:containerservice:ManagedCluster", { apiServerAccessProfile: { enablePrivateCluster: true } }),
        res("gcp:container/cluster:Cluster", {
          privateClusterConfig: { enablePrivateEndpoint: false },
          masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "203.0.113.0/24" }] },
        }),
      ]),
    ).toEqual([]);
  });
  it("fails endpoints open to the internet on all three clouds", async () => {
    const m = await messages(clusterEndpoints, [
      res("aws:eks/cluster:Cluster", { vpcConfig: { endpointPublicAccess: true } }),
      res("azure-native:containerservice:ManagedCluster", {
        apiServerAccessProfile: { authorizedIPRanges: ["0.0.0.0/0"] },
      }),
      res("gcp:container/cluster:Cluster", {}),
    ]);
    expect(m).toHaveLength(3);
  });
});

describe("security-edge-enforce-tls-minimum", () => {
  it("passes TLS 1.2, strict SSL, HTTPS checks and encrypted Cloud SQL", async () => {
    expect(
      await messages(tlsMinimum, [
        res("cloudflare:index/zoneSetting:ZoneSetting", { settingId: "min_tls_version", value: "1.2" }),
        res("cloudflare:index/zoneSetting:ZoneSetting", { settingId: "ssl", value: "strict" }),
        res("cloudflare:index/zoneSetting:ZoneSetting", { settingId: "tls_1_3", value: "on" }),
        res("cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor", { type: "https", allowInsecure: false }),
        res("gcp:sql/databaseInstance:DatabaseInstance", {
          settings: { ipConfiguration: { sslMode: "ENCRYPTED_ONLY" } },
        }),
      ]),
    ).toEqual([]);
  });
  it("fails old TLS, flexible SSL, insecure checks, unencrypted Cloud SQL and disabled forced TLS", async () => {
    const m = await messages(tlsMinimum, [
      res("cloudflare:index/zoneSetting:ZoneSetting", { settingId: "min_tls_version", value: "1.0" }),
      res("cloudflare:index/zoneSetting:ZoneSetting", { settingId: "ssl", value: "flexible" }),
      res("cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor", { type: "http" }),
      res("gcp:sql/databaseInstance:DatabaseInstance", { settings: {} }),
      res("aws:rds/parameterGroup:ParameterGroup", { parameters: [{ name: "rds.force_ssl", value: "0" }] }),
    ]);
    expect(m).toHaveLength(5);
    expect(m[0]).toContain("set it to 1.2");
  });
  it("uses the configured minimum", async () => {
    expect(
      await messages(
        tlsMinimum,
        [res("cloudflare:index/zoneSetting:ZoneSetting", { settingId: "min_tls_version", value: "1.2" })],
        { minTlsVersion: "1.3" },
      ),
    ).toHaveLength(1);
  });
});

describe("security-cloudflare-zone-missing-waf", () => {
  const lb = res("cloudflare:index/loadBalancer:LoadBalancer", { zoneId: "z1" });
  it("passes a serving zone with an executing managed ruleset", async () => {
    expect(
      await messages(wafPresent, [
        lb,
        res("cloudflare:index/ruleset:Ruleset", {
          zoneId: "z1",
          phase: "http_request_firewall_managed",
          rules: [{ action: "execute", enabled: true }],
        }),
      ]),
    ).toEqual([]);
  });
  it("fails a serving zone with no managed WAF (a rate limit alone is not a WAF)", async () => {
    const m = await messages(wafPresent, [
      lb,
      res("cloudflare:index/ruleset:Ruleset", { zoneId: "z1", phase: "http_ratelimit", rules: [{ action: "block" }] }),
    ]);
    expect(m).toEqual([expect.stringContaining("zone z1 serves traffic without a WAF")]);
  });
});
