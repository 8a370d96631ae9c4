/** What hosts (CLI, function adapters, tests, benches) import. */
export { createNode, RUNTIME_VERSION, type NodeOptions, type QuorumNode } from "./node/node";
export { serveApp, type ServedNode } from "./node/serve";
export { loadKeyRing, writeKeyFiles } from "./node/keyfiles";
export { openStore, type StoreConfig, type Store } from "./store";
export { CLOUDS, isCloud, type Cloud } from "./core/clouds";
export { selectCloud, type CloudReport } from "./routing/select";
export { RoutingClient } from "./routing/client";
export type { LedgerOptions } from "./node/node";
export type { Anchor, AnchorReceipt, AnchorVerdict } from "./anchor/anchor";
export { Rfc3161Anchor, rfc3161Verifier } from "./anchor/rfc3161";
export { auditLedgers, type AuditReport } from "./audit/verify";
export { keyRingFromPem } from "./adapters/keys";
