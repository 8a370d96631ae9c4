import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerRegistry } from "../shared/platform";
import type { Tags } from "../shared/tags";
import type { GcpProjectServices } from "./services";

export interface GcpContainerRegistryArgs {
  project: string;
  region: string;
  /** Repository id: lowercase letters, digits and hyphens. */
  repositoryId: string;
  /** Service accounts (emails) granted read access: the GKE nodes. */
  readerServiceAccounts: pulumi.Input<string>[];
  /** Untagged images older than this many days are deleted. */
  untaggedExpiryDays: number;
  /** How many versions of each image are always kept. */
  keepImages: number;
  labels: Tags;
  /** The project's enabled APIs; the repository and its bindings wait for artifactregistry. */
  apis: GcpProjectServices;
}

/**
 * An Artifact Registry Docker repository with immutable tags and cleanup
 * policies; the GKE node service account may read from it.
 */
export class GcpContainerRegistry extends pulumi.ComponentResource implements ContainerRegistry {
  readonly cloud = "gcp" as const;
  readonly repositoryUrl: pulumi.Output<string>;

  constructor(name: string, args: GcpContainerRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:gcp:ContainerRegistry", name, {}, opts);
    const child = { parent: this, dependsOn: args.apis.of("artifactregistry.googleapis.com") };

    const repo = new gcp.artifactregistry.Repository(
      `${name}-repo`,
      {
        project: args.project,
        location: args.region,
        repositoryId: args.repositoryId,
        format: "DOCKER",
        description: "tricloud platform images",
        dockerConfig: { immutableTags: true },
        cleanupPolicyDryRun: false,
        cleanupPolicies: [
          {
            id: "delete-untagged",
            action: "DELETE",
            condition: { tagState: "UNTAGGED", olderThan: `${args.untaggedExpiryDays * 86400}s` },
          },
          // KEEP wins over DELETE: the newest images survive whatever else matches.
          { id: "keep-recent", action: "KEEP", mostRecentVersions: { keepCount: args.keepImages } },
        ],
        labels: { ...args.labels },
      },
      child,
    );

    args.readerServiceAccounts.forEach(
      (email, i) =>
        new gcp.artifactregistry.RepositoryIamMember(
          `${name}-reader-${i}`,
          {
            project: args.project,
            location: args.region,
            repository: repo.name,
            role: "roles/artifactregistry.reader",
            member: pulumi.interpolate`serviceAccount:${email}`,
          },
          child,
        ),
    );

    this.repositoryUrl = pulumi.interpolate`${args.region}-docker.pkg.dev/${args.project}/${args.repositoryId}`;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl });
  }
}
