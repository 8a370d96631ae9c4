/**
 * The little SQL surface both drivers offer. Everything above it is plain PostgreSQL,
 * so the server (`pg`) and the embedded engine (PGlite) run the same statements.
 */
export interface SqlRunner {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Several statements, no parameters (migrations). */
  exec(text: string): Promise<void>;
}

/** Inside a transaction. */
export interface TxRunner extends SqlRunner {
  /**
   * Sends a statement without waiting for it: its result is not needed, and the transaction
   * settles it before COMMIT (its failure rolls the transaction back and is what the transaction
   * throws). Statements run in the order they were asked for.
   */
  queue(text: string, params?: unknown[]): void;
}

export interface Sql extends SqlRunner {
  transaction<T>(fn: (tx: TxRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Schema names are spliced into SQL text, so only a strict identifier is allowed. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(
      `store schema: expected a lowercase SQL identifier ([a-z_][a-z0-9_]*, at most 63 characters), got "${schema}"`,
    );
  }
  return schema;
}
