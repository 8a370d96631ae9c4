import { describe, expect, it } from "vitest";
import type { Cloud } from "../../functions/core/clouds";
import { INVARIANT_NAMES, check, percentile } from "../../chaos/checker";
import type { FaultRecord, HistoryData, Op, OpResult } from "../../chaos/history";

// Hand-made histories: a clean one every invariant accepts, then one violation of each kind.
// The checker must name exactly the invariant each history breaks (it is not a rubber stamp).

const A = "a".repeat(64);
const B = "b".repeat(64);

class Builder {
  readonly h: HistoryData = {
    seed: 7,
    startWallMs: 1_000_000,
    stolenKey: "aws",
    ops: [],
    faults: [],
    exits: [],
    logErrors: [],
  };

  op(
    f: Op["f"],
    fields: Partial<Op>,
    invokeMs: number,
    completeMs: number,
    result: OpResult = {},
    type: Op["type"] = "ok",
  ): this {
    this.h.ops.push({ id: this.h.ops.length, process: "test", f, invokeMs, completeMs, type, result, ...fields });
    return this;
  }

  submit(eventId: string, node: Cloud, at: number, hash = A, http = 202, tag = "first"): this {
    return this.op("submit", { node, eventId, value: { tag } }, at, at + 10, { http, hash });
  }

  read(
    eventId: string,
    node: Cloud,
    at: number,
    status: OpResult["status"] | 404,
    hash = A,
    certClouds: Cloud[] = ["aws", "azure"],
  ): this {
    if (status === 404) return this.op("read", { node, eventId }, at, at + 5, { http: 404 });
    const signers = certClouds.map((cloud) => ({ cloud, hash }));
    return this.op("read", { node, eventId }, at, at + 5, {
      http: 200,
      status,
      hash,
      certClouds: status === "FINAL" ? certClouds : [],
      signers,
    });
  }

  fault(kind: FaultRecord["kind"], victims: Cloud[], startMs: number, stopMs: number, links: string[] = []): this {
    this.h.faults.push({ id: this.h.faults.length, kind, victims, links, startMs, stopMs });
    return this;
  }

  health(): this {
    for (const node of ["aws", "azure", "gcp"] as const) this.op("health", { node }, 99_000, 99_010, { http: 200 });
    return this;
  }
}

/** One honest event submitted to aws, FINAL within 1 s everywhere. */
function clean(): Builder {
  return new Builder()
    .submit("e1", "aws", 100)
    .read("e1", "aws", 200, "PENDING")
    .read("e1", "aws", 600, "FINAL")
    .read("e1", "aws", 90_000, "FINAL", A, ["aws", "azure", "gcp"])
    .read("e1", "azure", 90_000, "FINAL", A, ["aws", "azure", "gcp"])
    .read("e1", "gcp", 90_000, "FINAL", A, ["aws", "azure", "gcp"])
    .health();
}

function violated(b: Builder): string[] {
  return check(b.h)
    .invariants.filter((i) => !i.held && i.severity === "invariant")
    .map((i) => i.name);
}

