// The examples as users run them (`node examples/<name>.mjs`, after a build), each in a child
// process, checked on what it prints: the figures it or the README claims, losses that fell,
// decoded sequences, tables that agree with themselves. Nothing else runs them, so an API change
// that breaks one would otherwise go unnoticed. They load the built dist/, and run once (the
// "once" project of vitest.config.ts), not once per backend: each picks its backend as a user's
// program does.
//
// Examples that take longer than 20 s here are not run (see LONG); they are checked to parse and
// to name only functions and classes the built package has.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Runs examples/<name>.mjs with plain `node`, as its header says; fails on a non-zero exit. */
function run(name: string): string {
  const r = spawnSync(process.execPath, [join(root, "examples", `${name}.mjs`)], { cwd: root, encoding: "utf8", timeout: 110_000 });
  expect(r.error, String(r.error)).toBeUndefined();
  expect(r.status, `${name} exited with ${r.status}:\n${r.stderr}\n${r.stdout}`).toBe(0);
  return r.stdout;
}

/** re's match in out; fails, showing the output, if there is none. */
function match(out: string, re: RegExp): RegExpExecArray {
  const m = re.exec(out);
  expect(m, `no match for ${re} in:\n${out}`).not.toBeNull();
  return m!;
}
/** The numbers captured by re's groups, in order. */
const numbers = (out: string, re: RegExp) => match(out, re).slice(1).map(Number);
const number = (out: string, re: RegExp) => numbers(out, re)[0];
/** Every capture of re (global) as numbers: one row per match. */
const all = (out: string, re: RegExp) => [...out.matchAll(re)].map((m) => m.slice(1).map(Number));

