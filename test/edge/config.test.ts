import fc from "fast-check";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readStackFile } from "../../cli/plan/stackfile";
import { CLOUDFLARE_PLANS, PLAN_LIMITS } from "../../components/cloudflare/plans";
import { ConfigError, parseStackConfig } from "../../stacks/config/load";
import { configProblems, stackConfig } from "../helpers/config";
import { planStack } from "../helpers/plan";

const root = join(__dirname, "..", "..");

/** `key: message` lines for a stack file plus `-c` overrides; [] when valid. */
function problems(stack: string, ...overrides: string[]): string[] {
  return configProblems(stackConfig(stack, ...overrides), stack);
}

const record = (r: object) => JSON.stringify(r);

describe("the edge config of the real stacks", () => {
  it.each(["dev", "prod"])("%s validates", (stack) => {
    expect(problems(stack)).toEqual([]);
  });
});

describe("tricloud plan stops on a bad edge value with a ConfigError naming the key", () => {
  it("an interval below the Pro plan's minimum", async () => {
    const err = await planStack("dev", ["tricloud:traffic.monitor.intervalSeconds=30"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      {
        key: "tricloud:traffic.monitor.intervalSeconds",
        message: expect.stringMatching(/^expected at least 60 s on the Cloudflare pro plan .*got 30$/),
      },
    ]);
  });

  it("a prod failover over 60 s names the plan that would allow it", async () => {
    const err = await planStack("prod", [
      "tricloud:traffic.cloudflarePlan=pro",
      "tricloud:traffic.monitor.intervalSeconds=60",
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const [p] = (err as ConfigError).problems;
    expect(p?.key).toBe("tricloud:traffic.cloudflarePlan");
    expect(p?.message).toMatch(/at most 60 s in prod .*got 70 s = 60 s interval \+ \(1 retries \+ 1\) x 5 s timeout/);
    expect(p?.message).toMatch(
      /the pro plan cannot: its shortest monitor interval is 60 s\. The business plan \(minimum 15 s\) would allow it with intervalSeconds at most 50$/,
    );
  });
});

describe("monitor and failover limits", () => {
  const cases: [string, string, string[], RegExp][] = [
    [
      "Business allows 15 s, not 12",
      "prod",
      ["tricloud:traffic.monitor.intervalSeconds=12"],
      /^tricloud:traffic\.monitor\.intervalSeconds: expected at least 15 s on the Cloudflare business plan/,
    ],
    [
      "prod over budget on a plan that could do better names the interval",
      "prod",
      ["tricloud:traffic.monitor.intervalSeconds=60", "tricloud:traffic.monitor.retries=2"],
      /^tricloud:traffic\.monitor\.intervalSeconds: expected a worst-case API failover of at most 60 s in prod .*got 75 s.*set intervalSeconds to 45 or less/,
    ],
    [
      "prod over budget whatever the plan names the monitor",
      "prod",
      [
        "tricloud:traffic.monitor.intervalSeconds=61",
        "tricloud:traffic.monitor.retries=5",
        "tricloud:traffic.monitor.timeoutSeconds=10",
      ],
      /^tricloud:traffic\.monitor: .*got 121 s.*no Cloudflare plan can fix that/,
    ],
    [
      "overlapping probes",
      "dev",
      ["tricloud:traffic.monitor.retries=5", "tricloud:traffic.monitor.timeoutSeconds=10"],
      /^tricloud:traffic\.monitor\.timeoutSeconds: expected \(retries \+ 1\) x timeoutSeconds below intervalSeconds.*= 60 >= 60/,
    ],
  ];
  it.each(cases)("%s", (_what, stack, overrides, expected) => {
    const found = problems(stack, ...overrides);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(expected);
  });

  it("Enterprise accepts 10 s", () => {
    // (1 retry + 1) x 4 s timeout = 8 s still fits in the 10 s interval.
    const settings = [
      "tricloud:traffic.cloudflarePlan=enterprise",
      "tricloud:traffic.monitor.intervalSeconds=10",
      "tricloud:traffic.monitor.timeoutSeconds=4",
    ];
    expect(problems("prod", ...settings)).toEqual([]);
  });

  it("an interval is rejected exactly when it is below the plan's minimum", () => {
    fc.assert(
      fc.property(fc.constantFrom(...CLOUDFLARE_PLANS), fc.integer({ min: 16, max: 3600 }), (plan, interval) => {
        const found = problems(
          "dev",
          `tricloud:traffic.cloudflarePlan=${plan}`,
          `tricloud:traffic.monitor.intervalSeconds=${interval}`,
        );
        expect(found.some((p) => p.startsWith("tricloud:traffic.monitor.intervalSeconds:"))).toBe(
          interval < PLAN_LIMITS[plan].minMonitorIntervalSeconds,
        );
      }),
      { numRuns: 60 },
    );
  });
});

describe("steering weights", () => {
  const cases: [string, string, string[], RegExp][] = [
    [
      "weights that do not sum to 100",
      "prod",
      ["tricloud:traffic.weights.gcp=20"],
      /^tricloud:traffic\.weights: expected weights that sum to 100, got 60 \+ 30 \+ 20 = 110$/,
    ],
    [
      "weighted steering without weights",
      "dev",
      [
        'tricloud:traffic={"steering":"weighted","fallback":"aws","cloudflarePlan":"pro","monitor":{"intervalSeconds":60,"retries":2,"timeoutSeconds":5,"regions":["WNAM","ENAM"]}}',
      ],
      /^tricloud:traffic\.weights: expected weights for aws, azure and gcp when steering is weighted$/,
    ],
    [
      "weights that the steering would ignore",
      "dev",
      ["tricloud:traffic.steering=off"],
      /^tricloud:traffic\.weights: expected no weights unless steering is weighted/,
    ],
  ];
  it.each(cases)("%s", (_what, stack, overrides, expected) => {
    expect(problems(stack, ...overrides)).toEqual([expect.stringMatching(expected)]);
  });
});

describe("DNS records", () => {
  const bad: [string, object, RegExp][] = [
    [
      "A with a non-IPv4 value",
      { type: "A", value: "300.1.2.3" },
      /^tricloud:dns\.records\.origin\.value: expected an IPv4 address for an A record/,
    ],
    [
      "AAAA with an IPv4 value",
      { type: "AAAA", value: "192.0.2.1" },
      /^tricloud:dns\.records\.origin\.value: expected an IPv6 address/,
    ],
    [
      "CNAME to an address",
      { type: "CNAME", value: "192.0.2.1" },
      /^tricloud:dns\.records\.origin\.value: expected a lowercase hostname .* for a CNAME record/,
    ],
    [
      "MX without a priority",
      { type: "MX", value: "mx.example.net" },
      /^tricloud:dns\.records\.origin\.priority: expected a priority for an MX record/,
    ],
    [
      "a proxied TXT record",
      { type: "TXT", value: "v=spf1 -all", proxied: true },
      /^tricloud:dns\.records\.origin\.proxied: expected proxied only on A, AAAA or CNAME records, not TXT/,
    ],
    [
      "a TTL on a proxied record",
      { type: "A", value: "192.0.2.1", proxied: true, ttl: 300 },
      /^tricloud:dns\.records\.origin\.ttl: expected no ttl on a proxied record/,
    ],
    [
      "a TTL Pro does not offer",
      { type: "A", value: "192.0.2.1", ttl: 45 },
      /^tricloud:dns\.records\.origin\.ttl: expected 60 to 86400 seconds \(or 1, automatic\) on the pro plan/,
    ],
    [
      "an unknown type",
      { type: "SRV", value: "x" },
      /^tricloud:dns\.records\.origin\.type: expected one of A, AAAA, CNAME, TXT, MX/,
    ],
  ];
  it.each(bad)("%s", (_what, r, expected) => {
    expect(problems("dev", `tricloud:dns.records.origin=${record(r)}`)).toEqual([expect.stringMatching(expected)]);
  });

  it.each(["api", "www"])("%s is reserved for the edge itself", (name) => {
    expect(
      problems("dev", `tricloud:dns.records.${name}=${record({ type: "CNAME", value: "elsewhere.example.net" })}`),
    ).toEqual([
      expect.stringMatching(
        new RegExp(`^tricloud:dns\\.records\\.${name}: expected another name: "${name}" is reserved`),
      ),
    ]);
  });

  it("names must be DNS labels or @", () => {
    expect(problems("dev", `tricloud:dns.records={"Bad Name":${record({ type: "TXT", value: "x" })}}`)).toEqual([
      expect.stringMatching(/^tricloud:dns\.records\.Bad Name: expected a record name made of DNS labels/),
    ]);
    const good = {
      "@": { type: "MX", value: "mx.example.net", priority: 10 },
      "_acme-challenge.app": { type: "TXT", value: "token" },
      v6: { type: "AAAA", value: "2001:db8::1" },
    };
    expect(problems("dev", `tricloud:dns.records=${JSON.stringify(good)}`)).toEqual([]);
  });

  it("Enterprise allows a 30 s TTL", () => {
    expect(
      problems(
        "prod",
        "tricloud:traffic.cloudflarePlan=enterprise",
        `tricloud:dns.records.origin=${record({ type: "A", value: "192.0.2.1", ttl: 30 })}`,
      ),
    ).toEqual([]);
  });
});

describe("zone, WAF rate limit", () => {
  const cases: [string, string, string[], RegExp][] = [
    [
      "a zone id that is not one",
      "dev",
      ["tricloud:cloudflare.zoneId=example.com"],
      /^tricloud:cloudflare\.zoneId: expected a Cloudflare zone id: 32 lowercase hex characters$/,
    ],
    [
      "a counting period Pro does not offer",
      "dev",
      ["tricloud:waf.rateLimit.periodSeconds=120"],
      /^tricloud:waf\.rateLimit\.periodSeconds: expected at most 60 s on the Cloudflare pro plan, got 120$/,
    ],
    [
      "a mitigation timeout Cloudflare does not accept",
      "dev",
      ["tricloud:waf.rateLimit.mitigationSeconds=100"],
      /^tricloud:waf\.rateLimit\.mitigationSeconds: expected one of 10, 15, .* 3600 on the Cloudflare pro plan, got 100$/,
    ],
    [
      "a day-long mitigation on Pro",
      "dev",
      ["tricloud:waf.rateLimit.mitigationSeconds=86400"],
      /^tricloud:waf\.rateLimit\.mitigationSeconds: .* got 86400$/,
    ],
  ];
  it.each(cases)("%s", (_what, stack, overrides, expected) => {
    expect(problems(stack, ...overrides)).toEqual([expect.stringMatching(expected)]);
  });

  it("a missing zone is named", () => {
    const flat = readStackFile(root, "tricloud", "dev").config;
    delete flat["tricloud:cloudflare"];
    expect(() => parseStackConfig(flat, "dev")).toThrow(
      /tricloud:cloudflare: .*expected \{ zoneId, accountId \} of the existing Cloudflare zone/,
    );
  });

  it("Business allows a day-long mitigation and a 10-minute period", () => {
    expect(
      problems("prod", "tricloud:waf.rateLimit.mitigationSeconds=86400", "tricloud:waf.rateLimit.periodSeconds=600"),
    ).toEqual([]);
  });
});
