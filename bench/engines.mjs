// The GEMM implementations the benchmark compares, each behind one interface:
//   prepare(problem) → { resident?: () => void, f32?: () => void|Promise, result: () => Float32Array }
// `resident`: operands already live in the library (tensors made once), the product stays there.
// `f32`: from Float32Array operands to a Float32Array product — everything the user pays for.
// A problem is { m, n, k, transA, transB, a, b }: a is stored [m,k] (or [k,m] if transA),
// b is stored [k,n] (or [n,k] if transB), both row-major Float32Arrays.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { importFromSource } from "./from-source.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/** Operand windows for the kernel table: a transposed operand is just swapped strides. */
function windows(p) {
  const a = p.transA ? { data: p.a, offset: 0, rowStride: 1, colStride: p.m }
                     : { data: p.a, offset: 0, rowStride: p.k, colStride: 1 };
  const b = p.transB ? { data: p.b, offset: 0, rowStride: 1, colStride: p.k }
                     : { data: p.b, offset: 0, rowStride: p.n, colStride: 1 };
  return { a, b };
}

const loadBackendFromSource = () =>
  importFromSource(`export { init, kernels } from "./src/backend/index.ts";`, "bench-backend.ts");

/** edgegrad's f32Gemm for one backend: Float32Array in, Float32Array out, one wasm call. */
export async function edgegradKernels(backend) {
  const eg = await loadBackendFromSource();
  await eg.init({ backend });
  const table = eg.kernels();
  if (table.name !== backend) throw new Error(`edgegrad: asked for ${backend}, got ${table.name}`);
  return {
    name: backend === "wasm-simd" ? "eg-simd" : "eg-relaxed",
    prepare(p) {
      const { a, b } = windows(p);
      const c = new Float32Array(p.m * p.n);
      return { f32: () => table.f32Gemm(p.m, p.n, p.k, a, b, c, 0), result: () => c };
    },
  };
}

/** edgegrad's Tensor API from the built dist: matmul of views (a transpose is a view). */
export async function edgegradTensor() {
  const eg = await import(join(root, "dist", "index.js"));
  await eg.init();
  let c = null;
  return {
    name: "eg-matmul",
    backend: eg.backendInfo().backend,
    prepare(p) {
      const f32 = () => {
        const a = eg.fromTypedArray(p.a, p.transA ? [p.k, p.m] : [p.m, p.k]);
        const b = eg.fromTypedArray(p.b, p.transB ? [p.n, p.k] : [p.k, p.n]);
        c = eg.matmul(p.transA ? a.transpose() : a, p.transB ? b.transpose() : b).data;
      };
      return { f32, result: () => c };
    },
  };
}

/** tfjs-core with the wasm (XNNPACK) or cpu backend, one thread. */
export async function tfjs(backendName) {
  const tf = await import("@tensorflow/tfjs-core");
  if (backendName === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const dir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"));
    wasm.setWasmPaths(`${dir}/`);
    wasm.setThreadsCount(1);
  } else {
    await import("@tensorflow/tfjs-backend-cpu");
  }
  let held = [];
  let c = null;
  return {
    name: `tfjs-${backendName}`,
    async activate() {
      await tf.setBackend(backendName);
      await tf.ready();
      if (backendName === "wasm" && !tf.env().getBool("WASM_HAS_SIMD_SUPPORT")) throw new Error("tfjs-wasm: no SIMD");
    },
    prepare(p) {
      for (const t of held) t.dispose();
      const shapeA = p.transA ? [p.k, p.m] : [p.m, p.k];
      const shapeB = p.transB ? [p.n, p.k] : [p.k, p.n];
      const a = tf.tensor2d(p.a, shapeA), b = tf.tensor2d(p.b, shapeB);
      held = [a, b];
      return {
        // The wasm and cpu backends run kernels eagerly and synchronously: the call is the work.
        resident: () => tf.matMul(a, b, p.transA, p.transB).dispose(),
        f32: () => {
          const ta = tf.tensor2d(p.a, shapeA), tb = tf.tensor2d(p.b, shapeB);
          const tc = tf.matMul(ta, tb, p.transA, p.transB);
          c = tc.dataSync();
          ta.dispose(); tb.dispose(); tc.dispose();
        },
        result: () => {
          const tc = tf.matMul(a, b, p.transA, p.transB);
          c = tc.dataSync();
          tc.dispose();
          return c;
        },
      };
    },
  };
}

/**
 * onnxruntime-web's wasm backend on a one-node model (MatMul, or Gemm if transposed), on one
 * thread unless asked: the thread count is the process's, fixed by its first session.
 */
export async function onnxruntime(threads = 1) {
  const ort = await import("onnxruntime-web");
  const { matmulModel } = await import("./onnx-model.mjs");
  ort.env.wasm.numThreads = threads;
  const sessions = new Map();
  let c = null;
  return {
    name: threads === 1 ? "ort-wasm" : `ort-wasm ${threads} threads`,
    async prepareAsync(p) {
      const key = `${p.m},${p.n},${p.k},${p.transA},${p.transB}`;
      if (!sessions.has(key)) {
        sessions.set(key, await ort.InferenceSession.create(matmulModel(p.m, p.n, p.k, p.transA, p.transB),
          { executionProviders: ["wasm"], graphOptimizationLevel: "all" }));
      }
      const session = sessions.get(key);
      const dimsA = p.transA ? [p.k, p.m] : [p.m, p.k];
      const dimsB = p.transB ? [p.n, p.k] : [p.k, p.n];
      const f32 = async () => {
        const out = await session.run({ A: new ort.Tensor("float32", p.a, dimsA), B: new ort.Tensor("float32", p.b, dimsB) });
        c = out.C.data;
      };
      return { f32, result: () => c };
    },
  };
}

/** The plain JavaScript i-k-j loop a user would write (strided, so any layout works). */
export function plainJs() {
  let c = null;
  return {
    name: "plain-js",
    prepare(p) {
      const { a, b } = windows(p);
      const f32 = () => {
        const { m, n, k } = p;
        const out = new Float32Array(m * n);
        const ad = a.data, bd = b.data, bcs = b.colStride;
        for (let i = 0; i < m; i++) {
          for (let q = 0; q < k; q++) {
            const aiq = ad[i * a.rowStride + q * a.colStride];
            const bq = q * b.rowStride;
            for (let j = 0; j < n; j++) out[i * n + j] += aiq * bd[bq + j * bcs];
          }
        }
        c = out;
      };
      return { f32, result: () => c };
    },
  };
}
