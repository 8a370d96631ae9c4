import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export interface ZoneTlsArgs {
  zoneId: string;
  /** HSTS max-age in seconds; a year by default (what HSTS preload lists ask for). */
  hstsMaxAgeSeconds?: number;
}

/**
 * The zone's TLS baseline: TLS 1.2 or newer, TLS 1.3 on, every http:// request
 * redirected, HSTS, and full (strict) TLS to origins so traffic is encrypted
 * and authenticated on both legs.
 *
 * Setting ids are the API's snake_case names; nested `value` keys stay
 * snake_case too (pulumi/pulumi-cloudflare#1579: camelCase keys there never
 * converge).
 */
export class ZoneTls extends pulumi.ComponentResource {
  readonly settingIds: readonly string[];

  constructor(name: string, args: ZoneTlsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:cloudflare:ZoneTls", name, {}, opts);
    const settings: Record<string, unknown> = {
      min_tls_version: "1.2",
      tls_1_3: "on",
      always_use_https: "on",
      ssl: "strict",
      security_header: {
        strict_transport_security: {
          enabled: true,
          max_age: args.hstsMaxAgeSeconds ?? 31_536_000,
          include_subdomains: true,
          // Preload is a promise to browser vendors that is slow to undo: a team decision, not a default.
          preload: false,
          nosniff: true,
        },
      },
    };
    for (const [settingId, value] of Object.entries(settings)) {
      new cloudflare.ZoneSetting(
        `${name}-${settingId.replace(/_/g, "-")}`,
        { zoneId: args.zoneId, settingId, value },
        { parent: this },
      );
    }
    this.settingIds = Object.keys(settings);
    this.registerOutputs({ settingIds: this.settingIds });
  }
}
