import { HASH_SIZE, checkSize, foldRange, nodeHash, rangeNodes, splitPoint, type NodeId } from "./merkle";

/**
 * Inclusion and consistency proofs (RFC 6962 section 2.1, RFC 9162 section 2.1.3-2.1.4).
 * Generation is split in two pure steps so storage is read once per proof:
 * `*Plan` says which stored complete subtrees each proof element folds from, and
 * `assemble` folds the fetched hashes. Verification is pure and strict.
 */

/** One proof element: the MTH of a range, as the stored subtrees that fold into it. */
export type ProofPlan = NodeId[][];

/** PATH(m, D[n]) as ranges, leaf-most element first. */
export function inclusionPlan(index: number, size: number): ProofPlan {
  checkSize("size", size);
  checkSize("index", index);
  if (index >= size) throw new RangeError(`index: ${index} is not below the tree size ${size}`);
  const out: ProofPlan = [];
  const path = (lo: number, hi: number): void => {
    if (hi - lo === 1) return;
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      path(lo, lo + k);
      out.push(rangeNodes(lo + k, hi));
    } else {
      path(lo + k, hi);
      out.push(rangeNodes(lo, lo + k));
    }
  };
  path(0, size);
  return out;
}

/** PROOF(m, D[n]) as ranges; empty when m == 0 or m == n (nothing to prove). */
export function consistencyPlan(first: number, second: number): ProofPlan {
  checkSize("from", first);
  checkSize("to", second);
  if (first > second) throw new RangeError(`from: ${first} is larger than to (${second})`);
  if (first === 0 || first === second) return [];
  const out: ProofPlan = [];
  const sub = (m: number, lo: number, hi: number, whole: boolean): void => {
    if (m === hi - lo) {
      if (!whole) out.push(rangeNodes(lo, hi));
      return;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      sub(m, lo, lo + k, whole);
      out.push(rangeNodes(lo + k, hi));
    } else {
      sub(m - k, lo + k, hi, false);
      out.push(rangeNodes(lo, lo + k));
    }
  };
  sub(first, 0, second, true);
  return out;
}

/** Every distinct node a plan needs (one storage read). */
export function planNodes(plan: ProofPlan): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const element of plan) for (const n of element) seen.set(`${n.level}/${n.index}`, n);
  return [...seen.values()];
}

/** Folds fetched node hashes into the proof; a missing node is a storage fault, named. */
export function assemble(plan: ProofPlan, hashes: ReadonlyMap<string, Uint8Array>): Buffer[] {
  return plan.map((element) =>
    foldRange(
      element.map((n) => {
        const h = hashes.get(`${n.level}/${n.index}`);
        if (!h) throw new Error(`merkle log: node level ${n.level} index ${n.index} is missing from storage`);
        return h;
      }),
    ),
  );
}

export type Verdict = { ok: true } | { ok: false; reason: string };
const fail = (reason: string): Verdict => ({ ok: false, reason });

function badHash(what: string, h: Uint8Array): string | undefined {
  return h.length === HASH_SIZE ? undefined : `${what}: expected ${HASH_SIZE} bytes, got ${h.length}`;
}

/** Root implied by an inclusion proof (RFC 9162 2.1.3.2), or why there is none. */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): { ok: true; root: Buffer } | { ok: false; reason: string } {
  if (!Number.isSafeInteger(index) || index < 0)
    return { ok: false, reason: `index: ${index} is not a non-negative integer` };
  if (!Number.isSafeInteger(size) || size < 0)
    return { ok: false, reason: `size: ${size} is not a non-negative integer` };
  if (index >= size) return { ok: false, reason: `index: ${index} is not below the tree size ${size}` };
  const leafProblem = badHash("leaf hash", leaf);
  if (leafProblem) return { ok: false, reason: leafProblem };
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const [i, p] of proof.entries()) {
    const problem = badHash(`proof[${i}]`, p);
    if (problem) return { ok: false, reason: problem };
    if (sn === 0)
      return { ok: false, reason: `proof: ${proof.length} elements, longer than a tree of size ${size} allows` };
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0)
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0)
    return { ok: false, reason: `proof: ${proof.length} elements, shorter than a tree of size ${size} needs` };
  return { ok: true, root: r };
}

export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Verdict {
  const rootProblem = badHash("root", root);
  if (rootProblem) return fail(rootProblem);
  const got = rootFromInclusionProof(index, size, leaf, proof);
  if (!got.ok) return got;
  return got.root.equals(root)
    ? { ok: true }
    : fail(`root: the proof leads to ${got.root.toString("base64")}, not ${Buffer.from(root).toString("base64")}`);
}

/** RFC 9162 2.1.4.2, plus the trivial cases (equal sizes, empty first tree). */
export function verifyConsistency(
  first: number,
  second: number,
  proof: readonly Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): Verdict {
  if (!Number.isSafeInteger(first) || first < 0) return fail(`from: ${first} is not a non-negative integer`);
  if (!Number.isSafeInteger(second) || second < 0) return fail(`to: ${second} is not a non-negative integer`);
  if (second < first) return fail(`to: ${second} is smaller than from (${first}); a log never shrinks`);
  const rootProblem = badHash("first root", firstRoot) ?? badHash("second root", secondRoot);
  if (rootProblem) return fail(rootProblem);
  for (const [i, p] of proof.entries()) {
    const problem = badHash(`proof[${i}]`, p);
    if (problem) return fail(problem);
  }
  if (first === second) {
    if (proof.length !== 0) return fail(`proof: must be empty between equal sizes, got ${proof.length} elements`);
    return Buffer.from(firstRoot).equals(secondRoot)
      ? { ok: true }
      : fail(`root: two different roots for size ${first}`);
  }
  if (first === 0)
    return proof.length === 0 ? { ok: true } : fail(`proof: must be empty from size 0, got ${proof.length} elements`);
  if (proof.length === 0) return fail("proof: empty, but sizes differ");

  const path = [...proof];
  // A first tree that is one complete subtree is its own first element, left implicit.
  if (Number.isInteger(Math.log2(first))) path.unshift(Buffer.from(firstRoot));
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) return fail(`proof: ${proof.length} elements, longer than ${first} -> ${second} allows`);
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0)
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) return fail(`proof: ${proof.length} elements, shorter than ${first} -> ${second} needs`);
  if (!fr.equals(firstRoot)) return fail(`proof: does not lead to the first root (size ${first})`);
  if (!sr.equals(secondRoot)) return fail(`proof: does not lead to the second root (size ${second})`);
  return { ok: true };
}
