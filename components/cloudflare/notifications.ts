import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export interface PoolHealthNotificationsArgs {
  /** The account that owns the load-balancer pools (notification policies are account resources). */
  accountId: string;
  environment: string;
  /** The API pools to watch, one per cloud. */
  poolIds: pulumi.Input<string>[];
  emails: readonly string[];
}

/**
 * Emails the contacts whenever an API pool turns unhealthy or healthy again:
 * the load balancer fails over on its own, and this is how people learn that
 * it did (and that a cloud's origin needs a look).
 */
export class PoolHealthNotifications extends pulumi.ComponentResource {
  readonly policyId: pulumi.Output<string>;

  constructor(name: string, args: PoolHealthNotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:cloudflare:PoolHealthNotifications", name, {}, opts);
    const policy = new cloudflare.NotificationPolicy(
      `${name}-pool-health`,
      {
        accountId: args.accountId,
        name: `tricloud ${args.environment}: API pool health`,
        description: "A tricloud API pool changed health (the load balancer steers around unhealthy pools)",
        alertType: "load_balancing_health_alert",
        enabled: true,
        filters: { poolIds: args.poolIds, newHealths: ["Unhealthy", "Healthy"] },
        mechanisms: { emails: args.emails.map((id) => ({ id })) },
      },
      { parent: this },
    );
    this.policyId = policy.id;
    this.registerOutputs({ policyId: this.policyId });
  }
}
