// The default entry as Node loads it: the tensor core (errors, init, the ndarray ops and the
// backend under them) at import; the namespaces (nn, optim, data, compress, io, metrics, select:
// most of the code, and the embedded data sets) when a program first reads one of their members;
// of the four kernel builds only the one init picks, read from its .wasm file. A program that
// multiplies tensors then compiles about a sixth of the library's code before it starts
// (bench/cold-start.mjs). Files in dist/node/:
//   index.js          the ES module Node imports: the core's public names, and each namespace an
//                     object whose members, when first read, load namespaces.cjs (its chunks:
//                     one shared with the thread pool, and the pool, loaded by init({ threads }));
//   index.cjs         the same for require(), with wasm-*.cjs (each kernel build as base64);
//   namespaces.cjs    the seven namespaces, bundled into one function of the core's modules: each
//                     import of a core module reads that module's exports from its argument, so
//                     both files share one Tensor class, one backend.
// The namespaces are CommonJS because require() is synchronous, so the API stays synchronous
// (`eg.nn.Linear` needs no await). Only Node-like runtimes take this entry: the package's exports
// send bundlers (the "module" condition, which Node never sets) to the one-file build in
// dist/index.js, as they would not follow createRequire.
import * as esbuild from "esbuild";
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "node");
const src = (p) => join(root, "src", p);
const common = { bundle: true, platform: "neutral", target: "es2022", minify: true, keepNames: true, logLevel: "warning",
                 mainFields: ["module", "main"], sourcemap: true, external: ["node:module"] };
const NAMESPACES = ["compress", "data", "nn", "optim", "io", "metrics", "select"];
const CORE_API = [`export * from ${JSON.stringify(src("errors.ts"))};`, `export { init, backendInfo } from ${JSON.stringify(src("backend/index.ts"))};`,
                  `export * from ${JSON.stringify(src("ndarray/index.ts"))};`, ""].join("\n");
/** Bundles a generated entry (written to build/, as splitting needs a file) into `outdir`, or in memory. */
const ENTRY = join(root, "build", "node-entry.ts");
mkdirSync(dirname(ENTRY), { recursive: true });
function bundleEntry(source, options) {
  writeFileSync(ENTRY, source);
  // Splitting: what init imports dynamically (the thread pool) goes to a chunk of its own that only
  // init({ threads }) loads, as in the one-file build's ES module.
  return esbuild.build({ ...common, entryPoints: { index: ENTRY }, format: "esm", splitting: true, chunkNames: "chunk-[hash]", ...options });
}
const keyOf = (file) => relative(src("."), file).replace(/\\/g, "/");

// The public names of the one-file build (dist/index.cjs, built by tsup before this script).
const full = createRequire(import.meta.url)(join(root, "dist", "index.cjs"));
const members = Object.fromEntries(NAMESPACES.map((ns) => [ns, Object.keys(full[ns])]));

/** The entry's source: the core's names, its modules (for the namespaces), the lazy namespaces. */
// `load`: the expression that loads namespaces.cjs — through createRequire in the ES module, a
// plain require() in the CommonJS file (which a bundler follows, see step 3).
const coreEntry = (files, load = `createRequire(import.meta.url)("./namespaces.cjs")`) => CORE_API +
  (load.includes("createRequire") ? `import { createRequire } from "node:module";\n` : `declare const require: (id: string) => unknown;\n`) +
  files.map((f, i) => `import * as m${i} from ${JSON.stringify(f)};`).join("\n") + `
const coreModules = {${files.map((f, i) => `${JSON.stringify(keyOf(f))}: m${i}`).join(", ")}};
const members: Record<string, string[]> = ${JSON.stringify(members)};
let loaded: Record<string, Record<string, unknown>> | null = null;
/** A namespace whose members, when first read, load the namespaces' code, then hold their values. */
function lazyNamespace(name: string): object {
  const ns = {};
  for (const key of members[name]) {
    Object.defineProperty(ns, key, { enumerable: true, configurable: true, get() {
      loaded ??= (${load} as (m: object) => typeof loaded)(coreModules);
      const value = loaded![name][key];
      Object.defineProperty(ns, key, { value, enumerable: true, configurable: false, writable: false });
      return value;
    } });
  }
  Object.defineProperty(ns, Symbol.toStringTag, { value: "Module" });
  return Object.preventExtensions(ns);
}
${NAMESPACES.map((ns) => `export const ${ns} = lazyNamespace(${JSON.stringify(ns)});`).join("\n")}
`;

// 1. Which source files the core is made of: what its public names reach, then again what the
// whole modules kept in coreModules reach, until nothing is added — so that no module is bundled
// into both files (two copies of a module with state would each keep their own).
// A module made only of `export … from` statements (an index) holds nothing of its own: it stays
// out of coreModules, or all it re-exports — every kernel family of src/backend/index.ts — would
// be pulled into the core; the namespaces bundle their own copy of it, whose re-exports resolve
// module by module to the core or to the namespaces.
const reExportsOnly = (file) => readFileSync(file, "utf8").replace(/\/\*[^]*?\*\/|\/\/.*$/gm, "")
  .replace(/export\s+(type\s+)?(\*|\{[^}]*\})\s+from\s+"[^"]+";/g, "").trim() === "";
