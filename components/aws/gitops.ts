import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Tags } from "../shared/tags";
import { assumeRole } from "./cluster";

export interface AwsGitOpsArgs {
  clusterName: pulumi.Input<string>;
  /** The IAM Identity Center instance Argo CD signs users in with (the capability takes no local users). */
  idcInstanceArn: string;
  /** The stack's ECR repository: the capability role may read it and nothing else. */
  repositoryArn: pulumi.Input<string>;
  tags: Tags;
}

/** What the capability role may do in ECR: a registry token (account-wide by design) and pulls from one repository. */
export function ecrReadPolicy(repositoryArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      {
        Effect: "Allow",
        Action: [
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
          "ecr:BatchCheckLayerAvailability",
          "ecr:DescribeImages",
        ],
        Resource: repositoryArn,
      },
    ],
  });
}

/**
 * The EKS capability for Argo CD (docs/workloads.md): Argo CD runs in AWS's control plane, assumes a role trusted by
 * `capabilities.eks.amazonaws.com` (sts:AssumeRole and sts:TagSession, the capability-role page's trust policy), and
 * reads the rendered manifests from the stack's ECR repository. The bootstrap Application is not created here.
 */
export class AwsGitOps extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: AwsGitOpsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:aws:GitOps", name, {}, opts);
    const child = { parent: this };
    const role = new aws.iam.Role(
      `${name}-argocd`,
      {
        assumeRolePolicy: assumeRole("capabilities.eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]),
        description: "EKS Argo CD capability: reads the rendered manifests from ECR",
        tags: { ...args.tags },
      },
      child,
    );
    const read = new aws.iam.RolePolicy(
      `${name}-ecr-read`,
      {
        role: role.name,
        policy: pulumi.output(args.repositoryArn).apply(ecrReadPolicy),
      },
      child,
    );
    new aws.eks.Capability(
      `${name}-capability`,
      {
        clusterName: args.clusterName,
        capabilityName: "argocd",
        type: "ARGOCD",
        roleArn: role.arn,
        // The only value the API takes: Argo CD's Applications stay when the capability is deleted.
        deletePropagationPolicy: "RETAIN",
        configuration: { argoCd: { awsIdc: { idcInstanceArn: args.idcInstanceArn } } },
        tags: { ...args.tags },
      },
      { parent: this, dependsOn: [read] },
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
