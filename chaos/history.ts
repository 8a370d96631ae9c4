import type { Cloud } from "../functions/core/clouds";

/**
 * The full record of a run, Jepsen style: every operation with its invoke and completion
 * time and outcome (ok: it happened; fail: it certainly did not; info: unknown, e.g. a
 * timeout), every fault with its start and stop, every node exit and error-level log line.
 * Times are milliseconds since the run started (`startWallMs` anchors them to the wall clock).
 */

export type OpKind =
  | "submit" // an honest {tenantId, eventId, payload}; value.tag says which client pattern sent it
  | "read" // GET /v1/events/{id} on one node
  | "reuse" // a different tenant or payload under an eventId the target node already holds
  | "forge" // an unauthenticated or invalid peer message (value.kind)
  | "replay" // a validly signed old peer message sent again
  | "equivocate" // two validly signed different hashes for one eventId (stolen origin key)
  | "evidence" // GET /v1/peer/evidence?eventId= on one node
  | "malformed" // a broken request (value.kind, value.expect)
  | "checkpoint" // POST /v1/ledger/checkpoint (to have checkpoints to replay)
  | "witness-replay" // an old checkpoint re-sent to a witness with a forged oldSize
  | "witnessed" // GET /v1/ledger/witnessed (refusals the witness stored)
  | "health" // GET /health at the end of the run
  | "audit"; // `tricloud audit verify` over the three nodes at the end (result.http = its exit code)

export type OpType = "ok" | "fail" | "info";

export interface Signer {
  cloud: Cloud;
  hash: string;
  /** The confirmation's own timestamp (wall clock, ms), when it carries one. */
  confirmedAtMs?: number;
}

export interface OpResult {
  /** HTTP status, when an answer came. */
  http?: number;
  /** The hash a submit was acknowledged with, or a read's stored hash. */
  hash?: string;
  /** A read's event status. */
  status?: "PENDING" | "FINAL" | "QUARANTINED";
  /** Distinct clouds whose confirmation on `hash` verifies (a read). */
  certClouds?: Cloud[];
  /** Every confirmation in a read whose signature verifies, whatever hash it is on. */
  signers?: Signer[];
  /** The answer was an error of the documented JSON shape. */
  jsonError?: boolean;
  errorCode?: string;
  /** Evidence kinds a node keeps for an event. */
  evidenceKinds?: string[];
  /** Refusals a witness stored. */
  refusals?: number;
  error?: string;
  /** Free-form details worth keeping in the report. */
  detail?: Record<string, unknown>;
}

export interface Op {
  id: number;
  process: string;
  f: OpKind;
  node?: Cloud;
  eventId?: string;
  value?: Record<string, unknown>;
  invokeMs: number;
  completeMs?: number;
  type?: OpType;
  result?: OpResult;
}

export type FaultKind =
  | "kill" // SIGKILL, restart later with the store kept
  | "pause" // SIGSTOP ... SIGCONT
  | "isolate" // every link into and out of the victim cut
  | "blackhole" // every link into and out of the victim accepts and never answers
  | "one-way-cut" // one directed link cut
  | "partition-pair" // both links between the victim and one other cloud cut
  | "delay" // links of the victim delayed
  | "drop-requests" // links of the victim drop a share of requests
  | "drop-answers" // links of the victim drop a share of answers
  | "duplicate" // links of the victim deliver a share of peer requests twice
  | "partition-all"; // every link cut: no two clouds can talk

export interface FaultRecord {
  id: number;
  kind: FaultKind;
  /** The clouds this fault takes out; one for "one cloud out", all three for partition-all. */
  victims: Cloud[];
  /** Directed links ("aws->gcp") the fault acts on, if any. */
  links: string[];
  params?: Record<string, unknown>;
  startMs: number;
  /** When the fault was healed (for a kill: when the restarted node answered /health). */
  stopMs?: number;
}

export interface NodeExit {
  node: Cloud;
  atMs: number;
  code: number | null;
  signal: string | null;
  /** The harness killed or stopped it on purpose. */
  expected: boolean;
}

export interface LogError {
  node: Cloud;
  atMs: number;
  level: number;
  msg: string;
}

export interface HistoryData {
  seed: number;
  startWallMs: number;
  /** The cloud whose private key the attacker holds. */
  stolenKey?: Cloud;
  ops: Op[];
  faults: FaultRecord[];
  exits: NodeExit[];
  logErrors: LogError[];
}

export class History implements HistoryData {
  readonly ops: Op[] = [];
  readonly faults: FaultRecord[] = [];
  readonly exits: NodeExit[] = [];
  readonly logErrors: LogError[] = [];
  readonly startWallMs = Date.now();
  private readonly t0 = performance.now();
  stolenKey?: Cloud;

  constructor(readonly seed: number) {}

  now(): number {
    return Math.round((performance.now() - this.t0) * 10) / 10;
  }

  invoke(process: string, f: OpKind, fields: Pick<Op, "node" | "eventId" | "value"> = {}): Op {
    const op: Op = { id: this.ops.length, process, f, ...fields, invokeMs: this.now() };
    this.ops.push(op);
    return op;
  }

  complete(op: Op, type: OpType, result: OpResult = {}): Op {
    op.completeMs = this.now();
    op.type = type;
    op.result = result;
    return op;
  }

  faultStart(kind: FaultKind, victims: Cloud[], links: string[], params?: Record<string, unknown>): FaultRecord {
    const f: FaultRecord = { id: this.faults.length, kind, victims, links, params, startMs: this.now() };
    this.faults.push(f);
    return f;
  }

  faultStop(f: FaultRecord): void {
    f.stopMs ??= this.now();
  }

  toJSON(): HistoryData {
    return {
      seed: this.seed,
      startWallMs: this.startWallMs,
      stolenKey: this.stolenKey,
      ops: this.ops,
      faults: this.faults,
      exits: this.exits,
      logErrors: this.logErrors,
    };
  }
}
