// Lets Node require the project's TypeScript with no build step, with source maps so stack
// traces name the .ts file and line. Used by bin/tricloud.cjs (and `node -r` for scripts).
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");
const { SourceMap } = require("node:module");

// Inline source maps, read back by the stack-trace hook below.
const TRANSFORM = { loader: "ts", format: "cjs", target: "node20", sourcemap: "inline" };
// Compiled files are kept by content hash, so a second run skips esbuild altogether.
// TRICLOUD_CACHE_DIR moves every cache of the bin (the benchmark points it at an empty folder for a cold run).
const CACHE_ROOT = process.env.TRICLOUD_CACHE_DIR || path.join(__dirname, "..", "node_modules", ".cache");
const CACHE_DIR = path.join(CACHE_ROOT, "tricloud-ts");
const CACHE_SALT = `${esbuild.version}\0${JSON.stringify(TRANSFORM)}\0`;

function compile(source, filename) {
  const key = crypto.createHash("sha256").update(CACHE_SALT).update(filename).update("\0").update(source).digest("hex");
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    const { code } = esbuild.transformSync(source, { ...TRANSFORM, sourcefile: filename });
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      fs.writeFileSync(`${cached}.${process.pid}`, code);
      fs.renameSync(`${cached}.${process.pid}`, cached); // atomic for concurrent runs
    } catch {
      // a read-only checkout runs without the cache
    }
    return code;
  }
}

// The inline map of every .ts module loaded, parsed only when a stack trace needs it.
const MAP_PREFIX = "//# sourceMappingURL=data:application/json;base64,";
const rawMaps = new Map();
const parsedMaps = new Map();

function mapOf(file) {
  if (!parsedMaps.has(file)) {
    const raw = rawMaps.get(file);
    parsedMaps.set(file, raw ? new SourceMap(JSON.parse(Buffer.from(raw, "base64").toString("utf8"))) : null);
  }
  return parsedMaps.get(file);
}

function frameText(frame) {
  const file = frame.getFileName();
  const map = file && file.endsWith(".ts") ? mapOf(file) : null;
  const entry = map && map.findEntry(frame.getLineNumber() - 1, frame.getColumnNumber() - 1);
  if (!entry || entry.originalLine === undefined) return `    at ${frame}`;
  const where = `${file}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  const fn = frame.getFunctionName() || frame.getMethodName();
  const prefix = frame.isAsync() ? "async " : frame.isConstructor() ? "new " : "";
  const receiver =
    frame.getTypeName() && !frame.isToplevel() && !frame.isConstructor() && frame.getMethodName()
      ? `${frame.getTypeName()}.`
      : "";
  return fn ? `    at ${prefix}${receiver}${fn} (${where})` : `    at ${prefix}${where}`;
}

// Hand-written rather than node's --enable-source-maps: that one also reads and parses the
// .js.map of every file under node_modules (thousands for the provider SDKs), for every run.
Error.prepareStackTrace = (error, frames) => {
  let head;
  try {
    head = String(error);
  } catch {
    head = "Error";
  }
  return frames.length ? `${head}\n${frames.map(frameText).join("\n")}` : head;
};

// Hand-written rather than tsx: this hook compiles only .ts files and leaves
// node_modules alone, which took `tricloud plan` from 1.85 s to 1.3 s.
require.extensions[".ts"] = function compileTypeScript(module, filename) {
  const code = compile(fs.readFileSync(filename, "utf8"), filename);
  const at = code.lastIndexOf(MAP_PREFIX);
  if (at >= 0) rawMaps.set(filename, code.slice(at + MAP_PREFIX.length).trim());
  module._compile(code, filename);
};
