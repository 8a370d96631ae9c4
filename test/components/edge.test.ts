import { describe, expect, it } from "vitest";
import { DnsRecords } from "../../components/cloudflare/dns-records";
import { CloudflareEdge } from "../../components/cloudflare/edge";
import { ApiLoadBalancer, type HealthMonitorSettings } from "../../components/cloudflare/load-balancer";
import { PoolHealthNotifications } from "../../components/cloudflare/notifications";
import { ZoneTls } from "../../components/cloudflare/tls";
import { Waf } from "../../components/cloudflare/waf";
import { QuorumKeys } from "../../components/shared/keys";
import { VercelFrontend } from "../../components/vercel/frontend";
import { buildComponent, expectWellFormed } from "../helpers/component";

const zoneId = "0123456789abcdef0123456789abcdef";
const accountId = "fedcba9876543210fedcba9876543210";
const origins = { aws: "aws.example.com", azure: "azure.example.com", gcp: "gcp.example.com" };
const monitor: HealthMonitorSettings = {
  intervalSeconds: 60,
  retries: 2,
  timeoutSeconds: 5,
  regions: ["WNAM", "ENAM"],
};
const rateLimit = { requestsPerPeriod: 600, periodSeconds: 60, mitigationSeconds: 60 };

// One fast test per edge component (Cloudflare, Vercel) and the shared quorum keys, each built alone.
describe("edge components in isolation", () => {
  it("ApiLoadBalancer: a proxied load balancer over one pool per cloud, weighted steering as Cloudflare's random", async () => {
    const built = await buildComponent(
      () =>
        new ApiLoadBalancer("lb", {
          accountId,
          zoneId,
          hostname: "api.example.com",
          origins,
          steering: { policy: "weighted", weights: { aws: 60, azure: 30, gcp: 10 } },
          fallback: "aws",
          monitor,
        }),
    );
    expectWellFormed(built, "tricloud:cloudflare:ApiLoadBalancer");
    expect(built.ofType("cloudflare:index/loadBalancerPool:LoadBalancerPool")).toHaveLength(3);
    expect(built.one("cloudflare:index/loadBalancer:LoadBalancer").inputs).toMatchObject({
      name: "api.example.com",
      proxied: true,
      steeringPolicy: "random",
    });
    expect(built.one("cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor").inputs).toMatchObject({
      interval: 60,
      retries: 2,
      timeout: 5,
    });
  });

  it("DnsRecords: one record per entry at its full name; a proxied record takes the automatic TTL", async () => {
    const built = await buildComponent(
      () =>
        new DnsRecords("dns", {
          zoneId,
          domain: "example.com",
          records: {
            www: { type: "CNAME", value: "cname.vercel-dns.com", proxied: true, ttl: 300 },
            "@": { type: "TXT", value: "v=spf1 -all", ttl: 300 },
          },
        }),
    );
    expectWellFormed(built, "tricloud:cloudflare:DnsRecords");
    const records = built.ofType("cloudflare:index/dnsRecord:DnsRecord");
    expect(records.map((r) => [r.inputs.name, r.inputs.ttl]).sort()).toEqual([
      ["example.com", 300],
      ["www.example.com", 1],
    ]);
  });

  it("Waf: the managed-rules and rate-limit entry-point rulesets of the zone", async () => {
    const built = await buildComponent(() => new Waf("waf", { zoneId, apiHostname: "api.example.com", rateLimit }));
    expectWellFormed(built, "tricloud:cloudflare:Waf");
    const phases = built.ofType("cloudflare:index/ruleset:Ruleset").map((r) => r.inputs.phase);
    expect(phases.sort()).toEqual(["http_ratelimit", "http_request_firewall_managed"]);
  });

  it("ZoneTls: TLS 1.2 minimum, 1.3 on, strict origin TLS, always HTTPS, HSTS", async () => {
    const built = await buildComponent(() => new ZoneTls("tls", { zoneId }));
    expectWellFormed(built, "tricloud:cloudflare:ZoneTls");
    const byId = Object.fromEntries(
      built.ofType("cloudflare:index/zoneSetting:ZoneSetting").map((s) => [s.inputs.settingId, s.inputs.value]),
    );
    expect(byId).toMatchObject({ min_tls_version: "1.2", tls_1_3: "on", ssl: "strict", always_use_https: "on" });
    expect(byId.security_header.strict_transport_security.enabled).toBe(true);
  });

  it("PoolHealthNotifications: one load-balancing health alert over the pools, mailing the contacts", async () => {
    const built = await buildComponent(
      () =>
        new PoolHealthNotifications("n", {
          accountId,
          environment: "dev",
          poolIds: ["pool-1", "pool-2"],
          emails: ["ops@example.com"],
        }),
    );
    expectWellFormed(built, "tricloud:cloudflare:PoolHealthNotifications");
    const policy = built.one("cloudflare:index/notificationPolicy:NotificationPolicy");
    expect(policy.inputs.alertType).toBe("load_balancing_health_alert");
    expect(JSON.stringify(policy.inputs)).toContain("ops@example.com");
  });

  it("CloudflareEdge: the load balancer, DNS records, WAF and TLS under one component, and its failover figure", async () => {
    const built = await buildComponent(
      () =>
        new CloudflareEdge("edge", {
          zoneId,
          accountId,
          domain: "example.com",
          origins,
          steering: { policy: "off" },
          regions: { aws: "us-west-2", azure: "eastus", gcp: "us-central1" },
          fallback: "gcp",
          monitor,
          records: {},
          rateLimit,
        }),
    );
    expectWellFormed(built, "tricloud:cloudflare:Edge");
    const children = built.resources
      .filter((r) => r.parent === built.one("tricloud:cloudflare:Edge").urn)
      .map((r) => r.type);
    expect(children.sort()).toEqual([
      "tricloud:cloudflare:ApiLoadBalancer",
      "tricloud:cloudflare:DnsRecords",
      "tricloud:cloudflare:Waf",
      "tricloud:cloudflare:ZoneTls",
    ]);
    // 60 s x 1 consecutive down + (2 retries + 1) x 5 s timeout; proxied, so no TTL.
    expect(built.component.failover.seconds).toBe(75);
  });

  it("VercelFrontend: a project on its custom domain, the API URL in its environment", async () => {
    const built = await buildComponent(
      () =>
        new VercelFrontend("web", {
          projectName: "tricloud-unit",
          framework: "nextjs",
          domain: "www.example.com",
          apiUrl: "https://api.example.com",
        }),
    );
    expectWellFormed(built, "tricloud:vercel:Frontend");
    expect(built.one("vercel:index/project:Project").inputs).toMatchObject({
      name: "tricloud-unit",
      framework: "nextjs",
    });
    expect(built.one("vercel:index/projectDomain:ProjectDomain").inputs.domain).toBe("www.example.com");
    expect(
      JSON.stringify(built.one("vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables").inputs),
    ).toContain("https://api.example.com");
  });

  it("QuorumKeys: one Ed25519 key per cloud, a new name per generation", async () => {
    const built = await buildComponent(() => new QuorumKeys("keys", { generations: { gcp: 2 } }));
    expectWellFormed(built, "tricloud:shared:QuorumKeys");
    const keys = built.ofType("tls:index/privateKey:PrivateKey");
    expect(keys.map((k) => k.name).sort()).toEqual(["keys-aws", "keys-azure", "keys-gcp-g2"]);
    for (const k of keys) expect(k.inputs.algorithm).toBe("ED25519");
  });
});
