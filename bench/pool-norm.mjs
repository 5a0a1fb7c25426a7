// Pooling and batch norm at the shapes of the Fashion-MNIST CNN (batch 64: [64, 32, 28, 28]
// after the first conv, [64, 64, 14, 14] after the second), forward and backward, next to the
// f32 GEMM of the second conv's forward ([12544 × 288] · [288 × 64]) measured in the same run,
// so the ratio says what share of a training step these layers cost. Each op runs on the wasm
// backend and on the JS one (init({ backend: "js" })), medians via tinybench.
//   npm run build && node bench/pool-norm.mjs [--relaxed]
import { medianMs } from "./median.mjs";

const eg = await import("../dist/index.js");
const F = eg.nn.functional;
const settings = { time: 400, iterations: 10, warmupIterations: 3 };

async function run(backend) {
  await eg.init({ backend });
  const rows = [];
  const time = async (name, fn) => rows.push([name, await medianMs(fn, settings)]);
  const a = eg.randn([12544, 288], { seed: 1 }), b = eg.randn([288, 64], { seed: 2 });
  await time("GEMM 12544×288×64 (conv2 forward)", () => eg.matmul(a, b));
  for (const shape of [[64, 32, 28, 28], [64, 64, 14, 14]]) {
    const x = eg.randn(shape, { seed: 3 });
    x.requiresGrad = true;
    const y = F.maxPool2d(x, 2), g = eg.randn(y.shape, { seed: 4 });
    await time(`maxPool2d(2) forward  [${shape}]`, () => F.maxPool2d(x, 2));
    await time(`maxPool2d(2) backward [${shape}]`, () => y.gradFn.backward(g));
    const w = eg.ones([shape[1]]), bias = eg.zeros([shape[1]]);
    w.requiresGrad = true;
    const yb = F.batchNorm(x, null, null, { weight: w, bias, training: true }), gb = eg.randn(shape, { seed: 5 });
    await time(`batchNorm forward     [${shape}]`, () => F.batchNorm(x, null, null, { weight: w, bias, training: true }));
    await time(`batchNorm backward    [${shape}]`, () => yb.gradFn.backward(gb));
    await time(`relu forward          [${shape}]`, () => x.relu());
  }
  return rows;
}

const wasm = await run(process.argv.includes("--relaxed") ? "wasm-relaxed-simd" : "wasm-simd");
const js = await run("js");
const gemm = wasm[0][1];
console.log(`${"op".padEnd(40)} ${"wasm ms".padStart(9)} ${"js ms".padStart(9)}  wasm/GEMM`);
wasm.forEach(([name, ms], i) => console.log(`${name.padEnd(40)} ${ms.toFixed(2).padStart(9)} ${js[i][1].toFixed(2).padStart(9)}  ${(ms / gemm).toFixed(3)}`));
