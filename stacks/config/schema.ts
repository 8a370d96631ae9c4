import { isIPv4, isIPv6 } from "node:net";
import { z } from "zod";
import { cheapestPlanWithin, failoverSeconds } from "../../components/cloudflare/failover";
import { CLOUDFLARE_PLANS, PLAN_LIMITS, RATE_LIMIT_PERIODS } from "../../components/cloudflare/plans";
import { cidrsOverlap, parseCidr } from "../../components/shared/cidr";
import {
  AWS_CGW_MAX_ASN,
  AZURE_APIPA_RANGE,
  AZURE_GATEWAY_SKUS,
  azureRefusesAsn,
  CROSS_CLOUD_DEFAULTS,
  insideAzureApipa,
  isPrivateAsn,
  TUNNEL_COUNT,
} from "../../components/shared/cross-cloud";
import { LABEL_KEY_RE, LABEL_VALUE_RE } from "../../components/shared/tags";
import { firstAwsZones } from "../../components/aws/zones";
import { firstZones } from "../../components/gcp/zones";
import { nodeAllocatable, type NodeAllocatable } from "@tricloud/vocabulary/allocatable";
import { SIDECAR_REQUESTS } from "../../components/workloads/render";
import { CLOUDFLARE_REGIONS } from "@tricloud/vocabulary/cloudflare";
import { SIZES, supportsHighAvailability, type Cloud, type Size } from "@tricloud/vocabulary/sizes";
import { bool, int, positiveNumber } from "./coerce";
import { schedule } from "./schedule";
import { mesh, servedClouds, services, type ServicesConfig } from "./services";

/**
 * The one schema for everything the program reads from `Pulumi.<stack>.yaml`:
 * the project's `tricloud:*` keys and the provider keys it relies on.
 * Every object is strict so a misspelt key is an error, not a silent default.
 */

const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
const HOSTNAME_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const size = z.enum(SIZES, { error: `expected one of ${SIZES.join(", ")}` });
const hostname = z.string().regex(HOSTNAME_RE, { error: "expected a lowercase DNS name such as example.com" });
const cidr = z.string().refine((s) => parseCidr(s) !== undefined, {
  error: "expected an IPv4 network in CIDR form such as 10.10.0.0/16 (no host bits set)",
});

const nodePool = z
  .strictObject({
    size: size.default("small"),
    minNodes: int(1, 100).default(1),
    desiredNodes: int(1, 100).default(2),
    maxNodes: int(1, 100).default(3),
  })
  .superRefine((p, ctx) => {
    if (p.minNodes > p.desiredNodes) {
      ctx.addIssue({
        code: "custom",
        path: ["minNodes"],
        message: `expected minNodes (${p.minNodes}) <= desiredNodes (${p.desiredNodes})`,
      });
    }
    if (p.desiredNodes > p.maxNodes) {
      ctx.addIssue({
        code: "custom",
        path: ["maxNodes"],
        message: `expected maxNodes (${p.maxNodes}) >= desiredNodes (${p.desiredNodes})`,
      });
    }
  });

const cloudNetwork = (defaults: { cidr: string; zones: number }) =>
  z.strictObject({
    cidr: cidr.default(defaults.cidr),
    zones: int(1, 3).default(defaults.zones),
  });

const gcpNetwork = cloudNetwork({ cidr: "10.30.0.0/20", zones: 1 }).extend({
  podsCidr: cidr.default("10.32.0.0/14"),
  servicesCidr: cidr.default("10.36.0.0/20"),
  privateServicesCidr: cidr.default("10.37.0.0/20"),
});

const asn = int(1, 4_294_967_294);
const PRIVATE_ASN = "a private ASN (64512-65534 or 4200000000-4294967294)";
/**
 * The site-to-site VPN between the three networks (components/shared/cross-cloud.ts): the BGP number of each
 * cloud's gateway, the range the tunnels' /30s are carved from and Azure's gateway SKU.
 */
