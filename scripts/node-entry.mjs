// Writes the default entry as Node loads it (dist/node/): the top-level names a program that
// computes with tensors uses (src/api-loaded-at-import.ts: errors, init, tensors, elementwise
// ops, reductions, matmul) in index.cjs, read at import; the other top-level ops (concat, gather,
// pad, einsum, …) in one file read on the first call of one of them; each namespace (nn, optim,
// data, …) in a file read the first time a program touches one of its members; and the
// embedded data sets in one read when a program first asks for one. Under Node most of a cold
// start is V8 parsing code, and the one-file bundle made every program parse all of the library;
// a program that only uses tensors now parses the part it uses (runtime/RESULTS.md, cold start).
//
// How: esbuild splits the library at those entry points into ES module chunks (each source
// module in exactly one chunk, so one Tensor class and one backend state whichever way a module
// is reached); each chunk is then turned into CommonJS, because only require() loads a file
// synchronously, from inside a property getter or a function. Two small facades, written here,
// hand out the API: index.cjs for require() and index.mjs for import. The kernels are read from
// the .wasm files in dist/ (src/backend/embedded-node.ts) instead of being embedded as base64.
// Bundlers and browsers never see these files: the package's exports map sends them to
// dist/index.js through the "module" condition, which Node does not set.
import { build, transform } from "esbuild";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { namespaces } from "./namespaces.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const outDir = `${root}dist/node`;

// Every file in ASCII: esbuild escapes the strings, but the comments it keeps carry a few "×" and
// "—", and one such character makes Node decode the whole file into a two-byte string, which took
// twice as long to read (index.cjs: 0.28 → 0.13 ms at a cold start, runtime/RESULTS.md). A \u
// escape means the same character in a string, a template, a regular expression or a name.
function writeAscii(file, text) {
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (ascii !== text && /String\.raw/.test(text)) throw new Error(`node-entry: ${basename(file)} has String.raw, where a \\u escape would change the text`);
  writeFileSync(file, ascii);
}

const embeddedFromFiles = {
  name: "embedded-from-files",
  setup(b) {
    b.onResolve({ filter: /\/embedded\.js$/ }, () => ({ path: `${root}src/backend/embedded-node.ts` }));
  },
};

