import { z } from "zod";
import { BrokenCircuitError, CircuitState, IsolatedCircuitError } from "cockatiel";
import { CLOUDS, type Cloud } from "../core/clouds";
import type { Clock } from "../core/clock";
import type { Confirmation } from "../core/confirmation";
import type { Envelope } from "../core/envelope";
import type { EquivocationProof } from "../core/quorum";
import { STATUSES, type EventStatus } from "../core/quorum";
import { describeError as describe, readAnswer, requestJson } from "./http-json";
import { MuxError, PeerMux, type MuxOptions } from "./peer-mux";
import {
  TransportError,
  breakerStateName,
  fullJitterDelay,
  peerPolicies,
  probeDelay,
  type PeerPolicies,
  type PeerPolicyOptions,
} from "./policy";

/** What one cloud sends another: "here is an event, and the confirmations I hold on it
 * (mine included: it is what authenticates the message)". */
export interface PeerMessage {
  from: Cloud;
  envelope: Envelope;
  confirmations: Confirmation[];
}

/** Replies are checked by the ledger (signatures and all); here only their shape. */
export type PeerOutcome =
  | { kind: "ok"; status: EventStatus; confirmations: unknown[] }
  /** The peer stores another hash under this eventId; what it holds, as it says. */
  | { kind: "conflict"; envelope: unknown; confirmations: unknown[]; status?: EventStatus }
  /** The peer quarantined the event; the proof it holds. */
  | { kind: "quarantined"; evidence: unknown }
  | { kind: "rejected"; code: string; message: string }
  /** `attempted`: false when the open breaker refused without calling: that says nothing about the peer. */
  | { kind: "unreachable"; error: string; attempted: boolean };

/** once: through the breaker. retry: 1-2-4-8 s full jitter around the breaker, cut short
 * when the breaker closes. direct: one real call past the breaker (cross-checks, probes). */
export type CallMode = "once" | "retry" | "direct";

export interface PeerState {
  cloud: Cloud;
  url: string;
  breaker: "closed" | "open" | "half-open" | "isolated";
  /** null until the first real call; then whether the last real call (traffic or probe) got an answer. */
  reachable: boolean | null;
  lastError: string | null;
  lastContactMs: number | null;
  /** Recovery probing while the breaker is not closed: how many probes failed, when the next one is due. */
  probe: { failures: number; nextAtMs: number | null };
}

export interface Peers {
  readonly clouds: readonly Cloud[];
  confirm(cloud: Cloud, message: PeerMessage, mode: CallMode): Promise<PeerOutcome>;
  /** Hands a peer an equivocation proof (best effort, through the breaker). */
  tell(cloud: Cloud, eventId: string, proof: EquivocationProof): Promise<boolean>;
  /** A real ping, never through the breaker (it must be able to see recovery). An answer closes an open breaker,
   * unless the breaker is flapping (see HttpPeers): then only the recovery probe closes it, on its back-off. */
  ping(cloud: Cloud): Promise<boolean>;

  states(): PeerState[];
  /** Called when a peer's breaker closes again (traffic trial or probe). */
  onRecovered(listener: (cloud: Cloud) => void): void;
  close(): void;
}

const okReply = z.object({ status: z.enum(STATUSES), confirmations: z.array(z.unknown()) });
const errorReply = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
const conflictDetails = z.object({
  envelope: z.unknown(),
  confirmations: z.array(z.unknown()).optional(),
  status: z.enum(STATUSES).optional(),
});
const quarantineDetails = z.object({ evidence: z.unknown() });

/** The refusals a peer's runtime answers its peer endpoints with (http/peer.ts, http/app.ts, http/body.ts). */
const PEER_REFUSALS: ReadonlySet<string> = new Set([
  "VALIDATION_FAILED",
  "INVALID_JSON",
  "BAD_BODY",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "HASH_MISMATCH",
  "BAD_SIGNATURE",
  "UNAUTHENTICATED",
  "UNKNOWN_SENDER",
  "BAD_PROOF",
  "CONFLICTING_HASH",
  "EVENT_QUARANTINED",
  "NOT_FOUND",
]);

/**
 * A 4xx is the peer's own refusal only in the runtime's error shape with one of its codes. Anything else (a
 * throttle's 429, a firewall's 403, an empty or foreign body) came from something in front of the peer: a transport
 * failure, counted by the breaker. A refusal leaves an event PENDING (the cross-check learnt nothing about the hash),
 * while a peer that cannot be reached lets the other two clouds finalize, as with the peer down.
 */
