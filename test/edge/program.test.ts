import { describe, expect, it } from "vitest";
import { mockResource } from "../../cli/plan/mock-state";
import { renderMarkdown } from "../../cli/plan/comment";
import { edgeSection, renderTable } from "../../cli/plan/render";
import type { PlannedResource } from "../../cli/plan/report";
import { readStackFile } from "../../cli/plan/stackfile";
import { CLOUDFLARE_MANAGED_RULESET_ID, OWASP_CORE_RULESET_ID } from "../../components/cloudflare/waf";
import { ancestors, input, ofType, oneOfType, planStack } from "../helpers/plan";

// One dev plan with other traffic settings and a Vercel team (the program runs once for both tests below).
const CONFIGURED = [
  "tricloud:traffic.steering=weighted",
  'tricloud:traffic.weights={"aws":20,"azure":30,"gcp":50}',
  "tricloud:traffic.fallback=gcp",
  "tricloud:traffic.origins.azure=tricloud-api.azurewebsites.net",
  "tricloud:vercel.teamId=team_abc123",
  'tricloud:vercel.gitRepository={"type":"github","repo":"acme/tricloud-web"}',
];

const T = {
  monitor: "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor",
  pool: "cloudflare:index/loadBalancerPool:LoadBalancerPool",
  lb: "cloudflare:index/loadBalancer:LoadBalancer",
  ruleset: "cloudflare:index/ruleset:Ruleset",
  setting: "cloudflare:index/zoneSetting:ZoneSetting",
  record: "cloudflare:index/dnsRecord:DnsRecord",
  project: "vercel:index/project:Project",
  domain: "vercel:index/projectDomain:ProjectDomain",
  env: "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables",
};
const ZONE = { dev: "4e82a1628ed2d675efe44fac7f64d18e", prod: "cda861c660795ba56ac12da3258c65e2" };
const ACCOUNT = "ba6fb676222fb26c5aaa5d0f5119f81a";

/** The id the offline plan's mocks give a Cloudflare or Vercel resource (cli/plan/mock-state.ts; no cloud context). */
const mockId = (r: PlannedResource) =>
  mockResource(r.type, r.name, r.inputs, {
    project: "tricloud",
    stack: "dev",
    awsRegion: "us-west-2",
    azureLocation: "eastus",
    gcpProject: "p",
    gcpRegion: "us-central1",
  }).id;
const pool = (report: Awaited<ReturnType<typeof planStack>>, cloud: string) =>
  oneOfType(report, T.pool, `-api-${cloud}`);

