// V8's compiled code of every CommonJS module a run loads, kept between runs in one file. Node 20
// has no module.enableCompileCache. Hand-written because v8-compile-cache-lib asks V8 for new
// cached data on every compile (produceCachedData), even when V8 took the cached data it was given,
// and so serialised every module again and rewrote its whole 9 MB file at the end of every run.
// Here a module's code is serialised only when it had none or V8 refused it, at the end of the run
// (so the code of every function the run called is in it, not only the module's top level, and a
// later run compiles none of them), and the file is written only when something was added.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const vm = require("node:vm");

/**
 * The cache file: a 4-byte length, the JSON index { filename: [sha1 of the source, start, end] },
 * then the cached data. One file, replaced by rename, so an index never describes another run's
 * data. V8 checks the data against its own version and flags; the index checks the source.
 */
function read(file) {
  try {
    const buf = fs.readFileSync(file);
    const length = buf.readUInt32LE(0);
    return { index: JSON.parse(buf.subarray(4, 4 + length).toString("utf8")), data: buf.subarray(4 + length) };
  } catch {
    return { index: {}, data: Buffer.alloc(0) };
  }
}

function write(file, index, data, fresh) {
  const parts = [];
  const out = {};
  let offset = 0;
  const add = (name, hash, bytes) => {
    out[name] = [hash, offset, offset + bytes.length];
    parts.push(bytes);
    offset += bytes.length;
  };
  for (const [name, [hash, bytes]] of fresh) add(name, hash, bytes);
  for (const [name, [hash, start, end]] of Object.entries(index))
    if (!fresh.has(name)) add(name, hash, data.subarray(start, end));
  const head = Buffer.from(JSON.stringify(out), "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32LE(head.length, 0);
  const tmp = `${file}.${process.pid}`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, Buffer.concat([length, head, ...parts]));
    fs.renameSync(tmp, file);
  } catch {
    // A read-only checkout runs without the cache.
    fs.rmSync(tmp, { force: true });
  }
}

const sha1 = (text) => crypto.createHash("sha1").update(text, "utf8").digest("base64");

/** A source without its `#!` line (the module wrapper would put it mid-function), lines kept. */
const withoutShebang = (content) => (content.startsWith("#!") ? content.replace(/^#![^\r\n]*/, "") : content);

/** Installs the cache for CommonJS modules compiled from now on; `dir` holds one file per Node version. */
function install(dir) {
  const file = path.join(dir, `${process.version}-${process.arch}-run.v8cache`);
  const { index, data } = read(file);
  const fresh = new Map();
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileCached(content, filename) {
    const hash = sha1(content);
    const entry = index[filename];
    const cachedData = entry && entry[0] === hash ? data.subarray(entry[1], entry[2]) : undefined;
    let script;
    try {
      script = new vm.Script(Module.wrap(withoutShebang(content)), { filename, cachedData });
    } catch {
      return compile.call(this, content, filename); // let Node report the syntax error its own way
    }
    const mod = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the module object, as Node's own require closes over it
    const require = (id) => mod.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    require.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    const wrapper = script.runInThisContext({ filename, displayErrors: true });
    const result = wrapper.call(mod.exports, mod.exports, require, mod, filename, path.dirname(filename));
    if (cachedData === undefined || script.cachedDataRejected) fresh.set(filename, [hash, script]);
    return result;
  };
  // At exit, so the code of every function the run called is in it, not only the module's top level.
  process.once("exit", () => {
    if (fresh.size === 0) return;
    for (const [name, [hash, script]] of fresh) fresh.set(name, [hash, script.createCachedData()]);
    write(file, index, data, fresh);
  });
}

module.exports = { install };
