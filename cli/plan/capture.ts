import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type * as pulumi from "@pulumi/pulumi";

/** `require` as @pulumi/pulumi's own modules resolve: its internals and the packages it depends on. */
const sdkRequire = () => createRequire(createRequire(__filename).resolve("@pulumi/pulumi"));

/** @pulumi/pulumi, loaded on first use: a plan read from the capture cache never needs the SDK. */
let sdk: typeof import("@pulumi/pulumi") | undefined;
export const pulumiSdk = (): typeof import("@pulumi/pulumi") =>
  (sdk ??= createRequire(__filename)("@pulumi/pulumi") as typeof import("@pulumi/pulumi"));

/** What the capture sees of one registration; inputs come from the mocks. */
export interface Registration {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly custom: boolean;
  /** The `protect` option: what policies see as `opts.protect`. */
  readonly protect: boolean;
  /** URNs this resource waits for: explicit dependsOn and the resources its inputs reference. */
  readonly dependencies: readonly string[];
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";
const ASSET_VALUE = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_VALUE = "0def7320c3a5731c473e5ecbe6d01bc7";

/** How an asset or archive input shows in the plan: what was shipped, not the bytes. */
export type AssetSummary =
  | { kind: "asset"; bytes: number; sha256: string }
  | { kind: "archive"; files: { name: string; bytes: number; sha256: string }[]; bytes: number; sha256: string }
  | { kind: "asset" | "archive"; path?: string; uri?: string };

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Replaces serialized assets and archives (as the engine receives them) by a summary:
 * file names, byte sizes and sha256 (an archive's over its sorted "name\0sha256\n" lines,
 * the hash components/shared/bundle.ts reports). Returns the value unchanged when it holds none.
 */
export function summarizeAssets(value: unknown): { value: unknown; changed: boolean } {
  if (!value || typeof value !== "object") return { value, changed: false };
  if (Array.isArray(value)) {
    const parts = value.map(summarizeAssets);
    return parts.some((p) => p.changed)
      ? { value: parts.map((p) => p.value), changed: true }
      : { value, changed: false };
  }
  const obj = value as Record<string, unknown>;
  if (obj[SECRET_SIG] === ASSET_VALUE || obj[SECRET_SIG] === ARCHIVE_VALUE)
    return { value: summary(obj), changed: true };
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const p = summarizeAssets(v);
    changed ||= p.changed;
    out[k] = p.value;
  }
  return changed ? { value: out, changed } : { value, changed: false };
}

function summary(obj: Record<string, unknown>): AssetSummary {
  const kind = obj[SECRET_SIG] === ARCHIVE_VALUE ? "archive" : "asset";
  if (kind === "asset" && typeof obj.text === "string")
    return { kind, bytes: Buffer.byteLength(obj.text), sha256: sha256(obj.text) };
  if (kind === "archive" && obj.assets && typeof obj.assets === "object") {
    const files = Object.entries(obj.assets as Record<string, unknown>)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, inner]) => {
        const s = summary(inner as Record<string, unknown>);
        return { name, bytes: "bytes" in s ? s.bytes : 0, sha256: "sha256" in s ? s.sha256 : "" };
      });
    return {
      kind,
      files,
      bytes: files.reduce((n, f) => n + f.bytes, 0),
      sha256: sha256(files.map((f) => `${f.name}\0${f.sha256}\n`).join("")),
    };
  }
  return {
    kind,
    ...(typeof obj.path === "string" ? { path: obj.path } : {}),
    ...(typeof obj.uri === "string" ? { uri: obj.uri } : {}),
  };
}

/**
 * Replaces secret-marked values by "[secret]" and resources by their type,
 * and lists the paths that were secret. Plain JSON comes back unchanged.
 */
