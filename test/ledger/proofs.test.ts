import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EMPTY_ROOT, leafHash } from "../../functions/ledger/merkle";
import { verifyConsistency, verifyInclusion } from "../../functions/ledger/proofs";
import { MemoryTree } from "../helpers/memory-tree";

/**
 * Adversarial proofs (immudb once accepted forged consistency proofs): every mutation
 * transparency-dev's verifier tests apply, then the same as fast-check properties.
 */
const SOME_HASH = Buffer.from("abacaba000000000000000000000000000000000000000000060061e00123456", "hex");
const flip = (proof: Buffer[], i: number, bit: number) =>
  proof.map((p, j) => (j === i ? Buffer.from(p.map((b, k) => (k === 0 ? b ^ bit : b))) : p));

function inclusionForgeries(index: number, size: number, proof: Buffer[], root: Buffer, leaf: Buffer) {
  const out: Array<[string, number, number, Buffer, Buffer[], Buffer]> = [
    ["index - 1", index - 1, size, leaf, proof, root],
    ["index + 1", index + 1, size, leaf, proof, root],
    ["index ^ 2", index ^ 2, size, leaf, proof, root],
    ["size * 2", index, size * 2, leaf, proof, root],
    ["size / 2", index, Math.floor(size / 2), leaf, proof, root],
    ["wrong leaf", index, size, Buffer.from("WrongLeaf"), proof, root],
    ["other leaf hash", index, size, leafHash(Buffer.from("other")), proof, root],
    ["empty root", index, size, leaf, proof, EMPTY_ROOT],
    ["random root", index, size, leaf, proof, SOME_HASH],
    ["trailing garbage", index, size, leaf, [...proof, Buffer.alloc(0)], root],
    ["trailing root", index, size, leaf, [...proof, root], root],
    ["preceding garbage", index, size, leaf, [Buffer.alloc(0), ...proof], root],
    ["preceding root", index, size, leaf, [root, ...proof], root],
  ];
  proof.forEach((_, i) => out.push([`proof[${i}] bit 3 flipped`, index, size, leaf, flip(proof, i, 8), root]));
  if (proof.length > 0) out.push(["truncated", index, size, leaf, proof.slice(0, -1), root]);
  if (proof.length > 1)
    out.push(["inserted element", index, size, leaf, [proof[0]!, SOME_HASH, ...proof.slice(1)], root]);
  if (proof.length > 1) out.push(["reversed order", index, size, leaf, [...proof].reverse(), root]);
  return out;
}

function consistencyForgeries(from: number, to: number, proof: Buffer[], r1: Buffer, r2: Buffer) {
  const out: Array<[string, number, number, Buffer[], Buffer, Buffer]> = [
    ["from - 1", from - 1, to, proof, r1, r2],
    ["from + 1", from + 1, to, proof, r1, r2],
    ["from ^ 2", from ^ 2, to, proof, r1, r2],
    ["to * 2", from, to * 2, proof, r1, r2],
    ["to / 2", from, Math.floor(to / 2), proof, r1, r2],
    ["wrong root1", from, to, proof, Buffer.from("WrongRoot"), r2],
    ["wrong root2", from, to, proof, r1, Buffer.from("WrongRoot")],
    ["other root1", from, to, proof, SOME_HASH, r2],
    ["other root2", from, to, proof, r1, SOME_HASH],
    ["swapped roots", from, to, proof, r2, r1],
    ["empty proof", from, to, [], r1, r2],
    ["trailing garbage", from, to, [...proof, Buffer.alloc(0)], r1, r2],
    ["trailing root1", from, to, [...proof, r1], r1, r2],
    ["trailing root2", from, to, [...proof, r2], r1, r2],
    ["preceding garbage", from, to, [Buffer.alloc(0), ...proof], r1, r2],
    ["preceding root1", from, to, [r1, ...proof], r1, r2],
    ["preceding root2", from, to, [r2, ...proof], r1, r2],
    ["preceding proof[0]", from, to, [proof[0]!, ...proof], r1, r2],
    ["truncated", from, to, proof.slice(0, -1), r1, r2],
  ];
  proof.forEach((_, i) => out.push([`proof[${i}] bit 4 flipped`, from, to, flip(proof, i, 16), r1, r2]));
  if (proof.length > 1) out.push(["reversed order", from, to, [...proof].reverse(), r1, r2]);
  return out;
}

