import { Hono, type Context, type MiddlewareHandler } from "hono";
import { z } from "zod";
import type { KeyRing } from "../core/keys";
import { idSchema } from "../core/envelope";
import { checkpointSigners, type SignedCheckpoint } from "../ledger/checkpoint";
import { entryLeafHash } from "../ledger/entry";
import { InconsistentLogError, type TransparencyLog } from "../ledger/log";
import type { CheckpointPublisher } from "../ledger/publisher";
import { witnessRequestSchema, type Witness } from "../ledger/witness";
import { readJson } from "./body";
import { errorResponse, validationError } from "./errors";

export interface LedgerHttpDeps {
  log: TransparencyLog;
  publisher: CheckpointPublisher;
  witness: Witness;
  keys: KeyRing;
  namespace: string;
  writeGuard: MiddlewareHandler;
}

const size = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

function checkpointView(s: SignedCheckpoint, d: LedgerHttpDeps) {
  const who = checkpointSigners(s, d.keys.publicKeys, d.namespace);
  return {
    origin: s.checkpoint.origin,
    size: s.checkpoint.size,
    root: s.checkpoint.root.toString("base64"),
    counts: who.counts,
    cosigners: who.cosigners.map((c) => c.cloud),
    checkpoint: s.text,
  };
}

/** The default size a proof is against: the newest counting checkpoint. */
async function countingSize(c: Context, d: LedgerHttpDeps): Promise<number | Response> {
  const latest = await d.log.storage.latestCountingSize();
  if (latest === undefined)
    return errorResponse(
      c,
      404,
      "NO_CHECKPOINT",
      "size: this log has no cosigned checkpoint yet; give size= or wait for the next publishing round",
    );
  return latest;
}

