#!/usr/bin/env node
// Copies each cluster's Istio reader token from its own cloud's secret store to its peers' stores, after `pulumi up`
// and the manifests' publish (docs/workloads.md, "How each control plane reaches the others"):
//
//   pulumi stack output --json --stack staging > outputs.json
//   node scripts/copy-reader-tokens.mjs --outputs outputs.json [--wait-seconds 900] [--dry-run]
//
// In each cluster the External Secrets operator pushes the token of istio-reader-service-account to an entry of its
// own store (a PushSecret); each peer's ExternalSecret reads a copy of it, under the same entry name, from the peer's
// own store. This script makes those copies. It reads only the stack output `gitops.readerTokens`
// (stacks/workloads.ts): per cloud with remote secrets, its store, the entry name of its own token and the peers it
// takes copies from. Nothing is copied for a stack without it (dev: the VPN is off).
//
// Every source is read before anything is written: a token that is missing (no entry, no value yet, or a value that
// is not a token, such as Key Vault's placeholder) stops the run with the cluster and the entry named, and no store is
// written. A copy equal to the source is left alone (no new version). --wait-seconds keeps polling missing tokens
// (the first deploy: the agents and the operator need a few minutes after the publish). A token never appears on a
// command line: it goes to the CLIs through a file of mode 0600 in a private temporary directory, removed afterwards.
//
// Tools it runs: aws, az, gcloud (signed in by the deploy workflow). Written by hand: it strings together the clouds'
// own CLIs (the Azure and Google secret SDKs are not dependencies here), as scripts/publish-manifests.mjs does.
import { spawnSync } from "node:child_process";
import { renewAzureSignIn } from "./azure-oidc.mjs";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

export const CLOUDS = ["aws", "azure", "gcp"];

/** A run that must stop: the message names the cluster and the entry (or the stack output) concerned. */
export class CopyError extends Error {}

/** A service-account token is a JWT: three base64url segments. Anything else is not a token (a placeholder, "", …). */
export const isToken = (value) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value);

const need = (value, key) => {
  if (typeof value !== "string" || value === "")
    throw new CopyError(
      `stack output ${key}: expected a non-empty string (run after pulumi up), got ${JSON.stringify(value)}`,
    );
  return value;
};

/** Each cloud's store as the stack output describes it: its entry, its peers, where the store is. */
export function storesOf(outputs) {
  const r = outputs?.gitops?.readerTokens;
  if (r === undefined || r === null)
    throw new CopyError("stack output gitops.readerTokens: missing (the program exports it from stacks/platform.ts)");
  const stores = {};
  for (const cloud of CLOUDS) {
    const s = r[cloud];
    if (!s) continue;
    const at = `gitops.readerTokens.${cloud}`;
    const where =
      cloud === "aws"
        ? { region: need(s.region, `${at}.region`) }
        : cloud === "azure"
          ? { vaultName: need(s.vaultName, `${at}.vaultName`) }
          : { project: need(s.project, `${at}.project`) };
    if (!Array.isArray(s.peers)) throw new CopyError(`stack output ${at}.peers: expected a list of clouds`);
    stores[cloud] = { cloud, key: need(s.key, `${at}.key`), peers: s.peers, ...where };
  }
  return stores;
}

/** The CLI call that reads an entry's current value, and how each CLI says "no such entry or no value". */
export function readCommand(store, key) {
  if (store.cloud === "aws")
    return [
      "aws",
      "secretsmanager",
      "get-secret-value",
      "--secret-id",
      key,
      "--region",
      store.region,
      "--query",
      "SecretString",
      "--output",
      "text",
    ];
  if (store.cloud === "azure")
    return [
      "az",
      "keyvault",
      "secret",
      "show",
      "--vault-name",
      store.vaultName,
      "--name",
      key,
      "--query",
      "value",
      "--output",
      "tsv",
    ];
  return ["gcloud", "secrets", "versions", "access", "latest", `--secret=${key}`, `--project=${store.project}`];
}

/** Not-found answers: AWS's ResourceNotFoundException (no secret, or no AWSCURRENT value), Key Vault's SecretNotFound, GCP's NOT_FOUND. */
const NOT_FOUND = /ResourceNotFoundException|SecretNotFound|was not found|NOT_FOUND|not found/i;

/** The CLI call that writes `file` (holding the token) as the entry's new value. */
export function writeCommand(store, key, file) {
  if (store.cloud === "aws")
    return [
      "aws",
      "secretsmanager",
      "put-secret-value",
      "--secret-id",
      key,
      "--region",
      store.region,
      "--secret-string",
      `file://${file}`,
      "--output",
      "json",
    ];
  if (store.cloud === "azure")
    return [
      "az",
      "keyvault",
      "secret",
      "set",
      "--vault-name",
      store.vaultName,
      "--name",
      key,
      "--file",
      file,
      "--encoding",
      "utf-8",
      "--output",
      "none",
    ];
  return ["gcloud", "secrets", "versions", "add", key, `--project=${store.project}`, `--data-file=${file}`];
}

