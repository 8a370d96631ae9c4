import type { WorkloadSpec } from "../../components/workloads/render";

/** Registry URLs in each cloud's form (ECR repository, ACR login server, Artifact Registry repository). */
export const REGISTRY = {
  aws: "123456789012.dkr.ecr.us-west-2.amazonaws.com/tricloud/prod",
  azure: "tricloudprod.azurecr.io",
  gcp: "us-central1-docker.pkg.dev/tricloud-prod/tricloud-prod",
} as const;

/** A small valid service on the given clouds: 2 replicas of 100m / 128Mi, HPA 2 to 4. */
export const serviceSpec = (clouds: WorkloadSpec["clouds"], repository = "svc"): WorkloadSpec => ({
  image: { repository, tag: "1.0.0" },
  port: 8080,
  replicas: 2,
  requests: { cpu: 100, memory: 128 },
  limits: { cpu: 200, memory: 128 },
  autoscaling: { minReplicas: 2, maxReplicas: 4, cpuUtilizationPercent: 70, memoryUtilizationPercent: 80 },
  clouds,
  calls: [],
  public: false,
});

/** A model class of a `kubernetes-models` package: constructed from an object, `validate()` throws on a schema error. */
export type SchemaModel = new (o: any) => { validate(): void };

/**
 * Checks objects against the schemas `load` returns by `<apiVersion>/<kind>` (loaded once): [] when an object
 * validates, else one message naming it; a kind without a schema is a problem too, unless listed in `unchecked`.
 */
export function schemaChecker(
  load: () => Promise<Record<string, SchemaModel>>,
  unchecked: ReadonlySet<string> = new Set(),
): (o: { apiVersion: string; kind: string; metadata: { name: string } }) => Promise<string[]> {
  let models: Promise<Record<string, SchemaModel>> | undefined;
  return async (o) => {
    const key = `${o.apiVersion}/${o.kind}`;
    if (unchecked.has(key)) return [];
    const Model = (await (models ??= load()))[key];
    if (!Model) return [`no schema for ${key}`];
    try {
      new Model(o).validate();
      return [];
    } catch (err) {
      return [`${o.kind} ${o.metadata.name}: ${(err as Error).message}`];
    }
  };
}
