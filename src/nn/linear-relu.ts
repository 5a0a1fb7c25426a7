import { isGradEnabled, linear, matmul, noGrad, record, Tensor } from "../ndarray/index.js";

/**
 * max(0, x·Wᵀ + b) as one tape node for the training hot path (Sequential's Linear+ReLU). The
 * forward is the fused GEMM (bias and relu in its epilogue); the backward masks the incoming
 * gradient by y > 0 and sums the bias gradient in plain float32/float64 loops — each a single
 * pass over a batch×out array — then runs the two GEMMs. Compared with composing generic ops
 * this avoids their broadcasting machinery on every step.
 */
export function linearRelu(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const same = x.dtype === weight.dtype && (!bias || bias.dtype === weight.dtype) && (weight.dtype === "float32" || weight.dtype === "float64");
  if (!same) return linear(x, weight, bias, { relu: true });
  const y = noGrad(() => linear(x, weight, bias, { relu: true }));
  if (!isGradEnabled() || !(x.requiresGrad || weight.requiresGrad || bias?.requiresGrad)) return y;
  const [outF, inF] = weight.shape;
  const yd = y.data;
  const m = yd.length / outF;
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(new Tensor(y.storage, y.dtype, y.shape.slice(), y.strides.slice(), y.offset), "linearRelu", inputs, (g) => {
    const gd = g.data;
    const F = weight.dtype === "float64" ? Float64Array : Float32Array;
    const masked = new F(m * outF);
    const db = bias?.requiresGrad ? new Float64Array(outF) : null;
    for (let i = 0; i < m; i++) {
      const base = i * outF;
      for (let j = 0; j < outF; j++) {
        const v = yd[base + j] > 0 ? gd[base + j] : 0;
        masked[base + j] = v;
      }
      if (db) for (let j = 0; j < outF; j++) db[j] += masked[base + j];
    }
    const G = new Tensor(masked, weight.dtype, [m, outF]);
    const x2 = x.detach().reshape([m, inF]);
    return [
      x.requiresGrad ? matmul(G, weight.detach()).reshape(x.shape.slice()) : null,
      weight.requiresGrad ? matmul(G.transpose(), x2) : null,
      db ? new Tensor(F.from(db), weight.dtype, [outF]) : null,
    ];
  });
}
