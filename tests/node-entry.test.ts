// The default entry as Node loads it (dist/node/, scripts/node-entry.mjs): the tensor core at
// import, the other top-level ops and the namespaces from their files on first use, the kernels
// read from the package's .wasm files.
// It must be the same library as the one-file bundle that bundlers and browsers get.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as eg from "../src/index.js";
import * as loadedAtImport from "../src/api-loaded-at-import.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = join(root, "dist", "index.js");
const nodeEntry = join(root, "dist", "node", "index.mjs");

/** Runs an ES module program in a fresh Node process (from the project's folder, so "edgegrad" resolves to this package); its JSON output. */
function run(program: string): unknown {
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", program], { cwd: root, encoding: "utf8" }));
}

/** The names of an entry's exports and of each namespace's members. */
const namesOf = (specifier: string) => `
  const eg = await import(${JSON.stringify(specifier)});
  const names = {};
  for (const key of Object.keys(eg).sort()) names[key] = typeof eg[key] === "object" && !(eg[key] instanceof eg.Tensor) ? Object.keys(eg[key]).sort() : typeof eg[key];
  console.log(JSON.stringify(names));`;

/** A program using five namespaces on two threads, with the results that must not depend on how the library was loaded. */
const workload = (specifier: string) => `
  const eg = await import(${JSON.stringify(specifier)});
  await eg.init({ threads: 2 });
  const { x, y } = eg.data.digits();
  const model = new eg.nn.Sequential(new eg.nn.Linear(64, 32, { seed: 1 }), new eg.nn.ReLU(), new eg.nn.Linear(32, 10, { seed: 2 }));
  const history = await eg.nn.fit(model, x, y, { loss: "crossEntropy", optimizer: new eg.optim.Adam(model.parameters(), { lr: 1e-2 }),
    epochs: 2, batchSize: 64, seed: 3 });
  const restored = eg.io.loadSafetensors(eg.io.saveSafetensors(model.stateDict()));
  const int8 = eg.compress.quantizeModel(model, { calibration: x.slice([0, 256, 1], null) });
  const logits = model.forward(x), predictions = int8.forward(x);
  console.log(JSON.stringify({
    threads: eg.backendInfo().threads, loss: history.history.loss,
    weights: Object.values(restored).map((t) => Array.from(t.data)),
    accuracy: eg.metrics.accuracy(y, logits.argmax(1)), int8: Array.from(predictions.data),
    tensorClass: logits instanceof eg.Tensor && restored["0.weight"] instanceof eg.Tensor,
  }));`;

