import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { BUDGET_ALERT_PERCENTS } from "../shared/slo";
import type { GcpProjectServices } from "./services";

export interface GcpBudgetArgs {
  environment: string;
  /** The billing account that pays for the project (tricloud:billing.gcpBillingAccount). */
  billingAccount: string;
  /** The environment's project: the budget counts its spend only. */
  project: string;
  /** This cloud's share of tricloud:costCeilingUsd, in whole cents. */
  amountCents: number;
  /** Monitoring email channels to notify (at most 5; the billing account's admins are told as well). */
  notificationChannelIds: pulumi.Input<string>[];
  /**
   * The project's enabled APIs. The Budget API takes its quota project from the call: with user
   * credentials the stack sets gcp:billingProject to this project and gcp:userProjectOverride, so
   * billingbudgets must be enabled here (docs/first-deploy-gcp-edge.md).
   */
  apis: GcpProjectServices;
}

/**
 * A monthly Cloud Billing budget for the environment's project, notifying
 * the contacts' channels when the month's forecast reaches 80 % and 100 % of
 * this cloud's share of the ceiling. Budgets only alert, never cap spend.
 */
export class GcpBudget extends pulumi.ComponentResource {
  readonly budgetId: pulumi.Output<string>;
  readonly amountUsd: number;

  constructor(name: string, args: GcpBudgetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:gcp:Budget", name, {}, opts);
    const child = {
      parent: this,
      dependsOn: args.apis.of("billingbudgets.googleapis.com", "cloudresourcemanager.googleapis.com"),
    };
    this.amountUsd = args.amountCents / 100;
    // Budget filters name projects by number, not id.
    const projectNumber = gcp.organizations.getProjectOutput({ projectId: args.project }, child).number;
    const budget = new gcp.billing.Budget(
      `${name}-monthly`,
      {
        billingAccount: args.billingAccount,
        displayName: `tricloud-${args.environment}-gcp`,
        amount: {
          specifiedAmount: {
            currencyCode: "USD",
            units: String(Math.floor(args.amountCents / 100)),
            nanos: (args.amountCents % 100) * 10_000_000,
          },
        },
        budgetFilter: {
          projects: [pulumi.interpolate`projects/${projectNumber}`],
          calendarPeriod: "MONTH",
          creditTypesTreatment: "INCLUDE_ALL_CREDITS",
        },
        thresholdRules: BUDGET_ALERT_PERCENTS.map((p) => ({
          thresholdPercent: p / 100,
          spendBasis: "FORECASTED_SPEND",
        })),
        allUpdatesRule: {
          monitoringNotificationChannels: args.notificationChannelIds.slice(0, 5),
          disableDefaultIamRecipients: false,
        },
      },
      child,
    );
    this.budgetId = budget.id;
    this.registerOutputs({ budgetId: this.budgetId, amountUsd: this.amountUsd });
  }
}
