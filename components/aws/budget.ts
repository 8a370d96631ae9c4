import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BUDGET_ALERT_PERCENTS, centsToDecimal } from "../shared/slo";
import type { Tags } from "../shared/tags";

export interface AwsBudgetArgs {
  /** dev | staging | prod: the budget counts only resources tagged `environment=<this>`. */
  environment: string;
  /** This cloud's share of tricloud:costCeilingUsd, in whole cents. */
  amountCents: number;
  /** Who is told when the month's forecast crosses 80 % and 100 %. */
  emails: readonly string[];
  tags: Tags;
}

/**
 * A monthly AWS cost budget for one environment's share of the ceiling,
 * emailing the contacts when the forecast for the month reaches 80 % and
 * 100 %. Budgets only alert; the ceiling is enforced before merge by the
 * cost policy pack. The filter is the `environment` tag every resource
 * carries: it must be activated as a cost allocation tag in the Billing
 * console, or the budget sees no spend (docs/observability.md).
 */
export class AwsBudget extends pulumi.ComponentResource {
  readonly budgetName: pulumi.Output<string>;
  readonly limitUsd: string;

  constructor(name: string, args: AwsBudgetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:aws:Budget", name, {}, opts);
    this.limitUsd = centsToDecimal(args.amountCents);
    const budget = new aws.budgets.Budget(
      `${name}-monthly`,
      {
        name: `tricloud-${args.environment}-aws`,
        budgetType: "COST",
        timeUnit: "MONTHLY",
        limitAmount: this.limitUsd,
        limitUnit: "USD",
        costFilters: [{ name: "TagKeyValue", values: [`user:environment$${args.environment}`] }],
        notifications: BUDGET_ALERT_PERCENTS.map((threshold) => ({
          notificationType: "FORECASTED",
          comparisonOperator: "GREATER_THAN",
          threshold,
          thresholdType: "PERCENTAGE",
          subscriberEmailAddresses: [...args.emails],
        })),
        tags: { ...args.tags },
      },
      { parent: this },
    );
    this.budgetName = budget.name;
    this.registerOutputs({ budgetName: this.budgetName, limitUsd: this.limitUsd });
  }
}