describe("the default entry under Node", () => {
  it("is the lazily loaded files for import and require, and the one-file bundle for a bundler (the \"module\" condition)", async () => {
    const resolved = run(`import { createRequire } from "node:module";
      console.log(JSON.stringify([import.meta.resolve("edgegrad"), createRequire(import.meta.url).resolve("edgegrad")]));`);
    expect(resolved).toEqual([`file://${nodeEntry}`, join(root, "dist", "node", "index.cjs")]);
    // A bundler targeting Node must not pick the Node files: they read the .wasm files beside them.
    const { build } = await import("esbuild");
    const out = await build({
      stdin: { contents: `import { matmul } from "edgegrad"; console.log(typeof matmul);`, resolveDir: root, loader: "js" },
      bundle: true, platform: "node", format: "esm", write: false, metafile: true, logLevel: "silent",
    });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs).toContain("dist/index.js");
    expect(inputs.filter((f) => f.startsWith("dist/node/"))).toEqual([]);
  });

  it("loads at import the same functions as the one-file bundle's, not their inner forms", () => {
    // The names read at import come from their defining modules; one taken from an inner module
    // (the tape's noGrad, which lacks the public one's refusal of an async fn) would differ here.
    const differing = Object.keys(loadedAtImport).filter((k) => (loadedAtImport as Record<string, unknown>)[k] !== (eg as Record<string, unknown>)[k]);
    expect(differing).toEqual([]);
  });

  it("names every export and namespace member of the one-file bundle, for import and for require", () => {
    const expected = run(namesOf(bundle));
    expect(Object.keys(expected as object).length).toBeGreaterThan(80);
    expect(run(namesOf(nodeEntry))).toEqual(expected);
    const required = run(`import { createRequire } from "node:module";
      const eg = createRequire(import.meta.url)("edgegrad"), ref = createRequire(import.meta.url)(${JSON.stringify(join(root, "dist", "index.cjs"))});
      const names = (m) => Object.keys(m).sort().map((k) => [k, typeof m[k] === "object" ? Object.keys(m[k]).sort() : typeof m[k]]);
      console.log(JSON.stringify([names(eg), names(ref)]));`) as [unknown, unknown];
    expect(required[0]).toEqual(required[1]);
  });

  it("a program that only multiplies matrices reads index.cjs alone; the other ops', each namespace's, the data sets' and the core's elementwise, reduction, printing and linear files are read on first use", () => {
    const loaded = run(`import * as eg from "edgegrad";
      import { createRequire } from "node:module";
      const require = createRequire(import.meta.url), cache = require.cache;
      // chunk files are named by a hash of their content: counted, not named
      const files = () => {
        const names = Object.keys(cache).filter((f) => f.includes("/dist/node/")).map((f) => f.split("/").pop());
        return { files: names.filter((f) => !f.startsWith("chunk-")).sort(), chunks: names.filter((f) => f.startsWith("chunk-")).length };
      };
      await eg.init();
      const product = eg.matmul(eg.ones([3, 4]), eg.ones([4, 2])).toArray();
      const afterMatmul = files();
      const opName = eg.einsum.name; // the stand-in that loads ops.cjs carries the op's name
      const transposed = eg.einsum("ij->ji", eg.ones([2, 3])).shape;
      const afterEinsum = files();
      const listsLinear = Object.keys(eg.nn).includes("Linear") && "Linear" in eg.nn && !("Nothing" in eg.nn);
      let assignable = true;
      try { eg.nn.Linear = null; } catch (e) { assignable = !(e instanceof TypeError); }
      const afterKeys = files();
      const weightIsTensor = new eg.nn.Linear(2, 2).weight instanceof eg.Tensor;
      const afterLinear = files();
      eg.data.digits();
      const afterDigits = files();
      // the tensor core's elementwise ops, reductions, printing and linear op: read on their first call
      const total = eg.ones([2]).add(1).sum().item(), printed = String(eg.tensor([1.5]));
      const linearOut = eg.linear(eg.ones([1, 2]), eg.ones([3, 2])).toArray();
      // import compiles index.cjs itself (not through require): require must still give the same instance
      const sameCore = require("edgegrad").Tensor === eg.Tensor && require("edgegrad").nn.Linear === eg.nn.Linear;
      console.log(JSON.stringify({ sameCore, product, afterMatmul, opName, transposed, afterEinsum, listsLinear, assignable, afterKeys, weightIsTensor, afterLinear, afterDigits, total, printed, linearOut, afterCore: files() }));`) as Record<string, { files: string[]; chunks: number }>;
    expect(loaded.sameCore).toBe(true);
    expect(loaded.product).toEqual([[4, 4], [4, 4], [4, 4]]);
    expect(loaded.afterMatmul).toEqual({ files: ["index.cjs"], chunks: 0 }); // the core's chunks are inside index.cjs
    expect(loaded.opName).toBe("einsum");
    expect(loaded.transposed).toEqual([3, 2]);
    expect(loaded.afterEinsum.files).toEqual(["index.cjs", "ops.cjs"]);
    expect(loaded.afterEinsum.chunks).toBeGreaterThan(0); // ops.cjs reaches the core's chunks through their stubs
    expect(loaded.listsLinear).toBe(true);
    expect(loaded.assignable).toBe(false); // a namespace cannot be changed, as a module's namespace object cannot
    expect(loaded.afterKeys).toEqual(loaded.afterEinsum); // listing a namespace's names reads no file
    expect(loaded.weightIsTensor).toBe(true); // one Tensor class, however a module was reached
    // a namespace's file, not all of them; nn's routes each member to its source module's file
    expect(loaded.afterLinear.files).toEqual(["index.cjs", "nn-linear.cjs", "nn.cjs", "ops.cjs"]);
    expect(loaded.afterDigits.files).toEqual(["data.cjs", "datasets.cjs", "index.cjs", "nn-linear.cjs", "nn.cjs", "ops.cjs"]);
    expect(loaded.total).toBe(4);
    expect(loaded.printed).toBe("tensor([1.5])");
    expect(loaded.linearOut).toEqual([[2, 2, 2]]);
    expect(loaded.afterCore.files).toEqual(["data.cjs", "datasets.cjs", "index.cjs", "lazy-elementwise.cjs", "lazy-format.cjs",
      "lazy-linear.cjs", "lazy-reduce.cjs", "nn-linear.cjs", "nn.cjs", "ops.cjs"]);
  });

  it("is ASCII in every file, so that Node reads each into a one-byte string (half the time of a two-byte one)", () => {
    const dir = join(root, "dist", "node");
    const notAscii = readdirSync(dir).filter((name) => /[^\x00-\x7f]/.test(readFileSync(join(dir, name), "utf8")));
    expect(notAscii).toEqual([]);
    // the escapes keep what the text says: a message with "≠" in it (index.cjs holds it as "\u2260") reads the same
    const message = run(`import * as eg from "edgegrad";
      try { eg.arange(0, 1, 0); } catch (e) { console.log(JSON.stringify(e.message)); }`);
    expect(message).toBe("arange: start 0, stop 1, step 0 must be finite with step ≠ 0");
  });

  it("prints errors, stack traces and modules with the library's own names, in the Node files and the one-file bundle", () => {
    // A minifier's names would print as `b [ShapeError]: …` and `at Je.forward`.
    const printed = (specifier: string) => run(`
      import { inspect } from "node:util";
      const eg = await import(${JSON.stringify(specifier)});
      await eg.init();
      const model = new eg.nn.Sequential(new eg.nn.Linear(4, 2));
      let error = null;
      try { model.forward(eg.zeros([3, 5])); } catch (e) { error = inspect(e).split("\\n"); }
      console.log(JSON.stringify({ error, classes: [model, model.layers[0]].map((o) => o.constructor.name),
        tensor: inspect(eg.tensor([[1, 2], [3, 4]])) }));`) as { error: string[]; classes: string[]; tensor: string };
    for (const specifier of ["edgegrad", bundle, join(root, "dist", "index.cjs")]) {
      const { error, classes, tensor } = printed(specifier);
      expect(error[0]).toBe("ShapeError: linear: input of shape [3,5] does not end in 4 features (weight [2,4])");
      expect(error.some((line) => /^ +at Linear\.forward /.test(line))).toBe(true);
      expect(error.some((line) => /^ +at Sequential\.forward /.test(line))).toBe(true);
      expect(classes).toEqual(["Sequential", "Linear"]);
      expect(tensor).toBe(String(eg.tensor([[1, 2], [3, 4]]))); // console.log shows a tensor's values, not its fields
    }
  });

  it("trains, saves, quantizes and scores on two threads with the same bits as the one-file bundle", () => {
    const viaBundle = run(workload(bundle)) as { threads: number; loss: number[]; tensorClass: boolean };
    expect(viaBundle.threads).toBe(2);
    expect(viaBundle.tensorClass).toBe(true);
    expect(viaBundle.loss[1]).toBeLessThan(viaBundle.loss[0]);
    expect(run(workload("edgegrad"))).toEqual(viaBundle);
  });
});
