import { CLOUDS, type Cloud } from "../../functions/core/clouds";
import { generateKeyPair, type KeyRing } from "../../functions/core/keys";
import type { KeyObject } from "node:crypto";
import { createNode, type NodeOptions, type QuorumNode } from "../../functions/node/node";
import { serveApp, type ServedNode } from "../../functions/node/serve";
import type { Store } from "../../functions/store/store";
import { Link } from "./link";
import { CLUSTER_STORE, disposeStore, freshStore } from "./store";

export function keyRings(): Record<Cloud, KeyRing> {
  const pairs = Object.fromEntries(CLOUDS.map((c) => [c, generateKeyPair()])) as Record<
    Cloud,
    { privateKey: KeyObject; publicKey: KeyObject }
  >;
  const publicKeys = Object.fromEntries(CLOUDS.map((c) => [c, pairs[c].publicKey])) as Record<Cloud, KeyObject>;
  return Object.fromEntries(CLOUDS.map((c) => [c, { self: c, privateKey: pairs[c].privateKey, publicKeys }])) as Record<
    Cloud,
    KeyRing
  >;
}

/** Fast settings: milliseconds instead of seconds, seeded jitter. */
export const FAST: Pick<NodeOptions, "policy" | "peerTimeoutMs" | "reconcile"> = {
  policy: {
    breakerThreshold: 5,
    halfOpenAfterMs: 150,
    retries: 4,
    backoffBaseMs: 2,
    backoffCapMs: 16,
    random: () => 0.5,
  },
  peerTimeoutMs: 1_000,
  reconcile: { intervalMs: 50, graceMs: 200 },
};

export interface Member {
  node: QuorumNode;
  store: Store;
  served: ServedNode | undefined;
}

/**
 * Three (or fewer) in-process nodes on loopback, every directed pair of clouds joined
 * by a cuttable Link. Nodes not listed in `run` stay absent (their links drop).
 */
export class Cluster {
  readonly members = new Map<Cloud, Member>();
  readonly links = new Map<string, Link>();

  private constructor(readonly keys: Record<Cloud, KeyRing>) {}

  static async start(opts: { run?: Cloud[]; node?: Partial<NodeOptions> } = {}): Promise<Cluster> {
    const cluster = new Cluster(keyRings());
    for (const from of CLOUDS)
      for (const to of CLOUDS) if (from !== to) cluster.links.set(`${from}->${to}`, await Link.open());
    for (const cloud of opts.run ?? CLOUDS) {
      const store = await freshStore(CLUSTER_STORE, cloud);
      const peers = Object.fromEntries(CLOUDS.filter((c) => c !== cloud).map((c) => [c, cluster.link(cloud, c).url]));
      const node = await createNode({ ...FAST, ...opts.node, keys: cluster.keys[cloud], peers, store });
      const served = await serveApp(node.app, { port: 0, log: opts.node?.logger });
      for (const from of CLOUDS) if (from !== cloud) cluster.link(from, cloud).target = served.url;
      cluster.members.set(cloud, { node, store, served });
    }
    return cluster;
  }

  link(from: Cloud, to: Cloud): Link {
    return this.links.get(`${from}->${to}`)!;
  }

  member(cloud: Cloud): Member {
    const m = this.members.get(cloud);
    if (!m) throw new Error(`${cloud} is not running in this cluster`);
    return m;
  }

  url(cloud: Cloud): string {
    return this.member(cloud).served!.url;
  }

  /** Crash-stop: the HTTP server and the reconciler go away; the store is kept for inspection. */
  async kill(cloud: Cloud): Promise<void> {
    const m = this.member(cloud);
    await m.node.close();
    await m.served?.close();
    m.served = undefined;
  }

  /** Cut (or heal) every link into and out of `cloud`. */
  isolate(cloud: Cloud, cut = true): void {
    for (const [name, link] of this.links)
      if (name.startsWith(`${cloud}->`) || name.endsWith(`->${cloud}`)) link.cut = cut;
  }

  async post(cloud: Cloud, path: string, body: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.url(cloud)}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  async get(cloud: Cloud, path: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.url(cloud)}${path}`);
    return { status: res.status, body: await res.json() };
  }

  async close(): Promise<void> {
    for (const m of this.members.values()) {
      await m.node.close();
      await m.served?.close();
    }
    for (const link of this.links.values()) await link.close();
    // Let in-flight replication passes finish (bounded) before their stores go away.
    const deadline = Date.now() + 3_000;
    while ([...this.members.values()].some((m) => m.node.replicator.busy > 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    for (const m of this.members.values()) await disposeStore(m.store);
  }
}
