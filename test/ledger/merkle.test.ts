import { describe, expect, it } from "vitest";
import { EMPTY_ROOT, leafHash, nodeHash, peaksOf, rootOf } from "../../functions/ledger/merkle";
import { verifyConsistency, verifyInclusion } from "../../functions/ledger/proofs";
import { MemoryTree } from "../helpers/memory-tree";

/**
 * Known answers from transparency-dev/merkle (proof/verify_test.go, rfc6962/rfc6962_test.go),
 * the RFC 6962 vectors certificate-transparency-go also carries.
 */
const hex = (s: string) => Buffer.from(s, "hex");
const LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map(
  hex,
);
const ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
].map(hex);
/** [leaf (1-based), size, proof] */
const INCLUSION: Array<[number, number, string[]]> = [
  [1, 1, []],
  [
    1,
    8,
    [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  ],
  [
    6,
    8,
    [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  ],
  [3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]],
  [
    2,
    5,
    [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  ],
];
/** [size1, size2, proof] */
const CONSISTENCY: Array<[number, number, string[]]> = [
  [1, 1, []],
  [
    1,
    8,
    [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  ],
  [
    6,
    8,
    [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  ],
  [
    2,
    5,
    [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  ],
  [
    6,
    7,
    [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  ],
];

describe("RFC 6962 hashing (known answers)", () => {
  it("empty tree, leaf and node hashes", () => {
    expect(EMPTY_ROOT.toString("hex")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(leafHash(Buffer.from("L123456")).toString("hex")).toBe(
      "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56",
    );
    expect(nodeHash(Buffer.from("N123"), Buffer.from("N456")).toString("hex")).toBe(
      "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb",
    );
  });

  it("the roots of the first 1..8 leaves", () => {
    for (let n = 1; n <= 8; n++)
      expect(rootOf(LEAVES.slice(0, n).map(leafHash)).toString("hex"), `size ${n}`).toBe(ROOTS[n - 1]!.toString("hex"));
  });

  it("appends keep the peaks of the tree", () => {
    expect(peaksOf(0)).toEqual([]);
    expect(peaksOf(6)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
    ]);
    expect(peaksOf(7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
  });
});

describe("inclusion proofs (known answers)", () => {
  const tree = MemoryTree.of(LEAVES);
  for (const [leaf, size, proof] of INCLUSION) {
    it(`leaf ${leaf - 1} in a tree of ${size}: generated and verified`, () => {
      const want = proof.map(hex);
      expect(tree.inclusion(leaf - 1, size).map((b) => b.toString("hex"))).toEqual(proof);
      expect(verifyInclusion(leaf - 1, size, leafHash(LEAVES[leaf - 1]!), want, ROOTS[size - 1]!)).toEqual({
        ok: true,
      });
    });
  }
});

describe("consistency proofs (known answers)", () => {
  const tree = MemoryTree.of(LEAVES);
  for (const [from, to, proof] of CONSISTENCY) {
    it(`${from} -> ${to}: generated and verified`, () => {
      expect(tree.consistency(from, to).map((b) => b.toString("hex"))).toEqual(proof);
      expect(verifyConsistency(from, to, proof.map(hex), ROOTS[from - 1]!, ROOTS[to - 1]!)).toEqual({ ok: true });
    });
  }
});
