// Differential check of eg.compress against onnxruntime-web on the same ONNX operators:
// QuantizeLinear (ties, saturation, ±Infinity, NaN, per-axis), DequantizeLinear and
// MatMulInteger, compared element for element (exact equality). Not a timing.
//
//   npm run build && node bench/qs8-onnx-check.mjs
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { dequantizeLinearModel, matMulIntegerModel, quantizeLinearModel } from "./qs8-onnx-model.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const eg = await import(join(root, "dist", "index.js"));
const ort = await import("onnxruntime-web");
ort.env.wasm.numThreads = 1;

let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
let checked = 0;

function same(what, got, want) {
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(Number(got[i]), Number(want[i]))) throw new Error(`${what}: [${i}] ours ${got[i]}, onnxruntime ${want[i]}`);
  }
  checked += want.length;
}

for (const dtype of ["int8", "uint8"]) {
  for (const perAxis of [false, true]) {
    const shape = [3, 5, 7];
    const axis = perAxis ? 1 : undefined;
    const C = perAxis ? shape[1] : 1;
    const scale = Array.from({ length: C }, () => Math.fround(0.01 + rand()));
    const zp = Array.from({ length: C }, () => Math.floor(rand() * 256) - (dtype === "int8" ? 128 : 0));
    const size = 105;
    // Exact ties (k + 0.5)·scale, values far out of range, and the special values.
    const x = Float32Array.from({ length: size }, (_, i) => {
      const s = scale[perAxis ? Math.floor(i / 7) % C : 0];
      if (i % 5 === 0) return (Math.floor(rand() * 40) - 20 + 0.5) * s;
      if (i % 5 === 1) return (rand() - 0.5) * 1e4;
      return [NaN, Infinity, -Infinity, -0, (rand() - 0.5) * 300 * s][i % 5 === 2 ? Math.floor(rand() * 5) : 4];
    });
    const s = await ort.InferenceSession.create(quantizeLinearModel(shape, scale, perAxis ? [C] : [], zp, dtype, axis));
    const want = (await s.run({ x: new ort.Tensor("float32", x, shape) })).y.data;
    const got = eg.compress.quantizeLinearArray(x, shape, scale, zp, { dtype, axis });
    same(`QuantizeLinear ${dtype}${perAxis ? " per-axis" : ""}`, got, want);

    const q = dtype === "int8" ? Int8Array.from(got) : Uint8Array.from(got);
    const d = await ort.InferenceSession.create(dequantizeLinearModel(shape, dtype, scale, perAxis ? [C] : [], zp, axis));
    const wantY = (await d.run({ x: new ort.Tensor(dtype, q, shape) })).y.data;
    same(`DequantizeLinear ${dtype}${perAxis ? " per-axis" : ""}`, eg.compress.dequantizeLinearArray(q, shape, scale, zp, { axis }), wantY);
  }
}

for (const [m, k, n, aType, bType] of [[5, 9, 11, "uint8", "int8"], [17, 33, 7, "int8", "uint8"], [1, 1, 1, "uint8", "uint8"], [9, 64, 24, "int8", "int8"]]) {
  const mk = (t, len) => (t === "int8" ? Int8Array : Uint8Array).from({ length: len }, () => Math.floor(rand() * 256) - (t === "int8" ? 128 : 0));
  const a = mk(aType, m * k), b = mk(bType, k * n);
  const za = mk(aType, 1)[0], zb = mk(bType, 1)[0];
  const s = await ort.InferenceSession.create(matMulIntegerModel(m, k, n, aType, b, bType, za, zb));
  const want = (await s.run({ A: new ort.Tensor(aType, a, [m, k]) })).Y.data;
  const got = eg.compress.matmulInteger(eg.fromTypedArray(a, [m, k]), eg.fromTypedArray(b, [k, n]), za, zb).data;
  same(`MatMulInteger ${aType}×${bType} ${m}×${k}×${n}`, got, want);
}
console.log(`onnxruntime-web ${ort.env.versions?.web ?? ""} and edgegrad agree on all ${checked} elements (backend ${eg.backendInfo().backend})`);
