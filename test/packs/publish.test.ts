import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACK_NAME as COST, costPolicies } from "../../policies/cost/policies";
import { PACK_NAME as PORTABILITY, portabilityPolicies } from "../../policies/portability/policies";
import { PACK_NAME as PREFLIGHT, preflightPolicies } from "../../policies/preflight/policies";

// Each pack is packed as npm would publish it (scripts/pack.mjs: `npm pack`), unpacked in a clean
// temporary folder with the shared packages unpacked from their own tarballs into its node_modules,
// and started the way the Pulumi CLI starts a TypeScript pack (ts-node, then require(<pack dir>)):
// the PolicyPack serves the analyzer gRPC API on 127.0.0.1, and the test asks it for its policies.
// Offline: third-party dependencies link to this checkout's node_modules (npm cannot resolve
// registry versions without the network); nothing of the program is reachable from the folder.
const execFileP = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const NODE_MODULES = join(ROOT, "node_modules");
const PACKS = [
  { name: PORTABILITY, pkg: "tricloud-portability", policies: portabilityPolicies },
  { name: COST, pkg: "tricloud-cost", policies: costPolicies },
  { name: PREFLIGHT, pkg: "tricloud-preflight", policies: preflightPolicies },
];

let work: string;
let tarballs: Record<string, string>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tricloud-packs-"));
  const { stdout } = await execFileP(
    process.execPath,
    [join(ROOT, "scripts", "pack.mjs"), "--out", join(work, "tarballs")],
    { timeout: 120_000 },
  );
  tarballs = Object.fromEntries(
    stdout
      .trim()
      .split("\n")
      .map((line) => line.split("\t") as [string, string]),
  );
}, 150_000);

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

async function unpack(tarball: string, into: string): Promise<Record<string, string>> {
  mkdirSync(into, { recursive: true });
  await execFileP("tar", ["xzf", tarball, "--strip-components=1", "-C", into]);
  const manifest = JSON.parse(readFileSync(join(into, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  return manifest.dependencies ?? {};
}

/** Installs a pack from its tarball: @tricloud/* from theirs (transitively), the rest linked. */
async function install(pkg: string): Promise<string> {
  const dir = join(work, "install", pkg);
  const pending = Object.entries(await unpack(tarballs[pkg]!, dir));
  const done = new Set<string>();
  while (pending.length > 0) {
    const [dep, version] = pending.pop()!;
    if (done.has(dep)) continue;
    done.add(dep);
    const target = join(dir, "node_modules", dep);
    if (dep.startsWith("@tricloud/")) {
      expect(tarballs[dep], `${pkg} depends on ${dep}, which is not packed`).toBeDefined();
      const manifest = JSON.parse(readFileSync(join(NODE_MODULES, dep, "package.json"), "utf8")) as { version: string };
      expect(manifest.version).toBe(version);
      pending.push(...Object.entries(await unpack(tarballs[dep]!, target)));
    } else {
      mkdirSync(join(target, ".."), { recursive: true });
      symlinkSync(join(NODE_MODULES, dep), target, "dir");
    }
  }
  return dir;
}

// What the Pulumi CLI's run-policy-pack does with a TypeScript pack, then which project files loaded.
const LOADER = `
const tsn = require("ts-node");
tsn.register({ transpileOnly: true, skipProject: false, compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext" } });
require(process.cwd());
const root = ${JSON.stringify(ROOT + "/")};
const fromProgram = Object.keys(require.cache).filter((f) => f.startsWith(root) && !f.startsWith(root + "node_modules/"));
process.stderr.write("LOADED " + JSON.stringify(fromProgram) + "\\n");
`;

/** Starts the pack; resolves with the analyzer's port and the program files it loaded. */
function start(dir: string): Promise<{ port: number; fromProgram: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", LOADER], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "";
    let err = "";
    let fromProgram: string[] | undefined;
    const timer = setTimeout(() => reject(new Error(`pack in ${dir} did not print a port in 60 s: ${err}`)), 60_000);
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /LOADED (.*)\n/.exec(err);
      if (m) fromProgram = JSON.parse(m[1]!) as string[];
    });
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\n/.exec(out);
      if (m && fromProgram) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), fromProgram });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`pack in ${dir} exited with ${code}: ${err}`));
    });
  });
}

/** GetAnalyzerInfo over the analyzer gRPC API the engine uses. */
async function analyzerInfo(port: number): Promise<{ name: string; policies: string[] }> {
  const grpc = require(join(NODE_MODULES, "@grpc/grpc-js")) as typeof import("@grpc/grpc-js");
  const { AnalyzerClient } = require(join(NODE_MODULES, "@pulumi/pulumi/proto/analyzer_grpc_pb"));
  const { Empty } = require(join(NODE_MODULES, "google-protobuf/google/protobuf/empty_pb"));
  const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    return await new Promise((resolve, reject) =>
      client.getAnalyzerInfo(new Empty(), { deadline: Date.now() + 20_000 }, (e: Error | null, info: any) =>
        e
          ? reject(e)
          : resolve({ name: info.getName(), policies: info.getPoliciesList().map((p: any) => p.getName()) }),
      ),
    );
  } finally {
    client.close();
  }
}

describe("publishable policy packs", () => {
  it("packs every shared package and pack; the shared packages carry JavaScript, the packs their TypeScript and PulumiPolicy.yaml", async () => {
    expect(Object.keys(tarballs).sort()).toEqual(
      ["@tricloud/policy-kit", "@tricloud/pricing", "@tricloud/vocabulary", ...PACKS.map((p) => p.pkg)].sort(),
    );
    const { stdout: pricing } = await execFileP("tar", ["tzf", tarballs["@tricloud/pricing"]!]);
    expect(pricing.split("\n")).toEqual(
      expect.arrayContaining([
        "package/estimate.js",
        "package/estimate.ts",
        "package/price-catalog.json",
        "package/usage-profiles/low.json",
      ]),
    );
    for (const { pkg } of PACKS) {
      const { stdout } = await execFileP("tar", ["tzf", tarballs[pkg]!]);
      expect(stdout.split("\n")).toEqual(
        expect.arrayContaining(["package/PulumiPolicy.yaml", "package/index.ts", "package/package.json"]),
      );
    }
  });

  it.each(PACKS)("$pkg loads from its tarball alone and serves its policies", async ({ name, pkg, policies }) => {
    const dir = await install(pkg);
    const { port, fromProgram } = await start(dir);
    expect(fromProgram, "files loaded from the program instead of the tarballs").toEqual([]);
    const info = await analyzerInfo(port);
    expect(info.name).toBe(name);
    expect(info.policies).toEqual(policies.map((p) => p.name));
  });
});
