/**
 * Every error edgegrad throws on purpose is an EdgegradError, with a subclass that says what kind
 * of input was wrong. Messages name the offending shapes, values or byte offsets.
 */
export class EdgegradError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit together, or a malformed shape (negative, NaN, ragged). */
export class ShapeError extends EdgegradError {}
/** An operand of a dtype the operation does not accept. */
export class DTypeError extends EdgegradError {}
/** An argument outside its allowed range or set (axis, probability, option value). */
export class ValueError extends EdgegradError {}
/** Bytes or text from outside (IDX, CSV, safetensors, ONNX) that do not follow their format. */
export class FormatError extends EdgegradError {}
/** The compute backend cannot be loaded or was asked for something it cannot do. */
export class BackendError extends EdgegradError {}
