import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { lazyOutputsForMocks, noVersionAliasesForMocks } from "../../cli/plan/capture";

/** What an Output holds, as the SDK keeps it: value (unknowns included), known and secret marks, resources. */
async function settled(o: pulumi.Output<unknown>) {
  const impl = o as unknown as {
    promise(withUnknowns?: boolean): Promise<unknown>;
    isKnown: Promise<boolean>;
    isSecret: Promise<boolean>;
    allResources(): Promise<Set<pulumi.Resource>>;
  };
  return {
    value: await impl.promise(true),
    known: await impl.isKnown,
    secret: await impl.isSecret,
    resources: [...(await impl.allResources())].map((r) => r.constructor.name),
  };
}

class ThingResource extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs) {
    super("test:index:Thing", name, props);
  }
}
type Thing = ThingResource & Record<string, pulumi.Output<unknown>>;

/** One resource under Pulumi's mocks with the lazy outputs installed; `read` runs while it registers. */
async function underMocks(
  read: (thing: Thing) => Promise<unknown> | unknown,
  state: Record<string, unknown> = { out: "from the engine", secretOut: pulumi.secret("hidden") },
  lazy = true,
) {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, ...state } }),
      call: () => ({}),
    },
    "project",
    "stack",
    true,
  );
  const restore = lazy ? lazyOutputsForMocks() : () => undefined;
  let result: unknown;
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      const thing = new ThingResource("thing", {
        given: "an input",
        out: undefined,
        secretOut: undefined,
        unread: undefined,
      }) as Thing;
      result = await read(thing);
      return {};
    });
  } finally {
    restore();
    await pulumi.runtime.disconnect();
  }
  return result;
}

describe("lazyOutputsForMocks: a resource's properties become Outputs when first read", () => {
  const props = ["given", "out", "secretOut", "unread"];
  const readAll = async (thing: Thing) =>
    Object.fromEntries(await Promise.all(props.map(async (k) => [k, await settled(thing[k]!)])));
  const afterRegistration = async (thing: Thing) => {
    await new Promise((resolve) => thing.urn.apply(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    return readAll(thing);
  };

  it("read before the registration answers, every property settles as the SDK's own transfer settles it", async () => {
    const lazy = await underMocks(readAll);
    expect(lazy).toEqual(await underMocks(readAll, undefined, false));
    expect(lazy).toMatchObject({
      out: { value: "from the engine", known: true, secret: false, resources: ["ThingResource"] },
      secretOut: { value: "hidden", known: true, secret: true },
      given: { value: "an input", known: true },
      // In a preview, what the engine gave nothing for is unknown.
      unread: { known: false },
    });
  });

  it("read after it answered, the same; a property never read makes no Output", async () => {
    expect(await underMocks(afterRegistration)).toEqual(await underMocks(afterRegistration, undefined, false));
    const never = await underMocks(async (thing) => {
      await new Promise((resolve) => thing.urn.apply(resolve));
      return { getter: typeof Object.getOwnPropertyDescriptor(thing, "unread")?.get, keys: Object.keys(thing) };
    });
    expect(never).toMatchObject({ getter: "function", keys: expect.arrayContaining(props) });
  });

  it("puts the SDK's own transfer back", async () => {
    await underMocks(() => undefined);
    const rpc = require("@pulumi/pulumi/runtime/rpc") as { transferProperties: { name: string } };
    expect(rpc.transferProperties.name).toBe("transferProperties");
  });
});

describe("noVersionAliasesForMocks: a provider's API-version aliases are left out of a plan's run", () => {
  const versions = {
    aliases: [{ type: "azure-native:network/v20230501:Subnet" }, { type: "azure-native:network/v20240101:Subnet" }],
  };

  it("drops a merge of type-only aliases, keeps aliases the program gives and every other option", () => {
    const restore = noVersionAliasesForMocks();
    try {
      const merged = pulumi.mergeOptions({ protect: true }, versions) as pulumi.CustomResourceOptions;
      expect(merged.aliases).toBeUndefined();
      expect(merged.protect).toBe(true);
      const own = pulumi.mergeOptions({}, { aliases: [{ name: "old-name" }] }) as pulumi.CustomResourceOptions;
      expect(own.aliases).toEqual([{ name: "old-name" }]);
      const mixed = pulumi.mergeOptions({}, { aliases: [{ type: "a:b:C" }], ignoreChanges: ["tags"] });
      expect(mixed).toMatchObject({ aliases: [{ type: "a:b:C" }], ignoreChanges: ["tags"] });
    } finally {
      restore();
    }
    expect((pulumi.mergeOptions({}, versions) as pulumi.CustomResourceOptions).aliases).toHaveLength(2);
  });
});
