import type { Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { evaluatePack, PolicyConfigError } from "../../cli/plan/evaluate";
import { res } from "../helpers/policies";

const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // the engine's unknown-string sentinel

const seen: unknown[] = [];
const probe: ResourceValidationPolicy = {
  name: "probe",
  description: "records what the engine hands a policy",
  enforcementLevel: "mandatory",
  configSchema: { properties: { limit: { type: "number", default: 3 }, name: { type: "string" } } },
  validateResource: (args, report) => {
    if (args.type !== "t:a:A") return args.notApplicable("only t:a:A");
    seen.push({
      config: args.getConfig(),
      tags: [...args.stackTags.entries()],
      protect: args.opts.protect,
      provider: args.provider?.type,
    });
    if (args.props.value > (args.getConfig() as { limit: number }).limit) report(`value ${args.props.value} too big`);
  },
};
const stackProbe: StackValidationPolicy = {
  name: "stack-probe",
  description: "sees outputs",
  validateStack: (args, report) => {
    for (const r of args.resources)
      if (r.props.id) report(`output id ${r.props.id}${r.parent ? ` under ${r.parent.name}` : ""}`);
  },
};
const run = (policies: Policy[], resources = [res("t:a:A", { value: 5 }), res("t:b:B", { value: 9 })], config = {}) =>
  evaluatePack({ name: "p", policies: policies as never }, resources, {
    stackTags: new Map([["pulumi:project", "tricloud"]]),
    config,
  });

describe("offline evaluator (the engine's semantics)", () => {
  it("merges configSchema defaults into getConfig, passes stackTags, opts and provider, records notApplicable", async () => {
    seen.length = 0;
    const r = await run(
      [probe],
      [
        res(
          "t:a:A",
          { value: 5 },
          { protect: true, provider: { type: "pulumi:providers:t", name: "default", urn: "u", props: {} } },
        ),
        res("t:b:B", {}),
      ],
      { probe: { name: "x" } },
    );
    expect(seen).toEqual([
      {
        config: { limit: 3, name: "x" },
        tags: [["pulumi:project", "tricloud"]],
        protect: true,
        provider: "pulumi:providers:t",
      },
    ]);
    expect(r.violations).toEqual([
      {
        pack: "p",
        policy: "probe",
        enforcementLevel: "mandatory",
        urn: expect.stringContaining("t:a:A"),
        message: "value 5 too big",
      },
    ]);
    expect(r.notApplicable).toEqual([
      { pack: "p", policy: "probe", urn: expect.stringContaining("t:b:B"), reason: "only t:a:A" },
    ]);
  });
  it("takes the enforcement level from config over the policy's; skips disabled; reports remediate as mandatory", async () => {
    expect((await run([probe], undefined, { probe: "advisory" })).violations[0]!.enforcementLevel).toBe("advisory");
    expect((await run([probe], undefined, { probe: "disabled" })).violations).toEqual([]);
    expect(
      (await run([probe], undefined, { probe: { enforcementLevel: "remediate", limit: 1 } })).violations[0]!
        .enforcementLevel,
    ).toBe("mandatory");
  });
  it("defaults a policy without a level to the pack's level, advisory", async () => {
    expect((await run([stackProbe], [res("t:a:A", {}, { outputs: { id: "i-1" } })])).violations[0]).toMatchObject({
      enforcementLevel: "advisory",
      message: "output id i-1",
      urn: null,
    });
  });
  it("gives stack policies outputs and parents", async () => {
    const parent = res("tricloud:x:Comp", {}, { name: "comp" });
    const child = res("t:a:A", { value: 1 }, { parent: parent.urn, outputs: { id: "i-2" } });
    expect((await run([stackProbe], [parent, child])).violations.map((v) => v.message)).toEqual([
      "output id i-2 under comp",
    ]);
  });
  it("turns a read of an unknown value into an advisory 'can't run during preview'", async () => {
    const r = await run([probe], [res("t:a:A", { value: UNKNOWN_STRING })]);
    expect(r.violations).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        message: expect.stringContaining("can't run policy 'probe' from policy pack 'p' during preview"),
      }),
    ]);
  });
  it("rejects config for a policy the pack does not have, or a key or type the schema does not allow", async () => {
    await expect(run([probe], undefined, { nope: {} })).rejects.toThrow(PolicyConfigError);
    await expect(run([probe], undefined, { probe: { colour: "red" } })).rejects.toThrow(/unknown key "colour"/);
    await expect(run([probe], undefined, { probe: { limit: "3" } })).rejects.toThrow(/"limit" expected number/);
  });
});
