import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseStackConfig, type StackConfig } from "./config/load";
import { platform } from "./platform";

/** Reads and validates the stack's configuration the way `pulumi up` provides it. */
export function loadConfig(): StackConfig {
  try {
    return parseStackConfig(pulumi.runtime.allConfig(), pulumi.getStack());
  } catch (err) {
    // RunError prints the message alone: one line per bad key, no stack trace.
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

/** The Pulumi program: used by `index.ts` (real CLI) and by `tricloud plan` (mocks). */
export function program() {
  return platform(loadConfig());
}
