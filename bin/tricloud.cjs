#!/usr/bin/env node
// Entry for `npx tricloud`: compiles the project's TypeScript on load (register.cjs), so there is no build step.
"use strict";
const path = require("node:path");

// V8's compiled code of every module (the provider SDKs' and ours), kept between runs
// (bin/compile-cache.cjs). For plan only: the hook compiles with vm.Script, which cannot import()
// (PGlite, used by `node` and `local`, does). DISABLE_V8_COMPILE_CACHE=1 turns it off.
if (process.argv[2] === "plan") {
  const root = path.join(__dirname, "..");
  const cacheRoot = process.env.TRICLOUD_CACHE_DIR || path.join(root, "node_modules", ".cache");
  if (!process.env.DISABLE_V8_COMPILE_CACHE) {
    require("./compile-cache.cjs").install(path.join(cacheRoot, "tricloud-v8"));
    // Where the provider SDKs' requires led last time (bin/resolve-cache.cjs).
    require("./resolve-cache.cjs").install(path.join(cacheRoot, "tricloud-v8"), root);
  }
  // zod compiles a validator (new Function) for each object schema on its first parse; a plan
  // parses each schema once or a few times, where that costs more than it saves (about 45 ms).
  require("zod").config({ jitless: true });
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
