// Lint for the whole tree (`npm run lint`, part of `npm test`).
// Syntax-only typescript-eslint rules everywhere; type-aware rules only on the
// quorum runtime and its tools (functions/, chaos/), where a floating promise is
// a real bug and the type program stays small (no provider SDKs): linting the
// provider-heavy program type-aware would cost as much as a second `tsc`.
import js from "@eslint/js";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

/**
 * Imports run one way. Each zone forbids `target` to import `from` (paths from the
 * repository root; `except` is relative to `from`). Workspace packages
 * (`@tricloud/...`) resolve to their folders, so importing them by name counts too.
 */
const ROOT_EXCEPT_DEPS = ["./node_modules"];
export const IMPORT_ZONES = [
  {
    target: "./vocabulary",
    from: "./",
    except: ["./vocabulary", ...ROOT_EXCEPT_DEPS],
    message: "vocabulary/ imports nothing of the project: every layer depends on it, so it depends on none.",
  },
  {
    target: "./pricing",
    from: "./",
    except: ["./pricing", "./vocabulary", ...ROOT_EXCEPT_DEPS],
    message: "pricing/ may import only vocabulary/ (it is a package the cost pack depends on).",
  },
  {
    target: "./policies",
    from: "./",
    except: ["./policies", "./pricing", "./vocabulary", ...ROOT_EXCEPT_DEPS],
    message: "policies/ may import only policies/, pricing/ and vocabulary/: each pack is published on its own.",
  },
  {
    target: "./functions",
    from: "./",
    except: ["./functions", "./vocabulary", ...ROOT_EXCEPT_DEPS],
    message: "functions/ (the runtime that runs on each cloud) may import only functions/ and vocabulary/.",
  },
  {
    target: "./components",
    from: ["./stacks", "./cli", "./policies", "./pricing", "./bench", "./chaos", "./test"],
    message:
      "components/ build resources from their arguments: they import neither the stacks, the CLI, the packs, pricing, nor the tools.",
  },
  {
    target: "./stacks",
    from: ["./cli", "./policies", "./pricing", "./bench", "./chaos", "./test"],
    message: "stacks/ (the program) imports neither the CLI, the packs, pricing, nor the tools.",
  },
  {
    target: [
      "./components",
      "./stacks",
      "./functions",
      "./pricing",
      "./policies",
      "./vocabulary",
      "./chaos",
      "./index.ts",
    ],
    from: "./cli",
    message: "nothing imports cli/: the CLI depends on the rest, never the reverse.",
  },
];

export default tseslint.config(
  {
    ignores: ["node_modules/", "**/node_modules/", ".tricloud/", "coverage/", "**/*.js", "test/lint/fixtures/"],
  },
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mts", "**/*.cjs", "**/*.mjs"],
    plugins: { "import-x": importX },
    settings: {
      "import-x/resolver-next": [
        createNodeResolver({ extensions: [".ts", ".mts", ".js", ".cjs", ".mjs", ".json", ".node"] }),
      ],
    },
    rules: {
      "import-x/no-restricted-paths": ["error", { zones: IMPORT_ZONES }],
      // Policies read engine props of any shape; the runtime parses untrusted JSON with zod first.
      "@typescript-eslint/no-explicit-any": "off",
      // The tree is CommonJS (module node16, no "type": "module"): require() is used on purpose for lazy
      // subcommand loads, require(esm) of ES-only packages and main-module checks.
      "@typescript-eslint/no-require-imports": "off",
      // A variable a closure reads before its one assignment (a server handler, say) cannot be const.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
    },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  {
    files: ["functions/**/*.ts", "chaos/**/*.ts"],
    // One small type program (tsconfig.runtime.json: functions, chaos, vocabulary), not the whole tree.
    languageOptions: { parserOptions: { project: ["./tsconfig.runtime.json"], tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": [
        "error",
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      "@typescript-eslint/await-thenable": "error",
    },
  },
);