const tree = MemoryTree.of(Array.from({ length: 70 }, (_, i) => Buffer.from(`leaf-${i}`)));

describe("forged inclusion proofs are rejected", () => {
  for (const [index, size] of [
    [0, 8],
    [5, 8],
    [2, 5],
    [6, 7],
    [63, 70],
    [64, 65],
    [17, 40],
  ] as const) {
    it(`leaf ${index} of ${size}`, () => {
      const proof = tree.inclusion(index, size);
      const root = tree.root(size);
      const leaf = tree.leaves[index]!;
      expect(verifyInclusion(index, size, leaf, proof, root)).toEqual({ ok: true });
      const accepted = inclusionForgeries(index, size, proof, root, leaf)
        .filter(([, i, s, l, p, r]) => verifyInclusion(i, s, l, p, r).ok)
        .map(([name]) => name);
      expect(accepted).toEqual([]);
    });
  }

  it("rejects impossible coordinates with a reason", () => {
    const leaf = tree.leaves[0]!;
    expect(verifyInclusion(0, 0, leaf, [], EMPTY_ROOT)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("index"),
    });
    expect(verifyInclusion(2, 1, leaf, [], leaf)).toMatchObject({ ok: false });
    expect(verifyInclusion(-1, 4, leaf, [], leaf)).toMatchObject({ ok: false });
    expect(verifyInclusion(0, 1, Buffer.alloc(0), [], leaf)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("leaf hash"),
    });
  });
});

describe("forged consistency proofs are rejected", () => {
  for (const [from, to] of [
    [1, 8],
    [6, 8],
    [2, 5],
    [6, 7],
    [3, 70],
    [32, 70],
    [63, 64],
    [1, 2],
  ] as const) {
    it(`${from} -> ${to}`, () => {
      const proof = tree.consistency(from, to);
      const r1 = tree.root(from);
      const r2 = tree.root(to);
      expect(verifyConsistency(from, to, proof, r1, r2)).toEqual({ ok: true });
      const accepted = consistencyForgeries(from, to, proof, r1, r2)
        .filter(([, f, t, p, a, b]) => verifyConsistency(f, t, p, a, b).ok)
        .map(([name]) => name);
      expect(accepted).toEqual([]);
    });
  }

  it("the trivial cases", () => {
    const r = tree.root(5);
    expect(verifyConsistency(0, 5, [], EMPTY_ROOT, r).ok).toBe(true);
    expect(verifyConsistency(5, 5, [], r, r).ok).toBe(true);
    expect(verifyConsistency(5, 5, [], r, tree.root(6)).ok).toBe(false);
    expect(verifyConsistency(5, 5, [SOME_HASH], r, r).ok).toBe(false);
    expect(verifyConsistency(0, 5, [SOME_HASH], EMPTY_ROOT, r).ok).toBe(false);
    expect(verifyConsistency(6, 5, [], tree.root(6), r)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("never shrinks"),
    });
  });
});

