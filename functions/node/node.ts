import type { Hono } from "hono";
import pino, { type Logger } from "pino";
import { systemClock, type Clock } from "../core/clock";
import type { Cloud } from "../core/clouds";
import type { KeyRing } from "../core/keys";
import type { EventStatus } from "../core/quorum";
import { createApp } from "../http/app";
import { HttpPeers, type Peers } from "../replication/peer-client";
import { DEFAULT_PEER_POLICY, type PeerPolicyOptions } from "../replication/policy";
import { DEFAULT_RECONCILER, Reconciler, type ReconcilerOptions } from "../replication/reconciler";
import { Replicator } from "../replication/replicator";
import type { Store } from "../store/store";
import { HealthProbe, type HealthReport } from "./health";
import { Ledger } from "./ledger";
import { SafeMode } from "./safe-mode";

export const RUNTIME_VERSION = "0.1.0";

export interface NodeOptions {
  keys: KeyRing;
  /** Base URLs of the other clouds' nodes, e.g. { azure: "http://127.0.0.1:7102" }. */
  peers: Partial<Record<Cloud, string>>;
  /** Opened by the caller, who also closes it. */
  store: Store;
  region?: string;
  clock?: Clock;
  logger?: Logger;
  /** Breaker, retry and jitter settings (defaults: 5 failures, 60 s, 1-2-4-8 s, Math.random). */
  policy?: Partial<PeerPolicyOptions>;
  /** Per-attempt timeout of a peer call. */
  peerTimeoutMs?: number;
  reconcile?: Partial<ReconcilerOptions> & { autoStart?: boolean };
  bodyLimitBytes?: number;
  /** Turn safe mode on at start with this reason (null leaves the stored setting alone). */
  safeMode?: string | null;
  onStatus?: (eventId: string, status: EventStatus, atMs: number) => void;
}

export interface QuorumNode {
  readonly cloud: Cloud;
  /** Host-agnostic: `app.fetch(request)`. */
  readonly app: Hono;
  readonly ledger: Ledger;
  readonly replicator: Replicator;
  readonly reconciler: Reconciler;
  readonly peers: Peers;
  readonly store: Store;
  health(): Promise<HealthReport>;
  setSafeMode(reason: string | null): Promise<void>;
  /** Stops the reconciler; the store stays open (its owner closes it). */
  close(): Promise<void>;
}

/** Wires one cloud's node from its keys, peers and store. Used by the CLI and by host adapters. */
export async function createNode(opts: NodeOptions): Promise<QuorumNode> {
  const cloud = opts.keys.self;
  const clock = opts.clock ?? systemClock;
  const region = opts.region ?? `local-${cloud}`;
  const log = (opts.logger ?? pino({ level: "silent" })).child({ cloud });
  const store = opts.store;
  const peers = new HttpPeers({
    self: cloud,
    urls: opts.peers,
    policy: { ...DEFAULT_PEER_POLICY, ...opts.policy },
    clock,
    timeoutMs: opts.peerTimeoutMs ?? 2_000,
  });
  const ledger = new Ledger({ keys: opts.keys, region, store, clock, peers, log, onStatus: opts.onStatus });
  const replicator = new Replicator({ ledger, store, peers, log });
  const reconciler = new Reconciler({ store, replicator, peers, clock, log }, { ...DEFAULT_RECONCILER, ...opts.reconcile });
  const safeMode = new SafeMode(store, clock);
  if (opts.safeMode !== undefined && opts.safeMode !== null) await safeMode.set(opts.safeMode);
  const health = new HealthProbe({ cloud, region, version: RUNTIME_VERSION, store, peers, safeMode });
  const app = createApp({ ledger, replicator, store, health, safeMode, log, bodyLimitBytes: opts.bodyLimitBytes ?? 64 * 1024 });
  if (opts.reconcile?.autoStart !== false) reconciler.start();

  return {
    cloud,
    app,
    ledger,
    replicator,
    reconciler,
    peers,
    store,
    health: () => health.report(),
    setSafeMode: (reason) => safeMode.set(reason),
    close: () => reconciler.stop(),
  };
}
