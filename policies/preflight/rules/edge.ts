import { CLOUDFLARE_REGIONS } from "@tricloud/vocabulary/cloudflare";
import {
  byUrnOf,
  at,
  checkString,
  waitsFor,
  type Finding,
  type PreflightResource,
  type PreflightRule,
  type Prerequisite,
  type PrerequisiteRule,
  type StackFinding,
} from "../rule";

const READ = "2026-11-30";
const src = (url: string) => ({ url, read: READ });

/** The edge's resource types the rules read (type tokens, so the pack loads no provider SDK). */
export const EDGE_TYPES = {
  monitor: "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor",
  pool: "cloudflare:index/loadBalancerPool:LoadBalancerPool",
  lb: "cloudflare:index/loadBalancer:LoadBalancer",
  record: "cloudflare:index/dnsRecord:DnsRecord",
  ruleset: "cloudflare:index/ruleset:Ruleset",
  vercelProject: "vercel:index/project:Project",
};
const T = EDGE_TYPES;

/**
 * The shortest health-monitor interval each zone plan accepts (Cloudflare's monitor docs: 60 s up to Pro,
 * 15 s on Business, 10 s on Enterprise). The pack keeps its own copy: packs never import the program.
 */
export const MIN_MONITOR_INTERVAL: Readonly<Record<string, number>> = {
  free: 60,
  pro: 60,
  business: 15,
  enterprise: 10,
};

/** Global steering policies beyond the standard ones (off, random): they need the Traffic Steering add-on outside Enterprise. */
export const TRAFFIC_STEERING_POLICIES = ["dynamic_latency", "geo", "proximity", "least_outstanding_requests"] as const;
/** Standard steering, included with Load Balancing. */
export const STANDARD_STEERING = ["off", "random", ""] as const;

// Cloudflare's health-check regions, the list the config schema takes too.
export { CLOUDFLARE_REGIONS };

const allRegions = (regions: unknown) =>
  !Array.isArray(regions) || regions.includes("ALL_REGIONS") || CLOUDFLARE_REGIONS.every((r) => regions.includes(r));

/** What Cloudflare and Vercel refuse, or take but cannot make work (see ../rule.ts for how a rule is written). */
/** The pools of the load balancers that steer by `policy` (each pool once, with the first balancer's name). */
function poolsSteeredBy(
  resources: readonly PreflightResource[],
  policy: string,
): Array<{ pool: PreflightResource; lb: string }> {
  const byUrn = byUrnOf(resources);
  const pools = new Map<string, { pool: PreflightResource; lb: string }>();
  for (const lb of resources.filter((r) => r.type === T.lb && r.props.steeringPolicy === policy))
    for (const u of waitsFor(lb, byUrn)) {
      const pool = byUrn.get(u);
      if (pool?.type === T.pool && !pools.has(u)) pools.set(u, { pool, lb: String(lb.props.name ?? lb.name) });
    }
  return [...pools.values()];
}

