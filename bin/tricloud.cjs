#!/usr/bin/env node
// Entry for `npx tricloud`: runs the TypeScript CLI through tsx so there is no build step.
"use strict";
const path = require("node:path");
require("tsx/cjs/api").register();
require(path.join(__dirname, "..", "cli", "main.ts"))
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    process.stderr.write(`tricloud: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 2;
  });