export function redact(value: unknown, path = "", secrets: string[] = []): { value: unknown; secrets: string[] } {
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG] === SECRET_VALUE) {
      secrets.push(path || "(root)");
      return { value: "[secret]", secrets };
    }
    if (pulumiSdk().Resource.isInstance(value)) return { value: "[resource]", secrets };
    if (Array.isArray(value)) {
      return { value: value.map((v, i) => redact(v, `${path}[${i}]`, secrets).value), secrets };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = redact(v, path ? `${path}.${k}` : k, secrets).value;
    return { value: out, secrets };
  }
  return { value, secrets };
}

/**
 * What a value becomes through protobuf's Struct and back (Struct.fromJavaScript, then
 * toJavaScript), the trip every resource's properties make between the SDK and the mock monitor:
 * a deep copy, each object's keys in sorted order, and an error for anything but JSON's types.
 * Hand-written so the capture can skip the protobuf messages (a quarter of the SDK's work per
 * resource under mocks) and still hand the SDK exactly what they would have.
 */
export function structCopy(value: unknown): unknown {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value === null)
    return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = structCopy(value[i]);
    return out;
  }
  if (typeof value === "object") {
    const keys: string[] = [];
    // for...in, as Struct.fromJavaScript reads an object (inherited enumerable keys too).
    for (const k in value) keys.push(k);
    keys.sort();
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = structCopy((value as Record<string, unknown>)[k]);
    return out;
  }
  throw new Error("Unexpected struct type.");
}

/**
 * For one run under the mocks: the SDK's Struct.fromJavaScript (google-protobuf, the copy the SDK
 * loads) makes a Struct that holds a structCopy of the value and gives a fresh one from
 * toJavaScript(), instead of a tree of protobuf messages. Under the mocks the Structs the SDK
 * builds (each registration's properties, each component's outputs, each invoke's arguments)
 * are only ever read back through toJavaScript(), never encoded: building the messages was
 * about 5 % of the run. Returns the function that puts the SDK's own back.
 */
export function plainStructsForMocks(): () => void {
  const { Struct } = sdkRequire()(
    "google-protobuf/google/protobuf/struct_pb",
  ) as typeof import("google-protobuf/google/protobuf/struct_pb");
  const fromJavaScript = Struct.fromJavaScript;
  Struct.fromJavaScript = (value) => {
    const struct = new Struct();
    const held = structCopy(value);
    struct.toJavaScript = () => structCopy(held) as ReturnType<typeof struct.toJavaScript>;
    return struct;
  };
  return () => {
    Struct.fromJavaScript = fromJavaScript;
  };
}

/** The parts of the SDK's MockMonitor (runtime/mocks.js) the capture answers registrations with. */
interface MockMonitor {
  readonly mocks: pulumi.runtime.Mocks;
  readonly resources: Map<string, { urn: string; id: string | null; state: unknown }>;
  newUrn(parent: string, type: string, name: string): string;
  registerResource(req: any, callback: (err: unknown, resp: unknown) => void): unknown;
  registerResourceOutputs(req: any, callback: (err: unknown, resp: unknown) => void): unknown;
}

/**
 * Records every registration the program makes, with its parent, by answering the mock
 * monitor's registrations itself. Mocks do not pass parents to `newResource`
 * (pulumi/pulumi#14421), but the monitor's request carries them.
 * URNs are rebuilt the way the engine builds them (full parent type chain, the
 * root stack left out) so they match what `pulumi preview` prints.
 */
export class Capture {
  readonly registrations: Registration[] = [];
  readonly withOutputs = new Set<string>();
  /**
   * The stack's outputs as the engine receives them, secrets still marked
   * (the value `runInPulumiStack` resolves to has lost that mark).
   */
  stackOutputs: Record<string, unknown> | undefined;
  private readonly engineUrn = new Map<string, { urn: string; qualifiedType: string }>();

