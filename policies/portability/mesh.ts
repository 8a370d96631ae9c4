import type { StackValidationPolicy } from "@pulumi/policy";
import { CLUSTER_CLOUDS, WORKLOADS_OUTPUT, workloadsOf, type ClusterWorkloadsOutput } from "./workloads";

/** Istio's root namespace: a PeerAuthentication there without a selector applies to the whole mesh. */
const ROOT_NAMESPACE = "istio-system";

type Obj = NonNullable<ClusterWorkloadsOutput["objects"]>[number];

/** What in one cluster's objects lets a connection in the mesh go without mutual TLS. */
function mtlsFindings(w: ClusterWorkloadsOutput): string[] {
  const objects: Obj[] = w.objects ?? [];
  const out: string[] = [];
  const peers = objects.filter((o) => o.kind === "PeerAuthentication");
  for (const p of peers) {
    const where = `PeerAuthentication ${p.metadata?.namespace}/${p.metadata?.name}`;
    const mode = p.spec?.mtls?.mode;
    if (mode !== "STRICT") out.push(`${where} has mtls.mode ${mode ?? "unset"}`);
    for (const [port, m] of Object.entries<any>(p.spec?.portLevelMtls ?? {}))
      if (m?.mode !== "STRICT") out.push(`${where} has port ${port} at ${m?.mode ?? "unset"}`);
  }
  const strictIn = (ns: string) =>
    peers.some(
      (p) => p.metadata?.namespace === ns && p.spec?.mtls?.mode === "STRICT" && p.spec?.selector === undefined,
    );
  if (!strictIn(ROOT_NAMESPACE)) out.push(`no mesh-wide PeerAuthentication in ${ROOT_NAMESPACE} with mode STRICT`);
  const namespaces = new Set(
    objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata?.namespace ?? "default"),
  );
  for (const ns of [...namespaces].sort())
    if (!strictIn(ns)) out.push(`no namespace-wide PeerAuthentication in ${ns} with mode STRICT`);
  for (const d of objects.filter((o) => o.kind === "DestinationRule")) {
    const tls = d.spec?.trafficPolicy?.tls?.mode;
    if (tls !== undefined && tls !== "ISTIO_MUTUAL")
      out.push(`DestinationRule ${d.metadata?.namespace}/${d.metadata?.name} sets tls.mode ${tls}`);
  }
  return out;
}

export const meshMtlsStrict: StackValidationPolicy = {
  name: "portability-workloads-mesh-mtls-strict",
  description:
    "Requires every cluster that runs services to be in the mesh with mutual TLS STRICT: mesh-wide and in each services namespace, with no PeerAuthentication, port or DestinationRule that relaxes it.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const all = workloadsOf(args);
    if (!all) return args.notApplicable(`the stack exports no ${WORKLOADS_OUTPUT}`);
    for (const cloud of CLUSTER_CLOUDS) {
      const w = all[cloud];
      if (!w || (w.services ?? []).length === 0) continue;
      if (!w.mesh) {
        reportViolation(
          `${cloud}: the cluster runs services outside the mesh: render its mesh objects (stacks/workloads.ts passes each cluster its place in the mesh).`,
        );
        continue;
      }
      const findings = mtlsFindings(w);
      if (findings.length > 0)
        reportViolation(
          `${cloud}: ${findings.join("; ")}: every connection in the mesh is mutual TLS (components/workloads/mesh.ts renders STRICT and ISTIO_MUTUAL).`,
        );
    }
  },
};

export const meshPolicies = [meshMtlsStrict];
