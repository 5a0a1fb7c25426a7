// Writes the default entry as Node loads it (dist/node/): the top-level API (src/api-core.ts) in
// files read at import, and each namespace (nn, optim, data, …) in files read the first time a
// program touches one of its members. Under Node most of a cold start is V8 parsing code, and
// the one-file bundle made every program parse all of the library; a program that only
// multiplies matrices now parses the core alone (runtime/RESULTS.md, cold start).
//
// How: esbuild splits the library at those entry points into ES module chunks (each source
// module in exactly one chunk, so one Tensor class and one backend state whichever way a module
// is reached); each chunk is then turned into CommonJS, because only require() loads a file
// synchronously from inside a property getter. Two small facades, written here, hand out the
// API: index.cjs for require() and index.mjs for import. The kernels are read from the .wasm
// files in dist/ (src/backend/embedded-node.ts) instead of being embedded as base64.
// Bundlers and browsers never see these files: the package's exports map sends them to
// dist/index.js through the "module" condition, which Node does not set.
import { build, transform } from "esbuild";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { namespaces } from "./namespaces.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const outDir = `${root}dist/node`;

const embeddedFromFiles = {
  name: "embedded-from-files",
  setup(b) {
    b.onResolve({ filter: /\/embedded\.js$/ }, () => ({ path: `${root}src/backend/embedded-node.ts` }));
  },
};

const entryPoints = { core: `${root}src/api-core.ts` };
for (const ns of namespaces) entryPoints[ns] = `${root}src/${ns}/index.ts`;

const result = await build({
  entryPoints, bundle: true, splitting: true, format: "esm", platform: "node", target: "es2022", minify: true,
  outdir: outDir, write: false, metafile: true, plugins: [embeddedFromFiles], logLevel: "warning",
});

// Chunk file names: "chunk-ABC.js" becomes "chunk-ABC.cjs" in every reference.
const cjsName = (file) => file.replace(/\.js$/, ".cjs");
const chunkRef = /(["'])\.\/([\w-]+)\.js\1/g;

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
for (const file of result.outputFiles) {
  let code = file.text.replace(chunkRef, (_, q, name) => `${q}./${name}.cjs${q}`);
  // A chunk loaded by import() (the thread pool's starter, the bfloat16 scope) must be the same
  // module instance require() gives, and its named exports must be there: load it by require().
  code = code.replace(/\bimport\((["'])(\.\/[\w-]+\.cjs)\1\)/g, (_, q, path) => `Promise.resolve().then(() => require(${q}${path}${q}))`);
  if (/\bimport\.meta\b/.test(code)) throw new Error(`${basename(file.path)}: import.meta has no meaning in CommonJS`);
  const cjs = await transform(code, { format: "cjs", target: "es2022", minify: true });
  writeFileSync(`${outDir}/${cjsName(basename(file.path))}`, `"use strict";\n${cjs.code}`);
}

/** The names an entry point's chunk exports, from esbuild's metafile. */
const exportsOf = (entry) => {
  const [, out] = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === entry.slice(root.length));
  return [...out.exports].sort();
};
const coreNames = exportsOf(entryPoints.core);

const cjsFacade = `"use strict";
// The default entry of edgegrad for require() under Node, written by scripts/node-entry.mjs: the
// top-level API now, each namespace's files loaded on first use of one of its members.
const core = require("./core.cjs");
function lazyNamespace(load, names) {
  let members = null;
  const ns = {};
  for (const name of names) Object.defineProperty(ns, name, { enumerable: true, get: () => (members ??= load())[name] });
  return Object.freeze(ns);
}
const api = {};
for (const name of ${JSON.stringify(coreNames)}) api[name] = core[name];
${namespaces.map((ns) => `api.${ns} = lazyNamespace(() => require("./${ns}.cjs"), ${JSON.stringify(exportsOf(entryPoints[ns]))});`).join("\n")}
module.exports = Object.freeze(api);
`;

const allNames = [...coreNames, ...namespaces];
const esmFacade = `// The default entry of edgegrad for import under Node, written by scripts/node-entry.mjs: the
// API of index.cjs (the top-level names now, each namespace on first use) as named exports.
import { createRequire } from "node:module";
const api = createRequire(import.meta.url)("./index.cjs");
${allNames.map((name, i) => `const e${i} = api[${JSON.stringify(name)}];`).join("\n")}
export { ${allNames.map((name, i) => `e${i} as ${name}`).join(", ")} };
`;
writeFileSync(`${outDir}/index.cjs`, cjsFacade);
writeFileSync(`${outDir}/index.mjs`, esmFacade);