describe.each([
  ["dev", "tricloud-dev.example", { interval: 60, retries: 2, timeout: 5, regions: ["WNAM", "ENAM"] }],
  ["prod", "tricloud.example", { interval: 15, retries: 1, timeout: 5, regions: ["WNAM", "ENAM", "WEU"] }],
] as const)("%s edge", (stack, domain, monitor) => {
  it("probes GET /health over HTTPS on every origin, expecting 200, with the configured timing", async () => {
    const r = await planStack(stack);
    const m = oneOfType(r, T.monitor);
    expect(m.inputs).toMatchObject({
      accountId: ACCOUNT,
      type: "https",
      method: "GET",
      path: "/health",
      expectedCodes: "200",
      interval: monitor.interval,
      retries: monitor.retries,
      timeout: monitor.timeout,
      consecutiveDown: 1,
    });
  });

  it("has one pool per cloud with its origin, the monitor and the probing regions", async () => {
    const r = await planStack(stack);
    expect(ofType(r, T.pool)).toHaveLength(3);
    const monitorId = mockId(oneOfType(r, T.monitor));
    for (const cloud of ["aws", "azure", "gcp"]) {
      const p = pool(r, cloud);
      // No origins are configured in the stack files: each pool's origin is its cloud's function host.
      const origin = (r.outputs.functions as Record<string, { hostname: string }>)[cloud]!.hostname;
      expect(p.inputs).toMatchObject({
        accountId: ACCOUNT,
        monitor: monitorId,
        checkRegions: [...monitor.regions],
        minimumOrigins: 1,
      });
      expect(input(p, "origins")).toEqual([
        expect.objectContaining({ name: cloud, address: origin, header: { hosts: [origin] } }),
      ]);
    }
  });

  it("serves api.<domain> from a proxied load balancer over the three pools, with the aws pool as fallback", async () => {
    const r = await planStack(stack);
    const lb = oneOfType(r, T.lb);
    expect(lb.inputs).toMatchObject({
      zoneId: ZONE[stack],
      name: `api.${domain}`,
      proxied: true,
      fallbackPool: mockId(pool(r, "aws")),
    });
    expect([...(input(lb, "defaultPools") as string[])].sort()).toEqual(
      ["aws", "azure", "gcp"].map((c) => mockId(pool(r, c))).sort(),
    );
  });

  it("runs the Cloudflare managed and OWASP rulesets in the managed firewall phase", async () => {
    const r = await planStack(stack);
    const managed = ofType(r, T.ruleset).filter((x) => input(x, "phase") === "http_request_firewall_managed");
    expect(managed).toHaveLength(1);
    expect(managed[0]!.inputs).toMatchObject({ zoneId: ZONE[stack], kind: "zone" });
    const rules = input(managed[0]!, "rules") as {
      action: string;
      expression: string;
      actionParameters: { id: string };
    }[];
    expect(rules.map((x) => [x.action, x.expression, x.actionParameters.id])).toEqual([
      ["execute", "true", CLOUDFLARE_MANAGED_RULESET_ID],
      ["execute", "true", OWASP_CORE_RULESET_ID],
    ]);
  });

  it("rate-limits /v1/ on the API host per client IP in the rate-limit phase, with the configured limits", async () => {
    const r = await planStack(stack);
    const rl = ofType(r, T.ruleset).filter((x) => input(x, "phase") === "http_ratelimit");
    expect(rl).toHaveLength(1);
    const [rule] = input(rl[0]!, "rules") as Record<string, any>[];
    expect(rule!.action).toBe("block");
    expect(rule!.expression).toBe(`(http.host eq "api.${domain}" and starts_with(http.request.uri.path, "/v1/"))`);
    expect(rule!.ratelimit).toEqual({
      characteristics: ["cf.colo.id", "ip.src"],
      period: 60,
      requestsPerPeriod: stack === "prod" ? 1200 : 600,
      mitigationTimeout: 600,
    });
  });

  it("sets the TLS baseline: minimum 1.2, TLS 1.3, always HTTPS, HSTS, strict origin TLS", async () => {
    const r = await planStack(stack);
    const settings = Object.fromEntries(ofType(r, T.setting).map((s) => [input(s, "settingId"), input(s, "value")]));
    expect(ofType(r, T.setting).every((s) => input(s, "zoneId") === ZONE[stack])).toBe(true);
    expect(settings).toMatchObject({ min_tls_version: "1.2", tls_1_3: "on", always_use_https: "on", ssl: "strict" });
    expect(settings.security_header).toEqual({
      strict_transport_security: {
        enabled: true,
        max_age: 31_536_000,
        include_subdomains: true,
        preload: false,
        nosniff: true,
      },
    });
  });

  it("has the Vercel project on www.<domain>, deployed from its repository, pointed at https://api.<domain>", async () => {
    const r = await planStack(stack);
    const project = oneOfType(r, T.project);
    expect(project.inputs).toMatchObject({ name: `tricloud-${stack}`, framework: "nextjs" });
    // Its source: every push to the configured repository deploys, so www serves the frontend, not a 404.
    expect(project.inputs).toMatchObject({ gitRepository: { type: "github", repo: "tricloud-example/tricloud-web" } });
    expect(project.inputs).not.toHaveProperty("teamId");
    expect(oneOfType(r, T.domain).inputs).toMatchObject({ domain: `www.${domain}`, projectId: mockId(project) });
    const env = oneOfType(r, T.env);
    expect(input(env, "projectId")).toBe(mockId(project));
    expect(input(env, "variables")).toEqual(
      ["TRICLOUD_API_URL", "NEXT_PUBLIC_API_URL"].map((key) =>
        expect.objectContaining({
          key,
          value: `https://api.${domain}`,
          targets: ["production", "preview"],
          sensitive: true,
        }),
      ),
    );
  });

  it("sends www to Vercel unproxied, keeps the configured records, and leaves api to the load balancer", async () => {
    const r = await planStack(stack);
    const byName = new Map(ofType(r, T.record).map((x) => [input(x, "name"), x.inputs]));
    expect(byName.get(`www.${domain}`)).toMatchObject({
      zoneId: ZONE[stack],
      type: "CNAME",
      content: "cname.vercel-dns.com",
      proxied: false,
      ttl: 1,
    });
    expect(byName.get(`auth.${domain}`)).toMatchObject({
      type: "CNAME",
      content: "auth.tricloud-idp.example",
      proxied: true,
      ttl: 1,
    });
    expect(byName.get(`_dmarc.${domain}`)).toMatchObject({ type: "TXT" });
    expect(byName.get(`_dmarc.${domain}`)).not.toHaveProperty("proxied");
    // TXT content in double quotes, as Cloudflare asks.
    expect(byName.get(`_dmarc.${domain}`)!.content).toMatch(/^"v=DMARC1; p=\w+"$/);
    expect(byName.has(`api.${domain}`)).toBe(false);
    if (stack === "prod") {
      // At the domain itself ("@"): the alert contacts' addresses are @<domain>, and mail for them follows its MX.
      expect(byName.get(domain)).toMatchObject({ type: "MX", content: "mx.tricloud-mail.example", priority: 10 });
      const contacts = JSON.parse(
        readStackFile(`${__dirname}/../..`, "tricloud", stack).config["tricloud:alertContacts"]!,
      );
      for (const email of contacts.emails as string[]) expect(email.split("@")[1]).toBe(domain);
    }
  });

  it("keeps every edge resource inside its component, and every component registers its outputs", async () => {
    const r = await planStack(stack);
    const edge = r.resources.filter((x) => x.cloud === "cloudflare" || x.cloud === "vercel");
    for (const x of edge.filter((e) => e.custom)) {
      const tokens = ancestors(r, x).map((a) => a.type);
      expect(
        tokens.some((t) => t.startsWith(`tricloud:${x.cloud}:`)),
        `${x.urn} has no tricloud:${x.cloud} component above it`,
      ).toBe(true);
    }
    for (const c of edge.filter((e) => !e.custom)) expect(c.registeredOutputs, c.urn).toBe(true);
  });
});

