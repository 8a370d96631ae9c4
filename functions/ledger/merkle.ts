import { createHash } from "node:crypto";

/**
 * RFC 6962 / RFC 9162 Merkle tree hashing. Written here rather than taken from npm:
 * no maintained package offers RFC 6962 trees with proof *planning* against a node
 * store, and the whole thing is a few dozen lines over node:crypto.
 */
export const HASH_SIZE = 32;

/** MTH({}) = SHA-256() */
export const EMPTY_ROOT: Buffer = createHash("sha256").digest();

/** Leaf hash: SHA-256(0x00 || data). */
export function leafHash(data: Uint8Array): Buffer {
  return createHash("sha256").update(Buffer.of(0)).update(data).digest();
}

/** Interior node: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash("sha256").update(Buffer.of(1)).update(left).update(right).digest();
}

/** The root of a whole list of leaf hashes (reference implementation of MTH, O(n)). */
export function rootOf(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  let peaks = new CompactRange();
  for (const l of leaves) peaks = peaks.append(l).range;
  return peaks.root();
}

/** Largest power of two strictly smaller than n (n >= 2): the RFC 6962 split point. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/**
 * A complete subtree of the tree: level L, index i covers leaves [i*2^L, (i+1)*2^L).
 * The log stores exactly these nodes, so every proof is read from storage, never recomputed.
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

export const nodeKey = (n: NodeId): string => `${n.level}/${n.index}`;

/** The peaks of a tree of `size` leaves: one complete subtree per set bit, largest (leftmost) first. */
export function peaksOf(size: number): NodeId[] {
  checkSize("size", size);
  const out: NodeId[] = [];
  let start = 0;
  for (let level = Math.floor(Math.log2(Math.max(size, 1))); level >= 0; level--) {
    const width = 2 ** level;
    if (start + width <= size) {
      out.push({ level, index: start / width });
      start += width;
    }
  }
  return out;
}

/**
 * The complete subtrees whose hashes fold into MTH(D[start:end]) for the ranges the
 * RFC 6962 recursion produces (start aligned to the largest power of two <= end-start):
 * greedy aligned blocks, largest first. Fold right to left with nodeHash(left, acc).
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  const out: NodeId[] = [];
  let at = start;
  while (at < end) {
    let width = 1;
    while (at % (width * 2) === 0 && at + width * 2 <= end) width *= 2;
    out.push({ level: Math.log2(width), index: at / width });
    at += width;
  }
  return out;
}

/** Folds the hashes of rangeNodes(...) (same order) into the range's MTH. */
export function foldRange(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) throw new Error("foldRange: no hashes (an empty range has no subtree hash)");
  let acc: Buffer = Buffer.from(hashes[hashes.length - 1]!);
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc);
  return acc;
}

/**
 * The compact range [0, size): the peak hashes. Appending costs O(log n) and yields
 * the complete subtrees it closes, which is what the log persists.
 */
export class CompactRange {
  constructor(
    readonly size = 0,
    /** Hashes of peaksOf(size), in that order. */
    readonly peaks: readonly Buffer[] = [],
  ) {
    if (peaks.length !== peaksOf(size).length)
      throw new Error(`compact range: size ${size} needs ${peaksOf(size).length} peaks, got ${peaks.length}`);
  }

  /** Appends one leaf hash; returns the new range and every complete subtree it created (leaf first). */
  append(leaf: Uint8Array): { range: CompactRange; created: Array<NodeId & { hash: Buffer }> } {
    const created: Array<NodeId & { hash: Buffer }> = [];
    const peaks = [...this.peaks];
    let hash: Buffer = Buffer.from(leaf);
    let level = 0;
    let index = this.size;
    created.push({ level, index, hash });
    // A right child closes its parent: merge with the left sibling, which is the last peak.
    while (index % 2 === 1) {
      const left = peaks.pop()!;
      hash = nodeHash(left, hash);
      level++;
      index = (index - 1) / 2;
      created.push({ level, index, hash });
    }
    peaks.push(hash);
    return { range: new CompactRange(this.size + 1, peaks), created };
  }

  root(): Buffer {
    return this.size === 0 ? EMPTY_ROOT : foldRange(this.peaks);
  }
}

export function checkSize(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`${name}: expected a non-negative safe integer, got ${n}`);
}