// The four embedded data sets (≈ 270 KB of base64) go to datasets.cjs: every program using a
// namespace would otherwise have V8 scan them.
const datasetsSource = readFileSync(`${root}src/data/datasets.generated.ts`, "utf8");
const datasetNames = [...datasetsSource.matchAll(/^export function (\w+)\(/gm)].map((m) => m[1]);
const datasetsOnFirstUse = {
  name: "datasets-on-first-use",
  setup(b) {
    b.onResolve({ filter: /\/datasets\.generated\.js$/ }, () => ({ path: "datasets", namespace: "datasets-on-first-use" }));
    b.onLoad({ filter: /.*/, namespace: "datasets-on-first-use" }, () => ({
      contents: datasetNames.map((name) => `export function ${name}() { return require("./datasets.cjs").${name}(); }`).join("\n"),
      loader: "js",
    }));
    b.onResolve({ filter: /^\.\/datasets\.cjs$/ }, (a) => ({ path: a.path, external: true }));
  },
};

// Four modules of the tensor core — the elementwise ops, the reductions, the printing of a
// tensor and the linear layer's op, 30% of its code — in files of their own, read on a program's
// first call of one of their functions: every module that imports one of them gets a stand-in
// whose functions load it and call through. Compiling the core at import is most of a cold start
// (runtime/RESULTS.md), and a program that only multiplies matrices never calls these. They
// export functions only (checked here), and nothing in the core calls them while it loads
// (tests/node-entry.test.ts: such a program reads index.cjs alone).
const LAZY_CORE = ["elementwise", "reduce", "format", "linear"].map((name) => {
  const file = `${root}src/ndarray/${name}.ts`, source = readFileSync(file, "utf8");
  // a stand-in can only stand in for a function: no class, variable or constant that is not an arrow function
  if (/^export\s+(?:class|let|var|default|\{|\*)/m.test(source) || /^export const \w+\s*=\s*(?![\s(])/m.test(source)) {
    throw new Error(`node-entry: src/ndarray/${name}.ts exports something other than functions, which a stand-in cannot be`);
  }
  const names = [...source.matchAll(/^export (?:function|const) (\w+)/gm)].map((m) => m[1]);
  return { name, file, entry: `lazy-${name}`, names };
});
const lazyCoreOnFirstUse = {
  name: "lazy-core-on-first-use",
  setup(b) {
    b.onResolve({ filter: new RegExp(`/(${LAZY_CORE.map((m) => m.name).join("|")})\\.js$`) }, (a) => {
      if (a.kind === "entry-point") return undefined;
      const lazy = LAZY_CORE.find((m) => m.file === resolve(a.resolveDir, a.path).replace(/\.js$/, ".ts"));
      return lazy ? { path: lazy.name, namespace: "lazy-core-on-first-use" } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: "lazy-core-on-first-use" }, (a) => {
      const lazy = LAZY_CORE.find((m) => m.name === a.path);
      return {
        contents: `let loaded = null;\nconst load = () => (loaded ??= require("./${lazy.entry}.cjs"));\n` +
          lazy.names.map((name) => `export function ${name}(...args) { return load().${name}(...args); }`).join("\n"),
        loader: "js",
      };
    });
    b.onResolve({ filter: /^\.\/lazy-[\w-]+\.cjs$/ }, (a) => ({ path: a.path, external: true }));
  },
};

// Each namespace in a file of its own (nn.cjs, optim.cjs, …), the code two of them share in
// chunk files: a program pays for the namespaces it uses. V8 compiles about 30 KB of this code a
// millisecond at a cold start, so the one file of all of them (≈ 1 MB) cost any program that
// touched one namespace ≈ 30 ms, where Node's loader costs ≈ 0.3 ms a file (runtime/RESULTS.md).

// nn is a third of the library's code (convolutions, recurrent layers, attention, the 3-d family,
// losses, fit …), so each source module its index re-exports is an entry of its own (nn-linear.cjs,
// …), and nn.cjs only routes a member to its module's file: a program reads the layers it uses.
const BY_MODULE = ["nn"];

/** The members a namespace's index re-exports: the source module and the export each comes from ("*": the module). */
function reexportsOf(ns) {
  const source = readFileSync(`${root}src/${ns}/index.ts`, "utf8").replace(/\/\/.*$/gm, "");
  const out = [];
  for (const [, star, list, module] of source.matchAll(/export\s+(?:\*\s+as\s+(\w+)|\{([^}]*)\})\s+from\s+"\.\/([\w-]+)\.js"/g)) {
    if (star) out.push({ member: star, module, name: "*" });
    for (const spec of list?.split(",").map((x) => x.trim()).filter((x) => x && !x.startsWith("type ")) ?? []) {
      const [name, member = name] = spec.split(/\s+as\s+/);
      out.push({ member, module, name });
    }
  }
  return out;
}
const routed = Object.fromEntries(BY_MODULE.map((ns) => [ns, reexportsOf(ns)]));
const namespaceEntries = Object.fromEntries(namespaces.flatMap((ns) => routed[ns]
  ? [...new Set(routed[ns].map((r) => r.module))].map((m) => [`${ns}-${m}`, `${root}src/${ns}/${m}.ts`])
  : [[ns, `${root}src/${ns}/index.ts`]]));

// Identifiers are kept as written (only syntax is minified): a user's stack trace then reads
// `at Linear.forward` and an error prints as `ShapeError: …`. Measured the same at a cold start
// as the fully minified files (runtime/RESULTS.md). The lines are kept too: Node prints the
// source line an uncaught error was thrown from, which was a whole file on one line (≈ 100 KB of
// code in the terminal); kept, they cost the cold start ≈ 0.1 ms.
const minified = { minifySyntax: true };

const CORE_ENTRY = "src/api-loaded-at-import.ts", OPS_ENTRY = "src/api-core.ts";
const result = await build({
  // "ops" is every top-level name; the facade takes from it only those "core" does not have.
  entryPoints: { core: `${root}${CORE_ENTRY}`, ops: `${root}${OPS_ENTRY}`, ...namespaceEntries,
    ...Object.fromEntries(LAZY_CORE.map((m) => [m.entry, m.file])) },
  absWorkingDir: root, bundle: true, splitting: true, format: "esm", platform: "node", target: "es2022", ...minified,
  outdir: outDir, write: false, metafile: true, plugins: [embeddedFromFiles, datasetsOnFirstUse, lazyCoreOnFirstUse], logLevel: "warning",
});

// A file's exports are fixed once it has run (checked below: the library exports no binding it
// reassigns), so each file hands out plain values: its closing `export{local as name,…}` (esbuild
// writes a chunk's exports as that one statement) becomes `module.exports={name:local,…}`, an
// object literal, which V8 keeps in fast mode. esbuild's own CommonJS form defines every export
// as a getter, twice over (on the chunk's export object, then on a copy for module.exports, which
// V8 holds as a dictionary): at cold start, before V8 optimizes anything, the calls from one file
// into another through them made the first digits training epoch ≈ 8% slower, and defining and
// reading those getters cost about a millisecond at import (runtime/RESULTS.md).
const exportsReassignable = (source) => /^export (let|var) /m.test(source) ||
  [...source.matchAll(/^(?:let|var) (\w+)/gm)].some(([, name]) => new RegExp(`^export \\{[^}]*\\b${name}\\b`, "m").test(source));
const reassignable = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? reassignable(`${dir}/${e.name}`) : exportsReassignable(readFileSync(`${dir}/${e.name}`, "utf8")) ? [`${dir}/${e.name}`] : []);
const mutable = reassignable(`${root}src`);
if (mutable.length) throw new Error(`node-entry: ${mutable.join(", ")} export a reassignable binding; the Node files hand out values`);

function exportsAsValues(code, file, names) {
  if (names.length === 0) return code;
  const closing = /export\s*\{([^}]*)\};\s*$/.exec(code);
  const pairs = closing?.[1].split(",").map((spec) => spec.trim().split(/\s+as\s+/));
  if (!pairs || pairs.some((p) => p.length > 2 || !p.every((id) => /^[\w$]+$/.test(id))) ||
      JSON.stringify(pairs.map(([local, name = local]) => name).sort()) !== JSON.stringify([...names].sort())) {
    throw new Error(`node-entry: ${file} does not end in the one export{local as name,…} statement this script turns into values`);
  }
  return `${code.slice(0, closing.index)}module.exports={__esModule:!0,${pairs.map(([local, name = local]) => `${name}:${local}`).join(",")}};`;
}

