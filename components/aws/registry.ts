import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerRegistry } from "../shared/platform";
import type { Tags } from "../shared/tags";

export interface AwsContainerRegistryArgs {
  /** Repository name, e.g. "dev/platform". */
  repositoryName: string;
  /** Untagged images older than this many days are expired. */
  untaggedExpiryDays: number;
  /** How many images to keep at most; older ones are expired. */
  keepImages: number;
  /** Production keeps the repository when the stack is destroyed with images in it. */
  production: boolean;
  tags: Tags;
}

/** ECR lifecycle rules: untagged layers go after a few days, and only the newest images are kept. */
export function ecrLifecyclePolicy(untaggedExpiryDays: number, keepImages: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `expire untagged images after ${untaggedExpiryDays} days`,
        selection: {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: untaggedExpiryDays,
        },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `keep the newest ${keepImages} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keepImages },
        action: { type: "expire" },
      },
    ],
  });
}

/**
 * An ECR repository: scanned on push, immutable tags, a lifecycle policy.
 * The EKS nodes pull through their role's AmazonEC2ContainerRegistryPullOnly
 * policy (see AwsKubernetesCluster), so no repository policy is needed.
 */
export class AwsContainerRegistry extends pulumi.ComponentResource implements ContainerRegistry {
  readonly cloud = "aws" as const;
  readonly repositoryUrl: pulumi.Output<string>;
  readonly repositoryArn: pulumi.Output<string>;

  constructor(name: string, args: AwsContainerRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:aws:ContainerRegistry", name, {}, opts);
    const child = { parent: this };

    const repo = new aws.ecr.Repository(
      `${name}-repo`,
      {
        name: args.repositoryName,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "AES256" }],
        forceDelete: !args.production,
        tags: { ...args.tags },
      },
      child,
    );

    new aws.ecr.LifecyclePolicy(
      `${name}-lifecycle`,
      {
        repository: repo.name,
        policy: ecrLifecyclePolicy(args.untaggedExpiryDays, args.keepImages),
      },
      child,
    );

    this.repositoryUrl = repo.repositoryUrl;
    this.repositoryArn = repo.arn;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl });
  }
}
