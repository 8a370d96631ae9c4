import { parseArgs } from "node:util";
import { runChaos, summary, writeReport } from "./run";

const USAGE = `usage: npm run chaos -- --seed N --duration S [--out report.json] [--history history.json]
                       [--store pg|pglite] [--database-url postgres://postgres@127.0.0.1:5432/postgres]
                       [--clients 4] [--malformed N] [--no-partition-all] [--keep]
`;

/** `npm run chaos`: one seeded fault-injection run; exit 0 when every invariant held, 1 on a violation, 2 bad usage, 3 internal failure. */
async function main(argv: string[]): Promise<number> {
  let v;
  try {
    ({ values: v } = parseArgs({
      args: argv,
      strict: true,
      options: {
        seed: { type: "string" },
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
      },
    }));
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
    if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`--${name}: expected an integer from ${lo} to ${hi}, got "${raw}"`);
    return n;
  };
  let seed: number, durationS: number, clients: number, malformed: number | undefined;
  try {
    seed = int("seed", v.seed, 1, 0, 2 ** 32 - 1);
    durationS = int("duration", v.duration, 60, 1, 3_600);
    clients = int("clients", v.clients, 4, 1, 32);
    malformed = v.malformed === undefined ? undefined : int("malformed", v.malformed, 0, 0, 5_000);
    if (v.store !== undefined && v.store !== "pg" && v.store !== "pglite") throw new Error(`--store: expected pg or pglite, got "${v.store}"`);
  } catch (err) {
    process.stderr.write(`chaos: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const out = v.out ?? `chaos-report-${seed}.json`;
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
    await writeReport(out, report, v.history ? { path: v.history, data: history } : undefined);
    process.stdout.write(`${summary(report)}\n  report: ${out}${v.history ? `, history: ${v.history}` : ""}\n`);
    return report.valid ? 0 : 1;
  } catch (err) {
    process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 3;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`chaos: ${err}\n`);
    process.exit(3);
  },
);