/** GET /v1/ledger/...: the cloud's Merkle log, its checkpoints, proofs and anchors. */
export function ledgerRoutes(d: LedgerHttpDeps) {
  const app = new Hono();

  app.get("/checkpoint", async (c) => {
    const q = z.strictObject({ size: size.optional() }).safeParse(c.req.query());
    if (!q.success) return validationError(c, q.error);
    const at = q.data.size ?? (await countingSize(c, d));
    if (at instanceof Response) return at;
    const s = await d.log.withCosignatures(at);
    if (!s) return errorResponse(c, 404, "CHECKPOINT_NOT_FOUND", `size: this log signed no checkpoint of size ${at}`);
    return c.json(checkpointView(s, d));
  });

  app.get("/checkpoints", async (c) => {
    const q = z
      .strictObject({ limit: z.coerce.number().int().min(1).max(1000).optional(), before: size.optional() })
      .safeParse(c.req.query());
    if (!q.success) return validationError(c, q.error);
    const rows = await d.log.storage.checkpoints(q.data.limit ?? 100, q.data.before);
    const out = [];
    for (const r of rows) out.push(checkpointView((await d.log.withCosignatures(r.size))!, d));
    return c.json({ checkpoints: out });
  });

  // On demand: one publishing round (catch up, sign, collect cosignatures, anchor).
  app.post("/checkpoint", d.writeGuard, async (c) => {
    try {
      const r = await d.publisher.publish();
      return c.json({
        ...checkpointView(r.checkpoint, d),
        appended: r.appended,
        witnesses: r.witnesses,
        anchored: r.anchored,
      });
    } catch (err) {
      if (err instanceof InconsistentLogError)
        return errorResponse(c, 409, "INCONSISTENT_LOG", `checkpoint: ${err.message}`, err.evidence);
      throw err;
    }
  });

  app.get("/proof/inclusion", async (c) => {
    const q = z
      .strictObject({ eventId: idSchema.optional(), index: size.optional(), size: size.optional() })
      .safeParse(c.req.query());
    if (!q.success) return validationError(c, q.error);
    if ((q.data.eventId === undefined) === (q.data.index === undefined))
      return errorResponse(c, 400, "VALIDATION_FAILED", "eventId: give exactly one of eventId= and index=");
    const leaf = await d.log.leaf(
      q.data.eventId !== undefined ? { eventId: q.data.eventId } : { index: q.data.index! },
    );
    if (!leaf)
      return errorResponse(
        c,
        404,
        "NOT_IN_LOG",
        q.data.eventId !== undefined
          ? `eventId: "${q.data.eventId}" is not in this cloud's log`
          : `index: ${q.data.index} is beyond this cloud's log`,
      );
    const at = q.data.size ?? (await countingSize(c, d));
    if (at instanceof Response) return at;
    const treeSize = await d.log.storage.size();
    if (at > treeSize)
      return errorResponse(c, 400, "VALIDATION_FAILED", `size: ${at} is larger than the log (${treeSize} entries)`);
    if (leaf.index >= at)
      return errorResponse(
        c,
        404,
        "NOT_YET_CHECKPOINTED",
        `size: entry ${leaf.index} is not covered by size ${at}; a later checkpoint will cover it`,
        { index: leaf.index, size: at },
      );
    const proof = await d.log.storage.inclusionProof(leaf.index, at);
    return c.json({
      eventId: leaf.eventId,
      index: leaf.index,
      size: at,
      entry: leaf.entry,
      leafHash: entryLeafHash(leaf.entry).toString("base64"),
      proof: proof.map((p) => p.toString("base64")),
    });
  });

  app.get("/proof/consistency", async (c) => {
    const q = z.strictObject({ from: size, to: size }).safeParse(c.req.query());
    if (!q.success) return validationError(c, q.error);
    if (q.data.from > q.data.to)
      return errorResponse(c, 400, "VALIDATION_FAILED", `from: ${q.data.from} is larger than to (${q.data.to})`);
    const treeSize = await d.log.storage.size();
    if (q.data.to > treeSize)
      return errorResponse(
        c,
        400,
        "VALIDATION_FAILED",
        `to: ${q.data.to} is larger than the log (${treeSize} entries)`,
      );
    const proof = await d.log.storage.consistencyProof(q.data.from, q.data.to);
    return c.json({ from: q.data.from, to: q.data.to, proof: proof.map((p) => p.toString("base64")) });
  });

  app.get("/entries", async (c) => {
    const q = z
      .strictObject({ start: size.optional(), limit: z.coerce.number().int().min(1).max(1000).optional() })
      .safeParse(c.req.query());
    if (!q.success) return validationError(c, q.error);
    const rows = await d.log.storage.leaves(q.data.start ?? 0, q.data.limit ?? 100);
    return c.json({ entries: rows.map((r) => ({ index: r.index, eventId: r.eventId, entry: r.entry })) });
  });

  app.get("/anchors", async (c) => {
    const rows = await d.log.storage.anchors();
    return c.json({
      anchors: rows.map((a) => ({
        anchor: a.anchor,
        period: a.period,
        size: a.size,
        digest: a.digest.toString("hex"),
        receipt: a.receipt,
        anchoredAt: new Date(a.anchoredAtMs).toISOString(),
      })),
    });
  });

  // What this cloud, as a witness, last cosigned for the other logs, and what it refused.
  app.get("/witnessed", async (c) => {
    const states = await d.log.storage.witnessStates();
    return c.json({
      witnessed: states.map((s) => ({
        origin: s.origin,
        size: s.size,
        root: s.root.toString("base64"),
        checkpoint: s.note,
      })),
      refusals: await d.log.storage.refusals(100),
    });
  });

  return app;
}

/** POST /v1/peer/witness: cosign another cloud's checkpoint (c2sp tlog-witness semantics over JSON). */
export function witnessRoutes(d: Pick<LedgerHttpDeps, "witness" | "writeGuard">) {
  const app = new Hono();
  app.post("/witness", d.writeGuard, async (c) => {
    const body = await readJson(c, witnessRequestSchema);
    if (!body.ok) return body.response;
    const r = await d.witness.cosign(body.value);
    switch (r.kind) {
      case "cosigned":
        return c.json({ cosignature: r.cosignature, size: r.size });
      case "conflict":
        return errorResponse(c, 409, r.code, r.message, { size: r.size });
      case "refused":
        return errorResponse(c, r.status, r.code, r.message);
    }
  });
  return app;
}
