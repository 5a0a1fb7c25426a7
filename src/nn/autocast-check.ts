import { ValueError } from "../errors.js";

/** Refuses what autocast and fit's `precision` do not support, naming the value. */
export function checkPrecision(where: string, dtype: unknown): void {
  if (dtype === "bf16") return;
  if (dtype === "fp16" || dtype === "float16") {
    throw new ValueError(`${where}: "${String(dtype)}" is not supported; use "bf16": it saves the same memory and keeps ` +
      "float32's exponent range, so it needs no loss scaling (float16 storage would)");
  }
  throw new ValueError(`${where}: precision must be "bf16" (or "fp32" in fit), got ${JSON.stringify(dtype)}`);
}
