import { z } from "zod";
import type { Logger } from "pino";
import type { Anchor } from "../anchor/anchor";
import type { Clock } from "../core/clock";
import type { Cloud } from "../core/clouds";
import type { KeyRing } from "../core/keys";
import { requestJson } from "../replication/http-json";
import {
  checkpointDigest,
  ledgerNames,
  verifyCheckpointCosignature,
  withSignatures,
  type SignedCheckpoint,
} from "./checkpoint";
import type { TransparencyLog } from "./log";
import { parseSignatureLine } from "./note";
import { snapshotPeriod } from "./snapshot";
import type { WitnessRequest } from "./witness";

/** How a log reaches the other clouds' witnesses (HTTP in a node, direct calls in tests). */
export interface WitnessTransport {
  witness(cloud: Cloud, req: WitnessRequest): Promise<{ status: number; body: unknown }>;
}

export class HttpWitnessTransport implements WitnessTransport {
  constructor(
    private readonly urls: Partial<Record<Cloud, string>>,
    private readonly timeoutMs: number,
  ) {}

  async witness(cloud: Cloud, req: WitnessRequest): Promise<{ status: number; body: unknown }> {
    const url = this.urls[cloud];
    if (!url) throw new Error(`no URL configured for witness ${cloud}`);
    const res = await requestJson(`${url}/v1/peer/witness`, "POST", JSON.stringify(req), this.timeoutMs);
    let body: unknown;
    try {
      body = res.text ? JSON.parse(res.text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, body };
  }
}

const cosignedReply = z.object({ cosignature: z.string() });
const conflictReply = z.object({
  error: z.object({ code: z.literal("OLD_SIZE_MISMATCH"), details: z.object({ size: z.number().int().min(0) }) }),
});
const errorReply = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export interface WitnessOutcome {
  cloud: Cloud;
  ok: boolean;
  detail: string;
}

export interface PublishResult {
  appended: number;
  checkpoint: SignedCheckpoint;
  witnesses: WitnessOutcome[];
  anchored: Array<{ anchor: string; period: string; ok: boolean; detail: string }>;
}

export interface PublisherDeps {
  log: TransparencyLog;
  keys: KeyRing;
  namespace: string;
  witnesses: readonly Cloud[];
  transport: WitnessTransport;
  anchors: readonly Anchor[];
  clock: Clock;
  logger: Logger;
}

/**
 * One publishing round: catch up on FINAL events, sign a checkpoint (never an inconsistent
 * one), collect the other clouds' cosignatures, and anchor the monthly audit snapshot
 * once its month is over.
 */
export class CheckpointPublisher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PublishResult> | undefined;

  constructor(private readonly d: PublisherDeps) {}

  /** Concurrent calls share one round. */
  publish(): Promise<PublishResult> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.publish().catch((err) => this.d.logger.error({ err }, "ledger publishing round failed"));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async round(): Promise<PublishResult> {
    const appended = await this.d.log.catchUp();
    const signed = await this.d.log.signCheckpoint();
    const witnesses = await Promise.all(this.d.witnesses.map((cloud) => this.collect(cloud, signed)));
    const checkpoint = (await this.d.log.withCosignatures(signed.checkpoint.size)) ?? signed;
    const anchored = await this.anchorSnapshot();
    return { appended, checkpoint, witnesses, anchored };
  }

  /** Asks one witness to cosign; one retry from the size it says it holds. */
  private async collect(cloud: Cloud, signed: SignedCheckpoint): Promise<WitnessOutcome> {
    const store = this.d.log.storage;
    const { size } = signed.checkpoint;
    const name = ledgerNames(cloud, this.d.namespace).witness;
    if ((await store.cosignatures(size)).some((c) => c.witness === name))
      return { cloud, ok: true, detail: "already cosigned" };
    let oldSize = Math.min(await store.witnessedSize(name), size);
    for (let attempt = 0; attempt < 2; attempt++) {
      let res: { status: number; body: unknown };
      try {
        const consistency = (await store.consistencyProof(oldSize, size)).map((b) => b.toString("base64"));
        res = await this.d.transport.witness(cloud, { checkpoint: signed.text, oldSize, consistency });
      } catch (err) {
        return { cloud, ok: false, detail: `unreachable: ${err instanceof Error ? err.message : String(err)}` };
      }
      const ok = cosignedReply.safeParse(res.body);
      if (res.status === 200 && ok.success) {
        let line;
        try {
          line = parseSignatureLine(ok.data.cosignature.replace(/\n$/, ""));
        } catch (err) {
          return { cloud, ok: false, detail: `unusable cosignature: ${(err as Error).message}` };
        }
        // Keep only a cosignature that verifies under that cloud's key.
        if (
          verifyCheckpointCosignature(withSignatures(signed, [line]), name, this.d.keys.publicKeys[cloud]) === undefined
        ) {
          return { cloud, ok: false, detail: "cosignature does not verify" };
        }
        await store.addCosignature(
          size,
          name,
          ok.data.cosignature.endsWith("\n") ? ok.data.cosignature : `${ok.data.cosignature}\n`,
          this.d.clock.now(),
        );
        return { cloud, ok: true, detail: "cosigned" };
      }
      const conflict = conflictReply.safeParse(res.body);
      if (
        res.status === 409 &&
        conflict.success &&
        conflict.data.error.details.size <= size &&
        conflict.data.error.details.size !== oldSize
      ) {
        oldSize = conflict.data.error.details.size;
        await store.setWitnessedSize(name, oldSize);
        continue;
      }
      const err = errorReply.safeParse(res.body);
      return {
        cloud,
        ok: false,
        detail: err.success
          ? `${res.status} ${err.data.error.code}: ${err.data.error.message}`
          : `answered ${res.status}`,
      };
    }
    return { cloud, ok: false, detail: "witness state kept moving" };
  }

  /** Anchors the latest counting checkpoint once per closed month, with every configured anchor. */
  async anchorSnapshot(period = snapshotPeriod(this.d.clock.now())): Promise<PublishResult["anchored"]> {
    const out: PublishResult["anchored"] = [];
    if (this.d.anchors.length === 0) return out;
    const store = this.d.log.storage;
    const counting = await this.latestCounting();
    if (!counting) return out;
    for (const anchor of this.d.anchors) {
      if (await store.hasAnchor(anchor.name, period)) continue;
      try {
        const digest = checkpointDigest(counting.checkpoint);
        const r = await anchor.anchor(Buffer.from(counting.note.body, "utf8"));
        await store.addAnchor({
          anchor: anchor.name,
          period,
          size: counting.checkpoint.size,
          digest,
          receipt: r.receipt,
          anchoredAtMs: r.time.getTime(),
        });
        out.push({
          anchor: anchor.name,
          period,
          ok: true,
          detail: `size ${counting.checkpoint.size} anchored at ${r.time.toISOString()}`,
        });
      } catch (err) {
        this.d.logger.warn({ err, anchor: anchor.name, period }, "anchoring the monthly snapshot failed");
        out.push({ anchor: anchor.name, period, ok: false, detail: err instanceof Error ? err.message : String(err) });
      }
    }
    return out;
  }

  /** The newest checkpoint with its own signature and at least one foreign cosignature. */
  async latestCounting(): Promise<SignedCheckpoint | undefined> {
    const size = await this.d.log.storage.latestCountingSize();
    return size === undefined ? undefined : this.d.log.withCosignatures(size);
  }
}