// The files a file imports, then itself, each once: the order in which they must run. Values are
// there only once a file has run to its end, so a file must never be required while it is still
// running: the files' static imports must not form a cycle.
const staticImports = new Map(Object.entries(result.metafile.outputs).map(([out, o]) =>
  [out, o.imports.filter((i) => i.kind === "import-statement" && !i.external).map((i) => i.path)]));
function importOrder(out, done = new Set(), running = new Set()) {
  if (done.has(out)) return [];
  if (running.has(out)) throw new Error(`node-entry: the files import each other in a cycle through ${out}; their exports would be read before they exist`);
  running.add(out);
  const order = (staticImports.get(out) ?? []).flatMap((next) => importOrder(next, done, running));
  running.delete(out);
  done.add(out);
  return [...order, out];
}
for (const out of staticImports.keys()) importOrder(out);

// An entry point's output in the metafile: its path there and what esbuild says of it.
const outputOf = (entry) => Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === entry);
const key = JSON.stringify;

// Each output as CommonJS, by its path in the metafile.
const cjsOf = new Map();
for (const file of result.outputFiles) {
  // Chunk file names: "chunk-ABC.js" becomes "chunk-ABC.cjs" in every reference.
  let code = file.text.replace(/(["'])\.\/([\w-]+)\.js\1/g, (_, q, name) => `${q}./${name}.cjs${q}`);
  // A chunk loaded by import() (the thread pool's starter, the bfloat16 scope) must be the same
  // module instance require() gives, and its named exports must be there: load it by require().
  code = code.replace(/\bimport\((["'])(\.\/[\w-]+\.cjs)\1\)/g, (_, q, path) => `Promise.resolve().then(() => require(${q}${path}${q}))`);
  if (/\bimport\.meta\b/.test(code)) throw new Error(`node-entry: ${basename(file.path)} uses import.meta, which has no meaning in CommonJS`);
  const out = relative(root, file.path);
  cjsOf.set(out, (await transform(exportsAsValues(code, basename(file.path), result.metafile.outputs[out].exports), { format: "cjs", target: "es2022", ...minified })).code);
}

// What every program loads at import — the core entry and the chunks it imports — goes into
// index.cjs itself: Node's loader costs 0.3–1 ms a file (the most in a program that is an ES
// module, runtime/RESULTS.md). Such a chunk's own file then only hands its part of index.cjs to
// the files loaded later (they import some of the same chunks), so that there is one instance of
// each module whichever file reaches it, also under module systems that do not share Node's
// require cache.
const [coreOut, coreOutput] = outputOf(CORE_ENTRY);
const atImport = importOrder(coreOut); // every file after the ones it imports; the core entry last
const chunkName = (out) => basename(out, ".js");
const inIndex = new Set(atImport.map(chunkName));
const CHUNKS = `Symbol.for("edgegrad.chunks")`;
const fromIndex = (code) => code.replace(/require\((["'])\.\/([\w-]+)\.cjs\1\)/g, (call, _, name) => inIndex.has(name) ? `chunks[${key(name)}]` : call);

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
for (const [out, code] of cjsOf) {
  if (out === coreOut) continue;
  const file = `${outDir}/${chunkName(out)}.cjs`;
  if (inIndex.has(chunkName(out))) {
    writeAscii(file, `"use strict";\n// This chunk's code is in index.cjs, which every program loads first.\nmodule.exports=require("./index.cjs")[${CHUNKS}][${key(chunkName(out))}];\n`);
  } else {
    writeAscii(file, `"use strict";\n${code}`);
  }
}
const inlined = atImport.map((out) => `chunks[${key(chunkName(out))}] = (() => {
  const module = { exports: {} };
${fromIndex(cjsOf.get(out))}
  return module.exports;
})();`).join("\n");
const datasets = await transform(datasetsSource, { loader: "ts", format: "cjs", target: "es2022", ...minified });
writeAscii(`${outDir}/datasets.cjs`, `"use strict";\n${datasets.code}\n`);

// A routed namespace's own file: a getter per member that reads the member's module on first use.
for (const [ns, members] of Object.entries(routed)) {
  const exported = Object.keys((await import(pathToFileURL(`${root}dist/index.js`).href))[ns]).sort();
  const listed = [...new Set(members.map((r) => r.member))].sort();
  if (key(listed) !== key(exported)) throw new Error(`node-entry: src/${ns}/index.ts re-exports [${listed}], but the namespace has [${exported}]`);
  writeAscii(`${outDir}/${ns}.cjs`, `"use strict";
// eg.${ns} under Node, written by scripts/node-entry.mjs: each member read from its source module's file on first use.
const files = {}, modules = {};
const load = (file) => (files[file] ??= require(\`./\${file}.cjs\`));
// a module re-exported whole: its exports as the namespace object they are in the one-file bundle
const whole = (file) => (modules[file] ??= Object.freeze(Object.fromEntries(Object.entries(load(file)).filter(([k]) => k !== "__esModule"))));
module.exports = Object.defineProperties({}, {
${members.map((r) => `  ${key(r.member)}: { enumerable: true, get: () => ${r.name === "*" ? `whole(${key(`${ns}-${r.module}`)})` : `load(${key(`${ns}-${r.module}`)})[${key(r.name)}]`} },`).join("\n")}
});
`);
}

// The names: the top-level ones from esbuild's metafile, each namespace's members from the
// one-file build (dist/index.js, built before this script), whose API this one must equal.
const coreNames = [...coreOutput.exports].sort();
const opsNames = outputOf(OPS_ENTRY)[1].exports.filter((name) => !coreNames.includes(name)).sort();
const oneFile = await import(pathToFileURL(`${root}dist/index.js`).href);
// A name read on first call stands in as a function that loads its file and calls it; anything
// else (a class, a constant) must be there at import.
const notFunctions = opsNames.filter((name) => typeof oneFile[name] !== "function");
if (notFunctions.length) {
  throw new Error(`node-entry: ${notFunctions.join(", ")} must be exported from ${CORE_ENTRY} (not functions, so not loadable on first call)`);
}

// The top-level object is a literal, so that V8 keeps it in fast mode for code that reads
// eg.matmul and the like through require(). A namespace is a Proxy over its member names until a
// program first reads a member: one object at import, where a getter per member (≈ 480 of them)
// cost 0.6 ms (runtime/RESULTS.md). It behaves as the frozen object of getters it replaces:
// members listed without reading a file, nothing can be added, changed or deleted.
const cjsFacade = `"use strict";
// The default entry of edgegrad for require() under Node, written by scripts/node-entry.mjs: the
// tensor core's code, here; the other top-level ops' file on the first call of one of them, the
// namespace's file on first use of one of its members.
const chunks = {};
${inlined}
const core = chunks[${key(chunkName(coreOut))}];
let ops = null;
// (a method with a computed key: the stand-in carries the op's name, for stack traces and the REPL)
const onFirstCall = (name) => ({ [name](...args) { return (ops ??= require("./ops.cjs"))[name](...args); } })[name];
const refuse = () => false;
function lazyNamespace(name, members) {
  const names = new Set(members);
  let loaded = null;
  const read = () => (loaded ??= require(\`./\${name}.cjs\`));
  // util.inspect looks at the target, not through the traps: it prints the namespace itself
  const target = { [Symbol.for("nodejs.util.inspect.custom")]: () => read() };
  return new Proxy(target, {
    get: (_, member) => names.has(member) ? read()[member] : target[member],
    has: (_, member) => names.has(member) || member in target,
    ownKeys: () => members,
    getOwnPropertyDescriptor: (_, member) => names.has(member)
      ? { get: () => read()[member], set: undefined, enumerable: true, configurable: true }
      : Reflect.getOwnPropertyDescriptor(target, member),
    set: refuse, defineProperty: refuse, deleteProperty: refuse, setPrototypeOf: refuse, preventExtensions: refuse,
  });
}
const api = {
${coreNames.map((name) => `  ${key(name)}: core[${key(name)}],`).join("\n")}
${opsNames.map((name) => `  ${key(name)}: onFirstCall(${key(name)}),`).join("\n")}
${namespaces.map((ns) => `  ${ns}: lazyNamespace(${key(ns)}, ${key(Object.keys(oneFile[ns]).sort())}),`).join("\n")}
};
// The chunks above, for the files loaded later (see the chunk-*.cjs files that hold no code).
Object.defineProperty(api, ${CHUNKS}, { value: Object.freeze(chunks) });
module.exports = Object.freeze(api);
`;

const allNames = [...coreNames, ...opsNames, ...namespaces];
const esmFacade = `// The default entry of edgegrad for import under Node, written by scripts/node-entry.mjs: the
// API of index.cjs (the tensor core now, the rest on first use) as named exports.
// process.getBuiltinModule (Node >= 20.16) spares building the ES module facade of node:module.
const builtin = (id) => globalThis.process.getBuiltinModule?.(id);
const Module = builtin("node:module") ?? (await import("node:module")).default;
const api = loadIndex();

/**
 * index.cjs as require() would give it. Under Node it is compiled here instead: the CommonJS
 * loader's first use cost a cold start about 0.9 ms more (runtime/RESULTS.md). Its module record
 * goes into require's cache first, so a require("edgegrad") anywhere in the program gets this
 * same instance, and the files index.cjs reads on first use go through require() as usual.
 * Elsewhere (Bun, Deno, a Node without getBuiltinModule) require() loads it.
 */
function loadIndex() {
  const { versions } = globalThis.process;
  const compileFunction = builtin("node:vm")?.compileFunction, url = builtin("node:url"), fs = builtin("node:fs"), path = builtin("node:path");
  if (versions.bun || versions.deno || !compileFunction || !url || !fs || !path || typeof Module._cache !== "object") {
    return Module.createRequire(import.meta.url)("./index.cjs");
  }
  const file = url.fileURLToPath(new URL("./index.cjs", import.meta.url));
  const cached = Module._cache[file];
  if (cached) return cached.exports;
  const mod = new Module(file, null);
  mod.filename = file;
  Module._cache[file] = mod;
  const require = (id) => (id.startsWith("node:") && builtin(id)) || mod.require(id);
  try {
    compileFunction(fs.readFileSync(file, "utf8"), ["exports", "require", "module", "__filename", "__dirname"], { filename: file })
      .call(mod.exports, mod.exports, require, mod, file, path.dirname(file));
  } catch (e) {
    delete Module._cache[file];
    throw e;
  }
  mod.loaded = true;
  return mod.exports;
}
${allNames.map((name, i) => `const e${i} = api[${key(name)}];`).join("\n")}
export { ${allNames.map((name, i) => `e${i} as ${name}`).join(", ")} };
`;
writeAscii(`${outDir}/index.cjs`, cjsFacade);
writeAscii(`${outDir}/index.mjs`, esmFacade);

