import { ESLint } from "eslint";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

// Lints small fixtures as if they stood in the tree (lintText with a path), with the
// repository's own eslint.config.mjs: the import rule must refuse each wrong-way import.
const ROOT = join(__dirname, "..", "..");

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({
    cwd: ROOT,
    // The fixtures need no type information: building the runtime's type program for them would cost
    // seconds and test nothing about imports (the whole tree is linted with it by `npm run lint`).
    overrideConfig: {
      files: ["functions/**/*.ts", "chaos/**/*.ts"],
      languageOptions: { parserOptions: { project: false } },
      rules: {
        "@typescript-eslint/no-floating-promises": "off",
        "@typescript-eslint/no-misused-promises": "off",
        "@typescript-eslint/await-thenable": "off",
      },
    },
  });
});

async function importErrors(file: string, specifier: string): Promise<string[]> {
  const code = `import * as m from "${specifier}";\nexport const used = m;\n`;
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "import-x/no-restricted-paths").map((m) => m.message);
}

describe("imports run one way (import-x/no-restricted-paths)", () => {
  it.each([
    ["pricing/wrong-way.ts", "../cli/plan/report", "pricing/ may import only vocabulary/"],
    ["pricing/wrong-way.ts", "../stacks/config/load", "pricing/ may import only vocabulary/"],
    ["policies/cost/wrong-way.ts", "../../stacks/config/load", "policies/ may import only"],
    ["policies/cost/wrong-way.ts", "../../components/shared/tags", "policies/ may import only"],
    ["policies/stack-config-wrong.ts", "../cli/plan/report", "policies/ may import only"],
    ["vocabulary/wrong-way.ts", "../pricing/catalog", "vocabulary/ imports nothing of the project"],
    ["vocabulary/wrong-way.ts", "@tricloud/pricing/catalog", "vocabulary/ imports nothing of the project"],
    ["components/aws/wrong-way.ts", "../../cli/plan/report", "nothing imports cli/"],
    ["components/aws/wrong-way.ts", "../../stacks/config/load", "components/ build resources"],
    ["stacks/wrong-way.ts", "../policies/shared/kit", "stacks/ (the program) imports neither"],
    ["functions/core/wrong-way.ts", "../../components/shared/tags", "functions/ (the runtime"],
  ])("%s importing %s fails", async (file, specifier, reason) => {
    const errors = await importErrors(file, specifier);
    // One message per zone it breaks (pricing/ importing cli/ breaks two).
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((e) => e.includes(reason))).toBe(true);
  });

  it.each([
    ["pricing/right-way.ts", "@tricloud/vocabulary/clouds"],
    ["policies/cost/right-way.ts", "@tricloud/pricing/catalog"],
    ["policies/portability/right-way.ts", "@tricloud/policy-kit/kit"],
    ["components/aws/right-way.ts", "../../functions/adapters/env"],
    ["cli/plan/right-way.ts", "../../stacks/config/load"],
    ["stacks/right-way.ts", "../components/shared/tags"],
  ])("%s importing %s passes", async (file, specifier) => {
    expect(await importErrors(file, specifier)).toEqual([]);
  });
});
