import type { Cloud } from "../../functions/core/clouds";
import { SqlStore } from "../../functions/store/sql-store";
import type { NodeOptions } from "../../functions/node/node";
import { auditLedgers, type AuditOptions } from "../../functions/audit/verify";
import { httpFetchJson } from "../../functions/audit/fetch";
import { Cluster } from "./cluster";
import { waitFor } from "./wait";
import { CLOUDS } from "../../functions/core/clouds";

/** A three-node cluster with the ledger's periodic rounds off: tests publish on demand. */
export async function ledgerCluster(node: Partial<NodeOptions> = {}): Promise<Cluster> {
  return Cluster.start({ node: { ...node, ledger: { autoStart: false, ...node.ledger } } });
}

/** Submits events round-robin over the clouds and waits until every cloud holds them FINAL. */
export async function finalEvents(cluster: Cluster, ids: string[]): Promise<void> {
  for (const [i, id] of ids.entries()) {
    const origin = CLOUDS[i % 3]!;
    const r = await cluster.post(origin, "/v1/events", { tenantId: "acme", payload: { n: i, id }, eventId: id });
    if (r.status !== 202 && r.status !== 200) throw new Error(`submit ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  for (const cloud of cluster.members.keys()) {
    for (const id of ids)
      await waitFor(
        `${id} FINAL on ${cloud}`,
        async () => (await cluster.get(cloud, `/v1/events/${id}`)).body.status === "FINAL",
      );
  }
}

export async function publishAll(cluster: Cluster): Promise<Record<Cloud, any>> {
  const out = {} as Record<Cloud, any>;
  for (const cloud of cluster.members.keys()) {
    const r = await cluster.post(cloud, "/v1/ledger/checkpoint", {});
    out[cloud] = r;
  }
  return out;
}

export function sqlOf(cluster: Cluster, cloud: Cloud): { sql: SqlStore["sql"]; schema: string } {
  const store = cluster.member(cloud).store;
  if (!(store instanceof SqlStore)) throw new Error("expected a SqlStore");
  return { sql: store.sql, schema: store.schema };
}

export function audit(cluster: Cluster, extra: Partial<AuditOptions> = {}) {
  return auditLedgers({
    nodes: CLOUDS.filter((c) => cluster.members.has(c)).map((c) => cluster.url(c)),
    publicKeys: cluster.keys.aws.publicKeys,
    fetchJson: httpFetchJson(5_000),
    sample: 1000,
    ...extra,
  });
}
