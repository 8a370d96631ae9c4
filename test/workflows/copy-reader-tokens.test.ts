import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { planStack } from "../helpers/plan";

// The script is an ES module and this file compiles to CommonJS: it is loaded with import().
type Copy = typeof import("../../scripts/copy-reader-tokens.mjs", { with: { "resolution-mode": "import" } });
let C: Copy;
beforeAll(async () => {
  C = await import("../../scripts/copy-reader-tokens.mjs");
});

const SCRIPT = join(__dirname, "../../scripts/copy-reader-tokens.mjs");

/**
 * Stand-ins for aws, az and gcloud, put first on the PATH: each answers the subcommands the script runs, with the real
 * CLIs' not-found messages, over a folder per cloud (`<store>/<cloud>/<entry>/value`; an entry's folder without a
 * value is an entry with no version yet). Every call's argv is appended to `<store>/calls.log`.
 */
const FAKE_CLI = `#!/usr/bin/env node
const fs = require("node:fs");
const path = require("node:path");
const store = process.env.FAKE_STORE;
const cli = path.basename(process.argv[1]);
const args = process.argv.slice(2);
fs.appendFileSync(path.join(store, "calls.log"), JSON.stringify([cli, ...args]) + "\\n");
const opt = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(name + "="));
  return eq ? eq.slice(name.length + 1) : undefined;
};
const entry = (cloud, key) => path.join(store, cloud, key);
const fail = (code, message) => { process.stderr.write(message + "\\n"); process.exit(code); };
const read = (cloud, key, notFound) => {
  const v = path.join(entry(cloud, key), "value");
  if (!fs.existsSync(v)) fail(cloud === "aws" ? 254 : 1, notFound);
  return fs.readFileSync(v, "utf8");
};
const write = (cloud, key, file, notFound) => {
  if (!fs.existsSync(entry(cloud, key))) fail(cloud === "aws" ? 254 : 1, notFound);
  fs.writeFileSync(path.join(entry(cloud, key), "value"), fs.readFileSync(file, "utf8"));
};
const sub = args.slice(0, 3).join(" ");
if (cli === "aws") {
  const key = opt("--secret-id");
  const nf = "An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: Secrets Manager can't find the specified secret value for staging label: AWSCURRENT";
  if (sub.startsWith("secretsmanager get-secret-value")) process.stdout.write(read("aws", key, nf) + "\\n");
  else if (sub.startsWith("secretsmanager put-secret-value")) {
    write("aws", key, opt("--secret-string").replace(/^file:\\/\\//, ""), nf);
    process.stdout.write("{}\\n");
  } else fail(252, "unexpected aws call " + args.join(" "));
} else if (cli === "az") {
  const key = opt("--name");
  const nf = "(SecretNotFound) A secret with (name/id) " + key + " was not found in this key vault.";
  if (sub === "keyvault secret show") process.stdout.write(read("azure", key, nf) + "\\n");
  else if (sub === "keyvault secret set") write("azure", key, opt("--file"), nf);
  else fail(2, "unexpected az call " + args.join(" "));
} else if (cli === "gcloud") {
  if (sub === "secrets versions access") {
    const key = opt("--secret");
    process.stdout.write(read("gcp", key, "ERROR: (gcloud.secrets.versions.access) NOT_FOUND: Secret [projects/" + opt("--project") + "/secrets/" + key + "] not found or has no versions."));
  } else if (sub === "secrets versions add") write("gcp", args[3], opt("--data-file"), "ERROR: NOT_FOUND: Secret not found");
  else fail(2, "unexpected gcloud call " + args.join(" "));
}
`;

