import type { CommandModule, CommandSpec, FlagSpec } from "./args";

/**
 * Every command's flags, help and exit codes, in one light module: main.ts parses and
 * prints help from these without loading any command's implementation.
 */
const INTERNAL = "an internal failure (a bug: please report it)";

/** The stack file and its overrides, read as `pulumi up` reads them (plan, policy-config). */
const STACK_FLAGS: Record<string, FlagSpec> = {
  stack: { type: "string", short: "s", value: "<name>", help: "the stack: reads Pulumi.<name>.yaml" },
  "config-file": { type: "string", value: "<path>", help: "read this stack file instead of Pulumi.<name>.yaml" },
  config: {
    type: "string",
    short: "c",
    multiple: true,
    value: "<key=value>",
    help: "override one config value, as `pulumi up -c`",
  },
};

export const PLAN: CommandSpec = {
  name: "plan",
  summary: "offline preview of a stack: resources, policies, cost (no cloud needed)",
  synopsis: "--stack <name> [--config-file <path>] [-c key=value ...] [--format table|json|markdown] [flags]",
  description: `Runs the Pulumi program offline under mocks and prints every resource to create
(Pulumi's "+"), the cost estimate, the lock-in report, and then what needs
attention: policy findings (policies/portability, policies/cost), preflight
(policies/preflight: what each cloud would refuse) and the prerequisites to arrange.
On a terminal a progress line goes to stderr.`,
  flags: {
    ...STACK_FLAGS,
    format: { type: "string", value: "table|json|markdown", default: "table", help: "output format" },
    "what-if": {
      type: "string",
      multiple: true,
      value: "<provider>=<+/-pct>",
      help: "re-price one provider, e.g. aws=+30%",
    },
    prices: { type: "string", value: "<file>", help: "price overrides over pricing/price-catalog.json" },
    usage: { type: "string", value: "low|medium|high|<file>", help: "quantities for usage-priced components" },
    "policy-config": {
      type: "string",
      value: "<file>",
      help: "a --policy-pack-config style file (policy -> level or properties)",
    },
    "as-of": {
      type: "string",
      value: "YYYY-MM-DD",
      help: "judge Kubernetes and PostgreSQL support windows at this date (default today)",
    },
    progress: {
      type: "string",
      value: "auto|always|never",
      default: "auto",
      help: "the progress line on stderr (auto: when stderr is a terminal)",
    },
  },
  exitCodes: {
    0: "clean (advisory findings allowed)",
    1: "a mandatory policy violation or a preflight error",
    2: "bad configuration or usage (the message names the key or flag)",
    3: INTERNAL,
  },
  load: () => require("./commands/plan") as CommandModule,
};

export const AUDIT_VERIFY: CommandSpec = {
  name: "audit verify",
  summary: "fetch the ledgers of running nodes and verify them",
  synopsis: "--node <URL> [--node <URL> ...] --keys <public-keys.json | keygen dir> [flags]",
  description: `Checks each node's ledger against the clouds' public keys you bring (--keys):
checkpoint signatures and cosignatures, consistency between successive checkpoints
(and with those accepted before, when --state names a file, which is updated after a
clean run), every entry is a valid FINAL certificate and the entries hash to the signed
roots, inclusion proofs of N sampled events, anchors (RFC 3161 receipts verified
against --tsa-cert), what each witness cosigned, and, across all logs, that no cloud
ever signed two hashes for one eventId. A node that does not answer is a finding
naming the log left unaudited.`,
  flags: {
    node: { type: "string", multiple: true, value: "<URL>", help: "a node's base URL, e.g. http://127.0.0.1:7101" },
    keys: {
      type: "string",
      value: "<path>",
      help: "the clouds' public keys: public-keys.json or the directory tricloud keygen wrote",
    },
    sample: { type: "string", value: "N", default: "16", help: "events whose inclusion proofs are checked per log" },
    state: { type: "string", value: "<file>", help: "checkpoints accepted before; updated after a clean run" },
    "tsa-cert": {
      type: "string",
      multiple: true,
      value: "<pem>",
      help: "a time-stamping authority certificate for RFC 3161 anchors",
    },
    namespace: {
      type: "string",
      value: "<ns>",
      default: "tricloud",
      help: "the log namespace (the checkpoint origin prefix)",
    },
    format: { type: "string", value: "text|json", default: "text", help: "output format" },
    "timeout-ms": { type: "string", value: "N", default: "10000", help: "timeout of one request to a node" },
  },
  exitCodes: {
    0: "clean",
    1: "a check failed or a node did not answer (the evidence is printed)",
    2: "bad usage",
    3: INTERNAL,
  },
  load: () => require("./commands/audit") as CommandModule,
};

