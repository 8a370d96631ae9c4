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
import type { MuxOptions } from "../replication/peer-mux";
import type { EventRecord, Store } from "../store/store";
import { HealthProbe, type HealthReport } from "./health";
import { Ledger } from "./ledger";
import { SafeMode } from "./safe-mode";
import type { Anchor } from "../anchor/anchor";
import { otherClouds } from "../core/clouds";
import { ledgerNames } from "../ledger/checkpoint";
import { TransparencyLog } from "../ledger/log";
import { LogStore } from "../ledger/log-store";
import { CheckpointPublisher, HttpWitnessTransport, type WitnessTransport } from "../ledger/publisher";
import { Witness } from "../ledger/witness";
import { SqlStore } from "../store/sql-store";
import { ConfirmationSigner, DEFAULT_BATCH, type BatchOptions } from "../core/signer";

export const RUNTIME_VERSION = "0.4.5";

export interface NodeOptions {
  keys: KeyRing;
  /** Base URLs of the other clouds' nodes, e.g. { azure: "http://127.0.0.1:7102" }. */
  peers: Partial<Record<Cloud, string>>;
  /** Opened by the caller, who also closes it. */
  store: Store;
  region?: string;
  clock?: Clock;
  logger?: Logger;
  /** Breaker, probe, retry and jitter settings (defaults: 5 failures; half-open and probes after
   * 250 ms doubling to 1 s; retries 1-2-4-8 s full jitter; Math.random). */
  policy?: Partial<PeerPolicyOptions>;
  /** Per-attempt timeout of a peer call (2 s). */
  peerTimeoutMs?: number;
  /** Timeout of a direct call past the breaker: cross-checks and probes (min(1 s, peerTimeoutMs / 2)). */
  directTimeoutMs?: number;
  reconcile?: Partial<ReconcilerOptions> & { autoStart?: boolean };
  bodyLimitBytes?: number;
  /** Browser origins the API answers CORS for (the frontend on www.<domain>); none by default. */
  corsOrigins?: readonly string[];
  /** Turn safe mode on at start with this reason (null leaves the stored setting alone). */
  safeMode?: string | null;
  onStatus?: (eventId: string, status: EventStatus, atMs: number) => void;
  /** The tamper-evident ledger (functions/ledger/README.md). */
  ledger?: LedgerOptions;
  /** Confirmation batching: how many, and how long the first waits (default DEFAULT_BATCH). */
  batch?: Partial<BatchOptions>;
  /** Peer messages sent in one event-loop turn share one request per peer (default DEFAULT_MUX: at
   * most 64 messages, 512 KiB); false sends each on its own. */
  peerBatch?: Partial<MuxOptions> | false;
  /** Replication passes run at once (default DEFAULT_MAX_PASSES); more wait their turn, so a burst
   * does not flood the peers until their calls time out. */
  maxPasses?: number;
}

export interface LedgerOptions {
  /** Keeps the logs of different stacks apart: origins are "<namespace>/ledger/<cloud>" (default "tricloud"). */
  namespace?: string;
  /** A publishing round (catch up, sign, get cosignatures, anchor) every this many ms (default 60 s). */
  checkpointIntervalMs?: number;
  /** Start the periodic rounds (default true; hosts without timers call node.publisher.publish()). */
  autoStart?: boolean;
  /** Where the monthly snapshot is anchored (e.g. an Rfc3161Anchor); none by default. */
  anchors?: Anchor[];
  witnessTimeoutMs?: number;
  /** How this log reaches the other clouds' witnesses (default HTTP to `peers`). */
  transport?: WitnessTransport;
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
  /** This cloud's Merkle log of FINAL certificates. */
  readonly merkleLog: TransparencyLog;
  /** Signs checkpoints, collects cosignatures, anchors snapshots. */
  readonly publisher: CheckpointPublisher;
  /** Cosigns the other clouds' checkpoints. */
  readonly witness: Witness;
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
    directTimeoutMs: opts.directTimeoutMs,
    mux: opts.peerBatch,
  });
  if (!(store instanceof SqlStore))
    throw new Error("store: the ledger needs the SQL store (openStore) to keep its log in the same schema");
  const namespace = opts.ledger?.namespace ?? "tricloud";
  const names = ledgerNames(cloud, namespace);
  const logStore = await LogStore.open(store.sql, store.schema);
  const merkleLog = new TransparencyLog({
    logStore,
    store,
    keys: opts.keys,
    origin: names.origin,
    clock,
    log,
    finalizeIn: (tx, list) => store.finalizeIn(tx, list),
  });
  const witness = new Witness({ logStore, keys: opts.keys, name: names.witness, namespace, clock, log });
  const publisher = new CheckpointPublisher({
    log: merkleLog,
    keys: opts.keys,
    namespace,
    witnesses: otherClouds(cloud).filter((c) => opts.peers[c] || opts.ledger?.transport),
    transport: opts.ledger?.transport ?? new HttpWitnessTransport(opts.peers, opts.ledger?.witnessTimeoutMs ?? 5_000),
    anchors: opts.ledger?.anchors ?? [],
    clock,
    logger: log,
  });
  const onFinal = async (record: EventRecord) =>
    void (await merkleLog.appendCertificate(record.envelope, record.confirmations));
  const signer = new ConfirmationSigner(opts.keys, clock, { ...DEFAULT_BATCH, ...opts.batch });
  const ledger = new Ledger({
    keys: opts.keys,
    region,
    store,
    clock,
    peers,
    log,
    signer,
    onStatus: opts.onStatus,
    onFinal,
    finalizeAndLog: (record, nowMs) => merkleLog.finalizeAndAppend(record.envelope, record.confirmations, nowMs),
  });
  const replicator = new Replicator({ ledger, store, peers, log }, opts.maxPasses);
  const reconciler = new Reconciler(
    { store, replicator, peers, clock, log },
    { ...DEFAULT_RECONCILER, ...opts.reconcile },
  );
  // A peer is back: re-drive what waited for it now, not at the next tick (the reconciler lets a kick take effect at
  // most once per kickIntervalMs, so a breaker that flaps does not restart its lanes over and over).
  peers.onRecovered((peer) => {
    log.info({ peer }, "peer recovered (breaker closed); reconciling now");
    reconciler.kick();
  });
  const safeMode = new SafeMode(store, clock);
  if (opts.safeMode !== undefined && opts.safeMode !== null) await safeMode.set(opts.safeMode);
  const health = new HealthProbe({ cloud, region, version: RUNTIME_VERSION, store, peers, safeMode });
  const app = createApp({
    ledger,
    replicator,
    store,
    health,
    safeMode,
    log,
    bodyLimitBytes: opts.bodyLimitBytes ?? 64 * 1024,
    corsOrigins: opts.corsOrigins ?? [],
    transparency: { log: merkleLog, publisher, witness, keys: opts.keys, namespace },
  });
  if (opts.reconcile?.autoStart !== false) reconciler.start();
  if (opts.ledger?.autoStart !== false) publisher.start(opts.ledger?.checkpointIntervalMs ?? 60_000);

  return {
    cloud,
    app,
    ledger,
    replicator,
    reconciler,
    peers,
    store,
    merkleLog,
    publisher,
    witness,
    health: () => health.report(),
    setSafeMode: (reason) => safeMode.set(reason),
    close: async () => {
      peers.close();
      await reconciler.stop();
      await publisher.stop();
    },
  };
}