describe("chaos checker", () => {
  it("accepts a clean history", () => {
    const r = check(clean().h);
    expect(r.invariants.filter((i) => !i.held)).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.liveness).toMatchObject({ events: 1, finalized: 1, unfinished: 0 });
    expect(r.liveness.p99Ms).toBeCloseTo(505, 0);
  });

  it("acknowledged-not-lost: the acknowledging node no longer has the event, or has another hash", () => {
    const b = new Builder()
      .submit("e1", "aws", 100)
      .read("e1", "azure", 600, "FINAL")
      .read("e1", "aws", 90_000, 404)
      .health();
    expect(violated(b)).toContain("acknowledged-not-lost");
    const c = clean().read("e1", "aws", 95_000, "FINAL", B);
    expect(violated(c)).toContain("acknowledged-not-lost");
  });

  it("one-final-hash: two nodes FINAL on different hashes", () => {
    const b = clean().read("e1", "gcp", 95_000, "FINAL", B, ["gcp", "azure"]);
    expect(violated(b)).toContain("one-final-hash");
  });

  it("one-final-hash: an equivocation while its honest receivers were cut apart is exempt (the documented limit), otherwise not", () => {
    const base = () =>
      clean()
        .op("equivocate", { eventId: "q1", value: { receivers: ["azure", "gcp"] } }, 1_000, 1_050, {
          detail: { delivered: 2 },
        })
        .read("q1", "azure", 1_200, "FINAL", A, ["aws", "azure"])
        .read("q1", "gcp", 1_200, "FINAL", B, ["aws", "gcp"]);
    expect(violated(base())).toContain("one-final-hash");
    const cut = base().fault("one-way-cut", ["azure"], 500, 3_000, ["azure->gcp"]);
    const r = check(cut.h).invariants.find((i) => i.name === "one-final-hash")!;
    expect(r.held).toBe(true);
    expect(r.note).toMatch(/exempt/);
  });

  it("duplicates-converge: one submission on two nodes with two hashes, or quarantined", () => {
    const b = clean().submit("e1", "azure", 150, B, 202, "race");
    expect(violated(b)).toContain("duplicates-converge");
    const q = clean().submit("e1", "gcp", 150, A, 200, "failover").read("e1", "gcp", 300, "QUARANTINED");
    expect(violated(q)).toEqual(expect.arrayContaining(["duplicates-converge", "no-quarantine-without-proof"]));
  });

  it("reuse-gets-409: a different payload under a used id accepted", () => {
    expect(
      violated(
        clean().op("reuse", { eventId: "e1", node: "aws", value: { changed: "payload" } }, 700, 710, { http: 409 }),
      ),
    ).toEqual([]);
    expect(
      violated(
        clean().op("reuse", { eventId: "e1", node: "aws", value: { changed: "payload" } }, 700, 710, {
          http: 200,
          hash: A,
        }),
      ),
    ).toContain("reuse-gets-409");
    // An unknown outcome (timeout) proves nothing.
    expect(
      violated(clean().op("reuse", { eventId: "e1", node: "aws" }, 700, 2_700, { error: "timeout" }, "info")),
    ).toEqual([]);
  });

  it("no-quarantine-without-proof: an honest event quarantined; an equivocated one may be", () => {
    expect(violated(clean().read("e1", "gcp", 400, "QUARANTINED"))).toContain("no-quarantine-without-proof");
    const eq = clean()
      .op("equivocate", { eventId: "q1", value: { receivers: ["azure", "gcp"] } }, 1_000, 1_050, {
        detail: { delivered: 2 },
      })
      .read("q1", "azure", 1_200, "QUARANTINED", A, [])
      .read("q1", "gcp", 1_200, "QUARANTINED", B, []);
    expect(violated(eq)).toEqual([]);
  });

  it("forged-messages-refused: a forgery answered 2xx or 5xx, or its hash stored", () => {
    const forge = (http: number) =>
      clean().op(
        "forge",
        { eventId: "e1", node: "azure", value: { kind: "bad-signature", forgedHash: B, expect: "4xx" } },
        150,
        160,
        { http },
      );
    expect(violated(forge(422))).toEqual([]);
    expect(violated(forge(200))).toContain("forged-messages-refused");
    expect(violated(forge(500))).toContain("forged-messages-refused");
    expect(violated(forge(422).read("e1", "gcp", 95_000, "PENDING", B))).toContain("forged-messages-refused");
  });

  it("replays-harmless: a replay answered 5xx, or the FINAL event changed after it", () => {
    const replay = (http: number) =>
      clean().op("replay", { eventId: "e1", node: "gcp", value: { kind: "as-sent", hash: A } }, 1_000, 1_010, { http });
    expect(violated(replay(200))).toEqual([]);
    expect(violated(replay(500))).toContain("replays-harmless");
    // gcp held it unquarantined just before the replay and quarantined it right after.
    expect(
      violated(
        clean()
          .read("e1", "gcp", 900, "PENDING")
          .op("replay", { eventId: "e1", node: "gcp", value: { kind: "as-sent", hash: A } }, 1_000, 1_010, {
            http: 200,
          })
          .read("e1", "gcp", 1_100, "QUARANTINED"),
      ),
    ).toContain("replays-harmless");
    // Already quarantined elsewhere before the replay: not the replay's doing (no-quarantine-without-proof still reports it).
    const before = clean()
      .read("e1", "aws", 950, "QUARANTINED")
      .read("e1", "gcp", 900, "PENDING")
      .op("replay", { eventId: "e1", node: "gcp", value: { kind: "as-sent", hash: A } }, 1_000, 1_010, { http: 200 })
      .read("e1", "gcp", 1_100, "QUARANTINED");
    expect(violated(before)).not.toContain("replays-harmless");
    expect(violated(before)).toContain("no-quarantine-without-proof");
  });

  it("quarantined-never-lends: a FINAL reached after its co-signer had quarantined", () => {
    const eq = () =>
      clean()
        .op("equivocate", { eventId: "q1", value: { receivers: ["azure", "gcp"] } }, 1_000, 1_050, {
          detail: { delivered: 2 },
        })
        .read("q1", "gcp", 1_100, "QUARANTINED", B, [])
        .op("evidence", { eventId: "q1", node: "gcp" }, 90_000, 90_010, { http: 200, evidenceKinds: ["equivocation"] });
    // azure was still PENDING after gcp quarantined, then FINAL with gcp in its certificate.
    const b = eq().read("q1", "azure", 1_200, "PENDING").read("q1", "azure", 1_400, "FINAL", A, ["azure", "gcp"]);
    expect(violated(b)).toContain("quarantined-never-lends");
    // gcp's confirmation signed after gcp had quarantined.
    const signedLate = eq().op("read", { node: "azure", eventId: "q1" }, 1_300, 1_305, {
      http: 200,
      status: "FINAL",
      hash: A,
      certClouds: ["azure", "gcp"],
      signers: [
        { cloud: "azure", hash: A },
        { cloud: "gcp", hash: A, confirmedAtMs: 1_000_000 + 1_250 },
      ],
    });
    expect(violated(signedLate)).toContain("quarantined-never-lends");
    // A FINAL without the quarantining cloud is fine.
    expect(violated(eq().read("q1", "azure", 1_400, "FINAL", A, ["azure", "aws"]))).toEqual([]);
  });

  it("status-transitions: FINAL back to PENDING, an event vanishing, a stored hash changing", () => {
    expect(violated(clean().read("e1", "aws", 700, "PENDING"))).toContain("status-transitions");
    expect(violated(clean().read("e1", "aws", 700, 404))).toContain("status-transitions");
    expect(violated(clean().read("e1", "aws", 250, "PENDING", B))).toContain("status-transitions");
    // Overlapping reads order nothing.
    const overlap = new Builder()
      .submit("e1", "aws", 0)
      .op("read", { node: "aws", eventId: "e1" }, 100, 300, {
        http: 200,
        status: "FINAL",
        hash: A,
        certClouds: ["aws", "azure"],
      })
      .op("read", { node: "aws", eventId: "e1" }, 200, 210, { http: 200, status: "PENDING", hash: A })
      .health();
    expect(violated(overlap)).not.toContain("status-transitions");
  });

  it("final-has-certificate: FINAL with one valid signer", () => {
    expect(violated(clean().read("e1", "gcp", 700, "FINAL", A, ["gcp"]))).toContain("final-has-certificate");
  });

  it("one-signature-per-cloud: an honest cloud signed two hashes; the thief's key may", () => {
    const two = clean().op("read", { node: "gcp", eventId: "e1" }, 700, 705, {
      http: 200,
      status: "PENDING",
      hash: A,
      signers: [{ cloud: "azure", hash: B }],
    });
    expect(violated(two)).toContain("one-signature-per-cloud");
    const thief = clean()
      .op("equivocate", { eventId: "q1", value: { receivers: ["azure", "gcp"] } }, 1_000, 1_050, {
        detail: { delivered: 2 },
      })
      .op("read", { node: "azure", eventId: "q1" }, 1_100, 1_105, {
        http: 200,
        status: "QUARANTINED",
        hash: A,
        signers: [{ cloud: "aws", hash: A }],
      })
      .op("read", { node: "gcp", eventId: "q1" }, 1_100, 1_105, {
        http: 200,
        status: "QUARANTINED",
        hash: B,
        signers: [{ cloud: "aws", hash: B }],
      });
    expect(violated(thief)).toEqual([]);
  });

  it("equivocation-detected: a delivered equivocation that nobody quarantined or kept as evidence", () => {
    const b = () =>
      clean()
        .op("equivocate", { eventId: "q1", value: { receivers: ["azure", "gcp"] } }, 1_000, 1_050, {
          detail: { delivered: 2 },
        })
        .read("q1", "azure", 1_200, "FINAL");
    expect(violated(b())).toContain("equivocation-detected");
    expect(
      violated(
        b().op("evidence", { eventId: "q1", node: "gcp" }, 90_000, 90_010, {
          http: 200,
          evidenceKinds: ["equivocation"],
        }),
      ),
    ).toEqual([]);
    // Not delivered to both: nothing to detect.
    expect(
      violated(
        clean().op("equivocate", { eventId: "q2", value: { receivers: ["azure", "gcp"] } }, 1_000, 1_050, {
          detail: { delivered: 1 },
        }),
      ),
    ).toEqual([]);
  });

  it("liveness: measured from the end of an obstructing fault; other clouds' faults do not excuse a slow FINAL", () => {
    const slow = () => new Builder().submit("e1", "aws", 100).read("e1", "azure", 8_000, "FINAL").health();
    expect(violated(slow())).toContain("liveness");
    // aws (where it was sent) was killed until 7 s: 1 s after that is fine.
    expect(violated(slow().fault("kill", ["aws"], 50, 7_000))).toEqual([]);
    // gcp being out does not excuse aws and azure.
    expect(violated(slow().fault("kill", ["gcp"], 50, 7_000))).toContain("liveness");
    // A partition of everyone obstructs every event.
    expect(violated(slow().fault("partition-all", ["aws", "azure", "gcp"], 50, 7_000))).toEqual([]);
    // The split: sent to aws while gcp was out counts as "healthy while one out"; sent to gcp while gcp was out, as obstructed.
    const split = check(
      new Builder()
        .fault("isolate", ["gcp"], 0, 3_000)
        .submit("e1", "aws", 100)
        .read("e1", "aws", 700, "FINAL")
        .submit("e2", "gcp", 200)
        .read("e2", "gcp", 4_000, "FINAL", B, ["gcp", "aws"])
        .health().h,
    ).liveness;
    expect(split.healthyWhileOneOut).toMatchObject({ events: 1, p99Ms: 605 });
    expect(split.afterObstruction).toMatchObject({ events: 1, p99Ms: 1_005 });
    // Never FINAL.
    const never = new Builder().submit("e1", "aws", 100).read("e1", "aws", 90_000, "PENDING").health();
    expect(violated(never)).toContain("liveness");
    expect(check(never.h).liveness.unfinished).toBe(1);
  });

  it("no-crash: an exit the harness did not cause, or a node unhealthy at the end", () => {
    const b = clean();
    b.h.exits.push({ node: "gcp", atMs: 500, code: 1, signal: null, expected: false });
    expect(violated(b)).toContain("no-crash");
    const k = clean();
    k.h.exits.push({ node: "gcp", atMs: 500, code: null, signal: "SIGKILL", expected: true });
    expect(violated(k)).toEqual([]);
    expect(violated(clean().op("health", { node: "aws" }, 99_500, 99_510, { http: 503 }))).toContain("no-crash");
  });

  it("malformed-requests-refused: 5xx, no answer where one is owed, an error without the JSON shape", () => {
    const m = (expect: string, result: OpResult, type: Op["type"] = "ok") =>
      clean().op("malformed", { node: "aws", value: { kind: "k", expect } }, 300, 310, result, type);
    expect(violated(m("4xx-json", { http: 400, jsonError: true }))).toEqual([]);
    expect(violated(m("4xx-json", { http: 500, jsonError: true }))).toContain("malformed-requests-refused");
    expect(violated(m("4xx-json", { http: 400, jsonError: false }))).toContain("malformed-requests-refused");
    expect(violated(m("4xx", { error: "no answer (timeout)" }, "info"))).toContain("malformed-requests-refused");
    expect(violated(m("no-5xx", { error: "no answer (server)" }, "info"))).toEqual([]);
    expect(violated(m("no-5xx", { http: 500 }))).toContain("malformed-requests-refused");
    // The node was killed while the request was in flight: no answer is owed.
    expect(violated(m("4xx", { error: "no answer (server)" }, "info").fault("kill", ["aws"], 305, 2_000))).toEqual([]);
    expect(violated(m("4xx", { error: "no answer (server)" }, "info").fault("kill", ["gcp"], 305, 2_000))).toContain(
      "malformed-requests-refused",
    );
  });

  it("witness-replays-harmless: a refusal stored, or an old checkpoint cosigned", () => {
    expect(violated(clean().op("witnessed", { node: "aws" }, 99_000, 99_010, { http: 200, refusals: 0 }))).toEqual([]);
    expect(violated(clean().op("witnessed", { node: "aws" }, 99_000, 99_010, { http: 200, refusals: 1 }))).toContain(
      "witness-replays-harmless",
    );
    const replay = (expect: string, http: number) =>
      clean().op("witness-replay", { node: "gcp", value: { origin: "aws", expect } }, 5_000, 5_010, { http });
    expect(violated(replay("4xx", 409))).toEqual([]);
    expect(violated(replay("4xx", 200))).toContain("witness-replays-harmless");
    expect(violated(replay("no-5xx", 200))).toEqual([]);
    expect(violated(replay("no-5xx", 500))).toContain("witness-replays-harmless");
  });

  it("equivocation-detected: under the documented limit, both certificates with the thief's signature are the proof", () => {
    const limit = () =>
      clean()
        .fault("partition-pair", ["azure"], 900, 4_000, ["azure->gcp", "gcp->azure"])
        .op("equivocate", { eventId: "q1", value: { receivers: ["azure", "gcp"], mode: "limit" } }, 1_000, 1_050, {
          detail: { delivered: 2 },
        });
    const both = limit()
      .read("q1", "azure", 1_200, "FINAL", A, ["aws", "azure"])
      .read("q1", "gcp", 1_200, "FINAL", B, ["aws", "gcp"]);
    expect(violated(both)).toEqual([]);
    // One FINAL without the thief in its certificate and nothing else: undetected.
    const hidden = limit().read("q1", "azure", 1_200, "FINAL", A, ["azure", "gcp"]);
    expect(violated(hidden)).toContain("equivocation-detected");
  });

  it("audit-verifies: a failing audit, or one that misses a stolen-key double FINAL", () => {
    const audit = (b: Builder, http: number, failures: { check: string; log: string; message: string }[] = []) =>
      b.op("audit", {}, 98_000, 98_500, { http, detail: { failures } });
    expect(violated(audit(clean(), 0))).toEqual([]);
    expect(violated(audit(clean(), 1, [{ check: "witness", log: "aws", message: "refusal stored" }]))).toContain(
      "audit-verifies",
    );
    expect(violated(audit(clean(), 3))).toContain("audit-verifies");
    const doubleFinal = () =>
      clean()
        .fault("partition-pair", ["azure"], 900, 4_000, ["azure->gcp", "gcp->azure"])
        .op("equivocate", { eventId: "q1", value: { receivers: ["azure", "gcp"], mode: "limit" } }, 1_000, 1_050, {
          detail: { delivered: 2 },
        })
        .read("q1", "azure", 1_200, "FINAL", A, ["aws", "azure"])
        .read("q1", "gcp", 1_200, "FINAL", B, ["aws", "gcp"]);
    expect(violated(audit(doubleFinal(), 0))).toContain("audit-verifies");
    expect(
      violated(audit(doubleFinal(), 1, [{ check: "join", log: "*", message: "aws signed two hashes for q1" }])),
    ).toEqual([]);
  });

  it("error-level log lines are reported as an advisory, not a failure", () => {
    const b = clean();
    b.h.logErrors.push({ node: "aws", atMs: 10, level: 50, msg: "request failed" });
    const r = check(b.h);
    expect(r.valid).toBe(true);
    expect(r.invariants.find((i) => i.name === "no-error-logs")).toMatchObject({
      held: false,
      severity: "advisory",
      violations: 1,
    });
  });

  it("percentile is nearest-rank and counts never-finished events", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, Infinity], 99)).toBe(Infinity);
    expect(percentile([], 99)).toBeNull();
  });
});

describe("chaos checker names", () => {
  it("reports every invariant of INVARIANT_NAMES, in order", () => {
    expect(check(clean().h).invariants.map((i) => i.name)).toEqual([...INVARIANT_NAMES]);
  });
});