export const edgeRules: readonly PreflightRule[] = [
  {
    name: "preflight-cloudflare-lb-monitor-interval-plan",
    description:
      "A load-balancing monitor's interval must be at least the zone plan's minimum: 60 s up to Pro, 15 s on Business, 10 s on Enterprise.",
    level: "error",
    source: src("https://developers.cloudflare.com/load-balancing/monitors/"),
    types: [T.monitor],
    check: (props, _r, settings) => {
      const min = settings.cloudflarePlan ? MIN_MONITOR_INTERVAL[settings.cloudflarePlan] : undefined;
      const interval = props.interval;
      if (min === undefined || typeof interval !== "number" || interval >= min) return [];
      return [
        { property: "interval", value: interval, expected: `at least ${min} s on the ${settings.cloudflarePlan} plan` },
      ];
    },
  },
  {
    name: "preflight-cloudflare-lb-pool-name",
    description: "A load-balancer pool name holds only letters, digits, hyphens and underscores.",
    level: "error",
    source: src("https://developers.cloudflare.com/api/resources/load_balancers/subresources/pools/methods/create/"),
    types: [T.pool],
    check: (props) =>
      checkString(props, "name", { pattern: /^[A-Za-z0-9_-]+$/, min: 1, expected: "letters, digits, - and _ only" }),
  },
  {
    name: "preflight-cloudflare-lb-dynamic-steering-regions",
    description:
      "Dynamic (latency) steering ranks pools by the round-trip times their monitors measure per region; pools probed from a few regions leave every other region to failover order.",
    level: "warning",
    source: src(
      "https://developers.cloudflare.com/load-balancing/understand-basics/traffic-steering/steering-policies/dynamic-steering/",
    ),
    checkStack(resources: readonly PreflightResource[]): StackFinding[] {
      return poolsSteeredBy(resources, "dynamic_latency")
        .filter(({ pool }) => !allRegions(pool.props.checkRegions))
        .map(({ pool }) => pool)
        .map((pool) => ({
          urn: pool.urn,
          property: "checkRegions",
          value: pool.props.checkRegions,
          expected: `every region (${CLOUDFLARE_REGIONS.length}) or ALL_REGIONS for dynamic_latency steering, or a standard policy (off, random)`,
        }));
    },
  },
  {
    name: "preflight-cloudflare-lb-proximity-pool-coordinates",
    description:
      "Proximity steering sends each visitor to the nearest pool by the pools' GPS coordinates; every pool of a proximity-steered load balancer needs a latitude and a longitude.",
    level: "error",
    source: src(
      "https://developers.cloudflare.com/load-balancing/understand-basics/traffic-steering/steering-policies/proximity-steering/",
    ),
    checkStack(resources: readonly PreflightResource[]): StackFinding[] {
      return poolsSteeredBy(resources, "proximity").flatMap(({ pool, lb }) =>
        (["latitude", "longitude"] as const)
          .filter((p) => typeof pool.props[p] !== "number")
          .map((property) => ({
            urn: pool.urn,
            property,
            value: pool.props[property] ?? null,
            expected: `the ${property} of the pool's data centre in decimal degrees: ${lb} uses proximity steering`,
          })),
      );
    },
  },
  {
    name: "preflight-cloudflare-dns-txt-quoted",
    description:
      "Cloudflare expects TXT content in double quotes (each quoted string at most 255 characters); unquoted content is flagged and may be split or read differently.",
    level: "warning",
    source: src("https://developers.cloudflare.com/dns/manage-dns-records/reference/dns-record-types/#txt"),
    types: [T.record],
    check: (props) => {
      if (props.type !== "TXT" || typeof props.content !== "string") return [];
      const strings = props.content.match(/"(?:[^"\\]|\\.)*"/g) ?? [];
      const quoted = /^\s*"(?:[^"\\]|\\.)*"(\s+"(?:[^"\\]|\\.)*")*\s*$/.test(props.content);
      const tooLong = strings.some((s: string) => s.length - 2 > 255);
      return quoted && !tooLong
        ? []
        : [
            {
              property: "content",
              value: props.content,
              expected: 'double-quoted strings of at most 255 characters each, e.g. "v=DMARC1; p=reject"',
            },
          ];
    },
  },
  {
    name: "preflight-vercel-project-git-source",
    description:
      "A Vercel project with no connected repository gets no deployment from this stack, so its domain answers 404 until something deploys to it.",
    level: "warning",
    source: src("https://vercel.com/docs/git"),
    types: [T.vercelProject],
    check: (props): Finding[] =>
      at(props, "gitRepository.repo")
        ? []
        : [
            {
              property: "gitRepository",
              value: props.gitRepository ?? null,
              expected:
                "{ type, repo } (tricloud:vercel.gitRepository), or a workflow that runs `vercel deploy --prod`",
            },
          ],
  },
];

const byZone = <T extends PreflightResource>(rs: readonly T[]) => {
  const m = new Map<string, T[]>();
  for (const r of rs) {
    const z = String(r.props.zoneId ?? "?");
    m.set(z, [...(m.get(z) ?? []), r]);
  }
  return m;
};

