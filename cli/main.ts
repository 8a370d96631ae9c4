/**
 * The `tricloud` command line: one module per command under `cli/commands/`,
 * loaded lazily so `tricloud node` never pays for the Pulumi SDKs and
 * `tricloud plan` never pays for the runtime. Loaded with `require`, not
 * `import()`: the bin registers tsx's CommonJS hook only.
 */
export type CommandMain = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandMain> }> = {
  plan: { summary: "offline preview of a stack: resources, policies, cost (no cloud needed)", load: async () => (require("./commands/plan") as typeof import("./commands/plan")).main },
  cost: { summary: "compare the cost of two plans (cost diff --base a.json --head b.json)", load: async () => (require("./commands/cost") as typeof import("./commands/cost")).main },
  audit: { summary: "verify the ledgers of running nodes (audit verify --node URL ...)", load: async () => (require("./commands/audit") as typeof import("./commands/audit")).main },
  keygen: { summary: "write three Ed25519 key pairs for a local quorum", load: async () => (require("./commands/keygen") as typeof import("./commands/keygen")).main },
  node: { summary: "run one quorum node (one cloud) on this machine", load: async () => (require("./commands/node") as typeof import("./commands/node")).main },
  local: { summary: "run all three quorum nodes on 127.0.0.1:7101-7103", load: async () => (require("./commands/local") as typeof import("./commands/local")).main },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: tricloud <command> [flags]\n\ncommands:\n${lines.join("\n")}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`tricloud: unknown command "${name}"; expected one of: ${Object.keys(COMMANDS).join(", ")}\n`);
    return 2;
  }
  const run = await command.load();
  return run(rest);
}
