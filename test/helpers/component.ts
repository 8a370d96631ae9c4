import * as pulumi from "@pulumi/pulumi";
import { Capture } from "../../cli/plan/capture";
import { offlineMocks, type MockContext } from "../../cli/plan/mock-state";

/**
 * Builds ONE component in isolation under Pulumi's mocks (pulumi.runtime.setMocks)
 * and records what it registers: the base of the test pyramid. Whole-program tests
 * (test/program, test/edge, ...) plan a stack; these construct a single component
 * from the fewest arguments it takes, with the same mocks the offline plan uses, so
 * a child that forgets its parent or an invoke the mocks do not answer fails here.
 */
export interface BuiltResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly custom: boolean;
  readonly inputs: Record<string, any>;
}

export interface Built<T> {
  readonly component: T;
  /** Everything registered, in order (the stack itself is left out). */
  readonly resources: readonly BuiltResource[];
  /** URNs of the components that called registerOutputs. */
  readonly withOutputs: ReadonlySet<string>;
  /** Resources of one type. */
  ofType(type: string): BuiltResource[];
  /** The one resource of a type (and, if given, whose name includes `nameIncludes`); throws naming both otherwise. */
  one(type: string, nameIncludes?: string): BuiltResource;
}

export const COMPONENT_CONTEXT: MockContext = {
  project: "tricloud",
  stack: "unit",
  awsRegion: "us-west-2",
  azureLocation: "eastus",
  gcpProject: "tricloud-unit",
  gcpRegion: "us-central1",
};

// Pulumi's runtime state is process-global: builds run one at a time.
let queue: Promise<unknown> = Promise.resolve();

export function buildComponent<T extends pulumi.ComponentResource>(
  make: () => T,
  config: Record<string, string> = {},
): Promise<Built<T>> {
  const run = queue.then(() => buildOnce(make, config));
  queue = run.catch(() => undefined);
  return run;
}

async function buildOnce<T extends pulumi.ComponentResource>(
  make: () => T,
  config: Record<string, string>,
): Promise<Built<T>> {
  const ctx = COMPONENT_CONTEXT;
  const inputs = new Map<string, Record<string, any>>();
  const failures: Error[] = [];
  await pulumi.runtime.setMocks(
    offlineMocks(ctx, failures, (type, name, resourceInputs) => inputs.set(`${type}::${name}`, resourceInputs)),
    ctx.project,
    ctx.stack,
    true,
  );
  pulumi.runtime.setAllConfig({
    "aws:region": ctx.awsRegion,
    "azure-native:location": ctx.azureLocation,
    "gcp:project": ctx.gcpProject,
    "gcp:region": ctx.gcpRegion,
    ...config,
  });
  const capture = new Capture();
  capture.install();
  let component: T | undefined;
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      component = make();
      return {};
    });
  } finally {
    await pulumi.runtime.disconnect();
  }
  if (failures.length > 0) throw failures[0];
  const resources: BuiltResource[] = capture.registrations
    .filter((r) => r.type !== "pulumi:pulumi:Stack")
    .map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent,
      custom: r.custom,
      inputs: inputs.get(`${r.type}::${r.name}`) ?? {},
    }));
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  return {
    component: component!,
    resources,
    withOutputs: capture.withOutputs,
    ofType,
    one(type, nameIncludes = "") {
      const found = ofType(type).filter((r) => r.name.includes(nameIncludes));
      if (found.length !== 1)
        throw new Error(
          `expected exactly one ${type}${nameIncludes ? ` named *${nameIncludes}*` : ""}, found ${found.length}`,
        );
      return found[0]!;
    },
  };
}

/**
 * What every component owes (STYLE.md): a `tricloud:` type token, at least one
 * cloud resource under it, registerOutputs called, and no cloud resource left
 * outside a component (a child created without `{ parent: this }`).
 */
export function expectWellFormed(built: Built<pulumi.ComponentResource>, type: string): void {
  const root = built.one(type);
  const byUrn = new Map(built.resources.map((r) => [r.urn, r]));
  const under = (r: BuiltResource): boolean => {
    for (let p = r.parent; p !== null; p = byUrn.get(p)?.parent ?? null) if (p === root.urn) return true;
    return false;
  };
  const orphans = built.resources
    .filter((r) => r.custom && (r.parent === null || !byUrn.has(r.parent)))
    .map((r) => `${r.type} ${r.name}`);
  if (orphans.length > 0)
    throw new Error(`${type}: cloud resources registered outside any component: ${orphans.join(", ")}`);
  if (!built.resources.some((r) => r.custom && under(r)))
    throw new Error(`${type}: no cloud resource registered under it`);
  if (!built.withOutputs.has(root.urn)) throw new Error(`${type}: registerOutputs was not called`);
}
