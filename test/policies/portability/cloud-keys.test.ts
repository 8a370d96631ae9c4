import { describe, expect, it } from "vitest";
import { CLOUD_KEY_PREFIXES, cloudKeysInAdapters, cloudOfKey } from "../../../policies/portability/cloud-keys";
import { messages, res } from "../../helpers/policies";
import { planStack } from "../../helpers/plan";

/** The Stack as the engine shows it to stack policies, with the `workloads` a real plan of `stack` exports. */
async function stackOf(stack: string, edit: (workloads: Record<string, any>) => void = () => {}) {
  const workloads = JSON.parse(JSON.stringify((await planStack(stack)).outputs.workloads));
  edit(workloads);
  return [res("pulumi:pulumi:Stack", {}, { outputs: { workloads } })];
}
const find = (objects: any[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata?.name === name);

describe("portability-workloads-cloud-keys-in-adapters", () => {
  it("the prefixes name one cloud each, and the keys the adapters render are theirs", () => {
    for (const p of CLOUD_KEY_PREFIXES) expect(p.source).toMatch(/^https:\/\//);
    expect(cloudOfKey("eks.amazonaws.com/role-arn")).toBe("aws");
    expect(cloudOfKey("service.beta.kubernetes.io/aws-load-balancer-scheme")).toBe("aws");
    expect(cloudOfKey("azure.workload.identity/client-id")).toBe("azure");
    expect(cloudOfKey("service.beta.kubernetes.io/azure-load-balancer-internal")).toBe("azure");
    expect(cloudOfKey("iam.gke.io/gcp-service-account")).toBe("gcp");
    expect(cloudOfKey("networking.gke.io/load-balancer-type")).toBe("gcp");
    expect(cloudOfKey("cloud.google.com/neg")).toBe("gcp");
    // Portable keys: Kubernetes' own, Istio's.
    for (const k of ["service.beta.kubernetes.io/load-balancer-source-ranges", "topology.istio.io/network"])
      expect(cloudOfKey(k)).toBeUndefined();
  });

  it.each(["dev", "staging", "prod"])(
    "passes the objects the %s plan renders (each adapter's keys on its own cluster)",
    async (stack) => {
      const [s] = await stackOf(stack);
      // The adapters do put cloud keys in: the policy passes them because each sits on its own cloud's cluster.
      const all = (s!.outputs as any).workloads;
      const keys =
        JSON.stringify(all.aws.objects) + JSON.stringify(all.azure.objects) + JSON.stringify(all.gcp.objects);
      for (const k of [
        "eks.amazonaws.com/role-arn",
        "azure.workload.identity/client-id",
        "iam.gke.io/gcp-service-account",
      ])
        expect(keys).toContain(k);
      expect(await messages(cloudKeysInAdapters, [s!])).toEqual([]);
    },
  );

  it("fails another cloud's key on a cluster: Azure's internal load balancer on the AWS gateway", async () => {
    const stack = await stackOf("dev", (w) => {
      const gw = find(w.aws.objects, "Application", "istio-eastwestgateway");
      gw.spec.source.helm.valuesObject.service.annotations["service.beta.kubernetes.io/azure-load-balancer-internal"] =
        "true";
    });
    expect(await messages(cloudKeysInAdapters, stack)).toEqual([
      "aws: Application argocd/istio-eastwestgateway carries service.beta.kubernetes.io/azure-load-balancer-internal (Azure's, at spec.source.helm.valuesObject.service.annotations): only Azure's cluster reads it; render it from components/azure/gitops.ts for that cluster alone.",
    ]);
  });

  it("fails a cloud key on a service's own objects, even on its own cloud: a Service annotation, a pod's node selector and affinity", async () => {
    const stack = await stackOf("dev", (w) => {
      find(w.gcp.objects, "Service", "auth-service").metadata.annotations = {
        "cloud.google.com/neg": '{"ingress":true}',
      };
      const pod = find(w.aws.objects, "Deployment", "auth-service").spec.template.spec;
      pod.nodeSelector = { "eks.amazonaws.com/nodegroup": "general" };
      pod.affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "cloud.google.com/gke-spot", operator: "DoesNotExist" }] }],
          },
        },
      };
    });
    expect(await messages(cloudKeysInAdapters, stack)).toEqual([
      "aws: Deployment platform/auth-service carries eks.amazonaws.com/nodegroup (AWS's, at spec.template.spec.nodeSelector): a service's Deployment is the same on every cloud (components/workloads/render.ts); a cloud's keys belong in that cloud's adapter (components/aws/gitops.ts).",
      "aws: Deployment platform/auth-service carries cloud.google.com/gke-spot (GCP's, at spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key): a service's Deployment is the same on every cloud (components/workloads/render.ts); a cloud's keys belong in that cloud's adapter (components/gcp/gitops.ts).",
      "gcp: Service platform/auth-service carries cloud.google.com/neg (GCP's, at metadata.annotations): a service's Service is the same on every cloud (components/workloads/render.ts); a cloud's keys belong in that cloud's adapter (components/gcp/gitops.ts).",
    ]);
  });

  it("is not applicable to a stack without workloads", async () => {
    expect(await messages(cloudKeysInAdapters, [res("pulumi:pulumi:Stack", {}, { outputs: {} })])).toEqual([]);
  });
});
