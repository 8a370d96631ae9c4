import { createHash } from "node:crypto";
import { canonicalize, type JsonValue } from "./canonical";

/**
 * One domain tag per message kind, so a digest of one kind can never be
 * presented (or signed and replayed) as another.
 */
export const DOMAIN = {
  event: "tricloud/event/v2",
  confirmation: "tricloud/confirmation/v2",
  /** One signature over the Merkle root of many confirmations (core/batch.ts). */
  confirmationBatch: "tricloud/confirmation-batch/v1",
} as const;
export type Domain = (typeof DOMAIN)[keyof typeof DOMAIN];

/**
 * sha256( u32be(len(tag)) || tag || JCS(value) ), hex. The length prefix keeps the
 * tag/body boundary unambiguous; JCS gives one byte string per JSON value.
 */
export function domainHash(domain: Domain, value: JsonValue): string {
  const tag = Buffer.from(domain, "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(tag.length);
  return createHash("sha256").update(len).update(tag).update(canonicalize(value), "utf8").digest("hex");
}
