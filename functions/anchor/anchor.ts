/**
 * An anchor puts a digest somewhere outside the system (a timestamp authority, a
 * public chain, a notary) and can later show that it did. Pluggable: the ledger only
 * needs these two calls; RFC 3161 (`rfc3161.ts`) is the one shipped.
 */
export interface Anchor {
  /** Stable name; stored with every receipt, e.g. "rfc3161:https://tsa.example". */
  readonly name: string;
  /** Anchors a message (the ledger passes a checkpoint body) by its SHA-256; the receipt is self-contained text, verifiable offline. */
  anchor(message: Buffer): Promise<AnchorReceipt>;
  /** Checks a receipt against the message it claims to anchor. */
  verify(message: Buffer, receipt: string): Promise<AnchorVerdict>;
}

export interface AnchorReceipt {
  receipt: string;
  /** When the outside party says it saw the digest. */
  time: Date;
}

export type AnchorVerdict = { ok: true; time: Date } | { ok: false; reason: string };

export class AnchorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AnchorError";
  }
}
