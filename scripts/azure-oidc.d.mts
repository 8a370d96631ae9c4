export declare const canRenew: (env?: Record<string, string | undefined>) => boolean;
export declare function renewCommands(env?: Record<string, string | undefined>): {
  token: string[];
  login: (token: string) => string[];
  subscription: string[] | undefined;
};
export declare function renewAzureSignIn(opts?: {
  env?: Record<string, string | undefined>;
  now?: number;
  exec?: (argv: string[]) => { status: number; stdout: string; stderr: string };
}): boolean;
