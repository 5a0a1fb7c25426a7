// Writes the require() files and the types of each namespace subpath of the slim entry
// ("edgegrad/slim/nn", ...), after tsup has built dist/slim.cjs, dist/slim.d.ts and dist/slim.d.cts.
// import() needs nothing written: the subpath is the namespace's own module in dist/slim/, the
// one "edgegrad/slim" re-exports, and a bundler drops the members of it an application leaves
// unused (it does not for a namespace re-exported through another module).
// Both the require() file and the types hand out the namespace of the slim entry itself rather
// than a second build of it: one Tensor class, one declaration of it, whichever way it is imported.
import { readFileSync, writeFileSync } from "node:fs";
import ts from "typescript";
import { namespaces as slimNamespaces } from "./namespaces.mjs";

const root = new URL("../", import.meta.url);
const program = ts.createProgram(slimNamespaces.map((ns) => new URL(`src/${ns}/index.ts`, root).pathname), {
  module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, noEmit: true,
});
const checker = program.getTypeChecker();

/** The names a namespace's module exports: values, types and nested namespaces alike. */
function exportedNames(ns) {
  const file = program.getSourceFile(new URL(`src/${ns}/index.ts`, root).pathname);
  return checker.getExportsOfModule(checker.getSymbolAtLocation(file)).map((s) => s.name).sort();
}

// The bundled declarations list a namespace's interfaces and type aliases as `export { type X }`,
// which an import alias may not reach ("nn.LinearOptions" from "edgegrad/slim/nn"). Inside a
// declaration file the modifier changes nothing else, so it is dropped from the namespaces'
// export lists (the two-space-indented ones; the file's own top-level exports keep theirs).
for (const file of ["slim.d.ts", "slim.d.cts"]) {
  const url = new URL(`dist/${file}`, root);
  const text = readFileSync(url, "utf8");
  writeFileSync(url, text.replace(/^  export \{ .* \};$/gm, (list) => list.replace(/\btype /g, "")));
}

for (const ns of slimNamespaces) {
  const names = exportedNames(ns);
  // An import alias carries every meaning of the member (class and type, namespace and value).
  const types = (from) => `import { ${ns} } from "${from}";\n${names.map((n) => `export import ${n} = ${ns}.${n};`).join("\n")}\n`;
  const out = (file, text) => writeFileSync(new URL(`dist/${file}`, root), text);
  out(`slim-${ns}.cjs`, `"use strict";\nmodule.exports = require("./slim.cjs").${ns};\n`);
  out(`slim-${ns}.d.ts`, types("./slim.js"));
  out(`slim-${ns}.d.cts`, types("./slim.cjs"));
}
