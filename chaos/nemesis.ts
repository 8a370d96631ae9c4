import { CLOUDS, type Cloud } from "../functions/core/clouds";
import type { ChaosCluster } from "./cluster";
import type { FaultKind, FaultRecord, History } from "./history";
import type { Rng } from "./rng";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** How often each fault is drawn. partition-all (no two clouds can talk) is the only one with more than one cloud out. */
export const FAULT_WEIGHTS: readonly (readonly [FaultKind, number])[] = [
  ["kill", 2],
  ["pause", 1.5],
  ["isolate", 2],
  ["blackhole", 1.5],
  ["one-way-cut", 1.5],
  ["partition-pair", 1],
  ["delay", 1],
  ["drop-requests", 1],
  ["drop-answers", 1],
  ["duplicate", 1],
  ["partition-all", 0.5],
];

export const DEFAULT_TIMING = { gapMs: [1_500, 3_000], lengthMs: [1_500, 4_000] } as const;

/**
 * The fault schedule: calm, one fault for a few seconds, heal, calm, ... One fault at a time,
 * so at most one cloud is out (partition-all aside), and every fault is healed before the next.
 */
export class Nemesis {
  active: FaultRecord | undefined;
  private lastStopMs = -Infinity;
  /** Told of every fault as it starts (the equivocator waits for its honest receivers to be cut apart). */
  readonly listeners: ((f: FaultRecord) => void)[] = [];
  /** Cut these two clouds apart once, a third of the way in: the documented limit of 2-of-3 with a stolen key. */
  limitPair: [Cloud, Cloud] | undefined;

  constructor(
    private readonly h: History,
    private readonly cluster: ChaosCluster,
    private readonly rng: Rng,
    private readonly kinds: readonly (readonly [FaultKind, number])[] = FAULT_WEIGHTS,
    /** Calm between faults, and how long a fault lasts (ms, drawn uniformly). */
    private readonly timing: { gapMs: readonly [number, number]; lengthMs: readonly [number, number] } = DEFAULT_TIMING,
  ) {}

  /** No fault now, and none for the last second (links settle, breakers heal). */
  calm(): boolean {
    return this.active === undefined && this.h.now() - this.lastStopMs > 1_000;
  }

  async run(untilMs: number): Promise<void> {
    const limitAt = this.h.now() + (untilMs - this.h.now()) / 3;
    while (true) {
      await sleep(this.rng.between(...this.timing.gapMs));
      const left = untilMs - this.h.now();
      if (left < this.timing.lengthMs[0]) return;
      if (this.limitPair && this.h.now() >= limitAt) {
        const [a, b] = this.limitPair;
        this.limitPair = undefined;
        await this.inject("partition-pair", a, Math.min(this.timing.lengthMs[1], left - 500), b);
        continue;
      }
      const kind = this.rng.weighted(this.kinds);
      const victim = this.rng.pick(CLOUDS);
      await this.inject(kind, victim, Math.min(this.rng.between(...this.timing.lengthMs), left - 500));
    }
  }

  async inject(kind: FaultKind, victim: Cloud, durationMs: number, peer?: Cloud): Promise<FaultRecord> {
    const c = this.cluster;
    const links = c.linksOf(victim);
    let fault: FaultRecord;
    let heal: () => Promise<void>;
    switch (kind) {
      case "kill":
        fault = this.h.faultStart(kind, [victim], []);
        await c.kill(victim);
        heal = async () => void (await c.restart(victim));
        break;
      case "pause":
        fault = this.h.faultStart(kind, [victim], []);
        c.pause(victim);
        heal = async () => c.resume(victim);
        break;
      case "isolate":
      case "blackhole":
        fault = this.h.faultStart(
          kind,
          [victim],
          links.map((l) => l.name),
        );
        for (const l of links) l.set(kind === "isolate" ? { cut: true } : { blackhole: true });
        heal = async () => links.forEach((l) => l.heal());
        break;
      case "one-way-cut": {
        const other = this.rng.pick(CLOUDS.filter((x) => x !== victim));
        const l = this.rng.chance(0.5) ? c.link(victim, other) : c.link(other, victim);
        fault = this.h.faultStart(kind, [victim], [l.name]);
        l.set({ cut: true });
        heal = async () => l.heal();
        break;
      }
      case "partition-pair": {
        const other = peer ?? this.rng.pick(CLOUDS.filter((x) => x !== victim));
        const pair = [c.link(victim, other), c.link(other, victim)];
        fault = this.h.faultStart(
          kind,
          [victim],
          pair.map((l) => l.name),
        );
        for (const l of pair) l.set({ cut: true });
        heal = async () => pair.forEach((l) => l.heal());
        break;
      }
      case "delay": {
        const delayMs = this.rng.int(200, 1_500);
        fault = this.h.faultStart(
          kind,
          [victim],
          links.map((l) => l.name),
          { delayMs },
        );
        for (const l of links) l.set({ delayMs });
        heal = async () => links.forEach((l) => l.heal());
        break;
      }
      case "drop-requests":
      case "drop-answers":
      case "duplicate": {
        const share = Math.round(this.rng.between(0.3, 0.8) * 100) / 100;
        fault = this.h.faultStart(
          kind,
          [victim],
          links.map((l) => l.name),
          { share },
        );
        for (const l of links)
          l.set(
            kind === "drop-requests"
              ? { dropRequests: share }
              : kind === "drop-answers"
                ? { dropAnswers: share }
                : { duplicate: share },
          );
        heal = async () => links.forEach((l) => l.heal());
        break;
      }
      case "partition-all": {
        const all = [...c.links.values()];
        fault = this.h.faultStart(
          kind,
          [...CLOUDS],
          all.map((l) => l.name),
        );
        for (const l of all) l.set({ cut: true });
        heal = async () => all.forEach((l) => l.heal());
        break;
      }
    }
    this.active = fault;
    for (const fn of this.listeners) fn(fault);
    await sleep(durationMs);
    await heal();
    this.h.faultStop(fault);
    this.active = undefined;
    this.lastStopMs = this.h.now();
    return fault;
  }
}
