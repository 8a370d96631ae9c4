// Types of scripts/publish-manifests.mjs for the TypeScript that imports it (its tests).
export declare const LAYER_MEDIA_TYPE: string;
export declare const ARGOCD_CAPABILITY: string;
export declare const APPLICATION_NAME: string;
export declare class PublishError extends Error {}
export declare function clusterFiles(outputs: unknown, cloud: "aws" | "azure" | "gcp"): Record<string, string>;
/** A rendered object as FLUX_KUSTOMIZATIONS reads it. */
export interface FluxObject {
  kind?: string;
  name?: string;
  namespace?: string;
}
export declare const FLUX_KUSTOMIZATIONS: readonly { name: string; holds(o: FluxObject): boolean }[];
export declare function fluxKustomization(o: FluxObject): string;
export declare function fluxFiles(outputs: unknown): Record<string, string>;
export declare function contentTag(files: Record<string, string>): string;
export declare function splitReference(ref: string): { repository: string; tag: string | undefined };
export declare function argoApplication(args: { repositoryUrl: string; tag: string; clusterArn: string }): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: {
    project: string;
    source: { repoURL: string; targetRevision: string; path: string };
    destination: { server: string };
    syncPolicy: {
      automated: { prune: boolean; selfHeal: boolean };
      syncOptions: string[];
      retry: { limit: number; backoff: { duration: string; factor: number; maxDuration: string } };
    };
    ignoreDifferences: { group: string; kind: string; jsonPointers?: string[]; jqPathExpressions?: string[] }[];
  };
};
export interface PublishStep {
  write?: string;
  text?: string;
  argv?: string[];
  stdinFrom?: string[];
  unless?: string[];
  cwd?: string;
  /** Said with the error when the command fails. */
  hint?: string;
  argoApplication?: { repositoryUrl: string; tag: string; path: string };
  clusterArnFrom?: string[];
  serverFrom?: string[];
  curlArgv?: (server: string, headerFile: string, bodyFile: string) => string[];
}
export declare function publishPlan(outputs: unknown, workDir: string): PublishStep[];
export declare function run(steps: PublishStep[], opts?: { dryRun?: boolean; log?: (line: string) => void }): void;
