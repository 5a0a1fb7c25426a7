// A short tour: tensors, broadcasting, matmul on the wasm kernels, and a gradient.
// Run with `node examples/tour.mjs` after `npm run build`.
import * as eg from "../dist/index.js";

await eg.init(); // optional in Node; needed in browsers before the first op
console.log("backend:", eg.backendInfo());

const a = eg.tensor([[1, 2], [3, 4]]);
console.log("a =", a.toString());
console.log("a + [10, 20] =", a.add(eg.tensor([10, 20])).toString());
console.log("a @ aᵀ =", a.matmul(a.T).toString());
console.log("softmax(a, -1) =", eg.softmax(a, -1).toString());

// d/dw of Σ relu(x·w) — PyTorch-style autograd.
const x = eg.randn([4, 3], { seed: 1 });
const w = eg.randn([3, 2], { seed: 2, requiresGrad: true });
const loss = x.matmul(w).relu().sum();
loss.backward();
console.log("loss =", loss.item().toFixed(4));
console.log("w.grad =", w.grad.toString());