function notFromTheRuntime(cloud: Cloud, res: { status: number; body: unknown }): void {
  if (res.status < 400 || res.status >= 500) return;
  const err = errorReply.safeParse(res.body);
  if (err.success && PEER_REFUSALS.has(err.data.error.code)) return;
  throw new TransportError(
    `peer ${cloud} answered ${res.status} ${err.success ? `with code ${err.data.error.code}` : "without the runtime's error shape"}: not the peer runtime's refusal`,
    res.status,
  );
}

export interface HttpPeersOptions {
  self: Cloud;
  urls: Partial<Record<Cloud, string>>;
  policy: PeerPolicyOptions;
  clock: Clock;
  /** Per attempt; a hung peer must not hold a request for long. */
  timeoutMs: number;
  /** Per direct call (cross-checks, probes); below a caller's timeoutMs, since a
   * cross-check can run inside a peer's request. Default min(1 s, timeoutMs / 2). */
  directTimeoutMs?: number;
  /** Timer for probes (tests may inject one). */
  setTimer?: (fn: () => void, ms: number) => { cancel(): void };
  /** Messages to one peer in one event-loop turn travel as one batch request (default DEFAULT_MUX);
   * false sends each on its own. */
  mux?: Partial<MuxOptions> | false;
}

interface PeerSlot {
  policies: PeerPolicies;
  state: Omit<PeerState, "breaker">;

  probeTimer: { cancel(): void } | undefined;
  /** Fired when the peer answers again after failing (any call, ping or probe): wakes retry back-offs. */
  wake: AbortController;
  /** The breaker was last closed by a ping, and no call through it has succeeded since. */
  closedByPing: boolean;
  /**
   * Times in a row the breaker opened again after a ping closed it, with no call through it succeeding in between:
   * a peer that answers pings while its writes fail (safe mode's 503, its database down, overload). While above
   * zero only the recovery probe closes the breaker, and each flap lengthens its delay as a failed probe does.
   */
  flaps: number;
}

const realTimer = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return { cancel: () => clearTimeout(t) };
};

/** Peers over HTTP, one breaker and retry policy per peer, and a recovery prober per peer. */
export class HttpPeers implements Peers {
  readonly clouds: readonly Cloud[];
  private readonly slots = new Map<Cloud, PeerSlot>();
  private readonly listeners: Array<(cloud: Cloud) => void> = [];
  private closed = false;
  private readonly mux: PeerMux | undefined;

  constructor(private readonly opts: HttpPeersOptions) {
    this.mux = opts.mux === false ? undefined : new PeerMux(opts.mux);
    this.clouds = CLOUDS.filter((c) => c !== opts.self && opts.urls[c]);
    for (const cloud of this.clouds) {
      const policies = peerPolicies(opts.policy);
      const slot: PeerSlot = {
        policies,
        state: {
          cloud,
          url: opts.urls[cloud]!,
          reachable: null,
          lastError: null,
          lastContactMs: null,
          probe: { failures: 0, nextAtMs: null },
        },
        probeTimer: undefined,
        wake: new AbortController(),
        closedByPing: false,
        flaps: 0,
      };
      this.slots.set(cloud, slot);
      // Probing starts when the breaker opens, independent of traffic, and stops when it closes.
      policies.breaker.onBreak((reason) => {
        if (reason && typeof reason === "object" && "isolated" in reason) return;
        slot.flaps = slot.closedByPing ? slot.flaps + 1 : 0;
        slot.closedByPing = false;
        this.scheduleProbe(cloud);
      });
      policies.breaker.onReset(() => this.recovered(cloud));
      // A call through the breaker answered: whatever closed it, the peer takes writes.
      policies.breaker.onSuccess(() => {
        slot.closedByPing = false;
        slot.flaps = 0;
      });
    }
  }

  private get directTimeoutMs(): number {
    return this.opts.directTimeoutMs ?? Math.min(1_000, Math.max(50, Math.floor(this.opts.timeoutMs / 2)));
  }

  states(): PeerState[] {
    return this.clouds.map((c) => {
      const s = this.slots.get(c)!;
      return { ...s.state, probe: { ...s.state.probe }, breaker: breakerStateName(s.policies.breaker.state) };
    });
  }

  onRecovered(listener: (cloud: Cloud) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    this.closed = true;
    for (const s of this.slots.values()) {
      s.probeTimer?.cancel();
      s.wake.abort();
    }
  }