/** The copies to make: each cluster's token to every store that lists its cloud among its peers. */
export function copyPlan(stores) {
  const copies = [];
  for (const source of Object.values(stores))
    for (const target of Object.values(stores))
      if (target.cloud !== source.cloud && target.peers.includes(source.cloud))
        copies.push({ from: source, to: target, key: source.key });
  return copies;
}

function defaultExec(argv) {
  // The copy can wait up to 15 minutes for the agents: az's sign-in from azure/login does not last that long.
  if (argv[0] === "az") renewAzureSignIn();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.error) throw new CopyError(`${argv[0]}: ${r.error.message}`);
  return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** An entry's value, `undefined` when the store has none (no entry, or no value yet); other failures throw. */
function readEntry(exec, store, key) {
  const argv = readCommand(store, key);
  const r = exec(argv);
  if (r.status !== 0) {
    if (NOT_FOUND.test(r.stderr)) return undefined;
    throw new CopyError(`${argv.slice(0, 4).join(" ")} … for ${key} exited ${r.status}: ${r.stderr.trim()}`);
  }
  return r.stdout.replace(/\r?\n$/, "");
}

const describe = (store, key) =>
  store.cloud === "aws"
    ? `Secrets Manager ${key} (${store.region})`
    : store.cloud === "azure"
      ? `Key Vault ${store.vaultName} secret ${key}`
      : `Secret Manager ${key} (project ${store.project})`;

/**
 * Reads every source, then writes the copies that differ. Returns what it did, one line per copy. `exec` runs a CLI
 * (argv) and answers { status, stdout, stderr }; `sleep` waits between polls.
 */
export function copyReaderTokens(
  outputs,
  { exec = defaultExec, waitSeconds = 0, pollSeconds = 15, sleep = sleepSync, dryRun = false, log = console.log } = {},
) {
  const stores = storesOf(outputs);
  const copies = copyPlan(stores);
  if (copies.length === 0) {
    log("no remote secrets in this stack (gitops.readerTokens is empty): nothing to copy");
    return [];
  }
  const sources = [...new Set(copies.map((c) => c.from))];
  const tokens = new Map();
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const missing = [];
    for (const s of sources) {
      if (tokens.has(s.cloud)) continue;
      const value = readEntry(exec, s, s.key);
      if (value !== undefined && isToken(value)) tokens.set(s.cloud, value);
      else missing.push({ store: s, why: value === undefined ? "has no value" : "holds no token" });
    }
    if (missing.length === 0) break;
    if (Date.now() + pollSeconds * 1000 > deadline)
      throw new CopyError(
        missing
          .map(
            (m) =>
              `the ${m.store.cloud} cluster's reader token is missing: ${describe(m.store, m.store.key)} ${m.why} ` +
              `(its External Secrets PushSecret istio-system/istio-reader-token has not written it yet); nothing was copied`,
          )
          .join("\n"),
      );
    log(`waiting ${pollSeconds} s for ${missing.map((m) => m.store.key).join(", ")}`);
    sleep(pollSeconds);
  }

  const done = [];
  const dir = mkdtempSync(join(tmpdir(), "tricloud-reader-tokens-"));
  try {
    for (const c of copies) {
      const token = tokens.get(c.from.cloud);
      const where = describe(c.to, c.key);
      if (readEntry(exec, c.to, c.key) === token) {
        done.push(`${c.from.cloud} -> ${where}: unchanged`);
        continue;
      }
      if (dryRun) {
        done.push(`${c.from.cloud} -> ${where}: would write`);
        continue;
      }
      const file = join(dir, `${c.to.cloud}-${c.key}`);
      writeFileSync(file, token, { mode: 0o600 });
      const argv = writeCommand(c.to, c.key, file);
      const r = exec(argv);
      rmSync(file, { force: true });
      if (r.status !== 0)
        throw new CopyError(`writing ${where} (${c.from.cloud}'s token) failed, exit ${r.status}: ${r.stderr.trim()}`);
      done.push(`${c.from.cloud} -> ${where}: written`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const line of done) log(line);
  return done;
}

function sleepSync(seconds) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { outputs: { type: "string" }, "wait-seconds": { type: "string" }, "dry-run": { type: "boolean" } },
  });
  try {
    if (!values.outputs) throw new CopyError("--outputs: expected the file `pulumi stack output --json` wrote");
    const waitSeconds = Number(values["wait-seconds"] ?? "0");
    if (!Number.isInteger(waitSeconds) || waitSeconds < 0)
      throw new CopyError(`--wait-seconds: expected a whole number of seconds, got ${values["wait-seconds"]}`);
    const outputs = JSON.parse(readFileSync(values.outputs, "utf8"));
    copyReaderTokens(outputs, { waitSeconds, dryRun: values["dry-run"] === true });
  } catch (err) {
    if (err instanceof CopyError || err instanceof SyntaxError) {
      console.error(`copy-reader-tokens: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}
