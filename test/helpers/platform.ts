import { expect } from "vitest";
import type { PlanReport, PlannedResource } from "../../cli/plan/report";
import { loadPlanInput } from "../../cli/plan/run";
import { mockResource, type MockContext } from "../../cli/plan/mock-state";
import { ConfigError, type StackConfig } from "../../stacks/config/load";
import { ancestors, planStack } from "./plan";

const projectDir = `${__dirname}/../..`;

/** The validated config a planned stack ran with. */
export function stackConfig(stack: string, overrides: readonly string[] = []): StackConfig {
  return loadPlanInput({ stack, overrides, projectDir }).config;
}

function mockContext(stack: string): MockContext {
  const c = stackConfig(stack);
  return {
    project: "tricloud",
    stack,
    awsRegion: c.aws.region,
    azureLocation: c["azure-native"].location,
    gcpProject: c.gcp.project,
    gcpRegion: c.gcp.region,
  };
}

/**
 * The state the offline plan's mocks gave a resource (its id and outputs),
 * recomputed from its captured inputs: how a test checks that one resource's
 * input really is another resource's id or output, not a look-alike string.
 */
export function mockState(stack: string, r: PlannedResource): Record<string, unknown> {
  return mockResource(r.type, r.name, r.inputs, mockContext(stack)).state;
}

export function mockId(stack: string, r: PlannedResource): string {
  return mockState(stack, r).id as string;
}

/** Asserts that planning the stack with these overrides rejects with a ConfigError naming `key`. */
export async function expectConfigError(stack: string, overrides: readonly string[], key: string): Promise<void> {
  const error: unknown = await planStack(stack, overrides).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems.map((p) => p.key)).toContain(key);
  expect((error as ConfigError).message).toContain(key);
}

/** The tricloud components above a resource, nearest first. */
export function owningComponents(report: PlanReport, r: PlannedResource): string[] {
  return ancestors(report, r)
    .filter((a) => a.type.startsWith("tricloud:"))
    .map((a) => a.type);
}
