// Entry of a bench node's worker thread: tsx's require hook, then the TypeScript (a worker cannot start from a .ts file).
"use strict";
require("tsx/cjs");
require("./quorum-worker.ts");