describe("examples that finish within 20 s, run as child processes", () => {
  it("tour: broadcasting, matmul and softmax print the right values", () => {
    const out = run("tour");
    expect(out).toMatch(/backend: \{\s*backend: 'wasm-(relaxed-)?simd'/);
    expect(out).toContain("a + [10, 20] = tensor([[11., 22.],\n        [13., 24.]])");
    expect(out).toContain("a @ aᵀ = tensor([[ 5., 11.],\n        [11., 25.]])");
    // softmax([1, 2]) = [1 / (1 + e), e / (1 + e)] on both rows (they differ by a constant).
    const soft = all(out.slice(out.indexOf("softmax")), /\[+(\d\.\d+), (\d\.\d+) *\]/g).slice(0, 2);
    for (const [p, q] of soft) {
      expect(p).toBeCloseTo(1 / (1 + Math.E), 6);
      expect(q).toBeCloseTo(Math.E / (1 + Math.E), 6);
    }
    expect(soft).toHaveLength(2);
    expect(number(out, /loss = (-?\d+\.\d{4})/)).toBeGreaterThanOrEqual(0); // a sum of ReLUs
    expect(out.slice(out.indexOf("w.grad")).match(/-?\d+\.\d+/g)).toHaveLength(6); // w is 3 × 2
  });

  it("linear-regression: recovers w = 2 and b = 1 within 0.05 and the MSE falls to the noise's variance", () => {
    const out = run("linear-regression");
    const mse = all(out, /^step +\d+ +mse (\d+\.\d+)$/gm).map(([v]) => v);
    expect(mse).toHaveLength(6);
    expect(mse[5]).toBeLessThan(mse[0] / 100);
    expect(mse[5]).toBeLessThan(0.012); // the noise is 0.1 · N(0, 1): variance 0.01
    const [w, b] = numbers(out, /learned w = (-?[\d.]+) \(true 2\), b = (-?[\d.]+) \(true 1\)/);
    expect(Math.abs(w - 2)).toBeLessThanOrEqual(0.05); // the bound the example checks itself
    expect(Math.abs(b - 1)).toBeLessThanOrEqual(0.05);
  });

  it("binary-classifier: the loss falls and at least 98% of the held-out moons are right", () => {
    const out = run("binary-classifier");
    const epochs = all(out, /^epoch (\d+): loss ([\d.]+), accuracy ([\d.]+)$/gm);
    expect(epochs.map(([e]) => e)).toEqual([10, 20, 30, 40]);
    const [loss, accuracy] = numbers(out, /held-out: binary cross-entropy ([\d.]+), accuracy ([\d.]+)/);
    expect(accuracy).toBeGreaterThanOrEqual(0.98); // 1.0000 here (the example's header)
    expect(loss).toBeLessThan(0.1);
    expect(epochs[3][1]).toBeLessThan(0.1); // from log 2 = 0.69 at the start
  });

  it("breast-cancer: ROC-AUC ≥ 0.99, accuracy ≥ 0.95, and the metrics agree with the confusion matrix", () => {
    const out = run("breast-cancer");
    const held = number(out, /\(569 × 30, (\d+) held out\)/);
    expect(number(out, /ROC-AUC +([\d.]+)/)).toBeGreaterThanOrEqual(0.99); // 0.9971 here (the example's header)
    const accuracy = number(out, /^accuracy +([\d.]+)/m);
    expect(accuracy).toBeGreaterThanOrEqual(0.95); // 0.9650 here
    const [precision, recall, f1] = numbers(out, /precision ([\d.]+) +recall ([\d.]+) +F1 ([\d.]+)/);
    expect(number(out, /log loss +([\d.]+)/)).toBeLessThan(0.15);
    const cm = JSON.parse(match(out, /confusion matrix \(rows: true malignant\/benign\): (\[.*\])/)[1]) as number[][];
    const [[tn, fp], [fn, tp]] = cm; // rows: true label 0 (malignant), 1 (benign, the positive class)
    expect(tn + fp + fn + tp).toBe(held);
    expect(accuracy).toBeCloseTo((tn + tp) / held, 4);
    expect(precision).toBeCloseTo(tp / (tp + fp), 4);
    expect(recall).toBeCloseTo(tp / (tp + fn), 4);
    expect(f1).toBeCloseTo((2 * tp) / (2 * tp + fp + fn), 4);
  });

  it("diabetes-regression: held-out R² ≥ 0.3 for both models, and R² agrees with RMSE on the same patients", () => {
    const out = run("diabetes-regression");
    const rows = all(out, /R² (-?[\d.]+) +RMSE ([\d.]+) +MAE ([\d.]+)/g);
    expect(rows).toHaveLength(2);
    for (const [r2, rmse, mae] of rows) {
      expect(r2).toBeGreaterThanOrEqual(0.3); // 0.329 and 0.323 here (the example's header)
      expect(mae).toBeLessThanOrEqual(rmse);
    }
    // R² = 1 − MSE / variance of the held-out targets: one variance for both rows (to rounding).
    const variance = rows.map(([r2, rmse]) => rmse ** 2 / (1 - r2));
    expect(Math.abs(variance[0] - variance[1]) / variance[0]).toBeLessThan(0.01);
  });

  it("mlp-adam: early stopping ends training before 100 epochs, with test accuracy ≥ 0.95", () => {
    const out = run("mlp-adam");
    const [stopped] = numbers(out, /stopped after (\d+) epochs \(earlyStopping: val_loss did not improve for 8 epochs\)/);
    expect(stopped).toBeLessThan(100);
    expect(out.match(/^Epoch \d+\/100 /gm)).toHaveLength(stopped);
    expect(number(out, /test accuracy ([\d.]+)/)).toBeGreaterThanOrEqual(0.95); // 0.9667 here (the example's header)
  });

  it("mlp-sgd-momentum: the cosine schedule runs the rate down over 30 epochs, test accuracy ≥ 0.95", () => {
    const out = run("mlp-sgd-momentum");
    const epochs = all(out, /^Epoch (\d+)\/30 .* loss: ([\d.]+) .* lr: ([\d.e-]+)$/gm);
    expect(epochs.map(([e]) => e)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(epochs[29][1]).toBeLessThan(epochs[0][1] / 3);
    expect(epochs[29][2]).toBeLessThan(epochs[0][2] / 100);
    const [accuracy, , n] = numbers(out, /test accuracy ([\d.]+), test loss ([\d.]+) after (\d+) epochs/);
    expect(n).toBe(30);
    expect(accuracy).toBeGreaterThanOrEqual(0.95); // 0.9722 here (the example's header)
  });

  it("compare-optimizers: every optimizer's loss falls over the 10 epochs and ends ≥ 0.9 training accuracy", () => {
    const out = run("compare-optimizers");
    const names = ["SGD", "SGD+momentum", "SGD+Nesterov", "Adam", "AdamW", "AMSGrad", "Adamax", "Nadam", "RMSprop", "Adagrad", "Adadelta"];
    for (const name of names) {
      const row = out.split("\n").find((l) => l.startsWith(name.padEnd(13))); // the names column is 13 wide
      expect(row, `no row for ${name} in:\n${out}`).toBeDefined();
      const values = row!.slice(13).trim().split(/\s+/).map(Number);
      expect(values).toHaveLength(11);
      const losses = values.slice(0, 10);
      expect(losses[9], name).toBeLessThan(losses[0] / 2);
      expect(values[10], name).toBeGreaterThanOrEqual(0.9); // 0.9427 (SGD) to 0.9900 here (the example's header)
    }
  });

  it("grid-search-digits: 8 candidates ranked by mean CV accuracy, the best refitted to ≥ 0.95 on the test set", () => {
    const out = run("grid-search-digits");
    expect(out).toMatch(/grid search on digits: 8 candidates × 3 folds in [\d.]+ s/);
    const rows = all(out, /^ +(\d) +(0\.\d{4}) +(0\.\d{4}) +[\d.]+s +([\d.]+) +(\d+) +([\d.]+)$/gm);
    expect(rows.map(([rank]) => rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (let i = 1; i < 8; i++) expect(rows[i][1]).toBeLessThanOrEqual(rows[i - 1][1]);
    // The 2 × 2 × 2 grid, each candidate once.
    expect(new Set(rows.map(([, , , lr, hidden, l2]) => `${lr} ${hidden} ${l2}`)).size).toBe(8);
    const best = JSON.parse(match(out, /^best: (\{.*\}) CV accuracy/m)[1]) as { lr: number; hidden: number; l2: number };
    expect([best.lr, best.hidden, best.l2]).toEqual(rows[0].slice(3));
    expect(number(out, /CV accuracy ([\d.]+)$/m)).toBe(rows[0][1]);
    expect(number(out, /test accuracy of the refitted best: ([\d.]+)/)).toBeGreaterThanOrEqual(0.95); // 0.9722 here (the example's header)
  });

  it("seq2seq-reverse: the loss falls, ≥ 195 of 200 held-out sequences come out reversed, and the shown ones are", () => {
    const out = run("seq2seq-reverse");
    const losses = all(out, /^step +(\d+) +loss ([\d.]+)$/gm);
    expect(losses[0][0]).toBe(1);
    expect(losses.at(-1)![0]).toBe(1000);
    expect(losses[0][1]).toBeGreaterThan(2); // about log 11 = 2.4: a guess among 11 tokens
    expect(losses.at(-1)![1]).toBeLessThan(0.05);
    const [exact, percent, digits] = numbers(out, /held-out: (\d+) of 200 sequences exactly reversed \(([\d.]+)%\), ([\d.]+)% of the digits/);
    expect(exact).toBeGreaterThanOrEqual(195); // the README and the example's header: 199 of 200 here
    expect(percent).toBeCloseTo(exact / 2, 1);
    expect(digits).toBeGreaterThanOrEqual(percent);
    const shown = [...out.matchAll(/^ {2}(\d{8}) → (\d{8})$/gm)];
    expect(shown).toHaveLength(3);
    for (const [, src, got] of shown) expect(got, `decoded ${src}`).toBe([...src].reverse().join(""));
  });

  it("tune-digits-trial: the module tune-digits' workers load trains 3 fold models, reporting each epoch's mean score", () => {
    // Called as the search calls it (src/select: train(params, { resource, seed, report })).
    const module = JSON.stringify(pathToFileURL(join(root, "examples", "tune-digits-trial.mjs")).href);
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", `
      const { train } = await import(${module});
      const reports = [];
      const score = await train({ lr: 0.00804, weightDecay: 0.000446, hidden: 64, dropout: 0.176 },
        { resource: 3, seed: 0, report: (epoch, value) => reports.push([epoch, value]) });
      console.log(JSON.stringify({ score, reports }));`], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const { score, reports } = JSON.parse(r.stdout) as { score: number; reports: [number, number][] };
    expect(reports.map(([epoch]) => epoch)).toEqual([1, 2, 3]);
    expect(score).toBe(reports[2][1]);
    // tune-digits' second rung scores this configuration 0.9680 after 3 epochs (with its own seed).
    expect(score).toBeGreaterThanOrEqual(0.95);
    expect(reports[2][1]).toBeGreaterThan(reports[0][1]);
  });
});

// Longer than 20 s here, so not run (2026-12-04, Node 20, wasm-simd, 2 cores with a load average
// of 5–12 from other jobs: wall time, and CPU time where measured):
//   char-lstm               30–68 s wall, 22 s CPU (4 epochs of 50 steps)
//   fortune-topics          442 s wall (10 epochs of the bidirectional GRU)
//   tune-digits             64 s wall (5 seeds; with 0 seeds, the grid and the three halving
//                           searches alone: 24 s wall, 13 s CPU)
//   fashion-mnist-mlp       205 s wall (20 epochs; test accuracy 0.9072 at the end)
//   compress-fashion-mnist  31 s wall, 24 s CPU (5 + 3 epochs)
//   cnn-fashion-mnist       ≈ 400 s wall (5 + 3 epochs, 47–54 s each, 2026-12-05; test accuracy 0.9224 after 5)
const LONG = ["char-lstm", "fortune-topics", "tune-digits", "fashion-mnist-mlp", "compress-fashion-mnist", "cnn-fashion-mnist"];
// Run above.
const RUN = ["tour", "linear-regression", "binary-classifier", "breast-cancer", "diabetes-regression", "mlp-adam",
  "mlp-sgd-momentum", "compare-optimizers", "grid-search-digits", "seq2seq-reverse", "tune-digits-trial"];
// The page of examples/browser, which runtime/test-browser-page*.mjs click through in three
// browsers (npm run test:runtimes); here only their scripts' syntax and names.
const BROWSER = ["browser/app.js", "browser/worker.js", "browser/text-worker.js"];

/**
 * The property chains a script reads from the package (`eg.nn.Linear`, and `nn.LSTM` after
 * `const { nn } = eg;`), outside comments, up to the first call or bracket.
 */
function packageChains(source: string): string[] {
  const code = source.split("\n").filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l)).join("\n");
  const roots = new Map([["eg", ""]]);
  for (const m of code.matchAll(/const \{([^}]*)\} = eg;/g)) for (const n of m[1].split(",")) roots.set(n.trim(), `${n.trim()}.`);
  const chains = new Set<string>();
  for (const [name, prefix] of roots) {
    for (const m of code.matchAll(new RegExp(`(?<![\\w$.])${name}\\.([A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)*)`, "g"))) chains.add(prefix + m[1]);
  }
  return [...chains];
}

/** The chains that do not resolve, one property at a time, in the built package the examples import. */
function missingFromPackage(chains: string[]): string[] {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `
    import * as eg from ${JSON.stringify(join(root, "dist", "index.js"))};
    console.log(JSON.stringify(${JSON.stringify(chains)}.filter((chain) => {
      let o = eg;
      for (const key of chain.split(".")) {
        if (o === null || o === undefined || !(key in Object(o))) return true;
        o = o[key];
      }
      return false;
    })));`], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as string[];
}

describe("the examples not run: they parse, and every name they take from the package exists", () => {
  it("every example is either run or checked here", () => {
    const files = readdirSync(join(root, "examples")).filter((f) => f.endsWith(".mjs")).map((f) => f.slice(0, -4)).sort();
    expect(files).toEqual([...RUN, ...LONG].sort());
  });

  it.each([...LONG.map((n) => `${n}.mjs`), ...BROWSER])("%s", (file) => {
    const path = join(root, "examples", file);
    const check = spawnSync(process.execPath, ["--check", path], { encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
    const source = readFileSync(path, "utf8");
    const chains = packageChains(source);
    if (!/^import \* as eg from /m.test(source)) return expect(chains).toEqual([]); // app.js: the page, no package
    expect(chains.length).toBeGreaterThan(5);
    expect(missingFromPackage(chains)).toEqual([]);
  });

  it("the check finds a name the package lacks, through a destructured namespace too", () => {
    const chains = packageChains("const { nn } = eg;\n// eg.nn.Commented\nnew eg.nn.Linear(2, 2); nn.LSTMM(1); x.data.lenght; eg.optim.lr.StepLR;");
    expect(chains.sort()).toEqual(["nn.LSTMM", "nn.Linear", "optim.lr.StepLR"]);
    expect(missingFromPackage(chains)).toEqual(["nn.LSTMM"]);
  });
});
