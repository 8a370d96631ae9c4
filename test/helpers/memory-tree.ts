import { CompactRange, leafHash, nodeKey } from "../../functions/ledger/merkle";
import { assemble, consistencyPlan, inclusionPlan, planNodes } from "../../functions/ledger/proofs";

/** The same append/plan/assemble path the SQL log uses, over a Map: proofs for pure tests. */
export class MemoryTree {
  private range = new CompactRange();
  readonly nodes = new Map<string, Buffer>();
  readonly leaves: Buffer[] = [];
  private readonly roots: Buffer[] = [];

  static of(data: readonly Uint8Array[]): MemoryTree {
    const t = new MemoryTree();
    for (const d of data) t.appendData(d);
    return t;
  }

  appendData(d: Uint8Array): void {
    this.appendLeafHash(leafHash(d));
  }

  appendLeafHash(h: Buffer): void {
    const { range, created } = this.range.append(h);
    for (const n of created) this.nodes.set(nodeKey(n), n.hash);
    this.range = range;
    this.leaves.push(h);
    this.roots.push(range.root());
  }

  get size(): number {
    return this.range.size;
  }

  /** Root at any earlier size (kept as we go). */
  root(size = this.size): Buffer {
    if (size === 0) return new CompactRange().root();
    return this.roots[size - 1]!;
  }

  inclusion(index: number, size = this.size): Buffer[] {
    return this.read(inclusionPlan(index, size));
  }

  consistency(from: number, to = this.size): Buffer[] {
    return this.read(consistencyPlan(from, to));
  }

  private read(plan: ReturnType<typeof inclusionPlan>): Buffer[] {
    const hashes = new Map<string, Buffer>();
    for (const n of planNodes(plan)) {
      const h = this.nodes.get(nodeKey(n));
      if (h) hashes.set(nodeKey(n), h);
    }
    return assemble(plan, hashes);
  }
}
