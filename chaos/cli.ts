import { parseArgs } from "node:util";
import { runChaos, summary, writeReport } from "./run";

const USAGE = `usage: npm run chaos -- (--seed N | --seeds A-B) --duration S [--out report.json] [--history history.json]
                       [--store pg|pglite] [--database-url postgres://postgres@127.0.0.1:5432/postgres]
                       [--clients 4] [--malformed N] [--no-partition-all] [--keep]
  --seeds A-B runs seeds A..B one after another and stops at the first that violates an
  invariant; {seed} in --out/--history is replaced.
`;

const OPTIONS = {
  seed: { type: "string" },
  seeds: { type: "string" },
  duration: { type: "string" },
  out: { type: "string" },
  history: { type: "string" },
  store: { type: "string" },
  "database-url": { type: "string" },
  clients: { type: "string" },
  malformed: { type: "string" },
  "no-partition-all": { type: "boolean" },
  keep: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const parse = (argv: string[]) => parseArgs({ args: argv, strict: true, options: OPTIONS }).values;

/** `npm run chaos`: seeded fault-injection runs; exit 0 when every invariant held, 1 on a violation, 2 bad usage, 3 internal failure. */
export async function chaosMain(argv: string[]): Promise<number> {
  let v: ReturnType<typeof parse>;
  try {
    v = parse(argv);
  } catch (err) {
    process.stderr.write(`chaos: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const int = (name: string, raw: string | undefined, dflt: number, lo: number, hi: number): number => {
    const n = raw === undefined ? dflt : Number(raw);
    if (!Number.isInteger(n) || n < lo || n > hi)
      throw new Error(`--${name}: expected an integer from ${lo} to ${hi}, got "${raw}"`);
    return n;
  };
  let seeds: number[], durationS: number, clients: number, malformed: number | undefined;
  try {
    if (v.seed !== undefined && v.seeds !== undefined) throw new Error("--seed and --seeds: give one of them");
    if (v.seeds !== undefined) {
      const m = /^(\d+)-(\d+)$/.exec(v.seeds);
      const [a, b] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
      if (!m || a > b || b - a >= 100 || b > 2 ** 32 - 1)
        throw new Error(`--seeds: expected A-B with A <= B and at most 100 seeds, got "${v.seeds}"`);
      seeds = Array.from({ length: b - a + 1 }, (_, i) => a + i);
    } else {
      seeds = [int("seed", v.seed, 1, 0, 2 ** 32 - 1)];
    }
    durationS = int("duration", v.duration, 60, 1, 3_600);
    clients = int("clients", v.clients, 4, 1, 32);
    malformed = v.malformed === undefined ? undefined : int("malformed", v.malformed, 0, 0, 5_000);
    if (v.store !== undefined && v.store !== "pg" && v.store !== "pglite")
      throw new Error(`--store: expected pg or pglite, got "${v.store}"`);
  } catch (err) {
    process.stderr.write(`chaos: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const at = (template: string, seed: number) =>
    template.includes("{seed}")
      ? template.replaceAll("{seed}", String(seed))
      : seeds.length > 1
        ? template.replace(/(\.json)?$/, `-${seed}$1`)
        : template;
  for (const seed of seeds) {
    const code = await runOne(
      seed,
      at(v.out ?? "chaos-report-{seed}.json", seed),
      v.history ? at(v.history, seed) : undefined,
    );
    if (code !== 0) {
      if (seeds.length > 1)
        process.stdout.write(
          `chaos: seed ${seed} ${code === 1 ? "violated an invariant" : "failed"}; ${seeds.indexOf(seed)} seed(s) in a row held before it\n`,
        );
      return code;
    }
  }
  if (seeds.length > 1)
    process.stdout.write(`chaos: all ${seeds.length} seeds (${seeds[0]}-${seeds.at(-1)}) held every invariant\n`);
  return 0;

  async function runOne(seed: number, out: string, historyPath: string | undefined): Promise<number> {
    try {
      const { report, history } = await runChaos({
        seed,
        durationS,
        clients,
        malformed,
        store: v.store as "pg" | "pglite" | undefined,
        databaseUrl: v["database-url"],
        partitionAll: !v["no-partition-all"],
        keep: v.keep,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      await writeReport(out, report, historyPath ? { path: historyPath, data: history } : undefined);
      process.stdout.write(`${summary(report)}\n  report: ${out}${historyPath ? `, history: ${historyPath}` : ""}\n`);
      return report.valid ? 0 : 1;
    } catch (err) {
      process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      return 3;
    }
  }
}
