// Writes the require() files and the types of the slim entry ("edgegrad/slim") and of each of its
// namespace subpaths ("edgegrad/slim/nn", ...), after tsup has built dist/slim-all.cjs (the whole
// API without embedded bytes, one bundle) and its declarations dist/slim-all.d.ts and .d.cts.
// import() needs nothing written: the entry is dist/slim/slim.js and each subpath the namespace's
// own module in dist/slim/, and a bundler drops the members of it an application leaves unused.
// Every file written here hands out a part of slim-all rather than a second build of it: one
// Tensor class, one declaration of it, whichever way it is imported.
import { readFileSync, writeFileSync } from "node:fs";
import ts from "typescript";
import { namespaces as slimNamespaces } from "./namespaces.mjs";

const root = new URL("../", import.meta.url);
const sourceOf = (module) => new URL(`src/${module}.ts`, root).pathname;
const modules = [...slimNamespaces.map((ns) => `${ns}/index`), "api-core"];
const program = ts.createProgram(modules.map(sourceOf), {
  module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, noEmit: true,
});
const checker = program.getTypeChecker();

/** The names a module exports: values, types and nested namespaces alike. */
function exportedNames(module) {
  const file = program.getSourceFile(sourceOf(module));
  return checker.getExportsOfModule(checker.getSymbolAtLocation(file)).map((s) => s.name).sort();
}

const out = (file, text) => writeFileSync(new URL(`dist/${file}`, root), text);

// The bundled declarations list a namespace's interfaces and type aliases as `export { type X }`,
// which an import alias may not reach ("nn.LinearOptions" from "edgegrad/slim/nn"). Inside a
// declaration file the modifier changes nothing else, so it is dropped from the namespaces'
// export lists (the two-space-indented ones; the file's own top-level exports keep theirs).
for (const file of ["slim-all.d.ts", "slim-all.d.cts"]) {
  const url = new URL(`dist/${file}`, root);
  const text = readFileSync(url, "utf8");
  writeFileSync(url, text.replace(/^  export \{ .* \};$/gm, (list) => list.replace(/\btype /g, "")));
}

// The entry: the top-level names of src/api-core.ts, without the namespaces (src/slim.ts says why).
const topLevel = exportedNames("api-core");
const overlap = topLevel.filter((n) => slimNamespaces.includes(n));
if (overlap.length > 0) throw new Error(`api-core.ts exports a namespace's name: ${overlap.join(", ")}`);
out("slim.cjs", `"use strict";\n// The top-level names of the whole API's bundle; each namespace is a subpath of its own.\n` +
  `const { ${slimNamespaces.join(", ")}, ...topLevel } = require("./slim-all.cjs");\nmodule.exports = topLevel;\n`);
out("slim.d.ts", `export { ${topLevel.join(", ")} } from "./slim-all.js";\n`);
out("slim.d.cts", `export { ${topLevel.join(", ")} } from "./slim-all.cjs";\n`);

for (const ns of slimNamespaces) {
  const names = exportedNames(`${ns}/index`);
  // An import alias carries every meaning of the member (class and type, namespace and value).
  const types = (from) => `import { ${ns} } from "${from}";\n${names.map((n) => `export import ${n} = ${ns}.${n};`).join("\n")}\n`;
  out(`slim-${ns}.cjs`, `"use strict";\nmodule.exports = require("./slim-all.cjs").${ns};\n`);
  out(`slim-${ns}.d.ts`, types("./slim-all.js"));
  out(`slim-${ns}.d.cts`, types("./slim-all.cjs"));
}
