import { describe, expect, it } from "vitest";
import { CLOUDS } from "@tricloud/vocabulary/sizes";
import {
  CUSTOM_KINDS,
  DEPENDS_ON,
  dependsOnRef,
  groupOf,
  isBuiltInGroup,
  kindSource,
  LAST_WAVE,
  SYNC_WAVE,
  withSyncWaves,
} from "../../components/workloads/order";
import type { KubernetesObject } from "../../components/workloads/render";
import { planStack, planStackWithoutEksArgoCd } from "../helpers/plan";
import { PROD_EKS_APPLICATION_WAVES } from "../helpers/waves";

const STACKS = ["dev", "staging", "prod"] as const;

type Obj = KubernetesObject & { spec?: any };
const objectsOf = async (stack: string, cloud: string): Promise<Obj[]> =>
  ((await planStack(stack)).outputs as any).workloads[cloud].objects;
const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
const wave = (o: Obj) => Number(o.metadata.annotations?.[SYNC_WAVE] ?? 0);
const applications = (objects: Obj[]) =>
  new Map(objects.filter((o) => o.kind === "Application").map((a) => [a.metadata.name, wave(a)]));
const cacerts = (objects: Obj[]) => objects.find((o) => o.kind === "ExternalSecret" && o.metadata.name === "cacerts")!;
/** The mesh's remote-secret objects: the reader token, its PushSecret, and the peers' tokens as remote secrets. */
const fromPeers = (o: Obj) =>
  o.metadata.namespace === "istio-system" &&
  (o.metadata.name === "istio-reader-token" || o.metadata.name.startsWith("istio-remote-secret-"));

/**
 * The releases each custom kind needs first, written out here rather than read from CUSTOM_KINDS: the CRD's chart,
 * and istiod for Istio's kinds (istio-base's validating webhook calls istiod and fails closed).
 */
const NEEDS: Record<string, string[]> = {
  "external-secrets.io": ["external-secrets"],
  "networking.istio.io": ["istio-base", "istiod"],
  "security.istio.io": ["istio-base", "istiod"],
  "argoproj.io/Rollout": ["argo-rollouts"],
  "argoproj.io/AnalysisTemplate": ["argo-rollouts"],
};

describe("the ordering marker never reaches a cluster", () => {
  it.each(STACKS)("%s: no rendered object of any cloud carries it", async (stack) => {
    for (const cloud of CLOUDS)
      for (const o of await objectsOf(stack, cloud))
        expect(o.metadata.annotations?.[LAST_WAVE], key(o)).toBeUndefined();
  });
});

describe("the custom kinds the program renders, and what brings each", () => {
  it("every kind outside Kubernetes' own groups, on every cloud of every stack, is in CUSTOM_KINDS", async () => {
    const rendered = new Set<string>();
    for (const stack of STACKS)
      for (const cloud of CLOUDS)
        for (const o of await objectsOf(stack, cloud))
          if (!isBuiltInGroup(groupOf(o.apiVersion))) rendered.add(`${groupOf(o.apiVersion)}/${o.kind}`);
    expect([...rendered].filter((k) => !(k in CUSTOM_KINDS))).toEqual([]);
    // And the table lists no kind the program no longer renders.
    expect(rendered).toEqual(new Set(Object.keys(CUSTOM_KINDS)));
    // Every release the table names is one the mesh installs.
    const releases = new Set([...applications(await objectsOf("prod", "aws")).keys()]);
    for (const s of Object.values(CUSTOM_KINDS))
      for (const r of [s.crd, s.webhook]) if (r) expect(releases).toContain(r);
  });

  it("a custom kind missing from the table is an error naming it, not an object left in wave 0", () => {
    const o = { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "c", namespace: "n" } };
    expect(() => kindSource(o)).toThrow(/cert-manager\.io\/Certificate: not in CUSTOM_KINDS/);
    expect(() => withSyncWaves([o])).toThrow(/cert-manager\.io\/Certificate/);
    for (const apiVersion of ["v1", "apps/v1", "autoscaling/v2", "policy/v1", "networking.k8s.io/v1"])
      expect(kindSource({ apiVersion, kind: "X" })).toBeUndefined();
  });
});