/** The node's tuning flags: name, the node option it sets, smallest accepted value, help. */
export const TUNING_FLAGS = [
  [
    "reconcile-interval-ms",
    "reconcileIntervalMs",
    1,
    "pause between reconciler passes, which re-drive PENDING events and re-offer FINAL ones to clouds missing from them (500)",
  ],
  [
    "reconcile-grace-ms",
    "reconcileGraceMs",
    0,
    "leave a new event to its first replication this long before the reconciler re-drives it (1000)",
  ],
  ["breaker-threshold", "breakerThreshold", 1, "consecutive failed calls that open a peer's breaker (5)"],
  [
    "probe-base-ms",
    "probeBaseMs",
    1,
    "first wait of an open breaker before a trial call, and of the recovery probe; each failed probe doubles it, with jitter (250)",
  ],
  ["probe-cap-ms", "probeCapMs", 1, "cap of that doubling: a healed peer is seen within about this (1000)"],
  ["peer-timeout-ms", "peerTimeoutMs", 1, "timeout of one call to a peer (2000)"],
  [
    "direct-timeout-ms",
    "directTimeoutMs",
    1,
    "timeout of a call past the breaker: equivocation cross-checks and probes (min(1000, peer timeout / 2))",
  ],
  [
    "retry-base-ms",
    "retryBaseMs",
    0,
    "certificate deliveries retry after random(0, base * 2^n) ms, n = 0..3 (1000: the 1-2-4-8 s back-off)",
  ],
  [
    "checkpoint-interval-ms",
    "checkpointIntervalMs",
    1,
    "how often the ledger signs a checkpoint and asks the other clouds to cosign it (60000)",
  ],
] as const;

const LOG_LEVEL: FlagSpec = {
  type: "string",
  value: "fatal|error|warn|info|debug|trace|silent",
  help: "log level of the JSON logs on stdout",
};

export const NODE: CommandSpec = {
  name: "node",
  summary: "run one quorum node (one cloud) on this machine",
  synopsis: "--cloud aws|azure|gcp --port N --keys <dir> --peer CLOUD=URL ... [flags]",
  description:
    "Runs one cloud's quorum node until Ctrl-C (SIGINT) or SIGTERM. Store: --database-url (PostgreSQL),\n--data-dir (embedded PGlite on disk) or neither (PGlite in memory, lost on exit).",
  flags: {
    cloud: { type: "string", value: "aws|azure|gcp", help: "the cloud this node plays" },
    port: { type: "string", value: "N", help: "the port to listen on (0: any free port)" },
    keys: { type: "string", value: "<dir>", help: "the directory tricloud keygen wrote" },
    peer: {
      type: "string",
      multiple: true,
      value: "CLOUD=URL",
      help: "another cloud's node, e.g. azure=http://127.0.0.1:7102",
    },
    host: { type: "string", value: "<address>", default: "127.0.0.1", help: "the address to listen on" },
    "database-url": { type: "string", value: "postgres://...", help: "store events in this PostgreSQL database" },
    "data-dir": { type: "string", value: "<dir>", help: "store events in embedded PGlite in this directory" },
    region: { type: "string", value: "<name>", help: "the region /health reports" },
    schema: { type: "string", value: "<name>", help: "the PostgreSQL schema (default tricloud_<cloud>)" },
    "safe-mode": { type: "string", value: "<reason>", help: "refuse new events, answering with this reason" },
    "log-level": { ...LOG_LEVEL, default: "info" },
    ...Object.fromEntries(
      TUNING_FLAGS.map(([flag, , , help]) => [flag, { type: "string", value: "N", help } satisfies FlagSpec]),
    ),
  },
  notes: `What to watch: GET /health (checks.peers.<cloud>: state up|down|unknown from the last real
exchange, lastContactMs: milliseconds since it, breaker closed|open|half-open, probe),
GET /v1/events/<id> (status, hash, confirmations, origin, evidence), GET /v1/peer/attempts
(refused peer messages with their source) and GET /v1/peer/evidence (equivocation proofs).`,
  exitCodes: {
    0: "stopped by SIGINT/SIGTERM",
    2: "bad usage, unreadable keys, or a store or port that cannot be used (the message names the flag)",
    3: INTERNAL,
  },
  load: () => require("./commands/node") as CommandModule,
};

export const LOCAL: CommandSpec = {
  name: "local",
  summary: "run all three quorum nodes on 127.0.0.1 (ports 7101-7103 by default)",
  synopsis:
    "[--base-port 7101] [--work-dir <dir>] [--database-url URL] [--log-level warn] [--checkpoint-interval-ms 5000]",
  description: `Starts the aws, azure and gcp nodes as child processes on 127.0.0.1, ports base, base+1
and base+2, with fresh keys in a temporary directory (removed on exit), prints a banner with
their URLs once all three answer, then their logs (warnings and errors only by default).
Ctrl-C stops all three.`,
  flags: {
    "base-port": {
      type: "string",
      value: "N",
      help: "the aws node's port; azure and gcp take the next two (default 7101)",
    },
    "database-url": {
      type: "string",
      value: "postgres://...",
      help: "store events in this PostgreSQL database (one schema per cloud)",
    },
    "log-level": { ...LOG_LEVEL, default: "warn" },
    "checkpoint-interval-ms": {
      type: "string",
      value: "N",
      default: "5000",
      help: "how often each ledger signs a checkpoint (production nodes: 60000)",
    },
    "work-dir": {
      type: "string",
      value: "<dir>",
      help: "keep the keys (for tricloud audit verify --keys) and each node's pid file (aws.pid, azure.pid, gcp.pid) here instead of a temporary directory",
    },
  },
  exitCodes: {
    0: "stopped by Ctrl-C",
    1: "a node did not come up (its log is printed)",
    2: "bad usage, or the ports are taken (the message says which and suggests --base-port)",
    3: INTERNAL,
  },
  load: () => require("./commands/local") as CommandModule,
};

