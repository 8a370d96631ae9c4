import { it } from "vitest";
import pino from "pino";
import { Writable } from "node:stream";
import { Cluster } from "./helpers/cluster";
import { DEFAULT_PEER_POLICY } from "../../functions/replication/policy";
it("exp", async () => {
  let healedAt = 0;
  const stream = new Writable({ write(chunk, _e, cb) { if (healedAt) for (const l of chunk.toString().split("\n").filter(Boolean)) { const j = JSON.parse(l); console.log(Date.now() - healedAt, j.cloud, j.msg, j.peer ?? "", j.eventId ?? "", j.error ?? ""); } cb(); } });
  const c = await Cluster.start({ node: { policy: { ...DEFAULT_PEER_POLICY }, peerTimeoutMs: 2000, reconcile: { intervalMs: 500, graceMs: 1000 }, logger: pino({ level: "debug" }, stream) } });
  await c.kill("gcp");
  c.link("aws", "azure").cut = true; c.link("azure", "aws").cut = true;
  for (let i = 0; i < 4; i++) { await c.post("aws", "/v1/events", { tenantId: "a", eventId: `x${i}`, payload: i }); await new Promise((r) => setTimeout(r, 1000)); }
  console.log(JSON.stringify(c.member("aws").node.peers.states()));
  c.link("aws", "azure").cut = false; c.link("azure", "aws").cut = false;
  healedAt = Date.now();
  for (let t = 0; t < 40; t++) { await new Promise((r) => setTimeout(r, 250)); const v = await c.get("aws", "/v1/events/x0"); if (v.body.status === "FINAL") { console.log("FINAL at", Date.now() - healedAt); break; } }
  console.log(JSON.stringify(c.member("aws").node.peers.states()));
  await c.close();
});
