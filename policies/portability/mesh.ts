import type { StackValidationPolicy } from "@pulumi/policy";
import { get } from "@tricloud/policy-kit/kit";
import { parse } from "yaml";
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

type ClusterCloud = (typeof CLUSTER_CLOUDS)[number];

/** The remote secrets one cluster renders: the ExternalSecrets whose template carries Istio's multi-cluster label. */
function remoteSecrets(w: ClusterWorkloadsOutput): any[] {
  return (w.objects ?? []).filter(
    (o) => o.kind === "ExternalSecret" && o.spec?.target?.template?.metadata?.labels?.["istio/multiCluster"] === "true",
  );
}

/**
 * `global.multiCluster.clusterName` as the cluster's istiod is installed with: the values of its `istiod` release in
 * whichever form the cluster's agent takes it (Flux HelmRelease, Argo CD Application, Config Sync RootSync).
 */
export function istiodClusterName(w: ClusterWorkloadsOutput | undefined): string | undefined {
  const istiod = (w?.objects ?? []).find(
    (o) => ["HelmRelease", "Application", "RootSync"].includes(o.kind ?? "") && o.metadata?.name === "istiod",
  );
  const values = istiod?.spec?.values ?? istiod?.spec?.source?.helm?.valuesObject ?? istiod?.spec?.helm?.values;
  const name = values?.global?.multiCluster?.clusterName;
  return typeof name === "string" ? name : undefined;
}

/**
 * What is wrong with the remote secrets of every cluster, given the stack's `crossCloud.apiEndpoints` (undefined when
 * the VPN is off). Each remote secret must name a peer by the peer's own `global.multiCluster.clusterName`, hold one
 * kubeconfig under that name whose server is the peer's endpoint over the VPN and whose CA is set, and take its token
 * from the entry the peer pushes its token to (the copy step fills the same name); clusters that push a token read
 * each other both ways. Without the VPN no API server is reachable from another cloud, so none may be rendered.
 */
export function remoteSecretFindings(
  all: Partial<Record<ClusterCloud, ClusterWorkloadsOutput>>,
  apiEndpoints: Partial<Record<ClusterCloud, string>> | undefined,
): string[] {
  const out: string[] = [];
  // A peer is known by the cluster name its own istiod runs with (its rendered Helm values), which is what that
  // istiod puts on its endpoints; the plan's summary (`mesh.clusterName`) only where no istiod install is rendered.
  const byName = new Map<string, ClusterCloud>();
  for (const c of CLUSTER_CLOUDS) {
    const n = istiodClusterName(all[c]) ?? all[c]?.mesh?.clusterName;
    if (n) byName.set(n, c);
  }
  for (const cloud of CLUSTER_CLOUDS) {
    const w = all[cloud];
    if (!w) continue;
    const secrets = remoteSecrets(w);
    if (secrets.length > 0 && !apiEndpoints) {
      out.push(
        `${cloud}: ${secrets.length} remote secret(s) while tricloud:network.crossCloud is off: no peer's private API server is reachable`,
      );
      continue;
    }
    const read = new Set<ClusterCloud>();
    for (const es of secrets) {
      const where = `${cloud}: ExternalSecret ${es.metadata?.namespace}/${es.metadata?.name}`;
      const t = es.spec.target.template;
      const name: string | undefined = t.metadata?.annotations?.["networking.istio.io/cluster"];
      const peer = name ? byName.get(name) : undefined;
      if (!name || !peer || peer === cloud) {
        out.push(
          `${where} names cluster ${JSON.stringify(name)}, which is no peer's global.multiCluster.clusterName (${[...byName.keys()].join(", ")})`,
        );
        continue;
      }
      read.add(peer);
      const keys = Object.keys(t.data ?? {});
      if (keys.length !== 1 || keys[0] !== name)
        out.push(`${where} holds keys ${keys.join(", ")}, not one named ${name}`);
      let kubeconfig: any;
      try {
        kubeconfig = parse(String(t.data?.[name] ?? ""));
      } catch {
        kubeconfig = undefined;
      }
      const cluster = kubeconfig?.clusters?.[0]?.cluster;
      if (cluster?.server !== apiEndpoints?.[peer])
        out.push(`${where} points at ${cluster?.server}, not ${peer}'s endpoint over the VPN ${apiEndpoints?.[peer]}`);
      if (!cluster?.["certificate-authority-data"]) out.push(`${where} has no certificate-authority-data`);
      const pushedTo = (all[peer]?.mesh as { readerTokenTo?: string | null } | undefined)?.readerTokenTo;
      const from = es.spec.data?.[0]?.remoteRef?.key;
      if (!pushedTo || from !== pushedTo)
        out.push(`${where} reads its token from ${from}, but ${peer} pushes its token to ${pushedTo ?? "no entry"}`);
    }
    const pushing = CLUSTER_CLOUDS.filter(
      (c) => c !== cloud && (all[c]?.mesh as { readerTokenTo?: string | null } | undefined)?.readerTokenTo,
    );
    if ((w.mesh as { readerTokenTo?: string | null } | undefined)?.readerTokenTo)
      for (const peer of pushing)
        if (!read.has(peer)) out.push(`${cloud}: no remote secret for ${peer}, though both push their reader tokens`);
  }
  return out;
}

export const meshRemoteSecrets: StackValidationPolicy = {
  name: "portability-workloads-mesh-remote-secrets",
  description:
    "Requires each istiod's remote secrets to name real peers by their mesh cluster names, reach them at their VPN endpoints with their CAs and tokens, both ways; and none while the VPN is off.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const all = workloadsOf(args);
    if (!all) return args.notApplicable(`the stack exports no ${WORKLOADS_OUTPUT}`);
    const stack = args.resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const endpoints = get(stack?.props, "crossCloud.apiEndpoints") as Partial<Record<ClusterCloud, string>> | undefined;
    for (const f of remoteSecretFindings(all, endpoints))
      reportViolation(`${f} (components/workloads/mesh.ts renders them from stacks/workloads.ts, remoteSecretsOf).`);
  },
};

export const meshPolicies = [meshMtlsStrict, meshRemoteSecrets];