  async confirm(cloud: Cloud, message: PeerMessage, mode: CallMode): Promise<PeerOutcome> {
    const slot = this.slots.get(cloud);
    if (!slot) return { kind: "unreachable", error: `no URL configured for peer ${cloud}`, attempted: false };
    const call = (timeoutMs: number) => () => this.postConfirm(cloud, message, timeoutMs);
    try {
      let res: { status: number; body: unknown };
      if (mode === "direct") res = await call(this.directTimeoutMs)();
      else if (mode === "once") res = await slot.policies.once.execute(call(this.opts.timeoutMs));
      else res = await this.withRetry(cloud, slot, call(this.opts.timeoutMs));
      this.mark(cloud, null);
      return this.interpret(res.status, res.body);
    } catch (err) {
      const refusedByBreaker = err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError;
      if (refusedByBreaker)
        return { kind: "unreachable", error: `circuit open for ${cloud} (not called)`, attempted: false };
      return { kind: "unreachable", error: this.fail(cloud, err), attempted: true };
    }
  }

  /**
   * 1-2-4-8 s full jitter around the breaker (an open breaker ends it: not retried). Written
   * here rather than with cockatiel's retry because its back-off sleep cannot be woken: this
   * one ends early as soon as the peer answers anyone again, so a healed link does not wait
   * out an 8 s back-off.
   */
  private async withRetry<T>(cloud: Cloud, slot: PeerSlot, fn: () => Promise<T>): Promise<T> {
    const { retries, backoffBaseMs, backoffCapMs, random } = this.opts.policy;
    for (let attempt = 0; ; attempt++) {
      try {
        return await slot.policies.once.execute(fn);
      } catch (err) {
        if (!(err instanceof TransportError) || attempt >= retries || this.closed) throw err;
        this.fail(cloud, err);
        await sleep(fullJitterDelay(attempt, backoffBaseMs, backoffCapMs, random), slot.wake.signal);
      }
    }
  }

  async tell(cloud: Cloud, eventId: string, proof: EquivocationProof): Promise<boolean> {
    const slot = this.slots.get(cloud);
    if (!slot) return false;
    try {
      const res = await slot.policies.once.execute(() =>
        this.post(cloud, "/v1/peer/equivocation", { from: this.opts.self, eventId, proof }, this.opts.timeoutMs),
      );
      this.mark(cloud, null);
      return res.status === 200;
    } catch (err) {
      if (!(err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError)) this.fail(cloud, err);
      return false;
    }
  }

  ping(cloud: Cloud): Promise<boolean> {
    return this.pingPeer(cloud, false);
  }

  /**
   * A real answer while the breaker is open closes it: the peer is back, do not wait for traffic. But a ping says
   * nothing of the peer's writes: while the breaker flaps (it opened again after a ping closed it, no call through it
   * succeeding), only the recovery probe closes it, on its growing delay. Any ping closing it every time made a peer in
   * safe mode reopen and close its breaker several times a second, each close kicking the reconciler.
   */
  private async pingPeer(cloud: Cloud, byProbe: boolean): Promise<boolean> {
    const slot = this.slots.get(cloud);
    if (!slot) return false;
    try {
      const res = await this.request(cloud, "/v1/peer/ping", "GET", undefined, this.directTimeoutMs);
      if (res.status !== 200) throw new TransportError(`ping answered ${res.status}`, res.status);
      this.mark(cloud, null);
      if (slot.policies.breaker.state !== CircuitState.Closed && (byProbe || slot.flaps === 0)) this.forceClose(cloud);
      return true;
    } catch (err) {
      this.fail(cloud, err);
      return false;
    }
  }

  private scheduleProbe(cloud: Cloud): void {
    const slot = this.slots.get(cloud)!;
    if (this.closed || slot.probeTimer) return;
    const { halfOpenAfterMs, probeCapMs, random } = this.opts.policy;
    // A flap counts as a failed probe: 250 ms doubling to the cap, as for a peer that does not answer.
    const wait = probeDelay(slot.state.probe.failures + slot.flaps, halfOpenAfterMs, probeCapMs, random);
    slot.state.probe.nextAtMs = this.opts.clock.now() + wait;
    slot.probeTimer = (this.opts.setTimer ?? realTimer)(() => {
      slot.probeTimer = undefined;
      slot.state.probe.nextAtMs = null;
      if (this.closed || slot.policies.breaker.state === CircuitState.Closed) return;
      void this.pingPeer(cloud, true).then((ok) => {
        if (ok && slot.policies.breaker.state === CircuitState.Closed) return;
        if (!ok) slot.state.probe.failures++;
        this.scheduleProbe(cloud);
      });
    }, wait);
  }

