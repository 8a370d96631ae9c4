import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export interface DnsRecordSpec {
  type: "A" | "AAAA" | "CNAME" | "TXT" | "MX";
  value: pulumi.Input<string>;
  /** Through Cloudflare's proxy (A, AAAA, CNAME only). */
  proxied?: boolean;
  /** Seconds; omitted or 1 means Cloudflare's automatic TTL (the only choice when proxied). */
  ttl?: number;
  /** MX preference. */
  priority?: number;
  comment?: string;
}

export interface DnsRecordsArgs {
  zoneId: string;
  /** The domain the names are relative to (the zone itself or a subdomain of it). */
  domain: string;
  /** Relative name (`auth`, `_dmarc`, `@` for the domain itself) to record; validated by the config schema. */
  records: Readonly<Record<string, DnsRecordSpec>>;
}

/** Full name of a relative record name under `domain`. */
export function recordFqdn(name: string, domain: string): string {
  return name === "@" ? domain : `${name}.${domain}`;
}

/**
 * TXT content as Cloudflare wants it: in double quotes (the dashboard flags unquoted content, and
 * resolvers see quoted character-strings), inner quotes and backslashes escaped, and content over 255
 * characters split into quoted strings of at most 255 (one character-string's limit).
 * Already-quoted content is kept as written.
 */
export function quoteTxt(value: string): string {
  if (/^".*"$/s.test(value)) return value;
  const chunks: string[] = [];
  for (let i = 0; i < value.length || chunks.length === 0; i += 255) chunks.push(value.slice(i, i + 255));
  return chunks.map((c) => `"${c.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(" ");
}

/** The team's DNS records in an existing Cloudflare zone, one resource per name. */
export class DnsRecords extends pulumi.ComponentResource {
  /** Record ids by relative name. */
  readonly ids: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: DnsRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:cloudflare:DnsRecords", name, {}, opts);
    const ids: Record<string, pulumi.Output<string>> = {};
    for (const [rel, r] of Object.entries(args.records).sort(([a], [b]) => a.localeCompare(b))) {
      const proxiable = r.type === "A" || r.type === "AAAA" || r.type === "CNAME";
      const proxied = proxiable ? (r.proxied ?? false) : undefined;
      const record = new cloudflare.DnsRecord(
        `${name}-${rel === "@" ? "apex" : rel}`,
        {
          zoneId: args.zoneId,
          // Full names, so the records land right whether the zone is the domain or a parent of it.
          name: recordFqdn(rel, args.domain),
          type: r.type,
          content: r.type === "TXT" ? pulumi.output(r.value).apply(quoteTxt) : r.value,
          ttl: proxied ? 1 : (r.ttl ?? 1),
          ...(proxied !== undefined ? { proxied } : {}),
          ...(r.type === "MX" ? { priority: r.priority } : {}),
          comment: r.comment ?? "managed by tricloud",
        },
        { parent: this },
      );
      ids[rel] = record.id;
    }
    this.ids = ids;
    this.registerOutputs({ ids });
  }
}
