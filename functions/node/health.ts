import { performance, type EventLoopUtilization } from "node:perf_hooks";
import { systemClock, type Clock } from "../core/clock";
import type { Cloud } from "../core/clouds";
import type { Peers } from "../replication/peer-client";
import type { Store } from "../store/store";
import type { SafeMode } from "./safe-mode";

export type HealthStatus = "healthy" | "degraded" | "unhealthy";

export interface PeerHealth {
  /** From the last real exchange (traffic, ping or probe): never from the breaker alone. */
  state: "up" | "down" | "unknown";
  breaker: "closed" | "open" | "half-open" | "isolated";
  lastError: string | null;
  /** Milliseconds since the last real exchange with the peer (a duration, not a timestamp); null before any. */
  lastContactMs: number | null;
  /** Recovery probing while the breaker is not closed. */
  probe: { failures: number; nextAtMs: number | null };
}

export interface HealthReport {
  status: HealthStatus;
  cloud: Cloud;
  region: string;
  /** Event-loop utilisation since the previous report, 0..1. */
  load: number;
  /** Round trip of a trivial store query, ms. */
  latencyMs: number;
  checks: {
    store: { ok: boolean; latencyMs: number; error?: string };
    peers: Partial<Record<Cloud, PeerHealth>>;
  };
  safeMode: { on: boolean; reason: string | null };
  version: string;
}

/** Builds /health: unhealthy without a store; degraded with a peer down or in safe mode. */
export class HealthProbe {
  private lastElu: EventLoopUtilization = performance.eventLoopUtilization();

  constructor(
    private readonly d: {
      cloud: Cloud;
      region: string;
      version: string;
      store: Store;
      peers: Peers;
      safeMode: SafeMode;
      clock?: Clock;
    },
  ) {}

  async report(): Promise<HealthReport> {
    const started = performance.now();
    let storeError: string | undefined;
    try {
      await this.d.store.ping();
    } catch (err) {
      storeError = err instanceof Error ? err.message : String(err);
    }
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    const elu = performance.eventLoopUtilization(this.lastElu);
    this.lastElu = performance.eventLoopUtilization();

    const peers: Partial<Record<Cloud, PeerHealth>> = {};
    const now = (this.d.clock ?? systemClock).now();
    for (const p of this.d.peers.states()) {
      // An open breaker only says recent calls failed; whether the peer is down is what the
      // last real call (a probe runs past the breaker) found.
      const state = p.reachable === false ? "down" : p.reachable ? "up" : "unknown";
      peers[p.cloud] = {
        state,
        breaker: p.breaker,
        lastError: p.lastError,
        lastContactMs: p.lastContactMs === null ? null : Math.max(0, now - p.lastContactMs),
        probe: p.probe,
      };
    }
    const safeReason = storeError ? null : await this.d.safeMode.reason().catch(() => null);
    const peerDown = Object.values(peers).some((p) => p.state === "down");
    const status: HealthStatus = storeError ? "unhealthy" : peerDown || safeReason ? "degraded" : "healthy";
    return {
      status,
      cloud: this.d.cloud,
      region: this.d.region,
      load: Math.round(elu.utilization * 1000) / 1000,
      latencyMs,
      checks: { store: { ok: !storeError, latencyMs, ...(storeError ? { error: storeError } : {}) }, peers },
      safeMode: { on: safeReason !== null, reason: safeReason },
      version: this.d.version,
    };
  }
}
