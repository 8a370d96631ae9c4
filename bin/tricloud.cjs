#!/usr/bin/env node
// Entry for `npx tricloud`: compiles the project's TypeScript on load (register.cjs), so there is no build step.
"use strict";
const path = require("node:path");

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
