/**
 * The raw exports of the kernel module (assembly/index.ts), declared once. Pointers are byte
 * offsets into `memory`, counts and strides are in elements unless a name says bytes; flag words
 * are built from src/backend/flags.ts. tests/backend/kernel-exports.test.ts checks every name and
 * parameter count against the built module.
 */
export interface KernelExports {
  memory: WebAssembly.Memory;
  /** First byte no static data uses: the scratch arena starts here. */
  heap_base(): number;
  /** ISA_SIMD or ISA_RELAXED_SIMD (flags.ts). */
  kernel_isa(): number;

  /** Bytes of scratch f32_gemm_batch needs (for any batch) of m×n×k problems. */
  f32_gemm_workspace(m: number, n: number, k: number): number;
  /**
   * C_t[m×n] = (accumulate ? C_t : 0) + A_t·B_t + bias, then relu (flags GEMM_*), for `batch`
   * problems at batch strides apart (stride 0 broadcasts an operand; batch 1 is one GEMM).
   */
  f32_gemm_batch(batch: number, m: number, n: number, k: number,
                 a: number, aBatchStride: number, aRowStride: number, aColStride: number,
                 b: number, bBatchStride: number, bRowStride: number, bColStride: number,
                 c: number, cBatchStride: number, cRowStride: number,
                 bias: number, flags: number, work: number): void;

  /** Packs int8/uint8 B[k×n] into out (qs8PackedLength(k, n) i16, qs8-types.ts). */
  qs8_packw_gemm(k: number, n: number, b: number, bRowStride: number, bColStride: number,
                 bSigned: number, zp: number, zpPerColumn: number, out: number): void;
  qs8_gemm_workspace(m: number, n: number, k: number): number;
  /** C = (A − aZero)·W + bias (flags QS8_*), W from qs8_packw_gemm; int32 or scaled float32 out. */
  qs8_gemm(m: number, n: number, k: number, a: number, aRowStride: number, aSigned: number,
           aZero: number, w: number, c: number, cRowStride: number, bias: number, scale: number,
           flags: number, work: number): void;
  /** ONNX QuantizeLinear per tensor: float32 → int8 (signed) or uint8. */
  qs8_quantize_f32(n: number, x: number, scale: number, zeroPoint: number, signed: number, out: number): void;
  /** out[0] = min, out[1] = max of n float32 (NaN if any is NaN). */
  f32_minmax(n: number, x: number, out: number): void;

  f32_spmm_workspace(m: number, n: number, k: number): number;
  /** Y = X·Wᵀ (+ bias) (relu), W in CSR (flags SPMM_*). */
  f32_spmm(m: number, n: number, k: number, x: number, rowPtr: number, colIdx: number, values: number,
           bias: number, y: number, flags: number, work: number): void;

  /**
   * One Adam step (vMax 0 = no amsgrad); see adamUpdate in optim-kernels.ts. param in place, the
   * moments read from m, v, vMax and written to mOut, vOut, vMaxOut (the same pointers: in place).
   * Works in pairs: with an odd n every buffer holds one more float, updated and ignored.
   */
  f32_adam(n: number, param: number, grad: number, m: number, v: number, vMax: number,
           mOut: number, vOut: number, vMaxOut: number,
           beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
           stepSize: number, invSqrtBc2: number, eps: number, shrink: number, weightDecay: number): void;

