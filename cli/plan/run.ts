import * as pulumi from "@pulumi/pulumi";
import { program } from "../../stacks";
import { parseStackConfig, type StackConfig } from "../../stacks/config/load";
import { edgeSummary } from "../../stacks/edge";
import { Capture, redact } from "./capture";
import { INVOKES, mockResource, UnknownInvokeError, type MockContext } from "./mock-state";
import { cloudOf, emptyByCloud, type PlanReport, type PlannedResource } from "./report";
import { applyOverrides, findProjectDir, readProjectName, readStackFile } from "./stackfile";

export interface PlanOptions {
  readonly stack: string;
  readonly configFile?: string;
  /** `key=value` overrides, as `pulumi up -c`. */
  readonly overrides?: readonly string[];
  readonly projectDir?: string;
}

export interface PlanInput {
  readonly project: string;
  readonly stack: string;
  readonly flatConfig: Record<string, string>;
  readonly secretKeys: string[];
  /** Validated config; a bad stack file throws ConfigError before anything runs. */
  readonly config: StackConfig;
}

/** Reads and validates the stack file plus overrides, exactly as the program will see them. */
export function loadPlanInput(opts: PlanOptions): PlanInput {
  const projectDir = opts.projectDir ?? findProjectDir();
  const project = readProjectName(projectDir);
  const file = readStackFile(projectDir, project, opts.stack, opts.configFile);
  const flatConfig = applyOverrides(file.config, project, opts.overrides ?? []);
  const config = parseStackConfig(flatConfig, opts.stack);
  return { project, stack: opts.stack, flatConfig, secretKeys: file.secretKeys, config };
}

/**
 * Runs the real program under Pulumi's mocks and captures every resource.
 * Runs are serialised: Pulumi's runtime state is process-global.
 */
let queue: Promise<unknown> = Promise.resolve();
export function runProgramUnderMocks(input: PlanInput): Promise<Omit<PlanReport, "cost" | "policies">> {
  const run = queue.then(() => runOnce(input));
  queue = run.catch(() => undefined);
  return run;
}

async function runOnce(input: PlanInput): Promise<Omit<PlanReport, "cost" | "policies">> {
  const { config } = input;
  const ctx: MockContext = {
    project: input.project,
    stack: input.stack,
    awsRegion: config.aws.region,
    azureLocation: config["azure-native"].location,
    gcpProject: config.gcp.project,
    gcpRegion: config.gcp.region,
  };
  const inputs = new Map<string, Record<string, unknown>>();
  const failures: Error[] = [];

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        inputs.set(`${args.type}::${args.name}`, args.inputs);
        return mockResource(args.type, args.name, args.inputs, ctx);
      },
      call(args) {
        const answer = INVOKES[args.token];
        if (!answer) {
          const err = new UnknownInvokeError(args.token);
          failures.push(err);
          throw err;
        }
        return answer(args.inputs, ctx);
      },
    },
    input.project,
    input.stack,
    true,
  );
  pulumi.runtime.setAllConfig(input.flatConfig, input.secretKeys);
  const capture = new Capture();
  capture.install();

  let outputs: Record<string, unknown> | undefined;
  try {
    outputs = (await pulumi.runtime.runInPulumiStack(async () => program())) as Record<string, unknown> | undefined;
  } finally {
    await pulumi.runtime.disconnect();
  }
  if (failures.length > 0) throw failures[0];

  const resources: PlannedResource[] = capture.registrations.map((r) => {
    const { value, secrets } = redact(inputs.get(`${r.type}::${r.name}`) ?? {});
    return {
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent,
      cloud: cloudOf(r.type),
      inputs: value as Record<string, unknown>,
      custom: r.custom,
      secretInputs: secrets,
      ...(r.custom ? {} : { registeredOutputs: capture.withOutputs.has(r.urn) || r.type === "pulumi:pulumi:Stack" }),
    };
  });
  // Deterministic order (the stack, then by URN) so two plans of one config diff cleanly.
  resources.sort((a, b) => (a.parent === null ? -1 : b.parent === null ? 1 : a.urn.localeCompare(b.urn)));
  const byCloud = emptyByCloud();
  for (const r of resources) if (r.custom) byCloud[r.cloud]++;
  return {
    project: input.project,
    stack: input.stack,
    resources,
    summary: {
      total: resources.filter((r) => r.custom).length,
      byCloud,
      components: resources.filter((r) => !r.custom && r.type !== "pulumi:pulumi:Stack").length,
    },
    outputs: redact(capture.stackOutputs ?? outputs ?? {}).value as Record<string, unknown>,
  };
}

/** The whole offline plan: program resources plus the cost and policy sections. */
export async function plan(opts: PlanOptions): Promise<PlanReport> {
  const input = loadPlanInput(opts);
  const captured = await runProgramUnderMocks(input);
  return {
    ...captured,
    cost: { monthlyUsd: null, ceilingUsd: input.config.tricloud.costCeilingUsd, byCloud: {}, lines: [] },
    policies: { violations: [] },
    edge: edgeSummary(input.config),
  };
}
