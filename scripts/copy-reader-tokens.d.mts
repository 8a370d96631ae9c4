// Types of scripts/copy-reader-tokens.mjs for the TypeScript that imports it (its tests).
export type Cloud = "aws" | "azure" | "gcp";
export declare const CLOUDS: readonly Cloud[];
export declare class CopyError extends Error {}
export declare function isToken(value: string): boolean;
export interface Store {
  cloud: Cloud;
  key: string;
  peers: Cloud[];
  region?: string;
  vaultName?: string;
  project?: string;
}
export declare function storesOf(outputs: unknown): Partial<Record<Cloud, Store>>;
export declare function readCommand(store: Store, key: string): string[];
export declare function writeCommand(store: Store, key: string, file: string): string[];
export declare function copyPlan(stores: Partial<Record<Cloud, Store>>): { from: Store; to: Store; key: string }[];
export interface ExecResult {
  status: number;
  stdout: string;
  stderr: string;
}
export declare function copyReaderTokens(
  outputs: unknown,
  options?: {
    exec?: (argv: string[]) => ExecResult;
    waitSeconds?: number;
    pollSeconds?: number;
    sleep?: (seconds: number) => void;
    dryRun?: boolean;
    log?: (line: string) => void;
  },
): string[];
