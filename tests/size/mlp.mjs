// The size budget "an MLP app": what a small classifier trains and ships with — tensors, the
// Sequential, Linear and ReLU layers, fit() and Adam, each namespace imported from its own
// subpath module so the bundler drops the rest of it (the convolution, pooling and
// normalization layers and kernels), plus the dense kernel module (the f32 GEMM, Adam's step
// and Linear's ReLU and bias-gradient kernels, without the convolution, int8, recurrent and
// attention kernels of the full build).
import { init, randn, tensor } from "../../dist/slim/slim.js";
import { Linear, ReLU, Sequential, fit } from "../../dist/slim/nn/index.js";
import { Adam } from "../../dist/slim/optim/index.js";
import kernelModule from "../../dist/edgegrad-dense-simd.wasm";

init({ module: kernelModule }).then(async () => {
  const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2));
  const x = randn([16, 4]);
  const y = tensor(Array.from({ length: 16 }, (_, i) => i % 2), { dtype: "int32" });
  const history = await fit(model, x, y, { loss: "crossEntropy", optimizer: new Adam(model.parameters()), epochs: 1 });
  console.log(history.history.loss[0]);
});
