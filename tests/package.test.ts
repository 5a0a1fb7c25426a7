// The built package, as users load it: by name through the exports map (ESM and CJS), and the
// slim entry inside a context that forbids compiling wasm from bytes (the edge-runtime rule).
import { describe, expect, it } from "vitest";
import type { Plugin } from "esbuild";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
// @ts-expect-error: a plain .mjs module of the build scripts, without declarations
import { namespaces } from "../scripts/namespaces.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" });
/** Runs a bundled ES module program given as text, read from stdin (a bundle can exceed the longest command-line argument). */
const runModule = (code: string) => execFileSync(process.execPath, ["--input-type=module"], { cwd: root, encoding: "utf8", input: code });

const script = `eg.tensor([[1, 2], [3, 4]]).matmul(eg.tensor([[1], [1]])).toArray()`;

describe("the built package", () => {
  it("import('edgegrad') works without awaiting init() and picks a wasm backend", () => {
    const out = node(["--input-type=module", "-e", `import * as eg from "edgegrad"; console.log(JSON.stringify([${script}, eg.backendInfo().backend]))`]);
    expect(JSON.parse(out)).toEqual([[[3], [7]], "wasm-simd"]);
  });

  it("require('edgegrad') works the same from CommonJS", () => {
    const out = node(["-e", `const eg = require("edgegrad"); console.log(JSON.stringify([${script}, eg.backendInfo().backend]))`]);
    expect(JSON.parse(out)).toEqual([[[3], [7]], "wasm-simd"]);
  });

  it("chooses the relaxed-SIMD build when the engine has it", () => {
    const out = node(["--experimental-wasm-relaxed-simd", "--input-type=module", "-e",
      `import * as eg from "edgegrad"; await eg.init(); console.log(eg.backendInfo().backend)`]);
    expect(out.trim()).toBe("wasm-relaxed-simd");
  });

  it("edgegrad/slim runs in a vm context with codeGeneration { wasm: false }, given a precompiled module", async () => {
    const context = vm.createContext({ console }, { codeGeneration: { strings: false, wasm: false } });
    // Prove the rule is in force: compiling bytes inside the context must fail.
    const bytes = readFileSync(join(root, "dist", "edgegrad-simd.wasm"));
    const compileInside = vm.runInContext("(b) => WebAssembly.compile(b)", context) as (b: Uint8Array) => Promise<unknown>;
    await expect(compileInside(new Uint8Array(bytes))).rejects.toThrow();

    // The entry's file and the bundle it requires, each evaluated inside the context.
    const requireInContext = (file: string): unknown => {
      const cjs = readFileSync(join(root, "dist", file), "utf8");
      const load = vm.runInContext(`(function (module, exports, require) {${cjs}\n})`, context) as (m: object, e: object, r: (f: string) => unknown) => void;
      const mod = { exports: {} as Record<string, unknown> };
      load(mod, mod.exports, (f) => requireInContext(f.replace(/^\.\//, "")));
      return mod.exports;
    };
    const eg = requireInContext("slim.cjs") as typeof import("../src/slim.js");
    // The module comes from this (outer) realm, as a host would hand it over: instanceof would fail.
    const module = new WebAssembly.Module(bytes);
    expect(() => eg.backendInfo()).toThrow(/slim entry/);
    const info = await eg.init({ module });
    expect(info.backend).toBe("wasm-simd");
    expect(eg.tensor([[1, 2], [3, 4]]).matmul(eg.tensor([[1], [1]])).toArray()).toEqual([[3], [7]]);
  });

  it("edgegrad/slim leaves the data sets out with a clear error; edgegrad/datasets has them", () => {
    const out = node(["--input-type=module", "-e", `
      import * as slimData from "edgegrad/slim/data";
      import { digits } from "edgegrad/datasets";
      let message = "";
      try { slimData.digits(); } catch (e) { message = e.message; }
      console.log(JSON.stringify([message, digits().x.shape]));`]);
    const [message, shape] = JSON.parse(out);
    expect(message).toMatch(/edgegrad\/datasets/);
    expect(shape).toEqual([1797, 64]);
  });

  it("edgegrad/slim as ES modules: an application's minifying bundler keeps tensors and matmul only, and they work on the core kernel build", async () => {
    const { build } = await import("esbuild");
    const program = `
      import { init, matmul, tensor, ShapeError } from "edgegrad/slim";
      import { readFileSync } from "node:fs";
      const module = new WebAssembly.Module(readFileSync(${JSON.stringify(join(root, "dist", "edgegrad-core-simd.wasm"))}));
      const { wasmBuild } = await init({ module });
      let error = null;
      try { matmul(tensor([[1, 2]]), tensor([[1, 2]])); } catch (e) { error = e instanceof ShapeError ? e.name : "wrong class"; }
      console.log(JSON.stringify([matmul(tensor([[1, 2], [3, 4]]), tensor([[1], [1]])).toArray(), error, wasmBuild]));`;
    // keepNames off, as a bundler minifies by default: error names must survive it.
    const out = await build({
      stdin: { contents: program, resolveDir: root, sourcefile: "app.mjs" },
      bundle: true, minify: true, format: "esm", platform: "node", write: false, logLevel: "silent",
    });
    const code = out.outputFiles[0].text;
    // The int8, sparse and optimizer kernels' wasm calls, the nn layers and the safetensors
    // parser are all left out: none of them is reachable from tensor and matmul.
    for (const absent of ["qs8_gemm", "f32_spmm", "f32_adam", "Sequential", "safetensors"]) expect(code).not.toContain(absent);
    const result = runModule(code);
    expect(JSON.parse(result)).toEqual([[[3], [7]], "ShapeError", "core"]);
  });

  it("edgegrad/slim/nn and the other namespace subpaths: an MLP application's bundler leaves convolution, pooling and normalization out, and it trains on the dense kernel build", async () => {
    const { build } = await import("esbuild");
    const program = `
      import { init, randn, tensor } from "edgegrad/slim";
      import { Linear, ReLU, Sequential, fit } from "edgegrad/slim/nn";
      import { readFileSync } from "node:fs";
      const { wasmBuild } = await init({ module: new WebAssembly.Module(readFileSync(${JSON.stringify(join(root, "dist", "edgegrad-dense-simd.wasm"))})) });
      const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2));
      const y = tensor(Array.from({ length: 32 }, (_, i) => i % 2), { dtype: "int32" });
      const history = await fit(model, randn([32, 4]), y, { loss: "crossEntropy", optimizer: "adam", epochs: 1, batchSize: 8 });
      console.log(JSON.stringify([history.history.loss, model.summary([1, 4], { print: false }), wasmBuild]));`;
    // fit's precision: "bf16" loads the mixed-precision scope by a dynamic import, which a
    // bundler that splits code puts in a chunk this program never fetches: left out here too.
    const lazyChunks: Plugin = { name: "lazy-chunks", setup: (b) => b.onResolve({ filter: /[\\/]autocast\.js$/ },
      (a) => (a.kind === "dynamic-import" ? { path: a.path, external: true } : undefined)) };
    const out = await build({
      stdin: { contents: program, resolveDir: root, sourcefile: "app.mjs" },
      bundle: true, minify: true, format: "esm", platform: "node", write: false, logLevel: "silent", plugins: [lazyChunks],
    });
    const code = out.outputFiles[0].text;
    // The kernels' wasm call names and the layer classes: the minifier renames the classes that
    // are kept, but each still names itself (its static typeName) in summaries and messages.
    for (const absent of ["f32_conv2d", "f32_dwconv2d", "f32_maxpool2d", "qs8_conv2d", "Conv2d", "BatchNorm", "MaxPool",
      "f32_attention", "MultiheadAttention", "TransformerEncoder"]) {
      expect(code).not.toContain(absent);
    }
    const [losses, summary, wasmBuild] = JSON.parse(runModule(code)) as [number[], string, string];
    expect(wasmBuild).toBe("dense");
    expect(losses).toHaveLength(1);
    expect(Number.isFinite(losses[0])).toBe(true);
    expect(summary).toContain('Model: "Sequential"');
    for (const row of ["0 (Linear)", "1 (ReLU)", "2 (Linear)"]) expect(summary).toContain(row);
  });

  it("an MLP application exporting ONNX bundles none of the convolution, pooling and normalization layers or kernels", async () => {
    const { build } = await import("esbuild");
    const program = `
      import { init } from "edgegrad/slim";
      import { Linear, ReLU, Sequential } from "edgegrad/slim/nn";
      import { exportOnnx } from "edgegrad/slim/io";
      await init({ backend: "js" });
      console.log(exportOnnx(new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2))).length);`;
    const out = await build({
      stdin: { contents: program, resolveDir: root, sourcefile: "app.mjs" },
      bundle: true, minify: true, format: "esm", platform: "node", write: false, logLevel: "silent",
    });
    const code = out.outputFiles[0].text;
    // Class names survive in the exporter's messages ("supported: ... Conv2d"), so the layers'
    // absence shows in their code: the kernels they call and the batch norm's running update.
    for (const absent of ["f32_conv2d", "f32_dwconv2d", "f32_maxpool2d", "qs8_conv2d", "momentum"]) expect(code).not.toContain(absent);
    expect(Number(runModule(code))).toBeGreaterThan(100);
  });

  it("edgegrad/slim holds the default entry's top-level names and no namespace; each subpath holds a namespace's names and shares the entry's classes, for import and for require", () => {
    const names: string[] = namespaces;
    // [the entry's names equal the default entry's names less its namespaces, no namespace in
    // the entry, each subpath's names equal the default entry's namespace's, one Tensor class]
    const check = (load: string) => `
      ${load}
      const topLevel = Object.keys(eg).filter((k) => !${JSON.stringify(names)}.includes(k)).sort();
      console.log(JSON.stringify([
        JSON.stringify(Object.keys(slim).sort()) === JSON.stringify(topLevel),
        ${JSON.stringify(names)}.filter((n) => n in slim),
        subpaths.map((m, i) => JSON.stringify(Object.keys(m).sort()) === JSON.stringify(Object.keys(eg[${JSON.stringify(names)}[i]]).sort())),
        new subpaths[0].Linear(2, 1).weight instanceof slim.Tensor,
      ]));`;
    const esm = node(["--input-type=module", "-e", check(`
      import * as eg from "edgegrad";
      import * as slim from "edgegrad/slim";
      const subpaths = await Promise.all(${JSON.stringify(names)}.map((n) => import("edgegrad/slim/" + n)));`)]);
    const cjs = node(["-e", check(`
      const eg = require("edgegrad"), slim = require("edgegrad/slim");
      const subpaths = ${JSON.stringify(names)}.map((n) => require("edgegrad/slim/" + n));`)]);
    expect(names[0]).toBe("nn");
    const expected = [true, [], names.map(() => true), true];
    expect(JSON.parse(esm)).toEqual(expected);
    expect(JSON.parse(cjs)).toEqual(expected);
  });

  it("the subpaths' types share one declaration of Tensor and Module with edgegrad/slim's, and the entry's types name no namespace", async () => {
    const ts = (await import("typescript")).default;
    const file = join(root, "tests", "subpath-types-check.ts");
    const typeErrors = (source: string, moduleResolution: number) => {
      const host = ts.createCompilerHost({});
      const readFile = host.readFile;
      host.readFile = (f) => (f === file ? source : readFile(f));
      host.fileExists = ((exists) => (f: string) => f === file || exists(f))(host.fileExists);
      const module = moduleResolution === ts.ModuleResolutionKind.Bundler ? ts.ModuleKind.ESNext : ts.ModuleKind.Node16;
      const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: false, types: [], module, moduleResolution, target: ts.ScriptTarget.ES2022 }, host);
      return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    };
    const source = `
      import { tensor, type Tensor, type ShapeError } from "edgegrad/slim";
      import * as nn from "edgegrad/slim/nn";
      import { Linear, Sequential, type Module } from "edgegrad/slim/nn";
      import { Adam } from "edgegrad/slim/optim";
      const model: nn.Module = new Sequential(new Linear(2, 1));
      const back: Module = new nn.Linear(2, 1);
      const out: Tensor = model.forward(tensor([[1, 2]])) as Tensor;
      new Adam(back.parameters());
      export type { ShapeError };
      export { out };`;
    for (const resolution of [ts.ModuleResolutionKind.Bundler, ts.ModuleResolutionKind.Node16]) {
      expect(typeErrors(source, resolution)).toEqual([]);
      const errors = typeErrors(`import { nn } from "edgegrad/slim";\nexport const n = nn;`, resolution);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/has no exported member 'nn'/);
    }
  });

  it("has no runtime dependencies and exports types for every entry", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(pkg.dependencies ?? {}).toEqual({});
    for (const entry of [".", "./slim", ...namespaces.map((ns: string) => `./slim/${ns}`)]) {
      expect(pkg.exports[entry].import.types).toMatch(/\.d\.ts$/);
      expect(pkg.exports[entry].require.types).toMatch(/\.d\.cts$/);
    }
  });

  it("exports every kernel build by name: the full, dense and core builds, each for simd and relaxed SIMD", () => {
    const out = node(["--experimental-wasm-relaxed-simd", "--input-type=module", "-e", `
      import { readFileSync } from "node:fs";
      import { fileURLToPath } from "node:url";
      const names = ["edgegrad-simd", "edgegrad-relaxed", "edgegrad-dense-simd", "edgegrad-dense-relaxed", "edgegrad-core-simd", "edgegrad-core-relaxed"];
      console.log(JSON.stringify(names.map((n) => {
        const bytes = readFileSync(fileURLToPath(import.meta.resolve("edgegrad/" + n + ".wasm")));
        const has = (kernel) => WebAssembly.Module.exports(new WebAssembly.Module(bytes)).some((e) => e.name === kernel);
        return [has("f32_adam"), has("f32_conv2d")];
      })));`]);
    expect(JSON.parse(out)).toEqual([[true, true], [true, true], [true, false], [true, false], [false, false], [false, false]]);
  });
});
