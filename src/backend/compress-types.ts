/**
 * Types of the compression kernels in the table (sparse × dense matmul, the quantized layer).
 * Shared by the wasm and JS implementations.
 */

/**
 * A sparse matrix [rows×cols] in CSR: the nonzeros of row r are values[rowPtr[r]..rowPtr[r+1])
 * at columns colIdx[…] (ascending). For a pruned Linear, rows = out features, cols = in features.
 */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  readonly values: Float32Array;
}

/** Activation quantization of one int8 layer call (per tensor, ONNX QuantizeLinear). */
export interface Qs8LinearParams {
  scaleA: number;
  zeroPointA: number;
  /** n int32 biases in accumulator units (they depend on scaleA, so they come from here). */
  bias: Int32Array | null;
}

export interface Qs8LinearOptions {
  /** Quantize x to int8 (else uint8). */
  signed: boolean;
  /**
   * The activation parameters. Called once per call with x's min and max when `needsRange`
   * (dynamic quantization; NaN if x has a NaN), or with (NaN, NaN) for fixed (static) ones.
   */
  params(min: number, max: number): Qs8LinearParams;
  needsRange: boolean;
  /** Weight scale: one, or one per output column. */
  scaleB: number | ArrayLike<number>;
  relu?: boolean;
}
