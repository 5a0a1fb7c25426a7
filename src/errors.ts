/**
 * Every error edgegrad throws on purpose is an EdgegradError, with a subclass that says what kind
 * of input was wrong. Messages name the offending shapes, values or byte offsets.
 */
// NOTE: each class spells its name out: an application's minifier renames classes, and
// `error.name` must stay "ShapeError" in its logs whatever the bundler did.
export class EdgegradError extends Error {
  override name = "EdgegradError";
}

/** Shapes that do not fit together, or a malformed shape (negative, NaN, ragged). */
export class ShapeError extends EdgegradError {
  override name = "ShapeError";
}
/** An operand of a dtype the operation does not accept. */
export class DTypeError extends EdgegradError {
  override name = "DTypeError";
}
/** An argument outside its allowed range or set (axis, probability, option value). */
export class ValueError extends EdgegradError {
  override name = "ValueError";
}
/** Bytes or text from outside (IDX, CSV, safetensors, ONNX) that do not follow their format. */
export class FormatError extends EdgegradError {
  override name = "FormatError";
}
/** The compute backend cannot be loaded or was asked for something it cannot do. */
export class BackendError extends EdgegradError {
  override name = "BackendError";
}