  install(): void {
    const pulumi = pulumiSdk();
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
    // The MockMonitor's registerResource, minus the protobuf: it read the request's properties
    // from their Struct once more and sent the mocked state back in a new Struct, which the SDK
    // read back at once. Its response had these five fields (the SDK's own test monitor has the
    // same shape); the SDK reads the properties only through toJavaScript().
    monitor.registerResource = async (req: any, callback) => {
      try {
        const type: string = req.getType();
        const name: string = req.getName();
        let object: unknown = req.getObject()?.toJavaScript() ?? {};
        // A function bundle is hundreds of KiB of code: the plan (and the mocks, which never
        // deploy it) get its summary instead. Secret markers elsewhere in the object survive.
        const summarized = summarizeAssets(object);
        if (summarized.changed) object = structCopy(summarized.value);
        const result = await monitor.mocks.newResource({
          type,
          name,
          inputs: pulumi.runtime.deserializeProperties({ toJavaScript: () => object } as any),
          provider: req.getProvider(),
          custom: req.getCustom(),
          id: req.getImportid(),
        });
        const urn = monitor.newUrn(req.getParent(), type, name);
        const state = await pulumi.runtime.serializeProperties("", result.state);
        monitor.resources.set(urn, { urn, id: result.id ?? null, state });
        this.record(
          urn,
          type,
          name,
          req.getParent(),
          req.getCustom(),
          req.getProtect?.() === true,
          req.getDependenciesList?.() ?? [],
        );
        const id = result.id || "";
        callback(null, {
          getUrn: () => urn,
          getId: () => id,
          getObject: () => ({ toJavaScript: () => structCopy(state) }),
          getPropertydependenciesMap: () => undefined,
          getResult: () => 0,
        });
      } catch (err) {
        callback(err, undefined);
      }
    };
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback) => {
      const mapped = this.engineUrn.get(req.getUrn());
      if (mapped) this.withOutputs.add(mapped.urn);
      if (mapped?.qualifiedType === "pulumi:pulumi:Stack") this.stackOutputs = req.getOutputs()?.toJavaScript();
      return registerOutputs(req, callback);
    };
  }

  private record(
    monitorUrn: string,
    type: string,
    name: string,
    parentMonitorUrn: string,
    custom: boolean,
    protect: boolean,
    dependsOn: readonly string[],
  ): void {
    const parent = parentMonitorUrn ? this.engineUrn.get(parentMonitorUrn) : undefined;
    const underStack = !parent || parent.qualifiedType === "pulumi:pulumi:Stack";
    const qualifiedType = underStack ? type : `${parent.qualifiedType}$${type}`;
    const urn = `urn:pulumi:${pulumiSdk().getStack()}::${pulumiSdk().getProject()}::${qualifiedType}::${name}`;
    this.engineUrn.set(monitorUrn, { urn, qualifiedType: type === "pulumi:pulumi:Stack" ? type : qualifiedType });
    const dependencies = [
      ...new Set(dependsOn.map((d) => this.engineUrn.get(d)?.urn).filter((d): d is string => d !== undefined)),
    ];
    this.registrations.push({ urn, type, name, parent: parent?.urn ?? null, custom, protect, dependencies });
  }
}

type Resolver = (v: unknown, isKnown: boolean, isSecret: boolean, deps?: unknown[], err?: Error) => void;

/**
 * For one run under the mocks: a resource's output properties become Outputs when the program
 * first reads them, not all at construction. The SDK's transferProperties (runtime/rpc.js) makes
 * an Output for every input and output property of every resource, four pending promises and a
 * Proxy each, and most are never read: a prod plan made 6,587 of them and its program read 178.
 * A property read before the registration answers gets the SDK's pending Output,
 * settled when it answers; one read after gets an Output of the settled values. Either way it is
 * the SDK's own Output class, settled with the same arguments. Returns the function that puts
 * the SDK's transferProperties back.
 */
