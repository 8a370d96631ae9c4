import { describe, expect, it } from "vitest";
import { renderClusterWorkloads, type WorkloadSpec } from "../../../components/workloads/render";
import { workloadsEverywhere, workloadsPodSecurity } from "../../../policies/portability/workloads";
import { messages, res } from "../../helpers/policies";
import { REGISTRY, serviceSpec as spec } from "../../helpers/workloads";

/** The Stack as the engine shows it to stack policies: its outputs, here `workloads` as stacks/workloads.ts exports it. */
function stackWith(
  services: Record<string, WorkloadSpec>,
  edit: (cloud: keyof typeof REGISTRY, objects: any[]) => void = () => {},
) {
  const workloads = Object.fromEntries(
    (["aws", "azure", "gcp"] as const).map((cloud) => {
      const objects: any[] = JSON.parse(
        JSON.stringify(
          renderClusterWorkloads({ cloud, kubernetesVersion: "1.36", registryUrl: REGISTRY[cloud], services }),
        ),
      );
      edit(cloud, objects);
      return [
        cloud,
        {
          services: objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name),
          registryUrl: REGISTRY[cloud],
          objects,
        },
      ];
    }),
  );
  return [res("pulumi:pulumi:Stack", {}, { outputs: { workloads } })];
}

describe("portability-workloads-services-on-every-cluster", () => {
  it("passes when every service runs on all three clusters", async () => {
    expect(await messages(workloadsEverywhere, stackWith({ api: spec({ aws: 60, azure: 30, gcp: 10 }) }))).toEqual([]);
  });

  it("fails naming the clouds a service leaves out, unless the policy's allowPartial lists it", async () => {
    const stack = stackWith({ api: spec({ aws: 60, azure: 30, gcp: 10 }), ai: spec({ aws: 70, gcp: 30 }) });
    expect(await messages(workloadsEverywhere, stack)).toEqual([
      expect.stringMatching(
        /^service ai does not run on azure: give it a weight there in tricloud:services\.ai\.clouds/,
      ),
    ]);
    expect(await messages(workloadsEverywhere, stack, { allowPartial: ["ai"] })).toEqual([]);
  });

  it("passes a service on the two clouds its configuration names (the config stack-config derives)", async () => {
    const stack = stackWith({ api: spec({ aws: 60, azure: 30, gcp: 10 }), ai: spec({ aws: 70, gcp: 30 }) });
    expect(
      await messages(workloadsEverywhere, stack, { clouds: { api: ["aws", "azure", "gcp"], ai: ["aws", "gcp"] } }),
    ).toEqual([]);
  });

  it("fails a service configured for three clouds but rendered on two, whatever allowPartial says", async () => {
    // The objects are rendered for aws and gcp only, while the configuration gives azure a weight too.
    const stack = stackWith({ ai: spec({ aws: 70, gcp: 30 }) });
    expect(
      await messages(workloadsEverywhere, stack, { clouds: { ai: ["aws", "azure", "gcp"] }, allowPartial: ["ai"] }),
    ).toEqual([
      "service ai does not run on azure, though tricloud:services.ai.clouds gives it a weight there: render it on every cloud its configuration names (stacks/workloads.ts).",
    ]);
  });

  it("fails a service rendered on a cloud its configuration leaves out, and one configured but rendered nowhere", async () => {
    const stack = stackWith({ api: spec({ aws: 60, azure: 30, gcp: 10 }) });
    expect(await messages(workloadsEverywhere, stack, { clouds: { api: ["aws", "azure"], billing: ["gcp"] } })).toEqual(
      [
        "service api runs on gcp, which tricloud:services.api.clouds leaves out: give it a weight there or stop rendering it.",
        "service billing does not run on gcp, though tricloud:services.billing.clouds gives it a weight there: render it on every cloud its configuration names (stacks/workloads.ts).",
      ],
    );
  });
});

describe("portability-workloads-pod-security", () => {
  const services = { api: spec({ aws: 60, azure: 30, gcp: 10 }) };

  it("passes the rendered objects on every cloud", async () => {
    expect(await messages(workloadsPodSecurity, stackWith(services))).toEqual([]);
  });

  it("fails a privileged, root, writable container without limits", async () => {
    const stack = stackWith(services, (cloud, objects) => {
      if (cloud !== "azure") return;
      const c = objects.find((o) => o.kind === "Deployment").spec.template.spec;
      c.securityContext = {};
      c.containers[0].securityContext = { privileged: true };
      delete c.containers[0].resources.limits;
    });
    expect(await messages(workloadsPodSecurity, stack)).toEqual([
      "azure Deployment api container api: privileged: set securityContext.privileged false; allowPrivilegeEscalation not false; runAsNonRoot not true; readOnlyRootFilesystem not true; no limits.cpu; no limits.memory (components/workloads/render.ts sets them for every service).",
    ]);
  });

  it("fails an image from outside the stack's registry on that cloud", async () => {
    const stack = stackWith(services, (cloud, objects) => {
      if (cloud === "gcp")
        objects.find((o) => o.kind === "Deployment").spec.template.spec.containers[0].image =
          "docker.io/library/nginx:1.27";
      // Another cloud's registry is outside this cloud's too.
      if (cloud === "aws")
        objects.find((o) => o.kind === "Deployment").spec.template.spec.containers[0].image =
          `${REGISTRY.azure}/svc:1.0.0`;
    });
    const found = await messages(workloadsPodSecurity, stack);
    expect(found).toEqual([
      expect.stringMatching(
        /^aws Deployment api container api: image tricloudprod\.azurecr\.io\/svc:1\.0\.0 is not in the stack's aws registry/,
      ),
      expect.stringMatching(
        /^gcp Deployment api container api: image docker\.io\/library\/nginx:1\.27 is not in the stack's gcp registry us-central1-docker\.pkg\.dev\/tricloud-prod\/tricloud-prod/,
      ),
    ]);
  });

  it("does not apply to a stack without workloads", async () => {
    expect(await messages(workloadsPodSecurity, [res("pulumi:pulumi:Stack", {}, { outputs: {} })])).toEqual([]);
  });
});
