// Where each require() inside node_modules led last time, kept between runs. Resolving a request
// costs Node several stats and package.json reads (a prod plan resolves about 1,000 requests of the
// provider SDKs, about 6 % of its CPU profile); Node keeps the answers only in memory
// (Module._pathCache, consulted first by Module._findPath). Hand-written: Node 20 has no
// persistent resolution cache. Only requests made by modules inside node_modules are kept, and
// only while npm's record of the installed tree (node_modules/.package-lock.json, rewritten by
// every install) and the Node version are unchanged; the project's own files resolve as usual.
"use strict";
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

/** The installed tree's fingerprint: npm rewrites its hidden lockfile on every install and uninstall. */
function fingerprint(root) {
  try {
    const s = fs.statSync(path.join(root, "node_modules", ".package-lock.json"));
    return `${process.version}\0${s.size}\0${s.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** Installs the cache for requests resolved from now on; `dir` holds the file, `root` the project. */
function install(dir, root) {
  const stamp = fingerprint(root);
  if (stamp === undefined || typeof Module._pathCache !== "object") return;
  const file = path.join(dir, "resolved.json");
  const modules = path.join(root, "node_modules") + path.sep;
  let known = {};
  try {
    const saved = JSON.parse(fs.readFileSync(file, "utf8"));
    if (saved.stamp === stamp) known = saved.paths;
  } catch {
    // no cache yet, or a damaged one: resolve as usual and write a new one
  }
  Object.assign(Module._pathCache, known);
  process.once("exit", () => {
    const paths = {};
    let added = false;
    for (const [key, filename] of Object.entries(Module._pathCache)) {
      // The key is the request, then the lookup paths; the first is the requiring module's folder
      // (or its node_modules) for every request Node caches.
      const from = key.split("\x00")[1] ?? "";
      if (typeof filename !== "string" || !filename.startsWith(modules) || !from.startsWith(modules)) continue;
      paths[key] = filename;
      if (known[key] !== filename) added = true;
    }
    if (!added) return;
    const tmp = `${file}.${process.pid}`;
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(tmp, JSON.stringify({ stamp, paths }));
      fs.renameSync(tmp, file);
    } catch {
      fs.rmSync(tmp, { force: true }); // a read-only checkout runs without the cache
    }
  });
}

module.exports = { install };
