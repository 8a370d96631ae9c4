import { createHash, sign, verify, type KeyObject } from "node:crypto";

/**
 * C2SP signed notes (c2sp.org/signed-note): a UTF-8 text ending in a newline, a blank
 * line, then one line per signature: "— <name> base64(keyID || signature)" (U+2014).
 * Written here: the format is a few lines, and the npm packages that parse it are
 * unmaintained forks of sigsum code that do not do cosignature/v1.
 */
export const SIG_PREFIX = "\u2014 ";

/** Signature types (the key-ID algorithm byte). */
export const ED25519 = 0x01;
/** c2sp.org/tlog-cosignature: Ed25519 over "cosignature/v1\ntime <t>\n" || body. */
export const COSIGNATURE_V1 = 0x04;

export interface NoteSignature {
  readonly name: string;
  /** 4 bytes, big endian. */
  readonly keyId: Buffer;
  /** Everything after the key ID. */
  readonly signature: Buffer;
}

export interface Note {
  /** The signed text, ending in "\n". */
  readonly body: string;
  readonly signatures: readonly NoteSignature[];
}

export class NoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NoteError";
  }
}

/** The 32 raw bytes of an Ed25519 public key. */
export function rawEd25519(publicKey: KeyObject): Buffer {
  if (publicKey.asymmetricKeyType !== "ed25519")
    throw new NoteError(`key: expected an Ed25519 public key, got ${publicKey.asymmetricKeyType}`);
  const jwk = publicKey.export({ format: "jwk" });
  return Buffer.from(jwk.x!, "base64url");
}

/** SHA-256(name || "\n" || type || pubkey)[:4]. */
export function keyId(name: string, type: number, publicKey: KeyObject): Buffer {
  return createHash("sha256")
    .update(name, "utf8")
    .update("\n")
    .update(Buffer.of(type))
    .update(rawEd25519(publicKey))
    .digest()
    .subarray(0, 4);
}

export function checkKeyName(name: string): string {
  if (name.length === 0 || /[\s+]/u.test(name))
    throw new NoteError(`key name: expected a non-empty name without spaces or "+", got ${JSON.stringify(name)}`);
  return name;
}

function checkText(body: string): void {
  if (!body.endsWith("\n")) throw new NoteError("note: the text must end with a newline");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(body))
    throw new NoteError("note: control characters other than newline are not allowed");
}

export function formatSignatureLine(s: NoteSignature): string {
  return `${SIG_PREFIX}${checkKeyName(s.name)} ${Buffer.concat([s.keyId, s.signature]).toString("base64")}\n`;
}

export function formatNote(note: Note): string {
  checkText(note.body);
  return `${note.body}\n${note.signatures.map(formatSignatureLine).join("")}`;
}

/** Parses a signed note strictly; every problem is a NoteError naming what is wrong. */
export function parseNote(text: string): Note {
  if (text.length > 1_000_000) throw new NoteError("note: longer than 1 MB");
  const split = text.lastIndexOf("\n\n");
  if (split < 0) throw new NoteError("note: no blank line before the signatures");
  const body = text.slice(0, split + 1);
  checkText(body);
  const block = text.slice(split + 2);
  if (!block.endsWith("\n")) throw new NoteError("note: the last signature line must end with a newline");
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > 100) throw new NoteError("note: more than 100 signatures");
  const signatures = lines.map((line, i) => parseSignatureLine(line, `signature line ${i + 1}`));
  return { body, signatures };
}

/** One "— <name> <base64>" line (without its newline). */
export function parseSignatureLine(line: string, what = "signature line"): NoteSignature {
  const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/u.exec(line);
  if (!m) throw new NoteError(`note: ${what} is not "— <name> <base64>"`);
  const bytes = Buffer.from(m[2]!, "base64");
  if (bytes.length < 5 || bytes.toString("base64") !== m[2]) throw new NoteError(`note: ${what} has malformed base64`);
  return { name: m[1]!, keyId: bytes.subarray(0, 4), signature: bytes.subarray(4) };
}

/** An Ed25519 note signature (type 0x01) over the body. */
export function signNote(body: string, name: string, privateKey: KeyObject, publicKey: KeyObject): NoteSignature {
  checkText(body);
  return {
    name: checkKeyName(name),
    keyId: keyId(name, ED25519, publicKey),
    signature: sign(null, Buffer.from(body, "utf8"), privateKey),
  };
}

/** Finds the signature by (name, key) and checks it; never throws. */
export function verifyNote(note: Note, name: string, publicKey: KeyObject): boolean {
  const id = keyId(name, ED25519, publicKey);
  const s = note.signatures.find((x) => x.name === name && x.keyId.equals(id));
  if (!s || s.signature.length !== 64) return false;
  try {
    return verify(null, Buffer.from(note.body, "utf8"), publicKey, s.signature);
  } catch {
    return false;
  }
}

function cosignedMessage(body: string, timestamp: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${body}`, "utf8");
}

/** A timestamped cosignature (type 0x04): keyID || u64be(timestamp) || Ed25519 signature. */
export function cosignNote(
  body: string,
  name: string,
  privateKey: KeyObject,
  publicKey: KeyObject,
  timestampSec: number,
): NoteSignature {
  checkText(body);
  if (!Number.isSafeInteger(timestampSec) || timestampSec < 0)
    throw new NoteError(`timestamp: expected whole seconds since the epoch, got ${timestampSec}`);
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(BigInt(timestampSec));
  const sig = sign(null, cosignedMessage(body, timestampSec), privateKey);
  return {
    name: checkKeyName(name),
    keyId: keyId(name, COSIGNATURE_V1, publicKey),
    signature: Buffer.concat([ts, sig]),
  };
}

/** The cosignature's timestamp (seconds) when it verifies, else undefined. */
export function verifyCosignature(note: Note, name: string, publicKey: KeyObject): number | undefined {
  const id = keyId(name, COSIGNATURE_V1, publicKey);
  const s = note.signatures.find((x) => x.name === name && x.keyId.equals(id));
  if (!s || s.signature.length !== 72) return undefined;
  const ts = s.signature.readBigUInt64BE(0);
  if (ts > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  try {
    return verify(null, cosignedMessage(note.body, Number(ts)), publicKey, s.signature.subarray(8))
      ? Number(ts)
      : undefined;
  } catch {
    return undefined;
  }
}