  /** cockatiel has no "close now": isolating and releasing it ends in Closed (and fires onReset). */
  private forceClose(cloud: Cloud): void {
    const slot = this.slots.get(cloud)!;
    const breaker = slot.policies.breaker;
    if (breaker.state === CircuitState.Closed || breaker.state === CircuitState.HalfOpen) return;
    breaker.isolate().dispose();
    slot.closedByPing = true;
  }

  private recovered(cloud: Cloud): void {
    const slot = this.slots.get(cloud)!;
    slot.probeTimer?.cancel();
    slot.probeTimer = undefined;
    slot.state.probe = { failures: 0, nextAtMs: null };
    for (const l of this.listeners) l(cloud);
  }

  private interpret(status: number, body: unknown): PeerOutcome {
    if (status === 200) {
      const ok = okReply.safeParse(body);
      return ok.success
        ? { kind: "ok", ...ok.data }
        : { kind: "rejected", code: "BAD_REPLY", message: "peer reply has no status/confirmations" };
    }
    const err = errorReply.safeParse(body);
    if (status === 409 && err.success) {
      if (err.data.error.code === "EVENT_QUARANTINED") {
        const q = quarantineDetails.safeParse(err.data.error.details);
        if (q.success) return { kind: "quarantined", evidence: q.data.evidence };
      }
      const details = conflictDetails.safeParse(err.data.error.details);
      if (details.success)
        return {
          kind: "conflict",
          envelope: details.data.envelope,
          confirmations: details.data.confirmations ?? [],
          ...(details.data.status ? { status: details.data.status } : {}),
        };
    }
    return err.success
      ? { kind: "rejected", code: err.data.error.code, message: err.data.error.message }
      : { kind: "rejected", code: "BAD_REPLY", message: `peer answered ${status} without a JSON error` };
  }

  /** POST /v1/peer/confirm, through the multiplexer unless it is off. */
  private async postConfirm(
    cloud: Cloud,
    message: PeerMessage,
    timeoutMs: number,
  ): Promise<{ status: number; body: unknown }> {
    if (!this.mux) return this.post(cloud, "/v1/peer/confirm", message, timeoutMs);
    const url = `${this.opts.urls[cloud]}/v1/peer/confirm`;
    let res: { status: number; body: unknown };
    try {
      res = await this.mux.send(this.opts.urls[cloud]!, JSON.stringify(message), timeoutMs);
    } catch (err) {
      throw new TransportError(`POST ${url}: ${describe(err)}`, err instanceof MuxError ? err.httpStatus : undefined);
    }
    if (res.status >= 500) throw new TransportError(`peer ${cloud} answered ${res.status}`, res.status);
    notFromTheRuntime(cloud, res);
    return res;
  }

  private async post(
    cloud: Cloud,
    path: string,
    body: unknown,
    timeoutMs: number,
  ): Promise<{ status: number; body: unknown }> {
    const res = await this.request(cloud, path, "POST", JSON.stringify(body), timeoutMs);
    if (res.status >= 500) throw new TransportError(`peer ${cloud} answered ${res.status}`, res.status);
    notFromTheRuntime(cloud, res);
    return res;
  }

  private async request(
    cloud: Cloud,
    path: string,
    method: "GET" | "POST",
    body: string | undefined,
    timeoutMs: number,
  ): Promise<{ status: number; body: unknown }> {
    const url = `${this.opts.urls[cloud]}${path}`;
    let res: { status: number; text: string };
    try {
      // The whole exchange, body included, is inside the policy: a connection dropped mid-body is a transport failure too.
      res = await requestJson(url, method, body, timeoutMs);
    } catch (err) {
      throw new TransportError(`${method} ${url}: ${describe(err)}`);
    }
    try {
      return readAnswer(res);
    } catch (err) {
      throw new TransportError(`${method} ${url}: ${describe(err)}`, res.status);
    }
  }

  private mark(cloud: Cloud, error: string | null): void {
    const slot = this.slots.get(cloud)!;
    const s = slot.state;
    if (error === null && s.reachable === false) {
      slot.wake.abort();
      slot.wake = new AbortController();
    }
    s.reachable = error === null;
    s.lastError = error;

    if (error === null) s.lastContactMs = this.opts.clock.now();
  }

  private fail(cloud: Cloud, err: unknown): string {
    const message = describe(err);
    this.mark(cloud, message);
    return message;
  }
}

/** Resolves after `ms`, or at once when `signal` fires. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    t.unref?.();
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
