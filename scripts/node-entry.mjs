// Writes the default entry as Node loads it (dist/node/): the top-level API (src/api-core.ts:
// errors, init, tensors and their ops) in files read at import, the namespaces (nn, optim, data,
// …) in one file read the first time a program touches a member of any of them, and the embedded
// data sets in one read when a program first asks for one. Under Node most of a cold start is V8
// parsing code, and the one-file bundle made every program parse all of the library; a program
// that only uses tensors now parses the core alone (runtime/RESULTS.md, cold start).
//
// How: esbuild splits the library at those entry points into ES module chunks (each source
// module in exactly one chunk, so one Tensor class and one backend state whichever way a module
// is reached); each chunk is then turned into CommonJS, because only require() loads a file
// synchronously, from inside a property getter. Two small facades, written here, hand out the
// API: index.cjs for require() and index.mjs for import. The kernels are read from the .wasm
// files in dist/ (src/backend/embedded-node.ts) instead of being embedded as base64.
// Bundlers and browsers never see these files: the package's exports map sends them to
// dist/index.js through the "module" condition, which Node does not set.
import { build, transform } from "esbuild";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { namespaces } from "./namespaces.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const outDir = `${root}dist/node`;

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

// All seven namespaces in one file: Node's loader costs ≈ 0.3 ms a file, and a split per
// namespace (14 chunks) made a training program, which uses nn, optim and data, slower than the
// one-file bundle; in one group it costs about what the bundle does.
const namespacesEntry = {
  name: "namespaces-entry",
  setup(b) {
    b.onResolve({ filter: /^namespaces$/ }, () => ({ path: "namespaces", namespace: "namespaces-entry" }));
    b.onLoad({ filter: /.*/, namespace: "namespaces-entry" }, () => ({
      contents: namespaces.map((ns) => `export * as ${ns} from "./src/${ns}/index.ts";`).join("\n"), resolveDir: root, loader: "js",
    }));
  },
};

const result = await build({
  entryPoints: { core: `${root}src/api-core.ts`, namespaces: "namespaces" },
  absWorkingDir: root, bundle: true, splitting: true, format: "esm", platform: "node", target: "es2022", minify: true,
  outdir: outDir, write: false, metafile: true, plugins: [embeddedFromFiles, datasetsOnFirstUse, namespacesEntry], logLevel: "warning",
});

// A file's exports are fixed once it has run (checked below: the library exports no binding it
// reassigns), so each file hands out plain values, in an object literal so that V8 keeps it in
// fast mode. esbuild's CommonJS exports are getters twice over (the chunk's export object, then a
// copy for module.exports, which V8 holds as a dictionary), and at cold start, before V8 optimizes
// anything, the calls from one file into another through them made the first digits training
// epoch ≈ 8% slower (runtime/RESULTS.md).
const exportsReassignable = (source) => /^export (let|var) /m.test(source) ||
  [...source.matchAll(/^(?:let|var) (\w+)/gm)].some(([, name]) => new RegExp(`^export \\{[^}]*\\b${name}\\b`, "m").test(source));
const reassignable = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? reassignable(`${dir}/${e.name}`) : exportsReassignable(readFileSync(`${dir}/${e.name}`, "utf8")) ? [`${dir}/${e.name}`] : []);
const mutable = reassignable(`${root}src`);
if (mutable.length) throw new Error(`node-entry: ${mutable.join(", ")} export a reassignable binding; the Node files hand out values`);
const plainExports = (names) => `module.exports=(live=>({__esModule:true,${names.map((n) => `${JSON.stringify(n)}:live[${JSON.stringify(n)}]`).join(",")}}))(module.exports);`;

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
for (const file of result.outputFiles) {
  // Chunk file names: "chunk-ABC.js" becomes "chunk-ABC.cjs" in every reference.
  let code = file.text.replace(/(["'])\.\/([\w-]+)\.js\1/g, (_, q, name) => `${q}./${name}.cjs${q}`);
  // A chunk loaded by import() (the thread pool's starter, the bfloat16 scope) must be the same
  // module instance require() gives, and its named exports must be there: load it by require().
  code = code.replace(/\bimport\((["'])(\.\/[\w-]+\.cjs)\1\)/g, (_, q, path) => `Promise.resolve().then(() => require(${q}${path}${q}))`);
  if (/\bimport\.meta\b/.test(code)) throw new Error(`node-entry: ${basename(file.path)} uses import.meta, which has no meaning in CommonJS`);
  const cjs = await transform(code, { format: "cjs", target: "es2022", minify: true });
  const { exports } = result.metafile.outputs[relative(root, file.path)];
  writeFileSync(`${outDir}/${basename(file.path).replace(/\.js$/, ".cjs")}`, `"use strict";\n${cjs.code}\n${plainExports(exports)}\n`);
}
const datasets = await transform(datasetsSource, { loader: "ts", format: "cjs", target: "es2022", minify: true });
writeFileSync(`${outDir}/datasets.cjs`, `"use strict";\n${datasets.code}\n`);

// The names: the top-level ones from esbuild's metafile, each namespace's members from the
// one-file build (dist/index.js, built before this script), whose API this one must equal.
const [, coreOutput] = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === "src/api-core.ts");
const coreNames = [...coreOutput.exports].sort();
const oneFile = await import(pathToFileURL(`${root}dist/index.js`).href);

const key = JSON.stringify;
// The top-level object is a literal, so that V8 keeps it in fast mode for code that reads
// eg.matmul and the like through require(); a namespace object holds only getters (V8 keeps
// any object with a hundred of them as a dictionary, literal or not), read once per name a
// program uses, so it is built from the names in a loop: the shorter file to parse at import.
const cjsFacade = `"use strict";
// The default entry of edgegrad for require() under Node, written by scripts/node-entry.mjs: the
// top-level API now, the namespaces' file loaded on first use of a member of one of them.
const core = require("./core.cjs");
let loaded = null;
function lazyNamespace(name, members) {
  const ns = {};
  for (const member of members) {
    Object.defineProperty(ns, member, { enumerable: true, get: () => (loaded ??= require("./namespaces.cjs"))[name][member] });
  }
  return Object.freeze(ns);
}
module.exports = Object.freeze({
${coreNames.map((name) => `  ${key(name)}: core[${key(name)}],`).join("\n")}
${namespaces.map((ns) => `  ${ns}: lazyNamespace(${key(ns)}, ${key(Object.keys(oneFile[ns]).sort())}),`).join("\n")}
});
`;

const allNames = [...coreNames, ...namespaces];
const esmFacade = `// The default entry of edgegrad for import under Node, written by scripts/node-entry.mjs: the
// API of index.cjs (the top-level names now, the namespaces on first use) as named exports.
// process.getBuiltinModule (Node >= 20.16) spares building the ES module facade of node:module.
const { createRequire } = globalThis.process.getBuiltinModule?.("node:module") ?? await import("node:module");
const api = createRequire(import.meta.url)("./index.cjs");
${allNames.map((name, i) => `const e${i} = api[${JSON.stringify(name)}];`).join("\n")}
export { ${allNames.map((name, i) => `e${i} as ${name}`).join(", ")} };
`;
writeFileSync(`${outDir}/index.cjs`, cjsFacade);
writeFileSync(`${outDir}/index.mjs`, esmFacade);
