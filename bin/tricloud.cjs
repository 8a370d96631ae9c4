#!/usr/bin/env node
// Entry for `npx tricloud`: compiles the project's TypeScript on load (register.cjs), so there is no build step.
"use strict";
const path = require("node:path");

// V8's compiled code of every module (the provider SDKs' and ours), kept between runs: Node 20
// has no module.enableCompileCache, and this cut `tricloud plan --stack prod` by about 9 % of
// its CPU time. For plan only: the hook compiles with vm.Script, which cannot import() (PGlite,
// used by `node` and `local`, does). DISABLE_V8_COMPILE_CACHE=1 turns it off.
if (process.argv[2] === "plan") {
  require("v8-compile-cache-lib").install({
    cacheDir: path.join(
      process.env.TRICLOUD_CACHE_DIR || path.join(__dirname, "..", "node_modules", ".cache"),
      "tricloud-v8",
    ),
  });
  // Parts of the Pulumi SDK a plan never calls (the Automation API, function serialisation) load
  // only if something touches them (bin/lazy-modules.cjs).
  require("./lazy-modules.cjs").install();
}
require("./register.cjs");

// A failure inside the program under mocks rejects more than one promise (every output that
// depends on it): main's catch below reports the first; the others must not crash the process
// with Node's exit code 1, which the plan reserves for policy and preflight findings.
let internalFailure = false;
if (["plan", "cost"].includes(process.argv[2])) {
  process.on("unhandledRejection", (err) => {
    if (!internalFailure) process.stderr.write(`tricloud: ${err && err.stack ? err.stack : err}\n`);
    internalFailure = true;
    process.exitCode = 3;
  });
}

require(path.join(__dirname, "..", "cli", "main.ts"))
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = internalFailure ? 3 : code;
  })
  .catch((err) => {
    // An internal failure (not the user's input): exit 3, apart from 1 (policy) and 2 (usage/config).
    if (!internalFailure) process.stderr.write(`tricloud: ${err && err.stack ? err.stack : err}\n`);
    internalFailure = true;
    process.exitCode = 3;
  });
