import { z } from "zod";
import { BrokenCircuitError, type IPolicy } from "cockatiel";
import { CLOUDS, type Cloud } from "../core/clouds";
import type { Clock } from "../core/clock";
import type { Confirmation } from "../core/confirmation";
import type { Envelope } from "../core/envelope";
import { STATUSES, type EventStatus } from "../core/quorum";
import { requestJson } from "./http-json";
import { TransportError, breakerStateName, peerPolicies, type PeerPolicies, type PeerPolicyOptions } from "./policy";

/** What one cloud sends another: "here is an event (and what I know of its confirmations)". */
export interface PeerMessage {
  from: Cloud;
  envelope: Envelope;
  confirmations: Confirmation[];
}

/** Replies are checked by the ledger (signatures and all); here only their shape. */
export type PeerOutcome =
  | { kind: "ok"; status: EventStatus; confirmations: unknown[] }
  | { kind: "conflict"; envelope: unknown }
  | { kind: "rejected"; code: string; message: string }
  | { kind: "unreachable"; error: string };

export interface PeerState {
  cloud: Cloud;
  url: string;
  breaker: "closed" | "open" | "half-open" | "isolated";
  /** null until the first call; then whether the last call got an answer. */
  reachable: boolean | null;
  lastError: string | null;
  lastContactMs: number | null;
}

export interface Peers {
  readonly clouds: readonly Cloud[];
  confirm(cloud: Cloud, message: PeerMessage, mode: "once" | "retry"): Promise<PeerOutcome>;
  ping(cloud: Cloud): Promise<boolean>;
  states(): PeerState[];
}

const okReply = z.object({ status: z.enum(STATUSES), confirmations: z.array(z.unknown()) });
const errorReply = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });
const conflictDetails = z.object({ envelope: z.unknown() });

export interface HttpPeersOptions {
  self: Cloud;
  urls: Partial<Record<Cloud, string>>;
  policy: PeerPolicyOptions;
  clock: Clock;
  /** Per attempt; a hung peer must not hold a request for long. */
  timeoutMs: number;
}

/** Peers over HTTP (fetch), one breaker and retry policy per peer. */
export class HttpPeers implements Peers {
  readonly clouds: readonly Cloud[];
  private readonly policies = new Map<Cloud, PeerPolicies>();
  private readonly state = new Map<Cloud, PeerState>();

  constructor(private readonly opts: HttpPeersOptions) {
    this.clouds = CLOUDS.filter((c) => c !== opts.self && opts.urls[c]);
    for (const cloud of this.clouds) {
      const policies = peerPolicies(opts.policy);
      this.policies.set(cloud, policies);
      this.state.set(cloud, { cloud, url: opts.urls[cloud]!, breaker: "closed", reachable: null, lastError: null, lastContactMs: null });
    }
  }

  states(): PeerState[] {
    return this.clouds.map((c) => ({ ...this.state.get(c)!, breaker: breakerStateName(this.policies.get(c)!.breaker.state) }));
  }

  async confirm(cloud: Cloud, message: PeerMessage, mode: "once" | "retry"): Promise<PeerOutcome> {
    const policies = this.policies.get(cloud);
    if (!policies) return { kind: "unreachable", error: `no URL configured for peer ${cloud}` };
    const policy: IPolicy = mode === "retry" ? policies.withRetry : policies.once;
    try {
      const res = await policy.execute(() => this.post(cloud, "/v1/peer/confirm", message));
      this.mark(cloud, null);
      return this.interpret(res.status, res.body);
    } catch (err) {
      return { kind: "unreachable", error: this.fail(cloud, err) };
    }
  }

  async ping(cloud: Cloud): Promise<boolean> {
    const policies = this.policies.get(cloud);
    if (!policies) return false;
    try {
      await policies.once.execute(async () => {
        const res = await this.request(cloud, "/v1/peer/ping", "GET");
        if (res.status !== 200) throw new TransportError(`ping answered ${res.status}`, res.status);
      });
      this.mark(cloud, null);
      return true;
    } catch (err) {
      this.fail(cloud, err);
      return false;
    }
  }

  private interpret(status: number, body: unknown): PeerOutcome {
    if (status === 200) {
      const ok = okReply.safeParse(body);
      return ok.success ? { kind: "ok", ...ok.data } : { kind: "rejected", code: "BAD_REPLY", message: "peer reply has no status/confirmations" };
    }
    const err = errorReply.safeParse(body);
    if (status === 409 && err.success) {
      const details = conflictDetails.safeParse(err.data.error.details);
      if (details.success) return { kind: "conflict", envelope: details.data.envelope };
    }
    return err.success
      ? { kind: "rejected", code: err.data.error.code, message: err.data.error.message }
      : { kind: "rejected", code: "BAD_REPLY", message: `peer answered ${status} without a JSON error` };
  }

  private async post(cloud: Cloud, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const res = await this.request(cloud, path, "POST", JSON.stringify(body));
    if (res.status >= 500) throw new TransportError(`peer ${cloud} answered ${res.status}`, res.status);
    return res;
  }

  private async request(cloud: Cloud, path: string, method: "GET" | "POST", body?: string): Promise<{ status: number; body: unknown }> {
    const url = `${this.opts.urls[cloud]}${path}`;
    let res: { status: number; text: string };
    try {
      // The whole exchange, body included, is inside the policy: a connection dropped mid-body is a transport failure too.
      res = await requestJson(url, method, body, this.opts.timeoutMs);
    } catch (err) {
      throw new TransportError(`${method} ${url}: ${describe(err)}`);
    }
    try {
      return { status: res.status, body: res.text ? JSON.parse(res.text) : undefined };
    } catch (err) {
      if (res.status >= 500) return { status: res.status, body: undefined };
      throw new TransportError(`${method} ${url}: unreadable body (${describe(err)})`, res.status);
    }
  }

  private mark(cloud: Cloud, error: string | null): void {
    const s = this.state.get(cloud)!;
    s.reachable = error === null;
    s.lastError = error;
    if (error === null) s.lastContactMs = this.opts.clock.now();
  }

  private fail(cloud: Cloud, err: unknown): string {
    const message = err instanceof BrokenCircuitError ? `circuit open for ${cloud}` : describe(err);
    this.mark(cloud, message);
    return message;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: string; cause?: { code?: string } }).code ?? (err as { cause?: { code?: string } }).cause?.code;
    return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}
