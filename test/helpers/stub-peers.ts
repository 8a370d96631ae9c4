import type { Cloud } from "../../functions/core/clouds";
import type { EquivocationProof } from "../../functions/core/quorum";
import type { PeerMessage, PeerOutcome, Peers } from "../../functions/replication/peer-client";

/** Peers for a ledger or replicator under test: each test says how `confirm` answers; proofs told are kept. */
export abstract class StubPeers implements Peers {
  abstract readonly clouds: readonly Cloud[];
  readonly told: Array<{ cloud: Cloud; eventId: string; proof: EquivocationProof }> = [];
  abstract confirm(cloud: Cloud, message: PeerMessage): Promise<PeerOutcome>;
  async tell(cloud: Cloud, eventId: string, proof: EquivocationProof): Promise<boolean> {
    this.told.push({ cloud, eventId, proof });
    return true;
  }
  async ping(): Promise<boolean> {
    return true;
  }
  states() {
    return [];
  }
  onRecovered(): void {}
  close(): void {}
}