export function lazyOutputsForMocks(): () => void {
  const load = sdkRequire();
  type Transfer = (onto: any, label: unknown, props: Record<string, unknown>) => Record<string, Resolver>;
  const rpc = load("./runtime/rpc") as { transferProperties: Transfer };
  const { isGrpcError } = load("./errors") as { isGrpcError: (err: unknown) => boolean };
  const { Output } = pulumiSdk() as unknown as {
    Output: new (resources: unknown, ...promises: Promise<unknown>[]) => unknown;
  };
  const transferProperties = rpc.transferProperties;
  rpc.transferProperties = (onto: any, label: unknown, props: Record<string, unknown>) => {
    const resolvers: Record<string, Resolver> = {};
    for (const k of Object.keys(props)) {
      if (k === "id" || k === "urn") continue;
      if (Object.prototype.hasOwnProperty.call(onto, k))
        throw new Error(`Property '${k}' is already initialized on target '${String(label)}`);
      let settled: { args: [unknown, boolean, boolean, unknown[]]; err?: Error } | undefined;
      let settle: ((args: [unknown, boolean, boolean, unknown[]], err?: Error) => void) | undefined;
      const make = () => {
        if (settled) {
          const { args, err } = settled;
          const p = (v: unknown) => (err ? Promise.reject(err) : Promise.resolve(v));
          return new Output(onto, p(args[0]), p(args[1]), p(args[2]), p(args[3]));
        }
        const pending = [0, 1, 2, 3].map(() => {
          let resolve!: (v: unknown) => void;
          let reject!: (e: Error) => void;
          const promise = new Promise<unknown>((res, rej) => ((resolve = res), (reject = rej)));
          return { promise, resolve, reject };
        });
        settle = (args, err) => pending.forEach((d, i) => (err ? d.reject(err) : d.resolve(args[i])));
        return new Output(onto, ...pending.map((d) => d.promise));
      };
      Object.defineProperty(onto, k, {
        configurable: true,
        enumerable: true,
        get() {
          const value = make();
          Object.defineProperty(onto, k, { value, writable: true, enumerable: true, configurable: true });
          return value;
        },
        set(value: unknown) {
          Object.defineProperty(onto, k, { value, writable: true, enumerable: true, configurable: true });
        },
      });
      resolvers[k] = (v, isKnown, isSecret, deps = [], err) => {
        if (err && isGrpcError(err)) return;
        const args: [unknown, boolean, boolean, unknown[]] = [v, isKnown, isSecret, deps];
        if (settle) settle(args, err);
        else settled = { args, err };
      };
    }
    return resolvers;
  };
  return () => {
    rpc.transferProperties = transferProperties;
  };
}

/**
 * For one run under the mocks: no API-version aliases. A provider package adds them to every
 * resource it makes through `pulumi.mergeOptions(opts, { aliases: [{ type }, ...] })` (azure-native
 * gives a Subnet 60, one per API version it ever had). An alias matches a resource to state
 * recorded under another name or type; a plan starts from no state, so they change nothing in it.
 * But the SDK makes Outputs and a URN of each in the constructor, awaits them one after another and
 * builds a protobuf message of each for the monitor: without them, a prod plan makes 30 scavenges
 * instead of 47. Only a merge of type-only aliases is changed; aliases the program gives stay.
 * Returns the function that puts the SDK's mergeOptions back.
 */
export function noVersionAliasesForMocks(): () => void {
  const sdk = pulumiSdk() as unknown as { mergeOptions: (a: unknown, b: unknown) => unknown };
  const mergeOptions = sdk.mergeOptions;
  sdk.mergeOptions = (a, b) => mergeOptions(a, typeAliasesOnly(b) ? {} : b);
  return () => {
    sdk.mergeOptions = mergeOptions;
  };
}

/** `{ aliases: [{ type: "..." }, ...] }` and nothing else: what a provider package merges in. */
function typeAliasesOnly(opts: unknown): boolean {
  if (!opts || typeof opts !== "object") return false;
  const { aliases, ...rest } = opts as { aliases?: unknown };
  return (
    Object.keys(rest).length === 0 &&
    Array.isArray(aliases) &&
    aliases.length > 0 &&
    aliases.every((a) => a && typeof a === "object" && Object.keys(a).length === 1 && typeof a.type === "string")
  );
}
