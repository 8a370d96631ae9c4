import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

/** Cloudflare's managed WAF rulesets (ids from the WAF "Managed rules" page, checked 2026). */
export const CLOUDFLARE_MANAGED_RULESET_ID = "efb7b8c949ac4650a09736fc376e9aee";
export const OWASP_CORE_RULESET_ID = "4814384a9e5d4991b9815dcfc25d2f1f";

export interface RateLimitSettings {
  /** Requests one client IP may send per period before it is blocked. */
  requestsPerPeriod: number;
  /** Counting window, one of the values Cloudflare accepts for the zone's plan. */
  periodSeconds: number;
  /** How long a client that went over stays blocked. */
  mitigationSeconds: number;
}

export interface WafArgs {
  zoneId: string;
  /** Host whose API paths are rate limited, e.g. `api.example.com`. */
  apiHostname: string;
  /** Path prefix of the public API. */
  apiPathPrefix?: string;
  rateLimit: RateLimitSettings;
}

/** The rule expression that selects API requests; a pure function so tests can check it. */
export function apiExpression(host: string, prefix: string): string {
  return `(http.host eq "${host}" and starts_with(http.request.uri.path, "${prefix}"))`;
}

/**
 * The zone's WAF: Cloudflare's managed rules and the OWASP core rule set in the
 * managed-firewall phase, and a per-client rate limit on the API. Each is the
 * zone's entry-point ruleset for its phase, so a zone holds one of each: this
 * component owns them.
 */
export class Waf extends pulumi.ComponentResource {
  readonly managedRulesetId: pulumi.Output<string>;
  readonly rateLimitRulesetId: pulumi.Output<string>;

  constructor(name: string, args: WafArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:cloudflare:Waf", name, {}, opts);
    const child = { parent: this };

    const managed = new cloudflare.Ruleset(
      `${name}-managed`,
      {
        zoneId: args.zoneId,
        kind: "zone",
        phase: "http_request_firewall_managed",
        name: "tricloud managed WAF",
        description: "Cloudflare Managed Ruleset and OWASP Core Ruleset on every request",
        // Rule defaults as Cloudflare ships them; tune per rule with overrides once logs show false positives.
        rules: [
          {
            action: "execute",
            expression: "true",
            enabled: true,
            description: "Cloudflare Managed Ruleset",
            actionParameters: { id: CLOUDFLARE_MANAGED_RULESET_ID },
          },
          {
            action: "execute",
            expression: "true",
            enabled: true,
            description: "Cloudflare OWASP Core Ruleset",
            actionParameters: { id: OWASP_CORE_RULESET_ID },
          },
        ],
      },
      child,
    );

    const rl = args.rateLimit;
    const rateLimit = new cloudflare.Ruleset(
      `${name}-ratelimit`,
      {
        zoneId: args.zoneId,
        kind: "zone",
        phase: "http_ratelimit",
        name: "tricloud API rate limit",
        description: `At most ${rl.requestsPerPeriod} API requests per ${rl.periodSeconds} s per client IP`,
        rules: [
          {
            action: "block",
            enabled: true,
            description: `Rate-limit ${args.apiPathPrefix ?? "/v1/"} per client IP`,
            expression: apiExpression(args.apiHostname, args.apiPathPrefix ?? "/v1/"),
            ratelimit: {
              // cf.colo.id is mandatory: Cloudflare counts per data centre. ip.src is the only other key on Pro.
              characteristics: ["cf.colo.id", "ip.src"],
              period: rl.periodSeconds,
              requestsPerPeriod: rl.requestsPerPeriod,
              mitigationTimeout: rl.mitigationSeconds,
            },
          },
        ],
      },
      child,
    );

    this.managedRulesetId = managed.id;
    this.rateLimitRulesetId = rateLimit.id;
    this.registerOutputs({ managedRulesetId: this.managedRulesetId, rateLimitRulesetId: this.rateLimitRulesetId });
  }
}