async function filesOf(entry) {
  const probe = await bundleEntry(entry, { write: false, metafile: true, outdir: join(root, "build", "node-probe") });
  // The entry's output and the chunks it imports statically; not those only init's import() reaches.
  const outputs = probe.metafile.outputs, main = Object.values(outputs).find((o) => o.entryPoint !== undefined);
  const loaded = [main, ...main.imports.filter((i) => i.kind === "import-statement" && outputs[i.path]).map((i) => outputs[i.path])];
  return [...new Set(loaded.flatMap((o) => Object.entries(o.inputs).filter(([f, v]) => f.endsWith(".ts") && v.bytesInOutput > 0)
    .map(([f]) => resolve(root, f))))].filter((f) => f !== ENTRY && !reExportsOnly(f)).sort();
}
let coreFiles = await filesOf(CORE_API);
for (;;) {
  const next = await filesOf(coreEntry(coreFiles));
  if (next.length === coreFiles.length) break;
  coreFiles = next;
}
for (const f of coreFiles) {
  if (NAMESPACES.some((ns) => keyOf(f).startsWith(`${ns}/`))) throw new Error(`the core reaches a namespace module: ${keyOf(f)}`);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// 2. The kernel builds: read from the package's own .wasm files when init picks one (Node reads
// files; bundlers and browsers, which may not, get dist/index.js with all four embedded), so
// V8 scans none of the ≈ 330 KB of base64 the one-file build carries. embedded.ts decodes base64.
const BUILDS = { SIMD: "simd", RELAXED: "relaxed", MT_SIMD: "mt-simd", MT_RELAXED: "mt-relaxed" };
const kernelBytesFromFiles = {
  name: "kernel-bytes-from-files",
  setup(build) {
    build.onLoad({ filter: /[\\/]wasm-bytes\.generated\.ts$/ }, () => ({
      loader: "ts",
      // node:fs not imported as an ES module, which builds a facade of all its exports (about 2 ms
      // of a cold start), but taken as Node ≥ 20.16 hands it out, else through require().
      contents: `import { createRequire } from "node:module";
const fs = () => (globalThis.process?.getBuiltinModule?.("node:fs") ?? createRequire(import.meta.url)("node:fs"));
const base64Of = (build: string) => fs().readFileSync(new URL(\`../edgegrad-\${build}.wasm\`, import.meta.url)).toString("base64");
` + Object.entries(BUILDS).map(([name, file]) => `export function ${name}_WASM_BASE64(): string { return base64Of("${file}"); }`).join("\n"),
    }));
  },
};

// 3. index.js: the core and the lazy namespaces, one ES module. index.cjs: the same for require()
// (CommonJS Lambda handlers start as often as ES modules), the thread pool inside it. A bundler
// resolving require("edgegrad") for Node takes this file too (publint allows no CommonJS under
// "module"), so it loads what it loads by plain require() calls a bundler follows: namespaces.cjs,
// and the kernel build from wasm-*.cjs (its base64), where index.js reads the .wasm file.
const GENERATED = "// Generated by scripts/build-node-entry.mjs: the default entry for Node (see there).";
await bundleEntry(coreEntry(coreFiles), { outdir: out, plugins: [kernelBytesFromFiles], banner: { js: GENERATED } });
for (const file of Object.values(BUILDS)) {
  const base64 = readFileSync(join(root, "dist", `edgegrad-${file}.wasm`)).toString("base64");
  writeFileSync(join(out, `wasm-${file}.cjs`), `module.exports = ${JSON.stringify(base64)};\n`);
}
const kernelBytesRequired = {
  name: "kernel-bytes-required",
  setup(build) {
    build.onLoad({ filter: /[\\/]wasm-bytes\.generated\.ts$/ }, () => ({
      loader: "ts",
      contents: "declare const require: (id: string) => string;\n" + Object.entries(BUILDS)
        .map(([name, file]) => `export function ${name}_WASM_BASE64(): string { return require("./wasm-${file}.cjs"); }`).join("\n"),
    }));
  },
};
writeFileSync(ENTRY, coreEntry(coreFiles, `require("./namespaces.cjs")`));
await esbuild.build({ ...common, entryPoints: [ENTRY], format: "cjs", outfile: join(out, "index.cjs"), plugins: [kernelBytesRequired],
                      external: ["./namespaces.cjs", "./wasm-*.cjs"], banner: { js: GENERATED } });

// 4. namespaces.cjs: module.exports is a function of the core's modules; inside it, an import that
// resolves to a core file reads that module from the argument.
const coreSet = new Set(coreFiles);
const fromCore = {
  name: "imports-from-core",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (a) => {
      const file = resolve(a.resolveDir, a.path).replace(/\.js$/, ".ts");
      return coreSet.has(file) ? { path: file, namespace: "core" } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: "core" }, (a) => ({
      contents: `module.exports = coreModules[${JSON.stringify(keyOf(a.path))}];`, loader: "js",
    }));
  },
};
const nsEntry = NAMESPACES.map((ns) => `export * as ${ns} from "./${ns}/index.ts";`).join("\n");
await esbuild.build({ ...common, stdin: { contents: nsEntry, resolveDir: src("."), loader: "ts", sourcefile: "node-namespaces.ts" },
                      format: "cjs", outfile: join(out, "namespaces.cjs"), plugins: [fromCore],
                      banner: { js: "module.exports = function namespaces(coreModules) { const module = { exports: {} }, exports = module.exports;" },
                      footer: { js: "return module.exports; };" } });

// 5. Every public name of the one-file build is in the Node entry (the namespaces' members are
// listed from it, so those are too).
const entry = await import(join(out, "index.js"));
const missing = Object.keys(full).filter((k) => !(k in entry));
if (missing.length > 0) throw new Error(`dist/node/index.js lacks public names: ${missing.join(", ")}`);
