// eg.compress: quantization (ONNX operator semantics) and the int8 GEMM entry points.
export { quantizeLinear, dequantizeLinear, matmulInteger, quantize, dequantize } from "./tensor-ops.js";
export type { QuantizedTensor } from "./tensor-ops.js";
export { quantizeLinearArray, dequantizeLinearArray } from "./quantize-linear.js";
export type { QuantizeLinearOptions, DequantizeLinearOptions } from "./quantize-linear.js";
export { computeQuantParams, scaleZeroPoint } from "./quant-params.js";
export type { QuantParams, QuantParamsOptions, QuantScheme } from "./quant-params.js";
export { packMatmulIntegerB, matmulIntegerPacked, matmulIntegerScaled } from "./matmul-integer.js";
export type { ScaledMatmulOptions } from "./matmul-integer.js";
export { roundHalfToEven } from "./round.js";
export type { QuantDType } from "./quant-checks.js";
export { toFloat16, fromFloat16, toBFloat16, fromBFloat16, f32ToF16Bits, f16BitsToNumber, f32ToBf16Bits, bf16BitsToNumber } from "./float16.js";
export type { HalfTensor } from "./float16.js";