  /** Bytes of scratch f32_conv2d needs for the Conv2dGeometry (16 i32, conv-geometry.ts) at geometry. */
  f32_conv2d_workspace(geometry: number): number;
  /** y = conv2d(x, w) + bias (0: none), relu with GEMM_RELU; NCHW, w [Cout, Cin/groups, kH, kW]. */
  f32_conv2d(geometry: number, x: number, w: number, bias: number, y: number, flags: number, work: number): void;
  f32_conv2d_backward_input_workspace(geometry: number): number;
  /** dx = the input gradient of f32_conv2d for dy and w (a transposed convolution). */
  f32_conv2d_backward_input(geometry: number, dy: number, w: number, dx: number, work: number): void;
  f32_conv2d_backward_weight_workspace(geometry: number): number;
  /** dw = the weight gradient of f32_conv2d for x and dy, summed over the batch. */
  f32_conv2d_backward_weight(geometry: number, x: number, dy: number, dw: number, work: number): void;
  /**
   * Rows i0..i1 (output channels within each group) × columns j0..j1 (patch elements) of
   * f32_conv2d_backward_weight's dw, with the bits of the whole call: the thread pool's split.
   */
  f32_conv2d_backward_weight_tile(geometry: number, x: number, dy: number, dw: number, work: number,
                                  i0: number, i1: number, j0: number, j1: number): void;
  /** dy[i] = y[i] > 0 ? dy[i] : 0 in place: the backward of a relu epilogue. */
  f32_relu_backward(n: number, dy: number, y: number): void;
  /** x[i] = x[i] < 0 ? 0 : x[i] in place (NaN and −0 pass): the ReLU after a fused BatchNorm. */
  f32_relu(n: number, x: number): void;
  /**
   * db[c] = Σ dy[n, c, :] over batch and plane for `channels` channels, images `batchStride`
   * floats apart: the backward of a per-channel bias (a range of channels on offset pointers).
   */
  f32_bias_backward(batch: number, channels: number, plane: number, batchStride: number, dy: number, db: number): void;
  /** dst[j] = Σ_i src[i·n + j] over the m rows, float64 in row order (n float64 values): a linear layer's bias gradient. */
  f32_column_sums(m: number, n: number, src: number, dst: number): void;
  /** Bytes of scratch f32_dwconv2d needs. */
  f32_dwconv2d_workspace(geometry: number): number;
  /** f32_conv2d for groups = inChannels (depthwise), w [Cout, 1, kH, kW]. */
  f32_dwconv2d(geometry: number, x: number, w: number, bias: number, y: number, flags: number, work: number): void;
  /**
   * 2×2, stride-2 max pooling of planes×h×w float32 into planes×⌊h/2⌋×⌊w/2⌋, and per window a
   * byte code (0..3, row-major) of the tap that won (see pool-kernels.ts).
   */
  f32_maxpool2d_2x2(planes: number, h: number, w: number, x: number, y: number, code: number): void;
  /** Its backward: gx (planes×h×w) gets each window's g at the tap its code names, zeros elsewhere. */
  f32_maxpool2d_2x2_backward(planes: number, h: number, w: number, code: number, g: number, gx: number): void;
  /** n tap codes (bytes 0..3) packed four to a byte, and back (see packTapsJs in pool-kernels.ts). */
  u8_pack_taps(n: number, src: number, dst: number): void;
  u8_unpack_taps(n: number, src: number, dst: number): void;
  /** Bytes of scratch qs8_conv2d needs; geometry: 16 i32, Conv2dGeometry's fields in order. */
  qs8_conv2d_workspace(geometry: number): number;
  /**
   * int8 convolution, NCHW (ONNX ConvInteger, flags QS8_*): y = Σ (x − xZero)·w + bias[co], int32
   * or f32(·)·scale[co]; w laid out by qs8ConvPackWeights (qs8-conv-types.ts).
   */
  qs8_conv2d(geometry: number, x: number, xSigned: number, xZero: number, w: number,
             bias: number, scale: number, y: number, flags: number, work: number): void;
  /** dst[i] = bfloat16 bits (u16) of float32 src[i], rounded to nearest even (NaN stays NaN), for i < n. */
  f32_bf16_vcvt(n: number, src: number, dst: number): void;
  /** dst[i] = the float32 value of bfloat16 bits src[i] (exact), for i < n. */
  bf16_f32_vcvt(n: number, src: number, dst: number): void;
  /** Bytes of scratch f32_gemm_bf16b needs for an m×n×k problem. */
  f32_gemm_bf16b_workspace(m: number, n: number, k: number): number;
  /** C = A·B (+ bias) (relu) with A float32 and B bfloat16 bits (strides in elements), widened in the packing. */
  f32_gemm_bf16b(m: number, n: number, k: number, a: number, aRowStride: number, aColStride: number,
                 b: number, bRowStride: number, bColStride: number, c: number, cRowStride: number,
                 bias: number, flags: number, work: number): void;
  /** One LSTM step's gates, c and h from xp, hp [batch, 4H] and cPrev (assembly/f32-lstm-cell.ts). */
  f32_lstm_cell_forward(batch: number, hidden: number, xp: number, hp: number, cPrev: number,
                        gates: number, h: number, c: number): void;
  /** Its backward: dGates [batch, 4H]; dc in place (next step's in, cPrev's out). */
  f32_lstm_cell_backward(batch: number, hidden: number, gates: number, cPrev: number, c: number,
                         dy: number, dhRec: number, dc: number, dGates: number): void;
  /** One GRU step's gates (r, z, n, hn) and h from xp, hp [batch, 3H] and hPrev (assembly/f32-gru-cell.ts). */
  f32_gru_cell_forward(batch: number, hidden: number, xp: number, hp: number, hPrev: number, gates: number, h: number): void;
  /** Its backward: dxp, dhp [batch, 3H]; dhRec overwritten with dh·z. */
  f32_gru_cell_backward(batch: number, hidden: number, gates: number, hPrev: number, dy: number,
                        dhRec: number, dxp: number, dhp: number): void;
  /** h = tanh or relu (RNN_RELU) of xp + hp over n floats (assembly/f32-rnn-cell.ts). */
  f32_rnn_cell_forward(n: number, xp: number, hp: number, h: number, flags: number): void;
  /** dpre = (dy + dhRec)·act′(h) over n floats. */
  f32_rnn_cell_backward(n: number, h: number, dy: number, dhRec: number, dpre: number, flags: number): void;
  /** Bytes of scratch f32_attention_forward needs. */
  f32_attention_forward_workspace(s: number, e: number): number;
  /**
   * Fused scaled dot-product attention over `blocks` (batch, head) blocks: probs = softmax(scale·Q·Kᵀ
   * + mask), out = (probs ⊙ drop)·V; causal 1 skips keys past i + S − L (assembly/f32-attention.ts).
   */
  f32_attention_forward(blocks: number, l: number, s: number, e: number, ev: number, scale: number, causal: number,
                        q: number, k: number, v: number, mask: number, maskStride: number, drop: number,
                        out: number, probs: number, work: number): void;
  /** Bytes of scratch f32_attention_backward needs. */
  f32_attention_backward_workspace(l: number, s: number, ev: number): number;
  /** dQ, dK, dV of f32_attention_forward for dOut, from the probs it wrote. */
  f32_attention_backward(blocks: number, l: number, s: number, e: number, ev: number, scale: number, causal: number,
                         q: number, k: number, v: number, drop: number, probs: number, dOut: number,
                         dq: number, dk: number, dv: number, work: number): void;
  /** y = GELU(x) over n floats; approximate 1 is the tanh form (assembly/f32-gelu.ts). */
  f32_gelu_forward(n: number, x: number, y: number, approximate: number): void;
  /** dx = g·GELU′(x) over n floats, from x and the forward's y (dx may alias g). */
  f32_gelu_backward(n: number, x: number, y: number, g: number, dx: number, approximate: number): void;
  /** Layer norm of the rows of x [rows, n] in float64; weight, bias [n] or 0; mean, rstd float64 [rows] written (assembly/f32-layernorm.ts). */
  f32_layernorm_forward(rows: number, n: number, x: number, weight: number, bias: number, eps: number,
                        y: number, mean: number, rstd: number): void;
  /** Bytes of scratch f32_layernorm_backward needs. */
  f32_layernorm_backward_workspace(n: number): number;
  /** dx from g and the saved mean, rstd; g·x̂ and g summed over rows into dweight, dbias (0: none). */
  f32_layernorm_backward(rows: number, n: number, x: number, weight: number, mean: number, rstd: number,
                         g: number, dx: number, dweight: number, dbias: number, work: number): void;
}