describe("Argo CD (EKS): each object in a sync wave after the Applications it needs", () => {
  for (const stack of STACKS)
    it(`${stack}: every custom kind's object after the Application of its CRD's chart (and of its webhook's)`, async () => {
      const objects = await objectsOf(stack, "aws");
      const app = applications(objects);
      expect(app.size).toBeGreaterThan(0);
      const late: string[] = [];
      let checked = 0;
      for (const o of objects) {
        const needs = NEEDS[`${groupOf(o.apiVersion)}/${o.kind}`] ?? NEEDS[groupOf(o.apiVersion)] ?? [];
        const fromTable = [kindSource(o)?.crd, kindSource(o)?.webhook].filter((r): r is string => !!r);
        expect(fromTable.sort()).toEqual([...needs].sort());
        for (const release of needs) {
          checked++;
          if (!(wave(o) > app.get(release)!))
            late.push(`${key(o)} (wave ${wave(o)}) vs ${release} (${app.get(release)})`);
        }
      }
      expect(late).toEqual([]);
      expect(checked).toBeGreaterThan(10);
      // Kubernetes' own kinds stay in the default wave (the namespaces before everything), but for the reader token
      // Secret, which waits on the other clusters and goes last (next test).
      for (const o of objects.filter((x) => isBuiltInGroup(groupOf(x.apiVersion)) && !fromPeers(x)))
        expect(o.metadata.annotations?.[SYNC_WAVE]).toBeUndefined();
    });

  it.each(STACKS)(
    "%s: what waits on the other clusters goes last, after istiod, the gateway and the Rollouts",
    async (stack) => {
      const objects = await objectsOf(stack, "aws");
      const peers = objects.filter(fromPeers);
      // The token Secret, its PushSecret, and a remote secret per peer (none where the VPN is off).
      if (peers.length === 0) return expect(stack).toBe("dev");
      expect(peers.map((o) => o.kind).sort()).toEqual(["ExternalSecret", "ExternalSecret", "PushSecret", "Secret"]);
      const others = objects.filter((o) => !fromPeers(o)).map(wave);
      for (const o of peers) expect(wave(o), key(o)).toBe(Math.max(...others) + 1);
      expect(Math.max(...others)).toBeGreaterThan(applications(objects).get("istiod")!);
    },
  );

  it("the cacerts ExternalSecret after the operator's Application and its store, before istiod's Application", async () => {
    for (const stack of STACKS) {
      const objects = await objectsOf(stack, "aws");
      const app = applications(objects);
      const store = objects.find((o) => o.kind === "ClusterSecretStore")!;
      expect(wave(store)).toBeGreaterThan(app.get("external-secrets")!);
      expect(wave(cacerts(objects))).toBeGreaterThan(wave(store));
      expect(wave(cacerts(objects))).toBeLessThan(app.get("istiod")!);
      // What istiod's pods need from istio-base and istio-cni is still before it.
      expect(app.get("istiod")).toBeGreaterThan(Math.max(app.get("istio-base")!, app.get("istio-cni")!));
    }
    expect(
      Object.fromEntries([...applications(await objectsOf("prod", "aws"))].map(([n, w]) => [n, String(w)])),
    ).toEqual(PROD_EKS_APPLICATION_WAVES);
  });

  it("without a CA store entry (no Argo CD capability) istiod waits for no ExternalSecret", async () => {
    const objects = ((await planStackWithoutEksArgoCd("staging")).outputs as any).workloads.aws.objects as Obj[];
    expect(objects.filter((o) => o.kind === "ExternalSecret")).toEqual([]);
    const app = applications(objects);
    expect(app.get("istiod")).toBe(Math.max(app.get("istio-base")!, app.get("istio-cni")!) + 1);
  });

  it("only EKS's objects carry sync waves", async () => {
    for (const cloud of ["azure", "gcp"])
      for (const o of await objectsOf("prod", cloud)) expect(o.metadata.annotations?.[SYNC_WAVE]).toBeUndefined();
  });
});

describe("Config Sync (GKE): istiod's RootSync depends on the cacerts ExternalSecret", () => {
  for (const stack of STACKS)
    it(`${stack}: istiod's RootSync names the ExternalSecret that writes cacerts, rendered in the same root sync`, async () => {
      const objects = await objectsOf(stack, "gcp");
      const rootSyncs = objects.filter((o) => o.kind === "RootSync");
      const istiod = rootSyncs.find((r) => r.metadata.name === "istiod")!;
      expect(istiod.metadata.annotations?.[DEPENDS_ON]).toBe(
        "external-secrets.io/namespaces/istio-system/ExternalSecret/cacerts",
      );
      // A dependency must be managed by the same RootSync as its dependent: the root sync holds both.
      const refs = new Set(objects.map((o) => dependsOnRef(o)));
      for (const r of rootSyncs)
        for (const dep of r.metadata.annotations?.[DEPENDS_ON]?.split(",") ?? []) expect(refs).toContain(dep);
      expect(rootSyncs.filter((r) => r.metadata.annotations?.[DEPENDS_ON]).map((r) => r.metadata.name)).toEqual([
        "istiod",
      ]);
    });

  it("names objects as the depends-on annotation does: group, namespace, kind, name; cluster-scoped without namespaces", () => {
    const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}) });
    expect(dependsOnRef({ apiVersion: "apps/v1", kind: "Deployment", metadata: meta("d", "ns") })).toBe(
      "apps/namespaces/ns/Deployment/d",
    );
    expect(dependsOnRef({ apiVersion: "v1", kind: "Secret", metadata: meta("s", "ns") })).toBe(
      "/namespaces/ns/Secret/s",
    );
    expect(
      dependsOnRef({ apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: meta("mesh-ca") }),
    ).toBe("external-secrets.io/ClusterSecretStore/mesh-ca");
  });
});
