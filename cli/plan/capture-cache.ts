import { createHash } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";

/**
 * An opt-in cache of the program's capture under the mocks: set TRICLOUD_PLAN_CACHE to a
 * folder and a plan whose inputs (project, stack, flat config, secret keys) and program
 * sources are unchanged reads the capture back instead of running the program again. The
 * capture is a pure function of those (the mocks are deterministic), so only the time
 * differs. The test suite sets it to a fresh folder per run: dozens of plans of the same
 * stack then run the program once. Unset (the default), nothing is read or written.
 */
export const CAPTURE_CACHE_ENV = "TRICLOUD_PLAN_CACHE";

const ROOT = join(__dirname, "..", "..");
/** What the capture depends on besides its inputs: the program, what it bundles, the mocks, the pinned packages. */
const SOURCES = ["stacks", "components", "functions", "vocabulary", "cli/plan", "package-lock.json"];
const FORMAT = "capture-v1";

let sourceHash: string | undefined;
function programSourceHash(): string {
  if (sourceHash) return sourceHash;
  const hash = createHash("sha256");
  const add = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) if (name !== "node_modules") add(join(path, name));
    } else {
      hash.update(path.slice(ROOT.length)).update("\0").update(readFileSync(path)).update("\0");
    }
  };
  for (const s of SOURCES) add(join(ROOT, s));
  sourceHash = hash.digest("hex");
  return sourceHash;
}

export interface CaptureKeyInput {
  readonly project: string;
  readonly stack: string;
  readonly flatConfig: Readonly<Record<string, string>>;
  readonly secretKeys: readonly string[];
}

function cacheFile(input: CaptureKeyInput): string | undefined {
  const dir = process.env[CAPTURE_CACHE_ENV];
  if (!dir) return undefined;
  const config = Object.entries(input.flatConfig).sort(([a], [b]) => a.localeCompare(b));
  const key = createHash("sha256")
    .update(
      JSON.stringify([FORMAT, programSourceHash(), input.project, input.stack, config, [...input.secretKeys].sort()]),
    )
    .digest("hex");
  return join(dir, `${key}.json`);
}

/** A capture with its engine state (Map and Set) as JSON. */
interface Stored<T> {
  readonly captured: T;
  readonly outputs: [string, Record<string, unknown>][];
  readonly protect: string[];
}

export interface EngineLike {
  readonly outputs: ReadonlyMap<string, Record<string, unknown>>;
  readonly protect: ReadonlySet<string>;
}

export function readCapture<T extends { engine: EngineLike }>(input: CaptureKeyInput): T | undefined {
  const file = cacheFile(input);
  return file ? readFrom<T>(file) : undefined;
}

function readFrom<T extends { engine: EngineLike }>(file: string): T | undefined {
  let stored: Stored<Omit<T, "engine">>;
  try {
    stored = JSON.parse(readFileSync(file, "utf8")) as Stored<Omit<T, "engine">>;
  } catch {
    return undefined; // not cached yet
  }
  return {
    ...stored.captured,
    engine: { outputs: new Map(stored.outputs), protect: new Set(stored.protect) },
  } as unknown as T;
}

export function writeCapture<T extends { engine: EngineLike }>(input: CaptureKeyInput, capture: T): void {
  const file = cacheFile(input);
  if (file) writeTo(file, capture);
}

function writeTo<T extends { engine: EngineLike }>(file: string, capture: T): void {
  const { engine, ...captured } = capture;
  const stored: Stored<typeof captured> = { captured, outputs: [...engine.outputs], protect: [...engine.protect] };
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(`${file}.${process.pid}`, JSON.stringify(stored));
  renameSync(`${file}.${process.pid}`, file); // atomic: concurrent plans of one key write the same bytes
}

/** How long a plan waits for another process's run of the same capture before running the program itself. */
const WAIT_FOR_OTHER_MS = 120_000;
const POLL_MS = 100;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The capture for these inputs, running `compute` at most once across the processes that share the cache folder:
 * the first takes `<key>.json.lock` (exclusive create) and runs the program; the others wait for its capture, and
 * run it themselves only when the holder died (its pid is gone) or after WAIT_FOR_OTHER_MS. Without the cache it
 * just runs `compute`. (Parallel test workers and bin runs used to run the same program side by side.)
 */
export async function captureOnce<T extends { engine: EngineLike }>(
  input: CaptureKeyInput,
  compute: () => Promise<T>,
): Promise<T> {
  const file = cacheFile(input);
  if (!file) return compute();
  const lock = `${file}.lock`;
  mkdirSync(join(file, ".."), { recursive: true });
  for (const deadline = Date.now() + WAIT_FOR_OTHER_MS; ;) {
    const cached = readFrom<T>(file);
    if (cached) return cached;
    let fd: number | undefined;
    try {
      fd = openSync(lock, "wx");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") return compute(); // a read-only folder: no sharing
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, String(process.pid));
        closeSync(fd);
        const captured = await compute();
        writeTo(file, captured);
        return captured;
      } finally {
        rmSync(lock, { force: true });
      }
    }
    let holder: number;
    try {
      holder = Number(readFileSync(lock, "utf8"));
    } catch {
      continue; // released between the two calls: look again
    }
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
      rmSync(lock, { force: true }); // the holder died mid-run
      continue;
    }
    if (Date.now() > deadline) return compute();
    await sleep(POLL_MS);
  }
}
