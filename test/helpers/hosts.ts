import { generateKeyPairSync } from "node:crypto";
import pino from "pino";
import { CLOUDS, type Cloud } from "../../functions/core/clouds";
import type { HostConfig } from "../../functions/adapters/config";
import { QuorumHost } from "../../functions/adapters/host";
import { keyRingFromPem } from "../../functions/adapters/keys";
import { createNode, type QuorumNode } from "../../functions/node/node";
import { openStore, pgliteSql, type Sql, type Store } from "../../functions/store";
import { PGLITE_TEMPLATE_DIR } from "./store";

/** Three Ed25519 pairs as PEM text: what @pulumi/tls hands the program. */
export function pemKeys(): { privatePem: Record<Cloud, string>; publicPem: Record<Cloud, string> } {
  const privatePem = {} as Record<Cloud, string>;
  const publicPem = {} as Record<Cloud, string>;
  for (const c of CLOUDS) {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    privatePem[c] = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    publicPem[c] = publicKey.export({ type: "spki", format: "pem" }).toString();
  }
  return { privatePem, publicPem };
}

// Both sides of a comparison run at the same instant, so hashes and signatures match byte for byte.
const FIXED_CLOCK = { now: () => Date.parse("2026-03-01T12:00:00.000Z") };
const silent = pino({ level: "silent" });

let engine: Promise<Sql> | undefined;
let n = 0;
/** A PGlite store in its own schema (one embedded engine per test file). */
export async function pgliteStore(label: string): Promise<Store> {
  engine ??= pgliteSql(undefined, { templateDir: PGLITE_TEMPLATE_DIR });
  return openStore({ schema: `test_${label}_${process.pid}_${n++}`, shared: { sql: await engine, kind: "pglite" } });
}

/**
 * A host as an adapter runs it, and the local node it must answer like: same keys,
 * same region and clock, each on its own fresh store, no peers (nothing replicates).
 */
export async function hostAndLocal(cloud: Cloud): Promise<{ host: QuorumHost; local: QuorumNode; stores: Store[] }> {
  const { privatePem, publicPem } = pemKeys();
  const stores: Store[] = [];
  const config: HostConfig = {
    cloud,
    region: `region-of-${cloud}`,
    peers: {},
    publicKeys: publicPem,
    schema: `tricloud_${cloud}`,
    poolMax: 2,
    logLevel: "silent",
  };
  const host = new QuorumHost({
    config,
    secrets: async () => ({ privateKeyPem: privatePem[cloud], databaseUrl: "postgresql://unused" }),
    openStore: async () => {
      const s = await pgliteStore(`${cloud}_host`);
      stores.push(s);
      return s;
    },
    node: { clock: FIXED_CLOCK, logger: silent },
  });
  const localStore = await pgliteStore(`${cloud}_local`);
  stores.push(localStore);
  const local = await createNode({
    keys: keyRingFromPem(cloud, privatePem[cloud], publicPem),
    peers: {},
    store: localStore,
    region: config.region,
    clock: FIXED_CLOCK,
    logger: silent,
    reconcile: { autoStart: false },
  });
  return { host, local, stores };
}

/** One HTTP exchange in host-neutral terms. */
export interface Exchange {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}
export interface Answer {
  status: number;
  contentType: string | undefined;
  body: unknown;
}

/** Health, submit, resubmit, read, and the bad requests: what every adapter must answer like the node. */
export const SCENARIO: readonly Exchange[] = [
  { method: "GET", path: "/health", headers: {} },
  {
    method: "POST",
    path: "/v1/events",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      tenantId: "acme",
      payload: { invoice: "INV-1", amountCents: 4200, note: "café ✓" },
      eventId: "inv-1",
    }),
  },
  {
    method: "POST",
    path: "/v1/events",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      tenantId: "acme",
      payload: { invoice: "INV-1", amountCents: 4200, note: "café ✓" },
      eventId: "inv-1",
    }),
  },
  { method: "GET", path: "/v1/events/inv-1", headers: {} },
  { method: "GET", path: "/v1/events/nope", headers: {} },
  {
    method: "POST",
    path: "/v1/events",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ tenantId: "acme" }),
  },
  {
    method: "POST",
    path: "/v1/events",
    headers: { "content-type": "application/json" },
    body: '{"tenantId": "acme", ',
  },
  { method: "POST", path: "/v1/events", headers: { "content-type": "text/plain" }, body: "hi" },
  {
    method: "POST",
    path: "/v1/events",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ tenantId: "acme", payload: 1, eventId: "x".repeat(300) }),
  },
  { method: "GET", path: "/v1/nothing-here?x=1", headers: {} },
];

export async function answerOf(res: Response): Promise<Answer> {
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get("content-type") ?? undefined, body: parse(text) };
}

export function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The local node's answer to an exchange (`app.fetch`, as `tricloud node` serves it). */
export async function localAnswer(node: QuorumNode, x: Exchange): Promise<Answer> {
  const res = await node.app.fetch(
    new Request(`http://local${x.path}`, {
      method: x.method,
      headers: x.headers,
      ...(x.body !== undefined ? { body: x.body } : {}),
    }),
  );
  return answerOf(res);
}

/** /health carries measurements (load, store latency) that differ between any two calls. */
export function comparable(a: Answer): Answer {
  const body = a.body as Record<string, unknown> | null;
  if (!body || typeof body !== "object" || !("checks" in body)) return a;
  const checks = body.checks as { store: Record<string, unknown> };
  return {
    ...a,
    body: {
      ...body,
      load: "<measured>",
      latencyMs: "<measured>",
      checks: { ...checks, store: { ...checks.store, latencyMs: "<measured>" } },
    },
  };
}
