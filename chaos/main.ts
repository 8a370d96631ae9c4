import { chaosMain } from "./cli";

// Entry of `npm run chaos` (chaos/cli.ts has the logic, so tests can import it).
chaosMain(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(3);
  },
);