/** What a team must arrange at Cloudflare and Vercel before `pulumi up` (listed by the plan). */
export const edgePrerequisites: readonly PrerequisiteRule[] = [
  {
    name: "preflight-cloudflare-load-balancing-add-on",
    list: (resources, settings) => {
      const pools = resources.filter((r) => r.type === T.pool);
      if (pools.length === 0) return [];
      const out: Prerequisite[] = [];
      const accounts = [...new Set(pools.map((p) => String(p.props.accountId ?? "?")))];
      for (const account of accounts) {
        const mine = pools.filter((p) => String(p.props.accountId ?? "?") === account);
        const origins = mine.reduce((n, p) => n + (Array.isArray(p.props.origins) ? p.props.origins.length : 0), 0);
        const regions = [
          ...new Set(
            mine.flatMap((p) => (Array.isArray(p.props.checkRegions) ? p.props.checkRegions : ["every data centre"])),
          ),
        ];
        const intervals = resources
          .filter((r) => r.type === T.monitor && String(r.props.accountId ?? "?") === account)
          .map((m) => Number(m.props.interval))
          .filter(Number.isFinite);
        const lbs = resources.filter((r) => r.type === T.lb);
        out.push({
          cloud: "cloudflare",
          what: `Load Balancing add-on on account ${account} covering at least ${origins} origins and ${lbs.length} load balancer(s), health checks from ${regions.length} region(s) (${regions.join(", ")}) every ${intervals.length ? Math.min(...intervals) : 60} s${settings.environment ? ` for ${settings.environment}` : ""}; stacks sharing the account add up`,
          why: `${mine.length} pools (one origin per cloud) and their monitor; Cloudflare sizes the add-on by origins, probe regions and interval`,
          source: src("https://developers.cloudflare.com/load-balancing/get-started/enable-load-balancing/"),
        });
      }
      for (const lb of resources.filter(
        (r) =>
          r.type === T.lb && (TRAFFIC_STEERING_POLICIES as readonly string[]).includes(String(r.props.steeringPolicy)),
      )) {
        out.push({
          cloud: "cloudflare",
          what: `Traffic Steering on the Load Balancing add-on (for ${lb.props.steeringPolicy} steering of ${lb.props.name})`,
          why: "dynamic, geo, proximity and least-outstanding-requests steering are not among the standard policies (off, random)",
          source: src(
            "https://developers.cloudflare.com/load-balancing/understand-basics/traffic-steering/steering-policies/",
          ),
        });
      }
      return out;
    },
  },
  {
    name: "preflight-cloudflare-zone-apex",
    list: (resources) =>
      [...byZone(resources.filter((r) => r.type === T.lb))].map(([zone, lbs]) => {
        const domain = String(lbs[0]!.props.name ?? "").replace(/^api\./, "");
        return {
          cloud: "cloudflare" as const,
          what: `Zone ${zone} is the zone of ${domain} itself (its apex, on a plan with Load Balancing); a separate zone for a subdomain of another zone needs Enterprise subdomain setup unless the parent is on the public suffix list`,
          why: `the load balancer, DNS records, WAF rulesets and zone settings of ${domain} are created in that zone`,
          source: src("https://developers.cloudflare.com/dns/zone-setups/subdomain-setup/"),
        };
      }),
  },
  {
    name: "preflight-cloudflare-ruleset-entry-points",
    list: (resources) =>
      [...byZone(resources.filter((r) => r.type === T.ruleset && r.props.kind === "zone"))].map(([zone, rulesets]) => {
        const phases = rulesets.map((r) => String(r.props.phase));
        return {
          cloud: "cloudflare" as const,
          what: `Zone ${zone} has no entry-point ruleset yet for ${phases.join(", ")}, or each existing one is imported first: pulumi import cloudflare:index/ruleset:Ruleset <resource name> zones/${zone}/<ruleset id> (docs/first-deploy-gcp-edge.md)`,
          why: "a zone holds one entry-point ruleset per phase; creating one where the dashboard already made it fails",
          source: src("https://developers.cloudflare.com/ruleset-engine/about/phases/#phase-entry-point-ruleset"),
        };
      }),
  },
  {
    name: "preflight-vercel-git-integration",
    list: (resources) =>
      resources
        .filter((r) => r.type === T.vercelProject && at(r.props, "gitRepository.repo"))
        .map((r) => ({
          cloud: "vercel" as const,
          what: `Vercel's ${at(r.props, "gitRepository.type")} integration installed for ${at(r.props, "gitRepository.repo")} in the team the deploy token belongs to${r.props.teamId ? ` (${r.props.teamId})` : ""}`,
          why: `project ${r.props.name} is connected to that repository; Vercel refuses the link without the integration's access, and deploys each push`,
          source: src("https://vercel.com/docs/git"),
        })),
  },
];
