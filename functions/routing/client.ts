import { randomUUID } from "node:crypto";
import { CLOUDS, type Cloud } from "../core/clouds";
import type { JsonValue } from "../core/canonical";
import { rankClouds, type CloudReport } from "./select";

export interface RoutingClientOptions {
  urls: Partial<Record<Cloud, string>>;
  /** One /health probe. */
  probeTimeoutMs?: number;
  /** One attempt at one cloud; a hung node costs at most this. */
  requestTimeoutMs?: number;
  /** Whole call, failovers included (target: reroute in under 5 s). */
  deadlineMs?: number;
  /** Reuse probe results this long. */
  probeTtlMs?: number;
}

export interface RoutedResponse {
  cloud: Cloud;
  status: number;
  body: unknown;
}

/**
 * Sends each request to the best cloud and fails over to the next when a node does
 * not answer. Submissions carry an eventId (generated if absent) so a retry on another
 * cloud can never create a second event.
 */
export class RoutingClient {
  private reports: { at: number; list: CloudReport[] } | undefined;
  private readonly o: Required<RoutingClientOptions>;

  constructor(opts: RoutingClientOptions) {
    this.o = { probeTimeoutMs: 1_000, requestTimeoutMs: 2_000, deadlineMs: 5_000, probeTtlMs: 2_000, ...opts };
  }

  async probe(): Promise<CloudReport[]> {
    const clouds = CLOUDS.filter((c) => this.o.urls[c]);
    const list = await Promise.all(
      clouds.map(async (cloud): Promise<CloudReport> => {
        const started = performance.now();
        try {
          const res = await fetch(`${this.o.urls[cloud]}/health`, {
            signal: AbortSignal.timeout(this.o.probeTimeoutMs),
          });
          const body = (await res.json()) as { status?: string; load?: number };
          const status = body.status === "healthy" || body.status === "degraded" ? body.status : "unhealthy";
          return {
            cloud,
            status,
            latencyMs: performance.now() - started,
            load: typeof body.load === "number" ? body.load : 1,
          };
        } catch {
          return { cloud, status: "unreachable", latencyMs: Infinity, load: 1 };
        }
      }),
    );
    this.reports = { at: Date.now(), list };
    return list;
  }

  submit(body: { tenantId: string; payload: JsonValue; eventId?: string }): Promise<RoutedResponse> {
    const withId = { ...body, eventId: body.eventId ?? randomUUID() };
    return this.send("POST", "/v1/events", withId);
  }

  getEvent(eventId: string): Promise<RoutedResponse> {
    return this.send("GET", `/v1/events/${encodeURIComponent(eventId)}`);
  }

  private async send(method: "GET" | "POST", path: string, body?: unknown): Promise<RoutedResponse> {
    const deadline = Date.now() + this.o.deadlineMs;
    const failures: string[] = [];
    const tried = new Set<Cloud>();
    for (let round = 0; round < 2 && Date.now() < deadline; round++) {
      const fresh = this.reports && Date.now() - this.reports.at < this.o.probeTtlMs && round === 0;
      const order = rankClouds(fresh ? this.reports!.list : await this.probe()).filter((c) => !tried.has(c));
      for (const cloud of order) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        tried.add(cloud);
        try {
          const res = await fetch(`${this.o.urls[cloud]}${path}`, {
            method,
            headers: body === undefined ? undefined : { "content-type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(Math.min(this.o.requestTimeoutMs, remaining)),
          });
          // 5xx means this node cannot serve now (safe mode, store down): try the next one.
          if (res.status < 500) return { cloud, status: res.status, body: await res.json().catch(() => undefined) };
          failures.push(`${cloud}: HTTP ${res.status}`);
        } catch (err) {
          failures.push(`${cloud}: ${err instanceof Error ? err.message : String(err)}`);
        }
        this.markDown(cloud);
      }
    }
    throw new Error(
      `no cloud answered ${method} ${path} within ${this.o.deadlineMs} ms (${failures.join("; ") || "none usable"})`,
    );
  }

  private markDown(cloud: Cloud): void {
    const r = this.reports?.list.find((x) => x.cloud === cloud);
    if (r) r.status = "unreachable";
  }
}