describe("properties (fast-check)", () => {
  const big = MemoryTree.of(Array.from({ length: 300 }, (_, i) => Buffer.from(`p-${i}`)));
  const sizeAndIndex = fc
    .integer({ min: 1, max: 300 })
    .chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 })));
  const twoSizes = fc
    .tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }))
    .map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a]));

  it("every generated inclusion proof verifies; any other leaf, index or size does not", () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.integer({ min: 0, max: 299 }), ([size, index], other) => {
        const proof = big.inclusion(index, size);
        expect(verifyInclusion(index, size, big.leaves[index]!, proof, big.root(size)).ok).toBe(true);
        if (other !== index && other < size)
          expect(verifyInclusion(other, size, big.leaves[index]!, proof, big.root(size)).ok).toBe(false);
        if (big.leaves[other] && other !== index)
          expect(verifyInclusion(index, size, big.leaves[other]!, proof, big.root(size)).ok).toBe(false);
        if (size + 1 <= 300 && !big.root(size + 1).equals(big.root(size)))
          expect(verifyInclusion(index, size, big.leaves[index]!, proof, big.root(size + 1)).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("a single flipped bit, a dropped, duplicated or swapped element breaks an inclusion proof", () => {
    fc.assert(
      fc.property(
        sizeAndIndex,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 31 }),
        ([size, index], pick, bits, at) => {
          const proof = big.inclusion(index, size);
          fc.pre(proof.length > 0);
          const i = pick % proof.length;
          const leaf = big.leaves[index]!;
          const root = big.root(size);
          const flipped = proof.map((p, j) =>
            j === i ? Buffer.from(p.map((b, k) => (k === at ? b ^ (bits || 1) : b))) : p,
          );
          expect(verifyInclusion(index, size, leaf, flipped, root).ok).toBe(false);
          expect(
            verifyInclusion(
              index,
              size,
              leaf,
              proof.filter((_, j) => j !== i),
              root,
            ).ok,
          ).toBe(false);
          expect(
            verifyInclusion(index, size, leaf, [...proof.slice(0, i + 1), proof[i]!, ...proof.slice(i + 1)], root).ok,
          ).toBe(false);
          if (proof.length > 1) {
            const j = (i + 1) % proof.length;
            if (!proof[i]!.equals(proof[j]!)) {
              const swapped = [...proof];
              [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
              expect(verifyInclusion(index, size, leaf, swapped, root).ok).toBe(false);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("every generated consistency proof verifies; tampered ones and other sizes do not", () => {
    fc.assert(
      fc.property(twoSizes, fc.nat(), fc.integer({ min: 1, max: 255 }), ([from, to], pick, bits) => {
        const proof = big.consistency(from, to);
        const r1 = big.root(from);
        const r2 = big.root(to);
        expect(verifyConsistency(from, to, proof, r1, r2).ok).toBe(true);
        if (from === to) return;
        const i = pick % proof.length;
        const flipped = proof.map((p, j) => (j === i ? Buffer.from(p.map((b, k) => (k === 0 ? b ^ bits : b))) : p));
        expect(verifyConsistency(from, to, flipped, r1, r2).ok).toBe(false);
        expect(verifyConsistency(from, to, proof.slice(0, -1), r1, r2).ok).toBe(false);
        expect(verifyConsistency(from, to, [...proof, proof[i]!], r1, r2).ok).toBe(false);
        if (to < 300) expect(verifyConsistency(from, to + 1, proof, r1, big.root(to + 1)).ok).toBe(false);
        if (from > 1) expect(verifyConsistency(from - 1, to, proof, big.root(from - 1), r2).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("a consistency proof never joins two different trees (a fork)", () => {
    fc.assert(
      fc.property(twoSizes, fc.integer({ min: 0, max: 299 }), ([from, to], changed) => {
        fc.pre(from < to && changed < from);
        // The same log except one leaf before `from`: the second tree rewrote history.
        const forked = MemoryTree.of(
          Array.from({ length: to }, (_, i) => Buffer.from(i === changed ? "rewritten" : `p-${i}`)),
        );
        expect(verifyConsistency(from, to, forked.consistency(from, to), big.root(from), forked.root(to)).ok).toBe(
          false,
        );
        expect(verifyConsistency(from, to, big.consistency(from, to), big.root(from), forked.root(to)).ok).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});