export const COST: CommandSpec = {
  name: "cost",
  summary: "compare the cost of two plans (cost diff --base a.json --head b.json)",
  exitCodes: { 0: "ok", 2: "bad usage" },
  subcommands: [
    {
      name: "cost diff",
      summary: "the monthly cost change between two `tricloud plan --format json` reports",
      synopsis: "--base <plan.json> --head <plan.json> [--format markdown|table|json]",
      description:
        "Compares the cost sections of two `tricloud plan --format json` reports (a pull\nrequest's base and head): totals, per cloud, per component and per cost line.\nMarkdown (the default) is meant for a pull-request comment.",
      flags: {
        base: { type: "string", value: "<plan.json>", help: "the report of the base branch" },
        head: { type: "string", value: "<plan.json>", help: "the report of the change" },
        format: { type: "string", value: "markdown|table|json", default: "markdown", help: "output format" },
      },
      exitCodes: { 0: "ok", 2: "bad usage or an unreadable plan file", 3: INTERNAL },
      load: () => require("./commands/cost") as CommandModule,
    },
  ],
};

export const COMMENT: CommandSpec = {
  name: "comment",
  summary: "the pull-request comment: cost change per stack and cloud, then findings, detail folded",
  synopsis: "--head <plan.json> [--head <plan.json> ...] [--base <plan.json> ...] [--max-chars N]",
  description:
    "Builds one compact Markdown comment from `tricloud plan --format json` reports, one\n--head per stack (and the base branch's report of the same stack as --base, matched\nby stack name). It opens with the monthly cost change per stack and cloud, then lists\nmandatory violations and preflight errors, and keeps resource detail in collapsed\nsections. When the comment would pass --max-chars, the resource detail goes first.",
  flags: {
    head: { type: "string", multiple: true, value: "<plan.json>", help: "the change's plan report of one stack" },
    base: {
      type: "string",
      multiple: true,
      value: "<plan.json>",
      help: "the base branch's plan report of one stack, when it could be planned",
    },
    "max-chars": { type: "string", value: "N", default: "10000", help: "the most characters the comment may take" },
  },
  exitCodes: { 0: "ok", 2: "bad usage or an unreadable plan file", 3: INTERNAL },
  load: () => require("./commands/comment") as CommandModule,
};

export const AUDIT: CommandSpec = {
  name: "audit",
  summary: "verify the ledgers of running nodes (audit verify --node URL ... --keys DIR)",
  exitCodes: { 0: "clean", 1: "a check failed", 2: "bad usage" },
  subcommands: [AUDIT_VERIFY],
};

export const POLICY_CONFIG: CommandSpec = {
  name: "policy-config",
  summary: "write the policy packs' config files for the real pulumi CLI",
  synopsis: "--stack <name> --out <dir> [--config-file <path>] [-c key=value ...] [--as-of YYYY-MM-DD]",
  description: `Writes portability.json, cost.json and preflight.json into --out: the config each pack gets
from the stack, exactly as \`tricloud plan\` derives it, for
\`pulumi preview --policy-pack policies/<pack> --policy-pack-config <dir>/<pack>.json\`.
Without them the real CLI runs the packs on their defaults, and the rules that need
the stack (its Cloudflare plan, Lambda concurrency, Istio version, service matrix) check nothing.`,
  flags: {
    ...STACK_FLAGS,
    out: { type: "string", value: "<dir>", help: "the directory to write the three files to (made if missing)" },
    "as-of": {
      type: "string",
      value: "YYYY-MM-DD",
      help: "judge support windows at this date (default: the day the pack runs)",
    },
  },
  exitCodes: { 0: "files written", 2: "bad usage or bad config (the message names the flag or key)", 3: INTERNAL },
  load: () => require("./commands/policy-config") as CommandModule,
};

export const KEYGEN: CommandSpec = {
  name: "keygen",
  summary: "write three Ed25519 key pairs for a local quorum",
  synopsis: "--out <dir> [--force]",
  description:
    "Writes one Ed25519 key pair per cloud (aws, azure, gcp) and the public keys of all three\ninto --out, for `tricloud node --keys` and `tricloud audit verify --keys`.",
  flags: {
    out: { type: "string", value: "<dir>", help: "the directory to write the key files to" },
    force: { type: "boolean", help: "replace keys already in --out" },
  },
  exitCodes: { 0: "keys written", 2: "bad usage, or --out already holds keys without --force", 3: INTERNAL },
  load: () => require("./commands/keygen") as CommandModule,
};