/** A fake of the three stores, with the entries the program creates (every cloud's own token and its peers' copies). */
function fakeClouds(readerTokens: Record<string, { key: string; peers: string[] }>) {
  const root = mkdtempSync(join(tmpdir(), "tricloud-copy-test-"));
  const bin = join(root, "bin");
  const store = join(root, "store");
  mkdirSync(bin);
  for (const cli of ["aws", "az", "gcloud"]) {
    writeFileSync(join(bin, cli), FAKE_CLI);
    chmodSync(join(bin, cli), 0o755);
  }
  const keys = Object.fromEntries(Object.entries(readerTokens).map(([c, s]) => [c, s.key]));
  for (const [cloud, s] of Object.entries(readerTokens))
    for (const owner of [cloud, ...s.peers]) mkdirSync(join(store, cloud, keys[owner]!), { recursive: true });
  writeFileSync(join(store, "calls.log"), "");
  const valuePath = (cloud: string, key: string) => join(store, cloud, key, "value");
  return {
    set: (cloud: string, key: string, value: string) => writeFileSync(valuePath(cloud, key), value),
    get: (cloud: string, key: string) =>
      existsSync(valuePath(cloud, key)) ? readFileSync(valuePath(cloud, key), "utf8") : undefined,
    calls: () =>
      readFileSync(join(store, "calls.log"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]),
    run: (outputsFile: string, ...args: string[]) =>
      spawnSync(process.execPath, [SCRIPT, "--outputs", outputsFile, ...args], {
        encoding: "utf8",
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_STORE: store },
      }),
    root,
  };
}

/** A service-account token's shape (header.payload.signature, base64url). */
const jwt = (who: string) =>
  [{ alg: "RS256" }, { sub: `system:serviceaccount:istio-system:istio-reader-service-account`, who }, "sig"]
    .map((p) => Buffer.from(typeof p === "string" ? p : JSON.stringify(p)).toString("base64url"))
    .join(".");

/** Staging's outputs as its stack file gives them: the EKS capability on, so all three clusters push a token. */
async function stagingWithEks() {
  const outputs = (await planStack("staging")).outputs as any;
  return outputs;
}

