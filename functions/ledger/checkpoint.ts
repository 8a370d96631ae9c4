import { createHash, type KeyObject } from "node:crypto";
import { CLOUDS, type Cloud } from "../core/clouds";
import { HASH_SIZE } from "./merkle";
import {
  NoteError,
  checkKeyName,
  cosignNote,
  formatNote,
  parseNote,
  signNote,
  verifyCosignature,
  verifyNote,
  type Note,
  type NoteSignature,
} from "./note";

/**
 * C2SP checkpoints (c2sp.org/tlog-checkpoint): the note body
 * "<origin>\n<size>\n<base64 root>\n". A log signs it with its key (note type 0x01);
 * the other clouds cosign it (cosignature/v1) once they have checked consistency.
 */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
}

/** Each cloud's log origin and witness name; `namespace` keeps stacks (dev, prod) apart. */
export function ledgerNames(cloud: Cloud, namespace = "tricloud"): { origin: string; witness: string } {
  return {
    origin: checkKeyName(`${namespace}/ledger/${cloud}`),
    witness: checkKeyName(`${namespace}/witness/${cloud}`),
  };
}

/** The cloud a log origin belongs to, or undefined when the origin is not one of ours. */
export function cloudOfOrigin(origin: string): { cloud: Cloud; namespace: string } | undefined {
  const m = /^(\S+)\/ledger\/([a-z]+)$/.exec(origin);
  if (!m || !(CLOUDS as readonly string[]).includes(m[2]!)) return undefined;
  return { cloud: m[2] as Cloud, namespace: m[1]! };
}

export function checkpointBody(c: Checkpoint): string {
  checkKeyName(c.origin);
  if (!Number.isSafeInteger(c.size) || c.size < 0)
    throw new NoteError(`checkpoint size: expected a non-negative integer, got ${c.size}`);
  if (c.root.length !== HASH_SIZE)
    throw new NoteError(`checkpoint root: expected ${HASH_SIZE} bytes, got ${c.root.length}`);
  return `${c.origin}\n${c.size}\n${c.root.toString("base64")}\n`;
}

export function parseCheckpointBody(body: string): Checkpoint {
  const lines = body.split("\n");
  if (lines.length < 4 || lines[lines.length - 1] !== "")
    throw new NoteError("checkpoint: expected origin, size and root lines, each ending in a newline");
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (lines.length > 4) throw new NoteError("checkpoint: extension lines are not used by tricloud logs");
  if (!origin || /\s/.test(origin)) throw new NoteError("checkpoint origin: expected a non-empty line without spaces");
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText)))
    throw new NoteError(`checkpoint size: expected a decimal without leading zeros, got ${JSON.stringify(sizeText)}`);
  const root = Buffer.from(rootText, "base64");
  if (root.length !== HASH_SIZE || root.toString("base64") !== rootText)
    throw new NoteError(`checkpoint root: expected base64 of ${HASH_SIZE} bytes, got ${JSON.stringify(rootText)}`);
  return { origin, size: Number(sizeText), root };
}

/** SHA-256 of the checkpoint body: what an anchor (RFC 3161) timestamps. */
export function checkpointDigest(c: Checkpoint): Buffer {
  return createHash("sha256").update(checkpointBody(c), "utf8").digest();
}

export interface SignedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: Note;
  /** The full text with every signature line. */
  readonly text: string;
}

export function signCheckpoint(c: Checkpoint, privateKey: KeyObject, publicKey: KeyObject): SignedCheckpoint {
  const body = checkpointBody(c);
  const note: Note = { body, signatures: [signNote(body, c.origin, privateKey, publicKey)] };
  return { checkpoint: c, note, text: formatNote(note) };
}

export function parseSignedCheckpoint(text: string): SignedCheckpoint {
  const note = parseNote(text);
  return { checkpoint: parseCheckpointBody(note.body), note, text };
}

/** The log's own signature: the key name is the origin, the key is the origin cloud's. */
export function verifyCheckpointSignature(s: SignedCheckpoint, logKey: KeyObject): boolean {
  return verifyNote(s.note, s.checkpoint.origin, logKey);
}

export function cosignCheckpoint(
  s: SignedCheckpoint,
  witnessName: string,
  privateKey: KeyObject,
  publicKey: KeyObject,
  timestampSec: number,
): NoteSignature {
  return cosignNote(s.note.body, witnessName, privateKey, publicKey, timestampSec);
}

export function verifyCheckpointCosignature(
  s: SignedCheckpoint,
  witnessName: string,
  witnessKey: KeyObject,
): number | undefined {
  return verifyCosignature(s.note, witnessName, witnessKey);
}

/** Adds signature lines (deduplicated by name and key ID), keeping the body. */
export function withSignatures(s: SignedCheckpoint, extra: readonly NoteSignature[]): SignedCheckpoint {
  const all = [...s.note.signatures];
  for (const x of extra) if (!all.some((y) => y.name === x.name && y.keyId.equals(x.keyId))) all.push(x);
  const note: Note = { body: s.note.body, signatures: all };
  return { checkpoint: s.checkpoint, note, text: formatNote(note) };
}

/**
 * Who vouches for a checkpoint, given every cloud's public key: the origin cloud's own
 * signature and the clouds that cosigned it. It counts with its own signature and >= 1
 * foreign cosignature.
 */
export function checkpointSigners(
  s: SignedCheckpoint,
  publicKeys: Readonly<Record<Cloud, KeyObject>>,
  namespace?: string,
): {
  cloud: Cloud | undefined;
  signed: boolean;
  cosigners: Array<{ cloud: Cloud; timestamp: number }>;
  counts: boolean;
} {
  const owner = cloudOfOrigin(s.checkpoint.origin);
  if (!owner || (namespace !== undefined && owner.namespace !== namespace))
    return { cloud: owner?.cloud, signed: false, cosigners: [], counts: false };
  const signed = verifyCheckpointSignature(s, publicKeys[owner.cloud]);
  const cosigners: Array<{ cloud: Cloud; timestamp: number }> = [];
  for (const cloud of CLOUDS) {
    if (cloud === owner.cloud) continue;
    const ts = verifyCheckpointCosignature(s, ledgerNames(cloud, owner.namespace).witness, publicKeys[cloud]);
    if (ts !== undefined) cosigners.push({ cloud, timestamp: ts });
  }
  return { cloud: owner.cloud, signed, cosigners, counts: signed && cosigners.length >= 1 };
}
