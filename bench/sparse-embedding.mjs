// What a row-sparse gradient saves: one optimizer step on an Embedding table when a batch uses
// a few hundred of its rows, SparseAdam and SGD with momentum on the row-sparse gradient against
// Adam and SGD on the same gradient read densely, as the table grows. Medians of one process.
// Run: npm run build && node bench/sparse-embedding.mjs
import * as eg from "../dist/index.js";
import { medianMs } from "./median.mjs";

await eg.init();
const dim = 64, batch = 512;
const rows = [];
for (const vocab of [1_000, 10_000, 100_000]) {
  const idx = eg.tensor(Array.from({ length: batch }, (_, i) => (i * 7919) % vocab), { dtype: "int32" });
  const time = async (make, sparse) => {
    const e = new eg.nn.Embedding(vocab, dim, { sparse, seed: 1 });
    const opt = make(e.weight);
    e.forward(idx).sum().backward();
    return medianMs(() => opt.step(), { time: 400, warmupTime: 100 });
  };
  const r = {
    vocab,
    sparseAdam: await time((w) => new eg.optim.SparseAdam([w]), true),
    adam: await time((w) => new eg.optim.Adam([w]), false),
    sgdSparse: await time((w) => new eg.optim.SGD([w], { lr: 0.1, momentum: 0.9 }), true),
    sgd: await time((w) => new eg.optim.SGD([w], { lr: 0.1, momentum: 0.9 }), false),
  };
  rows.push(r);
}
console.log(`one optimizer step, Embedding [vocab, ${dim}], ${batch} lookups per batch (median ms)`);
console.log("| vocab | SparseAdam (rows used) | Adam (dense) | ratio | SGD momentum (rows used) | SGD momentum (dense) | ratio |");
console.log("|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(`| ${r.vocab} | ${r.sparseAdam.toFixed(3)} | ${r.adam.toFixed(3)} | ${(r.adam / r.sparseAdam).toFixed(1)}× | ${r.sgdSparse.toFixed(3)} | ${r.sgd.toFixed(3)} | ${(r.sgd / r.sgdSparse).toFixed(1)}× |`);
}