describe("the copy step, against fake CLIs on the PATH", () => {
  it("copies each cluster's token to the two peers' stores under the same entry name, never on a command line", async () => {
    const outputs = await stagingWithEks();
    const r = outputs.gitops.readerTokens;
    expect(Object.keys(r)).toEqual(["aws", "azure", "gcp"]);
    const fake = fakeClouds(r);
    const file = join(fake.root, "outputs.json");
    writeFileSync(file, JSON.stringify(outputs));
    const tokens = { aws: jwt("aws"), azure: jwt("azure"), gcp: jwt("gcp") };
    for (const [cloud, token] of Object.entries(tokens)) fake.set(cloud, r[cloud].key, token);

    const run = fake.run(file);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    for (const source of ["aws", "azure", "gcp"] as const)
      for (const target of ["aws", "azure", "gcp"] as const)
        expect(fake.get(target, r[source].key), `${source}'s token in ${target}`).toBe(tokens[source]);
    const argv = fake.calls().flat().join(" ");
    for (const token of Object.values(tokens)) expect(argv).not.toContain(token);
    expect(run.stdout.split("\n").filter((l) => l.endsWith(": written"))).toHaveLength(6);

    // A second run finds every copy equal to its source: no write, no new version.
    const before = fake.calls().length;
    const again = fake.run(file);
    expect(again.status).toBe(0);
    expect(again.stdout.split("\n").filter((l) => l.endsWith(": unchanged"))).toHaveLength(6);
    const writes = fake
      .calls()
      .slice(before)
      .filter((c) => c.includes("put-secret-value") || c.includes("set") || c.includes("add"));
    expect(writes).toEqual([]);
  });

  it("a missing token stops the run with the cluster and the entry named, and nothing is overwritten", async () => {
    const outputs = await stagingWithEks();
    const r = outputs.gitops.readerTokens;
    const fake = fakeClouds(r);
    const file = join(fake.root, "outputs.json");
    writeFileSync(file, JSON.stringify(outputs));
    // AWS and GCP have pushed; Azure's entry still holds the placeholder the program created it with.
    fake.set("aws", r.aws.key, jwt("aws"));
    fake.set("gcp", r.gcp.key, jwt("gcp"));
    fake.set("azure", r.azure.key, "unset");
    // Stale copies from an earlier deploy, which must survive the failed run.
    fake.set("azure", r.aws.key, jwt("old aws"));
    fake.set("gcp", r.azure.key, jwt("old azure"));

    const run = fake.run(file);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `copy-reader-tokens: the azure cluster's reader token is missing: Key Vault ${r.azure.vaultName} secret ` +
        `tricloud-staging-azure-istio-reader-token holds no token (its External Secrets PushSecret ` +
        `istio-system/istio-reader-token has not written it yet); nothing was copied\n`,
    );
    expect(fake.get("azure", r.aws.key)).toBe(jwt("old aws"));
    expect(fake.get("gcp", r.azure.key)).toBe(jwt("old azure"));
    expect(fake.get("aws", r.gcp.key)).toBeUndefined();
    const writes = fake.calls().filter((c) => c.includes("put-secret-value") || c.includes("set") || c.includes("add"));
    expect(writes).toEqual([]);

    // An entry with no version at all (AWS before its first push) is named the same way.
    const fresh = fakeClouds(r);
    fresh.set("azure", r.azure.key, jwt("azure"));
    fresh.set("gcp", r.gcp.key, jwt("gcp"));
    const f2 = join(fresh.root, "outputs.json");
    writeFileSync(f2, JSON.stringify(outputs));
    const r2 = fresh.run(f2);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(
      /the aws cluster's reader token is missing: Secrets Manager tricloud-staging-aws-istio-reader-token \(us-west-2\) has no value/,
    );
  });

  it("waits for a token that is not there yet, then copies", async () => {
    const outputs = await stagingWithEks();
    const r = outputs.gitops.readerTokens;
    let reads = 0;
    const values: Record<string, string> = {};
    const exec = (argv: string[]) => {
      const key = argv.find((a) => a.includes("istio-reader-token"))!.replace(/^--secret=/, "");
      const cloud = argv[0] === "aws" ? "aws" : argv[0] === "az" ? "azure" : "gcp";
      const at = `${cloud}/${key}`;
      if (argv.includes("get-secret-value") || argv.includes("show") || argv.includes("access")) {
        if (at === `gcp/${r.gcp.key}` && ++reads < 3)
          return { status: 1, stdout: "", stderr: "NOT_FOUND: no versions" };
        if (at === `gcp/${r.gcp.key}`) return { status: 0, stdout: jwt("gcp"), stderr: "" };
        if (key.includes(cloud) && at.startsWith(cloud)) return { status: 0, stdout: `${jwt(cloud)}\n`, stderr: "" };
        return values[at]
          ? { status: 0, stdout: values[at], stderr: "" }
          : { status: 1, stdout: "", stderr: "SecretNotFound" };
      }
      const f = argv.find((a) => a.includes("tricloud-reader-tokens-"))!.replace(/^(file:\/\/|--data-file=)/, "");
      values[at] = readFileSync(f, "utf8");
      return { status: 0, stdout: "", stderr: "" };
    };
    const slept: number[] = [];
    const done = C.copyReaderTokens(outputs, {
      exec,
      waitSeconds: 60,
      pollSeconds: 15,
      sleep: (s) => slept.push(s),
      log: () => {},
    });
    expect(slept).toEqual([15, 15]);
    expect(done.filter((l) => l.endsWith("written"))).toHaveLength(6);
    expect(values[`aws/${r.gcp.key}`]).toBe(jwt("gcp"));
  });

  it("dev (no remote secrets): nothing to copy; a stack output without gitops.readerTokens is refused by name", async () => {
    const dev = (await planStack("dev")).outputs as any;
    const lines: string[] = [];
    expect(
      C.copyReaderTokens(dev, { exec: () => ({ status: 1, stdout: "", stderr: "" }), log: (l) => lines.push(l) }),
    ).toEqual([]);
    expect(lines).toEqual(["no remote secrets in this stack (gitops.readerTokens is empty): nothing to copy"]);
    expect(() => C.copyReaderTokens({ gitops: {} })).toThrow(/stack output gitops.readerTokens: missing/);
    expect(() => C.storesOf({ gitops: { readerTokens: { gcp: { key: "k", peers: [] } } } })).toThrow(
      /gitops.readerTokens.gcp.project/,
    );
    expect(C.isToken("unset")).toBe(false);
    expect(C.isToken(jwt("x"))).toBe(true);
  });
});
