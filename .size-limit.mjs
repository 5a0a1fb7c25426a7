// Size budgets, gzip, measured as users get them: esbuild bundles a small program that imports
// the published slim entry (so tree-shaking applies) and one .wasm file, copied untouched as a
// bundler ships it; the sizes of both are added. Targets: tensor + matmul only ≤ 15 KB with its
// wasm, met (14.1 KB) with the core kernel build (edgegrad-core-simd.wasm: the f32 GEMM only,
// 1.9 KB against the full build's 8.7); its limit is the target. The whole library ≤ 80 KB with
// the full build's wasm is not met: 123.3 KB (2026-12-01), up from 87.1 KB when the round of
// convolution, pooling, normalization, int8 convolution, tuning (lrFinder, Hyperband, TPE with a
// worker pool), the thread pool and the conv ONNX export began. Each namespace with what it
// needs of the tensor core (19.4 KB alone): nn 53.5, compress 36.4, select 28.9, optim 26.9,
// io 26.6, data 20.2, metrics 14.8. Its limit sits just above today's size so that nothing grows
// unnoticed; applications that import what they use pay far less (the MLP app below: 37.6 KB).
// Splitting the convolutions, Adam, the int8 and sparse kernels and pooling over the thread pool
// (src/backend/parallel-*.ts, in the families that use them) then added 2.2 KB: 125.5 KB, the
// MLP app 37.9 KB, the default entry 271.4 KB (2026-12-01).
// The sequence-model round (Embedding with row-sparse optimizers, the recurrent layers and their
// fused cell kernels, attention with its fused kernel, TransformerEncoder, TransformerLM and
// generate, tokenizers and text loaders) and the bfloat16 kernels then brought the whole library
// to 151.0 KB, the MLP app to 42.9 KB — its JS is unchanged to within 0.5 KB; the rest is the full
// wasm build, which grew from 8.7 to 13.1 KB gzip with the cell, attention and bfloat16 kernels
// (an app picks a build, not kernels) — and the default entry, which embeds four builds, to
// 351.4 KB (2026-12-01). The limits were moved to those sizes rounded up to the next 0.5 KB.
// Mangling internal property names would save at most 0.2 KB and no duplicated code of any size
// was found: the JS is the features' own code (README, "Size").
// An MLP app (Sequential, Linear, ReLU, fit, Adam) imports nn and optim from their subpaths
// ("edgegrad/slim/nn", ...): a bundler drops the unused members of a namespace module imported
// directly, not of one re-exported through the slim entry, so the same app written with
// `import { nn, optim } from "edgegrad/slim"` ships every layer (73.6 KB with its wasm against
// 37.6 KB). It needs the full kernel build (Adam's kernel); its limit sits just above its size.
// The default entry also embeds both full kernel builds and both threaded builds (0.4 KB more:
// nearly the same bytes) as base64 and the four data sets (≈ 130 KB gzip of data), a convenience for Node and pages: reported, with a limit just above
// its current size so it cannot grow unnoticed, but not one of the targets. The .wasm files'
// own limits are tripwires at their measured sizes rounded up to the next 0.5 KB.
// The fused GELU and LayerNorm kernels of the transformer's pointwise work (assembly/f32-gelu.ts,
// f32-layernorm.ts; lazily built families in JS, so only apps that use them carry their JS) added
// 1.9 KB gzip to the full wasm builds (edgegrad-relaxed.wasm 13.1 → 15.0 KB), which every
// full-build user carries, and about 0.2 KB of JS to the tensor core (float32 add and the linear
// bias gradient's column sums in monomorphic loops). Measured after them (2026-12-01): whole library
// 154.0 KB, the MLP app 45.0 KB (42.9 before), tensor + matmul 14.5 KB (14.4), the default entry
// 366.7 KB and edgegrad/datasets 229.5 KB (both embed the kernel builds as base64: 351.4 and 216.0
// before); those limits were raised to the next 0.5 KB.
// The search's worker threads with the calling thread taking trials too (src/select/worker-thread.ts)
// and the shared GEMM blocking then brought the whole library to 154.4 KB (2026-12-02): its limit
// moved to 154.5 KB.
// Rng.fillUniform (dropout masks drawn with the generator's state in local variables: the same
// numbers, 7–12% off a digits search with dropout) is a method, so every bundle with Rng carries
// it: whole library 154.57 KB, the MLP app 45.05 KB (2026-12-02); the two limits moved to 155
// and 45.5 KB.
// The 2×2 max pooling backward kernel and the fused Conv2d→ReLU→MaxPool2d(2) op (about 10% off
// a CNN batch on one thread: the full-size convolution output no longer crosses into JS), the
// float32 ReLU-epilogue backward loop of linear, the block-wise finite check of fit's data, then
// the same fused op in a bfloat16 scope and its taps packed four to a byte (2026-12-02): whole
// library 156.77 KB, the MLP app 45.76 KB, edgegrad-relaxed.wasm 15.35 KB, the default entry
// 370.01 KB, edgegrad/datasets 231.33 KB; those limits moved to the next 0.5 KB. Adam's moments
// kept in pinned wasm memory then added 0.2 KB (whole library 156.96, the MLP app 45.96, tensor +
// matmul 14.56 KB: the arena's pinned blocks). An int8 model's convolution and the 2×2 max pool
// after it run as one call, pooled in wasm memory (1.16× → 1.49× the float CNN's inference):
// whole library 157.5 KB (2026-12-02), its limit 158. The pooling kernel's vector step for a
// row's ragged end then grew the full wasm builds by about 0.1 KB gzip: the MLP app 46.07 KB and
// the default entry 370.75 KB and edgegrad/datasets 231.93 KB, their limits 46.5, 371 and 232 KB.
// Adam's kernel in float32 lanes (groups of four, then pairs: about 3× faster) then brought the
// default entry, which embeds four kernel builds, to 371.26 KB and edgegrad/datasets to 232.53 KB:
// limits 371.5 and 233 KB.
// The int8 convolution's per-channel epilogue moved into the micro-kernel (inlined for the
// convolution's per-row form, a call for the GEMM's per-column one) and its 2×2 pooling per image
// inside qs8_conv2d (2026-12-02): edgegrad-relaxed.wasm 15.54 KB, the default entry 372.3 KB,
// edgegrad/datasets 233.34 KB, whole library 157.92 KB; the first three limits moved to 16, 372.5
// and 233.5 KB.
// The Winograd F(2×2, 3×3) convolution (forward, input and weight gradient of 3×3 stride-1
// convolutions with channels in fours from 8: 1.7–1.9× each pass of the CNN's second layer)
// added 2.7 KB gzip to each full wasm build (2026-12-02): edgegrad-relaxed.wasm 18.23 KB, whole
// library 160.66 KB, the MLP app 49.1 KB, the default entry 387.64 KB (it embeds four builds) and
// edgegrad/datasets 245.36 KB; those limits moved to the next 0.5 KB. The int8 form of the same
// (exact in integers, forward only, with the 2×2 max pool taken per tile) then added 1.4 KB:
// edgegrad-relaxed.wasm 19.63 KB, whole library 162.07 KB, the MLP app 50.51 KB, the default
// entry 394.49 KB, edgegrad/datasets 255.23 KB; limits again at the next 0.5 KB. The next build
// of the same kernels measured edgegrad/datasets at 255.56 KB (its limit now 256 KB). The
// training-mode Conv2d→BatchNorm2d→ReLU→MaxPool2d(2) op (src/nn/conv-bn-pool.ts, about 2× off the
// 0.92 recipe's batch) added 0.6 KB of JS: whole library 162.78 KB, the default entry 395.43 KB,
// limits 163 and 395.5 KB; the MLP app is unchanged (50.57 KB).
// The int8 convolution pooled 2×2 in its micro-kernel (2×4 pixel panels, the window maxima taken
// on the i32 sums: the int8 CNN's inference 1.47 → 1.54× the float one's) and the pooling
// kernel's maxima-only mode added 0.4 KB gzip to each full wasm build (2026-12-02):
// edgegrad-relaxed.wasm 20.14 KB, whole library 163.37 KB, the MLP app 51.03 KB, the default
// entry 398.64 KB and edgegrad/datasets 258.32 KB (each embeds four builds); limits at the next
// 0.5 KB.
// The convolution's bias gradient and the pooling taps' packing in vector steps, and the linear
// layer's ReLU mask and column sums in wasm (f32_column_sums and the small family that calls it,
// src/backend/epilogue-kernels.ts) added 0.3 KB gzip to each full wasm build (2026-12-02):
// edgegrad-relaxed.wasm 20.45 KB, whole library 163.99 KB, the MLP app 51.68 KB, the default entry
// 401.55 KB, edgegrad/datasets 260.03 KB; limits at the next 0.5 KB (tensor + matmul unchanged,
// 14.61 KB).
// Adam's moments kept ahead of their JS buffers in a two-copy pinned block and written back only
// when read (a state dict, the pins dropped, a new backend; the kernel gained output pointers)
// added 0.3 KB of JS (2026-12-03): whole library 164.32 KB, the MLP app 52.01 KB, the default
// entry 402.07 KB, tensor + matmul 14.67 KB (the arena's write-back hooks); limits at the next
// 0.5 KB.
// The int8 micro-kernel's loop to an end pointer then left the wasm builds' gzip sizes as they
// were (edgegrad-relaxed.wasm 20.45 KB) but moved the two entries that embed them as base64 (gzip
// of base64 shifts with any change of the bytes): the default entry 402.65 KB, edgegrad/datasets
// 260.53 KB; limits 403 and 261 KB.
// A in the int8 micro-kernel's 4-row panels (one pointer for the four rows: 5–7% faster at
// 256³–512³; assembly/x16-packa-4x2.ts, and the GEMM's, the convolution's and the Winograd
// convolution's A put into them) added 0.3 KB gzip to each full wasm build (2026-12-03):
// edgegrad-relaxed.wasm 20.76 KB, whole library 164.6 KB, the MLP app 52.29 KB, the default entry
// 403.53 KB, edgegrad/datasets 261.32 KB; limits at the next 0.5 KB.
// The library's layers and learning-rate schedules name themselves (a static typeName, read by
// summaries and messages: an application's minifier renames the classes), and the builds no
// longer keep every function's name (esbuild's keepNames: ≈ 930 name definitions run at import,
// which nothing read once the classes carried their names) (2026-12-03): whole library 164.99 KB
// (+0.4: the names), the MLP app 52.34 KB, the default entry 392.66 KB (−10.8) and
// edgegrad/datasets 260.32 KB (−1.1); those two limits moved down to the next 0.5 KB.
// The top-level API's own module (src/api-core.ts, which the default entry's Node files load
// apart from the namespaces) and the matmul op importing the backend's modules rather than its
// index changed the order of the modules in the whole-library bundle, not its bytes (436,996
// minified bytes before and after), and gzip then found 0.49 KB less to share (2026-12-03):
// whole library 165.46 KB, its limit 165.5 KB.
// A round of fixes found by comparing the library with PyTorch and scikit-learn (2026-12-03:
// typed refusals of options that were accepted and ignored, the ONNX layer list's field checks,
// the int8 layers' int32 headroom, callbacks checked before the first batch, integer arithmetic
// that wraps exactly, shared parameters listed once …) grew the whole library from 165.46 to
// 173.0 KB, the MLP app from 52.32 to 54.22, the default entry from 392.57 to 400.88 and
// edgegrad/datasets from 260.37 to 261.22 KB; those limits moved to the next 0.5 KB. The tensor
// core took its share (about 1 KB gzip): the pinned blocks moved out of Arena (arena-pins.ts, only
// the int8 and optimizer kernels use them) and the new checks were written shorter to bring it
// back. The tensor + matmul check now leaves out the mixed-precision chunk too, as the MLP check
// does: fit's `import("./autocast.js")` makes an esbuild bundle without code splitting wrap
// every module autocast reaches — the whole tensor core — in a lazy initializer, 0.35 KB gzip
// that a bundler splitting its dynamic imports (Vite, Rollup, webpack) does not add. Measured
// then: 14.98 KB (15.33 with the wrappers). The tuners' checks (cloneability for trial workers, the
// plot and format helpers' options) and the CLI's prompt fallback then brought the whole library to
// 173.59 KB and the default entry to 401.45 KB; limits 174 and 401.5 KB.
// A second differential sweep (2026-12-03, evening: degenerate shapes, dtype promotion, optimizer
// and state-dict configurations, attention weights with gradients, metrics and folds as
// scikit-learn's, data scalers, compression numerics; about 50 fixes) brought the whole library to
// 176.33 KB, the MLP app to 54.84 and the default entry to 404.32 KB; limits 176.5, 55 and 404.5.
// The tensor core's share was written back under its target: 14,997 B.
// A third sweep (2026-12-04: losses, recurrent, attention, convolution and pooling, tensor ops,
// activations and initializers, fit and callbacks against Keras, schedulers, model selection,
// ONNX export; about 70 fixes) and what it showed PyTorch users miss (sort/argsort, cumprod,
// cummax/cummin, logcumsumexp, roll, tril/triu, PReLU and seven more activations, loss modules,
// weight tying by assignment) brought the whole library to 185.45 KB, the MLP app to 55.78 (fit's
// checks of losses, optimizers and per-position targets, the initializers' strided fill, Module's
// parameter accessors) and the default entry to 413.47 KB; limits 185.5, 56 and 413.5. The tensor
// core stayed at 14,994 B (backward's seed check paid for by two shorter messages). The same
// day's data, compression and CLI fixes (randomCrop's padding modes, observers reading tensors,
// the CLI's checks) then brought the whole library to 186.31 KB and the default entry to 414.23 KB:
// limits 186.5 and 414.5.
// What PyTorch and scikit-learn users reached for next (2026-12-04: TransformerDecoderLayer,
// TransformerDecoder and Transformer; InstanceNorm, PixelShuffle/Unshuffle, Unflatten, the padding
// modules, CosineSimilarity, PairwiseDistance and their ONNX forms; fifteen metrics and
// classificationReport; nine cross-validation splitters; six image transforms) and a fourth
// round of fixes brought the whole library to 202.27 KB, the MLP app to 55.95 (0.15 KB of it
// full()'s check of integer fill values, the rest fit's acc alias and callback-added keys), the
// default entry to 430.44 KB and
// edgegrad/datasets to 261.5 KB (the recurrent cells' tanh and GELU's tail in the kernel builds
// it embeds); limits 202.5, 430.5 and 262. The tensor core stayed at 14,986 B: the empty-tensor
// print and the reductions' NaN gradients were paid for by one loop in the print's precision
// scan and shorter messages.
// The dense kernel build (assembly/dense.ts: the f32 GEMM, Adam's step, Linear's ReLU mask and
// bias-gradient sums; 2.4 KB gzip against the full build's 20.9) is what the MLP app now ships:
// 55.95 → 37.45 KB, the convolution, int8, recurrent and attention kernels no longer in it. Its
// limit moved to 37.5 KB; the dense .wasm has its own tripwire. The tensor core's build check
// became one test of two exports: 14,975 B (14,986 before).
// The same day's additions (saturation, hue, grayscale and rotation transforms; sampleWeight and
// multilabel inputs across the metrics; the ONNX export of LayerNorm, Embedding and the
// transformer encoder; the transformer sweep's checks) brought the whole library to 209.42 KB
// and the default entry to 437.61 KB: limits 209.5 and 438 KB.
// The recurrent cells (RNNCell, LSTMCell, GRUCell), swa.updateBn, and crossValPredict with the
// learning and validation curves (2026-12-04, later) brought the whole library to 212.48 KB and
// the default entry to 440.66 KB: limits 212.5 and 441 KB. The MLP app and the tensor core are
// unchanged (37.45 KB, 14.97 KB): they import none of it. The datasets and DataLoader, EmbeddingBag,
// the margin losses, Bilinear, the alpha dropouts, Dropout1d, ChannelShuffle, LocalResponseNorm,
// MaxUnpool and the ranking and clustering metrics then brought them to 224.70 and 453.04 KB
// (limits 225 and 453.5); the MLP app and the tensor core again unchanged. The tensor ops of
// PyTorch's top level (elementwise math and special functions, reductions and statistics,
// indexing and search, dense linear algebra), nn.functional's pad/oneHot/unfold/fold/
// gumbelSoftmax/pdist and nn.utils then brought them to 244.19 and 471.12 KB (limits 244.5 and
// 471.5): each op is its own module, so the MLP app (37.45 KB) and tensor + matmul (14,976 B) do
// not change.
// Module hooks, tensor gradient hooks, packed sequences, ctcLoss, eg.fft, the SVD family and the
// norms, the interpolation modes and the 1-d layers (2026-12-04, evening) brought the whole
// library to 263.55 KB and the default entry to 491.08 KB (limits 264 and 491.5). The MLP app
// grew to 38.61 KB (limit 39): the hook methods are Module's, as in PyTorch, so every model
// carries the hooks' registration and backward-hook code (module-hooks.ts and
// module-backward-hooks.ts, 3.2 KB minified, ≈ 1.1 KB gzip) whether or not it registers one.
// Tensor + matmul grew 17 B to 14,993 B: the backward sweep's one check for tensor hooks.
// The ONNX mappings of those layers (Resize, LpPool, LRN, 1-d ConvTranspose) and eg.distributions
// then brought the whole library to 269.46 KB and the default entry to 496.83 KB (limits 269.5
// and 497); the MLP app and the tensor core unchanged.
// eg.autograd (grad, jacobian, vjp, gradcheck), the rest of torch.fft, the 3-d convolution family,
// the missing torch.nn pieces (Unfold/Fold, Softmax2d, ParameterList/Dict, the 1-d/3-d pads,
// spectralNorm), gridSample/affineGrid and the other functional ops, twelve more distributions,
// the ONNX export of the recurrent and 3-d layers and eg.io.importOnnx (about 15 KB of it: the
// operators run on the convolution, pooling and quantization code it imports) then brought the
// whole library to 309.87 KB and the default entry to 536.86 KB (limits 310 and 537). The MLP app
// and the tensor core did not grow: autograd.grad keeps its own sweep loop outside runBackward
// (a shared, more general sweep cost the tensor core 137 B: 15,137 B against the 15,000 limit),
// and tensor + matmul is at 15,000 B.
// 2026-12-05: the bfloat16 linear backward's mask and bias sums in wasm, and AdaptiveMaxPool2d in the
// ONNX exporter's registry, brought the whole library to 310.01 KB and the default entry to 537.03
// KB (limits 310.5 and 537.5); compiling the kernels through embedded.ts took 8 B off tensor +
// matmul (14,992 B).
const gzip = { gzip: true, brotli: false };
const wasmAsFile = { modifyEsbuildConfig: (c) => ({ ...c, loader: { ...c.loader, ".wasm": "copy" } }) };
// 2026-12-05: the slim entry now holds the top-level names only (src/api-core.ts: tensors, their
// ops, autograd, init, errors) and each namespace is its subpath alone. Re-exported through the
// entry, a namespace could not be tree-shaken (an MLP app's JS 39.6 → 92.0 KB, measured
// 2026-12-02), so the entry cost every slim application its families whole. Everything from
// the entry with the full kernel build: 70.88 KB against the 80 KB target, met. The whole library
// (the entry and every subpath) stays measured as a tripwire: 309.65 KB, its limit 310.5.
// The int8 micro-kernel inlined into the Winograd convolution's GEMM loop (its row count, column
// count and flags constant there, so its branches fold away: the int8 CNN's inference about 7%
// faster, 2026-12-05) added 0.37 KB gzip to each full wasm build: everything from the slim entry
// 71.19 KB, the whole library 310.72 KB, edgegrad-relaxed.wasm 21.15 KB, the default entry (four
// builds embedded) 539.93 KB, edgegrad/datasets 262.99 KB; the last four limits moved to the
// next 0.5 KB.
// The pooled GEMM op (src/backend/parallel-gemm-op.ts: a split product's copies arranged around
// the workers' parts, 2–14% off 2-thread products at 256³ and [64×784]·[784×256]) moved the
// pool's branch out of the tensor core's GEMM (tensor + matmul 14,988 → 14,921 B) into the pool's
// chunk: the whole library 311.37 KB, the default entry 540.84 KB (2026-12-05). A pool whose
// workers never answer then gave up after 30 s instead of hanging init, and the caller's part of
// a job became a function the pool calls (not a fourth argument that a wrapper could drop): the
// whole library 311.53 KB, the default entry 541.03 KB, everything from the slim entry (which
// counts the pool's chunk) 72.02 KB; limits 312 and 541.5. fit's weight gradients written into
// the arrays of the batch before (src/ndarray/grad-buffers.ts) then added 0.2–0.3 KB: the MLP app
// 38.84 KB, everything from the slim entry 72.26 KB, the whole library 311.83 KB, the default
// entry 541.32 KB. fit's step arrays (src/backend/step-arrays.ts, src/nn/step-safe.ts: a step's
// outputs and passed-back gradients reused, so a CNN's step allocates 0.2 MB instead of 5.1 and
// V8 no longer collects every few batches) added 0.4 KB: the MLP app 39.25 KB (limit 39 → 39.5),
// everything from the slim entry 72.44 KB, the whole library 312.37 KB (limit 312.5), the default
// entry 541.81 KB (limit 542). A linear layer's two backward products run side by side on the pool
// (src/backend/gemm-pair.ts, parallel-gemm-pair.ts: MLP step 1–6% shorter on 2 threads) added
// 0.3 KB to the MLP app (39.53 KB, limit 40) and 0.7 KB with the pool's chunk: everything from the
// slim entry 73.13 KB, the whole library 313.10 KB (limit 313.5), the default entry 542.55 KB
// (limit 543).
// fit's batches with the model's arrays in kernel memory (src/backend/resident.ts,
// src/nn/fit-resident.ts: no copies of the weights, gradients and step arrays on the threaded
// build) added 0.4–0.9 KB: the MLP app 40.36 KB (limit 40.5), everything from the slim entry
// 73.28 KB, the whole library 314.05 KB (limit 314.5), the default entry 543.41 KB (limit 543.5).
// The tensor core's GEMM checks whether C is resident in line rather than through a helper, which
// kept tensor + matmul at 14,988 B, within its 15 KB.
// predict's and evaluate's batches run as fit's (src/nn/inference-batches.ts: step arrays reused,
// and on the threaded build the weights and the rows in kernel memory) added 0.2–0.3 KB: the MLP
// app (whose fit validates through evaluate) 40.61 KB (limit 40.5 → 41), the whole library
// 314.41 KB, the default entry 543.75 KB (limit 543.5 → 544) (2026-12-05).
// The thread pool (src/backend/thread-start.ts and what it imports) is loaded by a dynamic import
// in init({ threads }) only, so an application's bundler puts it in a chunk its program never
// fetches unless it asks for threads; this check leaves that chunk out (3.2 KB gzip), the
// whole-library check counts it.
const withoutThreadPool = { modifyEsbuildConfig: (c) => ({ ...wasmAsFile.modifyEsbuildConfig(c), plugins: [...(c.plugins ?? []), {
  name: "thread-pool-chunk", setup: (b) => b.onResolve({ filter: /thread-start\.js$/ }, (a) => ({ path: a.path, external: true })),
}] }) };
// The bfloat16 kernels of mixed-precision training (conversions, the GEMM with a bfloat16 B) added
// 0.5 KB gzip to the full wasm builds, which every full-build user carries (an app picks a build,
// not kernels); their JS is a lazily built family. Measured after them: whole library 127.6 KB,
// the MLP app 38.4 KB (of which about 0.3 KB of JS: the hooks in linear, conv2d, record and fit),
// edgegrad-relaxed.wasm 9.3 KB; the three limits were raised to the next 0.5 KB.
// Likewise fit's precision: "bf16" loads the mixed-precision scope (src/nn/autocast.ts and the
// bfloat16 kernel family it imports) by a dynamic import: an MLP app that trains in float32
// never fetches that chunk, so the MLP check leaves it out too.
const withoutLazyChunks = { modifyEsbuildConfig: (c) => ({ ...withoutThreadPool.modifyEsbuildConfig(c), plugins: [...(withoutThreadPool.modifyEsbuildConfig(c).plugins ?? []), {
  name: "autocast-chunk", setup: (b) => b.onResolve({ filter: /[\\/]autocast\.js$/ },
    (a) => (a.kind === "dynamic-import" ? { path: a.path, external: true } : undefined)),
}] }) };
export default [
  { name: "everything from edgegrad/slim (the top-level names) + edgegrad-simd.wasm", path: "tests/size/whole-library.mjs", limit: "80 KB", ...wasmAsFile, ...gzip },
  { name: "the whole library: edgegrad/slim and every namespace subpath, + edgegrad-simd.wasm", path: "tests/size/every-subpath.mjs", limit: "314.5 KB", ...wasmAsFile, ...gzip },
  { name: "tensor + matmul only: slim entry, tree-shaken, + edgegrad-core-simd.wasm", path: "tests/size/tensor-matmul.mjs", limit: "15 KB",
    ...withoutLazyChunks, ...gzip },
  { name: "an MLP app: Sequential, Linear, ReLU, fit, Adam: namespace subpaths, tree-shaken, + edgegrad-dense-simd.wasm", path: "tests/size/mlp.mjs", limit: "41 KB",
    ...withoutLazyChunks, ...gzip },
  { name: "edgegrad-relaxed.wasm (the other full kernel build)", path: "dist/edgegrad-relaxed.wasm", limit: "21.5 KB", ...wasmAsFile, ...gzip },
  { name: "edgegrad-core-simd.wasm (the core kernel build: f32 GEMM only)", path: "dist/edgegrad-core-simd.wasm", limit: "2 KB", ...wasmAsFile, ...gzip },
  { name: "edgegrad-dense-simd.wasm (the dense kernel build: f32 GEMM, Adam, Linear's ReLU and bias gradients)", path: "dist/edgegrad-dense-simd.wasm", limit: "2.5 KB", ...wasmAsFile, ...gzip },
  { name: "default entry, everything (kernels and data sets embedded)", path: "dist/index.js", import: "*", limit: "544 KB", ...gzip },
  { name: "edgegrad/datasets", path: "dist/datasets.js", import: "*", limit: "263.5 KB", ...gzip },
];
