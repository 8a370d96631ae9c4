import { describe, expect, it } from "vitest";
import { meshTopology } from "../../../components/shared/mesh";
import { renderClusterMesh } from "../../../components/workloads/mesh";
import { renderClusterWorkloads, type WorkloadSpec } from "../../../components/workloads/render";
import { meshMtlsStrict } from "../../../policies/portability/mesh";
import { messages, res } from "../../helpers/policies";
import { REGISTRY, serviceSpec as spec } from "../../helpers/workloads";

const CLOUDS = ["aws", "azure", "gcp"] as const;
const topology = meshTopology("prod", { aws: "us-east-1", azure: "eastus", gcp: "us-central1" });

/** The Stack's `workloads` output as stacks/workloads.ts exports it, workloads and mesh rendered together. */
function stackWith(
  services: Record<string, WorkloadSpec>,
  edit: (cloud: (typeof CLOUDS)[number], objects: any[], out: Record<string, any>) => void = () => {},
) {
  const workloads = Object.fromEntries(
    CLOUDS.map((cloud) => {
      const objects: any[] = JSON.parse(
        JSON.stringify([
          ...renderClusterWorkloads({
            cloud,
            kubernetesVersion: "1.36",
            registryUrl: REGISTRY[cloud],
            services,
            mesh: true,
          }),
          ...renderClusterMesh({ cloud, topology, services, prometheusUrl: "http://prometheus:9090" }),
        ]),
      );
      const out: Record<string, any> = {
        services: objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name),
        registryUrl: REGISTRY[cloud],
        objects,
        mesh: { clusterName: topology.clusters[cloud].clusterName },
      };
      edit(cloud, objects, out);
      return [cloud, out];
    }),
  );
  return [res("pulumi:pulumi:Stack", {}, { outputs: { workloads } })];
}

describe("portability-workloads-mesh-mtls-strict", () => {
  const services = { api: spec({ aws: 60, azure: 30, gcp: 10 }, "api") };

  it("passes the rendered mesh on every cloud", async () => {
    expect(await messages(meshMtlsStrict, stackWith(services))).toEqual([]);
  });

  it("fails a namespace relaxed to PERMISSIVE and a port left open", async () => {
    const stack = stackWith(services, (cloud, objects) => {
      if (cloud !== "gcp") return;
      const pa = objects.find((o) => o.kind === "PeerAuthentication" && o.metadata.namespace === "platform");
      pa.spec = { mtls: { mode: "PERMISSIVE" }, portLevelMtls: { "8080": { mode: "DISABLE" } } };
    });
    expect(await messages(meshMtlsStrict, stack)).toEqual([
      expect.stringMatching(
        /^gcp: PeerAuthentication platform\/default has mtls\.mode PERMISSIVE; PeerAuthentication platform\/default has port 8080 at DISABLE; no namespace-wide PeerAuthentication in platform with mode STRICT: every connection/,
      ),
    ]);
  });

  it("fails a cluster without the mesh-wide policy, and a DestinationRule that turns mutual TLS off", async () => {
    const stack = stackWith(services, (cloud, objects) => {
      if (cloud !== "aws") return;
      objects.splice(
        objects.findIndex((o) => o.kind === "PeerAuthentication" && o.metadata.namespace === "istio-system"),
        1,
      );
      objects.find((o) => o.kind === "DestinationRule").spec.trafficPolicy.tls = { mode: "DISABLE" };
    });
    expect(await messages(meshMtlsStrict, stack)).toEqual([
      "aws: no mesh-wide PeerAuthentication in istio-system with mode STRICT; DestinationRule platform/api sets tls.mode DISABLE: every connection in the mesh is mutual TLS (components/workloads/mesh.ts renders STRICT and ISTIO_MUTUAL).",
    ]);
  });

  it("fails a cluster that runs services outside the mesh", async () => {
    const stack = stackWith(services, (cloud, objects, out) => {
      if (cloud === "azure") out.mesh = null;
    });
    expect(await messages(meshMtlsStrict, stack)).toEqual([
      expect.stringMatching(/^azure: the cluster runs services outside the mesh/),
    ]);
  });

  it("is not applicable to a stack without workloads", async () => {
    expect(await messages(meshMtlsStrict, [res("pulumi:pulumi:Stack", {}, { outputs: {} })])).toEqual([]);
  });
});
