// For `tricloud plan` only (bin/tricloud.cjs installs it): modules of @pulumi/pulumi that the SDK
// requires eagerly but a plan under mocks never calls. Each is handed to the module requiring it as a
// stand-in that loads the real module the first time anything touches it (a property read, a key
// listing, `in`, a write), so a use we did not foresee still works, only without the saving.
"use strict";
const Module = require("node:module");
const path = require("node:path");

/**
 * Path under @pulumi/pulumi -> the request string the SDK uses for it, and the functions it
 * exports that the SDK copies out of it as soon as it is required (runtime/index.js does
 * `exports.serializeFunction = serializeClosure_1.serializeFunction`): those are handed out as
 * functions that load the module when called. Every one is compiled TypeScript
 * (`exports.__esModule = true`), which lets the stand-in answer `__esModule` without loading:
 * the SDK's __importStar then keeps the stand-in as it is instead of copying its keys.
 */
const LAZY = {
  // The Automation API (index.js: `import * as automation`): @npmcli/arborist, pacote, sigstore, js-yaml, ...
  "automation/index.js": { request: "./automation", functions: [] },
  // Function serialisation for dynamic providers and callbacks, with TypeScript itself.
  "runtime/closure/serializeClosure.js": {
    request: "./closure/serializeClosure",
    functions: ["serializeFunctionAsync", "serializeFunction"],
  },
  // The code paths a serialised function ships: @npmcli/arborist again.
  "runtime/closure/codePaths.js": { request: "./closure/codePaths", functions: ["computeCodePaths"] },
  // Writing a provider in TypeScript (index.js: `import * as provider`), a gRPC server.
  "provider/index.js": { request: "./provider", functions: [] },
};

/** The files install() made lazy, and whether each was loaded for real since. */
const lazyFiles = new Map();

function standIn(load, functions) {
  let real;
  const target = () => (real ??= load());
  const deferred = new Map(
    functions.map((name) => [
      name,
      function deferredCall(...args) {
        return Reflect.apply(target()[name], this, args);
      },
    ]),
  );
  return new Proxy(Object.create(null), {
    get: (_, key) =>
      real === undefined && key === "__esModule"
        ? true
        : real === undefined && deferred.has(key)
          ? deferred.get(key)
          : Reflect.get(target(), key),
    set: (_, key, value) => Reflect.set(target(), key, value),
    has: (_, key) => Reflect.has(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    // Reported configurable: a proxy may not report a non-configurable property its own (empty) target lacks.
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(target(), key);
      return d && { ...d, configurable: true };
    },
    defineProperty: (_, key, d) => Reflect.defineProperty(target(), key, d),
    deleteProperty: (_, key) => Reflect.deleteProperty(target(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(target()),
  });
}

function install() {
  let root;
  try {
    root = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [path.join(__dirname, "..")] }));
  } catch {
    return; // no SDK installed: nothing to defer
  }
  const specs = new Map(Object.entries(LAZY).map(([file, spec]) => [path.join(root, file), spec]));
  const requests = new Set(Object.values(LAZY).map((spec) => spec.request));
  for (const filename of specs.keys()) lazyFiles.set(filename, false);
  const standIns = new Map();
  const load = Module._load;
  Module._load = function lazyLoad(request, parent, isMain) {
    // Most requests are ruled out by their text, before any resolution.
    if (!requests.has(request) || !parent?.filename?.startsWith(root + path.sep)) return load.apply(this, arguments);
    const filename = Module._resolveFilename(request, parent, isMain);
    if (!specs.has(filename) || Module._cache[filename]) return load.apply(this, arguments);
    if (!standIns.has(filename)) {
      const real = () => {
        lazyFiles.set(filename, true);
        return load.call(Module, filename, parent, false);
      };
      standIns.set(filename, standIn(real, specs.get(filename).functions));
    }
    return standIns.get(filename);
  };
}

module.exports = { install, LAZY, lazyFiles };