const crossCloud = z
  .strictObject({
    enabled: bool().default(false),
    asns: z
      .strictObject({
        aws: asn.default(CROSS_CLOUD_DEFAULTS.asns.aws),
        azure: asn.default(CROSS_CLOUD_DEFAULTS.asns.azure),
        gcp: asn.default(CROSS_CLOUD_DEFAULTS.asns.gcp),
      })
      .prefault({}),
    tunnelCidr: cidr.default(CROSS_CLOUD_DEFAULTS.tunnelCidr),
    azureGatewaySku: z
      .enum(AZURE_GATEWAY_SKUS, {
        error: `expected one of ${AZURE_GATEWAY_SKUS.join(", ")} (new gateways must use an AZ SKU; VpnGw1-5 without AZ and Basic are refused)`,
      })
      .default(CROSS_CLOUD_DEFAULTS.azureGatewaySku),
  })
  .superRefine((c, ctx) => {
    const at = (path: string[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const { aws, azure, gcp } = c.asns;
    if (!isPrivateAsn(aws))
      at(["asns", "aws"], `expected ${PRIVATE_ASN} for the AWS virtual private gateway, got ${aws}`);
    if (!isPrivateAsn(gcp)) at(["asns", "gcp"], `expected ${PRIVATE_ASN} for the Cloud Router, got ${gcp}`);
    if (azureRefusesAsn(azure, true))
      at(
        ["asns", "azure"],
        `expected an ASN Azure allows for its gateway (not 8074, 8075, 12076, 65517-65520, 23456, 64496-64511 or 65535-65551), got ${azure}`,
      );
    for (const [cloud, n] of [
      ["aws", aws],
      ["gcp", gcp],
    ] as const) {
      if (azureRefusesAsn(n, false))
        at(
          ["asns", cloud],
          `expected an ASN Azure accepts for a peer (Azure reserves 65515 and 65517-65520), got ${n}`,
        );
    }
    for (const [cloud, n] of [
      ["azure", azure],
      ["gcp", gcp],
    ] as const) {
      if (n > AWS_CGW_MAX_ASN)
        at(
          ["asns", cloud],
          `expected at most ${AWS_CGW_MAX_ASN} (the largest ASN an AWS customer gateway takes), got ${n}`,
        );
    }
    if (aws === azure || aws === gcp)
      at(["asns", "aws"], `expected an ASN of its own (each cloud is its own BGP neighbour), got ${aws} twice`);
    else if (azure === gcp)
      at(["asns", "gcp"], `expected an ASN of its own (each cloud is its own BGP neighbour), got ${gcp} twice`);
    const range = parseCidr(c.tunnelCidr);
    if (range && (!insideAzureApipa(c.tunnelCidr) || 2 ** (32 - range.prefix) < 4 * TUNNEL_COUNT)) {
      at(
        ["tunnelCidr"],
        `expected a range inside Azure's APIPA BGP range ${AZURE_APIPA_RANGE} with room for the ${TUNNEL_COUNT} tunnels' /30s (a /26 or larger, e.g. 169.254.21.0/24), got ${c.tunnelCidr}`,
      );
    }
  });

export const STEERING = ["dynamic_latency", "weighted", "proximity", "off"] as const;
export { CLOUDFLARE_PLANS };
/** Worst-case API failover allowed in prod (the platform's target: DNS failover under a minute). */
export const PROD_FAILOVER_BUDGET_SECONDS = 60;
/** Where Cloudflare may run the pools' health checks. */
export const MONITOR_REGIONS = CLOUDFLARE_REGIONS;
const weight = int(0, 100);

const traffic = z
  .strictObject({
    steering: z.enum(STEERING, { error: `expected one of ${STEERING.join(", ")}` }).default("dynamic_latency"),
    weights: z.strictObject({ aws: weight, azure: weight, gcp: weight }).optional(),
    fallback: z.enum(["aws", "azure", "gcp"], { error: "expected aws, azure or gcp" }).default("aws"),
    cloudflarePlan: z
      .enum(CLOUDFLARE_PLANS, { error: `expected one of ${CLOUDFLARE_PLANS.join(", ")}` })
      .default("pro"),
    monitor: z
      .strictObject({
        intervalSeconds: int(10, 3600).default(60),
        retries: int(0, 5).default(2),
        timeoutSeconds: int(1, 10).default(5),
        regions: z
          .array(z.enum(MONITOR_REGIONS, { error: `expected region codes from ${MONITOR_REGIONS.join(", ")}` }))
          .min(1)
          .default(["WNAM", "ENAM"]),
      })
      .prefault({}),
    /** API origins per cloud until the function hosts provide them. */
    origins: z.strictObject({ aws: hostname, azure: hostname, gcp: hostname }).partial().prefault({}),
  })
  .superRefine((t, ctx) => {
    const w = t.weights;
    if (t.steering === "weighted" && !w) {
      ctx.addIssue({
        code: "custom",
        path: ["weights"],
        message: "expected weights for aws, azure and gcp when steering is weighted",
      });
    }
    if (w && w.aws + w.azure + w.gcp !== 100) {
      ctx.addIssue({
        code: "custom",
        path: ["weights"],
        message: `expected weights that sum to 100, got ${w.aws} + ${w.azure} + ${w.gcp} = ${w.aws + w.azure + w.gcp}`,
      });
    }
    if (w && t.steering !== "weighted") {
      ctx.addIssue({
        code: "custom",
        path: ["weights"],
        message: `expected no weights unless steering is weighted (steering is ${t.steering}, which would ignore them)`,
      });
    }
    const m = t.monitor;
    const min = PLAN_LIMITS[t.cloudflarePlan].minMonitorIntervalSeconds;
    if (m.intervalSeconds < min) {
      ctx.addIssue({
        code: "custom",
        path: ["monitor", "intervalSeconds"],
        message: `expected at least ${min} s on the Cloudflare ${t.cloudflarePlan} plan (its minimum monitor interval; business allows 15 s, enterprise 10 s), got ${m.intervalSeconds}`,
      });
    }
    // Probes must not overlap, or the failover arithmetic (components/cloudflare/failover.ts) no longer bounds anything.
    if ((m.retries + 1) * m.timeoutSeconds >= m.intervalSeconds) {
      ctx.addIssue({
        code: "custom",
        path: ["monitor", "timeoutSeconds"],
        message: `expected (retries + 1) x timeoutSeconds below intervalSeconds so probes never overlap, got (${m.retries} + 1) x ${m.timeoutSeconds} = ${(m.retries + 1) * m.timeoutSeconds} >= ${m.intervalSeconds}`,
      });
    }
  });

/** SLO target, latency objective and budget split (components/shared/slo.ts has the math). */
const sloPercent = z.preprocess(
  (v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v),
  z
    .number({ error: "expected a percentage from 95 to 99.999, e.g. 99.9" })
    .min(95, {
      error: "expected a percentage from 95 to 99.999 (below ~93 % the 14.4x burn-rate alert could never fire)",
    })
    .max(99.999, { error: "expected a percentage from 95 to 99.999, e.g. 99.9" }),
);
const share = int(0, 100);
const observability = z
  .strictObject({
    /** Availability objective in percent; defaults to 99.9 outside prod and 99.95 in prod. */
    sloTarget: sloPercent.optional(),
    /** Target: p99 under 200 ms. */
    p99LatencyMs: int(1, 60000).default(200),
    /** Percent of tricloud:costCeilingUsd each cloud's budget gets; equal thirds when absent. */
    budgetSplit: z.strictObject({ aws: share, azure: share, gcp: share }).optional(),
  })
  .superRefine((o, ctx) => {
    const s = o.budgetSplit;
    if (s && s.aws + s.azure + s.gcp !== 100) {
      ctx.addIssue({
        code: "custom",
        path: ["budgetSplit"],
        message: `expected shares that sum to 100, got ${s.aws} + ${s.azure} + ${s.gcp} = ${s.aws + s.azure + s.gcp}`,
      });
    }
  });

/** Instance memory every function host offers (Flex Consumption has exactly these sizes). */
export const FUNCTION_MEMORY_MB = [512, 2048, 4096] as const;
/** The health/quorum functions on every cloud (components/<cloud>/function-host.ts). */
const functions = z.strictObject({
  memoryMb: z
    .preprocess(
      (v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v),
      z.union(
        FUNCTION_MEMORY_MB.map((m) => z.literal(m)),
        { error: `expected one of ${FUNCTION_MEMORY_MB.join(", ")} (MB)` },
      ),
    )
    .default(512),
  /** Instances per cloud at most; with 2 connections each this bounds what the database pooler sees. */
  maxInstances: int(1, 1000).default(20),
  /** How often each cloud's reconciler runs (re-drives PENDING events, pings peers). */
  reconcileEveryMinutes: int(1, 60).default(1),
  /**
   * The AWS account's Lambda concurrent-executions quota in the stack's region (Service Quotas L-B99A9384; 1,000 by
   * default, less on new accounts): preflight refuses a reservation that leaves fewer than 100 unreserved.
   */
  awsAccountConcurrency: int(1, 1_000_000).default(1000),
});

export const DNS_RECORD_TYPES = ["A", "AAAA", "CNAME", "TXT", "MX"] as const;
/** Names the edge creates itself: the API load balancer and the Vercel frontend. */
export const RESERVED_RECORD_NAMES = ["api", "www"] as const;
/** Relative record names: dot-separated DNS labels (underscores allowed, as in `_dmarc`), or "@" for the domain itself. */
const RECORD_NAME_RE = /^(@|[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*)$/;
const dnsRecord = z
  .strictObject({
    type: z.enum(DNS_RECORD_TYPES, { error: `expected one of ${DNS_RECORD_TYPES.join(", ")}` }),
    value: z.string().min(1, { error: "expected a record value" }),
    proxied: bool().optional(),
    ttl: int(1, 86400).optional(),
    priority: int(0, 65535).optional(),
  })
  .superRefine((r, ctx) => {
    const at = (path: string[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (r.type === "A" && !isIPv4(r.value)) at(["value"], `expected an IPv4 address for an A record, got "${r.value}"`);
    if (r.type === "AAAA" && !isIPv6(r.value))
      at(["value"], `expected an IPv6 address for an AAAA record, got "${r.value}"`);
    if ((r.type === "CNAME" || r.type === "MX") && !HOSTNAME_RE.test(r.value)) {
      at(
        ["value"],
        `expected a lowercase hostname such as target.example.com for a ${r.type} record, got "${r.value}"`,
      );
    }
    if (r.type === "TXT" && r.value.length > 2048)
      at(["value"], `expected a TXT value of at most 2048 characters, got ${r.value.length}`);
    if (r.type === "MX" && r.priority === undefined)
      at(["priority"], "expected a priority for an MX record (lower is preferred), e.g. 10");
    if (r.type !== "MX" && r.priority !== undefined)
      at(["priority"], `expected no priority on a ${r.type} record (only MX records have one)`);
    if (r.proxied && (r.type === "TXT" || r.type === "MX"))
      at(["proxied"], `expected proxied only on A, AAAA or CNAME records, not ${r.type}`);
    if (r.proxied && r.ttl !== undefined && r.ttl !== 1)
      at(["ttl"], "expected no ttl on a proxied record (Cloudflare answers proxied records with an automatic TTL)");
    if (r.ttl !== undefined && r.ttl !== 1 && r.ttl < 30)
      at(["ttl"], `expected 1 (automatic) or 30 to 86400 seconds, got ${r.ttl}`);
  });

const tricloud = z
  .strictObject({
    environment: z.enum(ENVIRONMENTS, { error: `expected one of ${ENVIRONMENTS.join(", ")}` }),
    domain: hostname,
    kubernetesVersion: z.string().regex(/^1\.(3\d|[4-9]\d)$/, {
      error:
        'expected a Kubernetes minor version such as "1.36" (1.30 or newer; each cloud picks the patch; preflight judges the support dates)',
    }),
    postgresVersion: z
      .preprocess((v) => (typeof v === "number" ? String(v) : v), z.string())
      .pipe(
        z.string().regex(/^1[4-8]$/, {
          error: 'expected a PostgreSQL major version from "14" to "18" (preflight judges the support dates)',
        }),
      ),
    network: z
      .strictObject({
        aws: cloudNetwork({ cidr: "10.10.0.0/16", zones: 2 }).prefault({}),
        azure: cloudNetwork({ cidr: "10.20.0.0/16", zones: 1 }).prefault({}),
        gcp: gcpNetwork.prefault({}),
        crossCloud: crossCloud.prefault({}),
      })
      .prefault({}),
    clusters: z.strictObject({
      aws: nodePool.prefault({}),
      azure: nodePool.prefault({}),
      gcp: nodePool.prefault({}),
      /** CIDRs allowed to reach the public API endpoints; empty means private endpoints only. */
      publicAccessCidrs: z.array(cidr).default([]),
      /**
       * The IAM Identity Center instance the EKS Argo CD capability signs users in with; without it no capability is
       * created. Pattern: IAM Identity Center's InstanceArn.
       */
      eksArgoCdIdcInstanceArn: z
        .string({
          error: "expected an IAM Identity Center instance ARN, e.g. arn:aws:sso:::instance/ssoins-1234567890abcdef",
        })
        .regex(/^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/, {
          error:
            "expected an IAM Identity Center instance ARN (arn:aws:sso:::instance/ssoins- and 16 characters), as `aws sso-admin list-instances` prints it",
        })
        .optional(),
    }),
    database: z.strictObject({
      size: size.default("small"),
      storageGb: int(20, 16384).default(20),
      highAvailability: bool().default(false),
      backupRetentionDays: int(7, 35).default(7),
    }),
    traffic: traffic.prefault({}),
    /** The existing Cloudflare zone that holds the domain, and the account that owns it. */
    cloudflare: z.strictObject(
      {
        zoneId: z
          .string({ error: "expected the Cloudflare zone id (32 hex characters, from the zone's overview page)" })
          .regex(/^[0-9a-f]{32}$/, { error: "expected a Cloudflare zone id: 32 lowercase hex characters" }),
        accountId: z
          .string({ error: "expected the Cloudflare account id (32 hex characters)" })
          .regex(/^[0-9a-f]{32}$/, { error: "expected a Cloudflare account id: 32 lowercase hex characters" }),
      },
      { error: "expected { zoneId, accountId } of the existing Cloudflare zone" },
    ),
    dns: z
      .strictObject({ records: z.record(z.string(), dnsRecord).default({}) })
      .superRefine((d, ctx) => {
        for (const name of Object.keys(d.records)) {
          if (!RECORD_NAME_RE.test(name)) {
            ctx.addIssue({
              code: "custom",
              path: ["records", name],
              message: `expected a record name made of DNS labels (a-z, 0-9, -, _) or "@" for the domain itself, got "${name}"`,
            });
          } else if ((RESERVED_RECORD_NAMES as readonly string[]).includes(name)) {
            ctx.addIssue({
              code: "custom",
              path: ["records", name],
              message: `expected another name: "${name}" is reserved (api is the load balancer, www the Vercel frontend)`,
            });
          }
        }
      })
      .prefault({}),
    waf: z
      .strictObject({
        rateLimit: z
          .strictObject({
            requestsPerPeriod: int(1, 1_000_000).default(600),
            periodSeconds: z
              .preprocess(
                (v) => (typeof v === "string" ? Number(v) : v),
                z.union(
                  [z.literal(10), z.literal(60), z.literal(120), z.literal(300), z.literal(600), z.literal(3600)],
                  { error: "expected one of 10, 60, 120, 300, 600, 3600" },
                ),
              )
              .default(60),
            mitigationSeconds: int(10, 86400).default(600),
          })
          .prefault({}),
      })
      .prefault({}),
    vercel: z
      .strictObject({
        teamId: z.string().min(1).optional(),
        gitRepository: z
          .strictObject({
            type: z.enum(["github", "gitlab", "bitbucket"], { error: "expected github, gitlab or bitbucket" }),
            repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, { error: 'expected "owner/name"' }),
          })
          .optional(),
        framework: z.string().default("nextjs"),
      })
      .prefault({}),
    costCeilingUsd: positiveNumber("a monthly ceiling in US dollars greater than 0"),
    alertContacts: z.strictObject({
      emails: z
        .array(z.string().regex(EMAIL_RE, { error: "expected an email address" }))
        .min(1, { error: "expected at least one email address" }),
    }),
    tags: z
      .record(
        z.string().regex(LABEL_KEY_RE, {
          error: "expected tag keys of lowercase letters, digits, - or _ (valid as GCP labels too)",
        }),
        z.string().regex(LABEL_VALUE_RE, {
          error: "expected tag values of at most 63 lowercase letters, digits, - or _ (valid as GCP labels too)",
        }),
      )
      .default({}),
    requiredTags: z.array(z.string()).default(["owner", "cost-center"]),
    logRetentionDays: int(1, 3653).default(30),
    /**
     * What kind of Entra principal runs `pulumi up` against Azure: the program grants it a data role, and Azure refuses
     * a role assignment whose principalType does not match the principal (UnmatchedPrincipalType). CI runs as a
     * service principal; a person after `az login` is a User.
     */
    azureDeployerPrincipalType: z
      .enum(["ServicePrincipal", "User", "Group"], {
        error: "expected ServicePrincipal (CI, a service principal or managed identity), User (az login) or Group",
      })
      .default("ServicePrincipal"),
    allowedLockIn: z.array(z.string()).default([]),
    observability: observability.prefault({}),
    functions: functions.prefault({}),
    /** What the clusters run (stacks/config/services.ts). */
    services: services.default({}),
    /** Working hours outside which the services scale to zero (stacks/config/schedule.ts); absent: always on. */
    schedule: schedule.optional(),
    /** The Istio mesh over the clusters (stacks/config/services.ts). */
    mesh,
    /** Where the budgets live; GCP budgets belong to a billing account, which no project setting names. */
    billing: z.strictObject(
      {
        gcpBillingAccount: z
          .string({ error: "expected the GCP billing account id, e.g. 012345-6789AB-CDEF01" })
          .regex(/^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$/, {
            error:
              "expected a GCP billing account id: three groups of 6 uppercase hex characters, e.g. 012345-6789AB-CDEF01",
          }),
      },
      { error: "expected { gcpBillingAccount } (the billing account the GCP budget is created in)" },
    ),
  })
  .superRefine((c, ctx) => {
    const at = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const prod = c.environment === "prod";

    for (const cloud of ["aws", "azure", "gcp"] as const) {
      const p = c.clusters[cloud];
      if (prod && p.minNodes < 2)
        at(
          ["clusters", cloud, "minNodes"],
          `expected at least 2 in prod (node pools must survive a node loss), got ${p.minNodes}`,
        );
      const zones = c.network[cloud].zones;
      if (prod && zones < 2) at(["network", cloud, "zones"], `expected at least 2 zones in prod, got ${zones}`);
    }
    if (c.network.aws.zones < 2)
      at(
        ["network", "aws", "zones"],
        `expected at least 2 (EKS needs subnets in two availability zones), got ${c.network.aws.zones}`,
      );

    // Address plans must not overlap: the clouds are peered or VPN-linked later.
    const ranges: [string[], string][] = [
      [["network", "aws", "cidr"], c.network.aws.cidr],
      [["network", "azure", "cidr"], c.network.azure.cidr],
      [["network", "gcp", "cidr"], c.network.gcp.cidr],
      [["network", "gcp", "podsCidr"], c.network.gcp.podsCidr],
      [["network", "gcp", "servicesCidr"], c.network.gcp.servicesCidr],
      [["network", "gcp", "privateServicesCidr"], c.network.gcp.privateServicesCidr],
    ];
    for (let i = 0; i < ranges.length; i++) {
      for (let j = i + 1; j < ranges.length; j++) {
        const [pa, a] = ranges[i]!;
        const [pb, b] = ranges[j]!;
        const ca = parseCidr(a);
        const cb = parseCidr(b);
        if (ca && cb && cidrsOverlap(ca, cb))
          at(pb, `expected a range that does not overlap tricloud:${pa.join(".")} (${a}), got ${b}`);
      }
    }

    // EKS publishes its endpoint's private addresses under the public name only when the endpoint is private-only
    // (https://repost.aws/knowledge-center/eks-private-cluster-endpoint-vpc, read 2026-11-30); with a public endpoint
    // the other clouds would resolve its public addresses and never use the tunnels.
    if (c.network.crossCloud.enabled && c.clusters.publicAccessCidrs.length > 0) {
      at(
        ["clusters", "publicAccessCidrs"],
        "expected [] (private endpoints only) when tricloud:network.crossCloud.enabled is true: with a public endpoint EKS resolves its name to public addresses and the other clouds would not use the VPN",
      );
    }
    if (prod && c.clusters.publicAccessCidrs.includes("0.0.0.0/0")) {
      at(
        ["clusters", "publicAccessCidrs"],
        "expected specific CIDRs in prod, not 0.0.0.0/0 (leave empty for private endpoints only)",
      );
    }
    if (prod && !c.database.highAvailability)
      at(["database", "highAvailability"], "expected true in prod (a standby in another zone)");
    if (c.database.highAvailability && !supportsHighAvailability(c.database.size)) {
      // Azure maps this size to a Burstable server, which cannot have a zone-redundant standby.
      at(
        ["database", "size"],
        `expected ${SIZES.filter(supportsHighAvailability).join(" or ")} when highAvailability is true (Azure's Burstable tier has no standby), got ${c.database.size}`,
      );
    }
    if (prod && c.database.backupRetentionDays < 30) {
      at(
        ["database", "backupRetentionDays"],
        `expected at least 30 days in prod, got ${c.database.backupRetentionDays}`,
      );
    }

    // Edge limits that depend on the Cloudflare plan or the environment.
    const plan = c.traffic.cloudflarePlan;
    const limits = PLAN_LIMITS[plan];
    for (const [name, r] of Object.entries(c.dns.records)) {
      if (r.ttl !== undefined && r.ttl !== 1 && r.ttl < 60 && plan !== "enterprise") {
        at(
          ["dns", "records", name, "ttl"],
          `expected 60 to 86400 seconds (or 1, automatic) on the ${plan} plan; TTLs from 30 s need enterprise, got ${r.ttl}`,
        );
      }
    }
    const rl = c.waf.rateLimit;
    if (rl.periodSeconds > limits.maxRateLimitPeriodSeconds) {
      at(
        ["waf", "rateLimit", "periodSeconds"],
        `expected at most ${limits.maxRateLimitPeriodSeconds} s on the Cloudflare ${plan} plan, got ${rl.periodSeconds}`,
      );
    }
    if (
      !(RATE_LIMIT_PERIODS as readonly number[]).includes(rl.mitigationSeconds) ||
      rl.mitigationSeconds > limits.maxMitigationSeconds
    ) {
      const allowed = RATE_LIMIT_PERIODS.filter((p) => p <= limits.maxMitigationSeconds);
      at(
        ["waf", "rateLimit", "mitigationSeconds"],
        `expected one of ${allowed.join(", ")} on the Cloudflare ${plan} plan, got ${rl.mitigationSeconds}`,
      );
    }
    if (prod) {
      const m = c.traffic.monitor;
      const est = failoverSeconds({ ...m, proxied: true });
      if (est.seconds > PROD_FAILOVER_BUDGET_SECONDS) {
        const why = `expected a worst-case API failover of at most ${PROD_FAILOVER_BUDGET_SECONDS} s in prod (the platform's target: DNS failover under a minute), got ${est.explanation}`;
        const advice = cheapestPlanWithin(PROD_FAILOVER_BUDGET_SECONDS, { ...m, proxied: true });
        if (!advice) {
          at(
            ["traffic", "monitor"],
            `${why}; no Cloudflare plan can fix that with these retries and timeoutSeconds: lower them first`,
          );
        } else if (CLOUDFLARE_PLANS.indexOf(advice.plan) <= CLOUDFLARE_PLANS.indexOf(plan)) {
          at(
            ["traffic", "monitor", "intervalSeconds"],
            `${why}; set intervalSeconds to ${advice.maxIntervalSeconds} or less (the ${plan} plan allows down to ${limits.minMonitorIntervalSeconds} s)`,
          );
        } else {
          at(
            ["traffic", "cloudflarePlan"],
            `${why}; the ${plan} plan cannot: its shortest monitor interval is ${limits.minMonitorIntervalSeconds} s. The ${advice.plan} plan (minimum ${PLAN_LIMITS[advice.plan].minMonitorIntervalSeconds} s) would allow it with intervalSeconds at most ${advice.maxIntervalSeconds}`,
          );
        }
      }
    }

    // Budgets are split in cents and must add up to the ceiling exactly.
    if (Math.abs(Math.round(c.costCeilingUsd * 100) - c.costCeilingUsd * 100) > 1e-6) {
      at(
        ["costCeilingUsd"],
        `expected whole cents (the per-cloud budgets are split in cents), got ${c.costCeilingUsd}`,
      );
    }
    if (prod && c.logRetentionDays < 30)
      at(
        ["logRetentionDays"],
        `expected at least 30 days in prod (the platform keeps 30 days of logs), got ${c.logRetentionDays}`,
      );

    for (const [name, s] of Object.entries(c.services)) {
      // A PodDisruptionBudget can only let a node drain without an outage when two replicas are up.
      if (prod && s.autoscaling.minReplicas < 2)
        at(
          ["services", name, "autoscaling", "minReplicas"],
          `expected at least 2 in prod (a node can then drain without an outage), got ${s.autoscaling.minReplicas}`,
        );
    }

    podsFitNodes(c, at);

    if (prod && c.schedule)
      at(
        ["schedule"],
        "expected no schedule in prod (prod serves around the clock; scale-to-zero is for dev and staging)",
      );
    // The off-hours downscaler scales Deployments (components/workloads/downscaler.ts); a canaried service runs as an
    // Argo Rollout, which it would leave running all night while the cost model counts it off.
    if (c.schedule && !prod)
      for (const [name, s] of Object.entries(c.services))
        if (s.canary)
          at(
            ["services", name, "canary"],
            "expected no canary while tricloud:schedule is set (the off-hours downscaler scales Deployments, and a canaried service runs as an Argo Rollout it does not scale); remove the canary or the schedule",
          );

    for (const key of c.requiredTags) {
      if (!(key in c.tags)) at(["tags", key], `expected required tag "${key}" (listed in tricloud:requiredTags)`);
    }
  });

/**
 * Each service's pod, its requests plus the Istio sidecar's (every cluster is in the mesh), must fit what one node of
 * the cloud's size class allocates (vocabulary/allocatable.ts), on every cloud that runs it: a pod larger
 * than one node stays Pending however many nodes the autoscaler adds. Checked here, beside the other cross-field
 * checks, because both sides are this config (the requests and tricloud:clusters.<cloud>.size) and the message can
 * name the key to change.
 */
function podsFitNodes(
  c: { services: ServicesConfig; clusters: Readonly<Record<Cloud, { size: Size }>> },
  at: (path: (string | number)[], message: string) => void,
) {
  for (const [name, s] of Object.entries(c.services)) {
    const nodes = servedClouds(s).map((cloud) => {
      const size = c.clusters[cloud].size;
      return { cloud, size, ...nodeAllocatable(cloud, size) };
    });
    const fit = (key: "cpu" | "memory", unit: string, sidecar: number, allocatable: (n: NodeAllocatable) => number) => {
      const pod = s.requests[key] + sidecar;
      const short = nodes.filter((n) => pod > allocatable(n));
      if (short.length === 0) return;
      const most = Math.min(...short.map(allocatable)) - sidecar;
      const where = short
        .map(
          (n) =>
            `${n.cloud} (size ${n.size}, ${n.machine}: ${n.cpuMillis}m CPU and ${n.memoryMiB}Mi memory allocatable)`,
        )
        .join(", ");
      at(
        ["services", name, "requests", key],
        `expected at most ${most}${unit}: with the Istio sidecar's ${sidecar}${unit} the pod requests ${pod}${unit}, more than one node allocates on ${where}, so it would never be scheduled there; lower the request or choose a larger ${short.map((n) => `tricloud:clusters.${n.cloud}.size`).join(", ")}`,
      );
    };
    fit("cpu", "m", SIDECAR_REQUESTS.cpu, (n) => n.cpuMillis);
    fit("memory", "Mi", SIDECAR_REQUESTS.memory, (n) => n.memoryMiB);
  }
}

export const stackConfigSchema = z
  .object({
    tricloud,
    // Provider namespaces are loose: they hold keys the providers read (profiles, credentials), not us.
    aws: z
      .looseObject({
        region: z
          .string()
          .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: "expected an AWS region such as us-west-2" })
          .default("us-west-2"),
      })
      .prefault({}),
    "azure-native": z
      .looseObject({
        location: z
          .string()
          .regex(/^[a-z]+[a-z0-9]*$/, { error: "expected an Azure location such as eastus" })
          .default("eastus"),
      })
      .prefault({}),
    gcp: z.looseObject({
      project: z.string({ error: "expected a GCP project id" }).regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, {
        error: "expected a GCP project id (6-30 lowercase letters, digits, hyphens)",
      }),
      region: z
        .string()
        .regex(/^[a-z]+-[a-z]+\d+$/, { error: "expected a GCP region such as us-central1" })
        .default("us-central1"),
    }),
  })
  .superRefine((c, ctx) => {
    // The zones come from a table per region (components/aws/zones.ts: the AZ IDs EKS accepts subnets in, the same
    // zones in every account; components/gcp/zones.ts: Google's zones): a region its table does not list (aws:region,
    // gcp:region), or more zones than it lists (tricloud:network.<cloud>.zones, e.g. 3 in us-west-1, which has two
    // zones EKS accepts), is refused here (exit 2), before the program builds anything.
    for (const r of [
      firstAwsZones(c.aws.region, c.tricloud.network.aws.zones),
      firstZones(c.gcp.region, c.tricloud.network.gcp.zones),
    ])
      if ("problem" in r) ctx.addIssue({ code: "custom", path: [...r.problem.path], message: r.problem.message });
  });

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ParsedStackConfig = z.output<typeof stackConfigSchema>;
