import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** "https://x.example/" -> "x.example": what a load-balancer origin needs. */
export function hostnameOf(url: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(url).apply((u) => new URL(u).hostname);
}

/** "https://x.example/" -> "https://x.example": peers append "/v1/peer/..." to it. */
export function baseUrlOf(url: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(url).apply((u) => u.replace(/\/+$/, ""));
}

/**
 * postgresql://user:password@host:port/db?sslmode=verify-full, the password URL-encoded
 * (the generated passwords contain #, %, ? and brackets). A secret whenever the password is.
 */
export function databaseUrl(args: {
  host: pulumi.Input<string>;
  port: number;
  database: string;
  user: string;
  password: pulumi.Input<string>;
  params: Record<string, string>;
}): pulumi.Output<string> {
  return pulumi.secret(
    pulumi.all([args.host, args.password]).apply(([host, password]) => {
      const query = new URLSearchParams(args.params).toString();
      return `postgresql://${encodeURIComponent(args.user)}:${encodeURIComponent(password)}@${host}:${args.port}/${encodeURIComponent(args.database)}${query ? `?${query}` : ""}`;
    }),
  );
}

/** A short, stable suffix for names that must be globally unique (storage accounts, vaults, Function Apps). */
export function nameHash(text: string, length = 8): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}
