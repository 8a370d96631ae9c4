import { z } from "zod";
import { cidrsOverlap, parseCidr } from "../../components/shared/cidr";
import { LABEL_KEY_RE, LABEL_VALUE_RE } from "../../components/shared/tags";
import { SIZES } from "../../components/shared/sizes";
import { bool, int, positiveNumber } from "./coerce";

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
      ctx.addIssue({ code: "custom", path: ["minNodes"], message: `expected minNodes (${p.minNodes}) <= desiredNodes (${p.desiredNodes})` });
    }
    if (p.desiredNodes > p.maxNodes) {
      ctx.addIssue({ code: "custom", path: ["maxNodes"], message: `expected maxNodes (${p.maxNodes}) >= desiredNodes (${p.desiredNodes})` });
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

export const STEERING = ["dynamic_latency", "weighted", "proximity", "off"] as const;
export const CLOUDFLARE_PLANS = ["pro", "business", "enterprise"] as const;
export const MONITOR_REGIONS = ["WNAM", "ENAM", "WEU", "EEU", "NSAM", "SSAM", "OC", "ME", "NAF", "SAF", "IN", "SEAS", "NEAS"] as const;
const weight = int(0, 100);

const traffic = z.strictObject({
  steering: z.enum(STEERING, { error: `expected one of ${STEERING.join(", ")}` }).default("dynamic_latency"),
  weights: z.strictObject({ aws: weight, azure: weight, gcp: weight }).optional(),
  fallback: z.enum(["aws", "azure", "gcp"], { error: "expected aws, azure or gcp" }).default("aws"),
  cloudflarePlan: z.enum(CLOUDFLARE_PLANS, { error: `expected one of ${CLOUDFLARE_PLANS.join(", ")}` }).default("pro"),
  monitor: z
    .strictObject({
      intervalSeconds: int(10, 3600).default(60),
      retries: int(0, 5).default(2),
      timeoutSeconds: int(1, 10).default(5),
      regions: z.array(z.enum(MONITOR_REGIONS, { error: `expected region codes from ${MONITOR_REGIONS.join(", ")}` })).min(1).default(["WNAM", "ENAM"]),
    })
    .prefault({}),
  /** API origins per cloud until the function hosts provide them. */
  origins: z.strictObject({ aws: hostname, azure: hostname, gcp: hostname }).partial().prefault({}),
}).superRefine((t, ctx) => {
  const w = t.weights;
  if (t.steering === "weighted" && !w) {
    ctx.addIssue({ code: "custom", path: ["weights"], message: "expected weights for aws, azure and gcp when steering is weighted" });
  }
  if (w && w.aws + w.azure + w.gcp !== 100) {
    ctx.addIssue({ code: "custom", path: ["weights"], message: `expected weights that sum to 100, got ${w.aws} + ${w.azure} + ${w.gcp} = ${w.aws + w.azure + w.gcp}` });
  }
});

export const DNS_RECORD_TYPES = ["A", "AAAA", "CNAME", "TXT", "MX"] as const;
const dnsRecord = z.strictObject({
  type: z.enum(DNS_RECORD_TYPES, { error: `expected one of ${DNS_RECORD_TYPES.join(", ")}` }),
  value: z.string().min(1, { error: "expected a record value" }),
  proxied: bool().optional(),
  ttl: int(1, 86400).optional(),
  priority: int(0, 65535).optional(),
});

const tricloud = z
  .strictObject({
    environment: z.enum(ENVIRONMENTS, { error: `expected one of ${ENVIRONMENTS.join(", ")}` }),
    domain: hostname,
    kubernetesVersion: z.string().regex(/^1\.(3\d|[4-9]\d)$/, {
      error: 'expected a Kubernetes minor version such as "1.33" (1.30 or newer; each cloud picks the patch)',
    }),
    postgresVersion: z
      .preprocess((v) => (typeof v === "number" ? String(v) : v), z.string())
      .pipe(z.string().regex(/^1[4-7]$/, { error: 'expected a PostgreSQL major version from "14" to "17"' })),
    network: z
      .strictObject({
        aws: cloudNetwork({ cidr: "10.10.0.0/16", zones: 2 }).prefault({}),
        azure: cloudNetwork({ cidr: "10.20.0.0/16", zones: 1 }).prefault({}),
        gcp: gcpNetwork.prefault({}),
      })
      .prefault({}),
    clusters: z.strictObject({
      aws: nodePool.prefault({}),
      azure: nodePool.prefault({}),
      gcp: nodePool.prefault({}),
      /** CIDRs allowed to reach the public API endpoints; empty means private endpoints only. */
      publicAccessCidrs: z.array(cidr).default([]),
    }),
    database: z.strictObject({
      size: size.default("small"),
      storageGb: int(20, 16384).default(20),
      highAvailability: bool().default(false),
      backupRetentionDays: int(7, 35).default(7),
    }),
    traffic: traffic.prefault({}),
    dns: z.strictObject({ records: z.record(z.string(), dnsRecord).default({}) }).prefault({}),
    waf: z
      .strictObject({
        rateLimit: z
          .strictObject({
            requestsPerPeriod: int(1, 1_000_000).default(600),
            periodSeconds: z.preprocess((v) => (typeof v === "string" ? Number(v) : v), z.union([z.literal(10), z.literal(60), z.literal(120), z.literal(300), z.literal(600), z.literal(3600)], { error: "expected one of 10, 60, 120, 300, 600, 3600" })).default(60),
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
      emails: z.array(z.string().regex(EMAIL_RE, { error: "expected an email address" })).min(1, { error: "expected at least one email address" }),
    }),
    tags: z
      .record(
        z.string().regex(LABEL_KEY_RE, { error: "expected tag keys of lowercase letters, digits, - or _ (valid as GCP labels too)" }),
        z.string().regex(LABEL_VALUE_RE, { error: "expected tag values of at most 63 lowercase letters, digits, - or _ (valid as GCP labels too)" }),
      )
      .default({}),
    requiredTags: z.array(z.string()).default(["owner", "cost-center"]),
    logRetentionDays: int(1, 3653).default(30),
    allowedLockIn: z.array(z.string()).default([]),
  })
  .superRefine((c, ctx) => {
    const at = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const prod = c.environment === "prod";

    for (const cloud of ["aws", "azure", "gcp"] as const) {
      const p = c.clusters[cloud];
      if (prod && p.minNodes < 2) at(["clusters", cloud, "minNodes"], `expected at least 2 in prod (node pools must survive a node loss), got ${p.minNodes}`);
      const zones = c.network[cloud].zones;
      if (prod && zones < 2) at(["network", cloud, "zones"], `expected at least 2 zones in prod, got ${zones}`);
    }
    if (c.network.aws.zones < 2) at(["network", "aws", "zones"], `expected at least 2 (EKS needs subnets in two availability zones), got ${c.network.aws.zones}`);

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
        if (ca && cb && cidrsOverlap(ca, cb)) at(pb, `expected a range that does not overlap tricloud:${pa.join(".")} (${a}), got ${b}`);
      }
    }

    if (prod && c.clusters.publicAccessCidrs.includes("0.0.0.0/0")) {
      at(["clusters", "publicAccessCidrs"], "expected specific CIDRs in prod, not 0.0.0.0/0 (leave empty for private endpoints only)");
    }
    if (prod && !c.database.highAvailability) at(["database", "highAvailability"], "expected true in prod (a standby in another zone)");
    if (prod && c.database.backupRetentionDays < 30) {
      at(["database", "backupRetentionDays"], `expected at least 30 days in prod, got ${c.database.backupRetentionDays}`);
    }

    for (const key of c.requiredTags) {
      if (!(key in c.tags)) at(["tags", key], `expected required tag "${key}" (listed in tricloud:requiredTags)`);
    }
  });

export const stackConfigSchema = z.object({
  tricloud,
  // Provider namespaces are loose: they hold keys the providers read (profiles, credentials), not us.
  aws: z.looseObject({ region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: "expected an AWS region such as us-west-2" }).default("us-west-2") }).prefault({}),
  "azure-native": z.looseObject({ location: z.string().regex(/^[a-z]+[a-z0-9]*$/, { error: "expected an Azure location such as eastus" }).default("eastus") }).prefault({}),
  gcp: z.looseObject({
    project: z.string({ error: "expected a GCP project id" }).regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, { error: "expected a GCP project id (6-30 lowercase letters, digits, hyphens)" }),
    region: z.string().regex(/^[a-z]+-[a-z]+\d$/, { error: "expected a GCP region such as us-central1" }).default("us-central1"),
  }),
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ParsedStackConfig = z.output<typeof stackConfigSchema>;