describe("steering", () => {
  it("dev spreads requests 34/33/33 by random steering, a standard policy (no Traffic Steering add-on)", async () => {
    const r = await planStack("dev");
    const lb = oneOfType(r, T.lb);
    const id = (c: string) => mockId(pool(r, c));
    expect(input(lb, "steeringPolicy")).toBe("random");
    expect(input(lb, "randomSteering")).toEqual({
      defaultWeight: 0,
      poolWeights: { [id("aws")]: 0.34, [id("azure")]: 0.33, [id("gcp")]: 0.33 },
    });
  });

  it("prod is weighted 60/30/10: random steering with those pool weights, heaviest pool first", async () => {
    const r = await planStack("prod");
    const lb = oneOfType(r, T.lb);
    const id = (c: string) => mockId(pool(r, c));
    expect(input(lb, "steeringPolicy")).toBe("random");
    expect(input(lb, "randomSteering")).toEqual({
      defaultWeight: 0,
      poolWeights: { [id("aws")]: 0.6, [id("azure")]: 0.3, [id("gcp")]: 0.1 },
    });
    expect(input(lb, "defaultPools")).toEqual([id("aws"), id("azure"), id("gcp")]);
  });

  it("honours other weights, the fallback and configured origins", async () => {
    const r = await planStack("dev", CONFIGURED);
    const lb = oneOfType(r, T.lb);
    const id = (c: string) => mockId(pool(r, c));
    expect(input(lb, "randomSteering.poolWeights")).toEqual({ [id("aws")]: 0.2, [id("azure")]: 0.3, [id("gcp")]: 0.5 });
    expect(input(lb, "defaultPools")).toEqual([id("gcp"), id("azure"), id("aws")]);
    expect(input(lb, "fallbackPool")).toBe(id("gcp"));
    expect(input(pool(r, "azure"), "origins")).toEqual([
      expect.objectContaining({
        address: "tricloud-api.azurewebsites.net",
        header: { hosts: ["tricloud-api.azurewebsites.net"] },
      }),
    ]);
  });

  it("passes the Vercel team and git repository when configured", async () => {
    const r = await planStack("dev", CONFIGURED);
    expect(oneOfType(r, T.project).inputs).toMatchObject({
      teamId: "team_abc123",
      gitRepository: { type: "github", repo: "acme/tricloud-web" },
    });
    expect(input(oneOfType(r, T.domain), "teamId")).toBe("team_abc123");
    expect(input(oneOfType(r, T.env), "teamId")).toBe("team_abc123");
  });
});

describe("the plan report's failover figure", () => {
  it("is in the JSON report and the stack outputs for dev (75 s, no budget) and prod (25 s of 60 s)", async () => {
    const dev = await planStack("dev");
    const prod = await planStack("prod");
    expect(dev.edge).toEqual({
      failoverSeconds: 75,
      failoverBudgetSeconds: null,
      explanation: "75 s = 60 s interval + (2 retries + 1) x 5 s timeout + 0 s DNS cache (proxied)",
    });
    expect(prod.edge).toMatchObject({ failoverSeconds: 25, failoverBudgetSeconds: 60 });
    expect(prod.outputs.edge).toMatchObject({
      apiUrl: "https://api.tricloud.example",
      frontendUrl: "https://www.tricloud.example",
      failoverSeconds: 25,
    });
  });

  it("is printed in the table and in Markdown", async () => {
    const prod = await planStack("prod");
    expect(renderTable(prod, edgeSection(prod))).toContain(
      "Edge:\n  API failover, worst case: 25 s (within the 60 s budget)\n  Arithmetic: 25 s = 15 s interval",
    );
    expect(renderMarkdown(prod)).toContain("Edge: API failover, worst case: 25 s (within the 60 s budget).");
  });
});
