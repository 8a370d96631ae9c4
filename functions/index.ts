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
// The RFC 3161 anchor (functions/anchor/rfc3161) and the auditor (functions/audit/verify) are
// imported from their files: they load pkijs, which a host without anchors need not pay for at cold start.
export { keyRingFromPem } from "./adapters/keys";
