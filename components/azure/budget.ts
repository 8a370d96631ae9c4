import * as consumption from "@pulumi/azure-native/consumption";
import * as pulumi from "@pulumi/pulumi";
import { BUDGET_ALERT_PERCENTS } from "../shared/slo";

export interface AzureBudgetArgs {
  environment: string;
  /** The subscription the environment runs in, as a scope: "/subscriptions/<id>". */
  subscriptionScope: pulumi.Input<string>;
  /**
   * Every resource group holding this environment's resources: the platform's group and the one
   * AKS creates for the nodes (MC_...), where the scale sets, disks and load balancer are billed.
   */
  resourceGroupNames: pulumi.Input<string>[];
  /** This cloud's share of tricloud:costCeilingUsd, in whole cents. */
  amountCents: number;
  emails: readonly string[];
}

/** The first day of the current month (UTC), which Azure requires as a monthly budget's start. */
export function firstOfMonth(now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().replace(".000Z", "Z");
}

/**
 * A monthly Cost Management budget on the subscription, filtered to the environment's resource
 * groups (a resource-group budget cannot see the AKS node group, the cluster's largest cost),
 * emailing the contacts when the month's forecast reaches 80 % and 100 % of
 * this cloud's share of the ceiling. Budgets only alert; the ceiling itself
 * is checked before merge by the cost policy pack.
 */
export class AzureBudget extends pulumi.ComponentResource {
  readonly budgetId: pulumi.Output<string>;
  readonly amountUsd: number;

  constructor(name: string, args: AzureBudgetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:azure:Budget", name, {}, opts);
    this.amountUsd = args.amountCents / 100;
    const budget = new consumption.Budget(
      `${name}-monthly`,
      {
        scope: args.subscriptionScope,
        // https://learn.microsoft.com/en-us/rest/api/consumption/budgets/create-or-update: a filter on the ResourceGroupName dimension.
        filter: { dimensions: { name: "ResourceGroupName", operator: "In", values: args.resourceGroupNames } },
        budgetName: `tricloud-${args.environment}-azure`,
        category: "Cost",
        amount: this.amountUsd,
        timeGrain: "Monthly",
        timePeriod: { startDate: firstOfMonth() },
        notifications: Object.fromEntries(
          BUDGET_ALERT_PERCENTS.map((threshold) => [
            `forecast-${threshold}`,
            {
              enabled: true,
              operator: "GreaterThanOrEqualTo",
              threshold,
              thresholdType: "Forecasted",
              contactEmails: [...args.emails],
            },
          ]),
        ),
      },
      {
        parent: this,
        // The start date is fixed once created; a later month's run must not try to move it.
        ignoreChanges: ["timePeriod"],
      },
    );
    this.budgetId = budget.id;
    this.registerOutputs({ budgetId: this.budgetId, amountUsd: this.amountUsd });
  }
}
