// The compression report: for each variant of a model — parameters, nonzeros, stored bytes,
// accuracy and inference time per batch — plus the bytes the float model would take in each
// storage format. Timing is wall clock (median of repeats): use it in examples and bench, never
// in tests.
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import type { Tensor } from "../ndarray/index.js";
import { evaluate } from "../nn/fit.js";
import type { Module } from "../nn/module.js";
import { InferenceSequential } from "./inference-model.js";

export interface ModelBytes {
  parameters: number;
  nonZeros: number;
  /** Bytes of the weights and biases stored as each format would store them. */
  bytes: { f32: number; f16: number; int8: number; sparse: number };
}

/**
 * Sizes of a float model in every storage format: f32/f16 (4/2 bytes per parameter); int8 (1 per
 * weight of a 2-D parameter + an f32 scale and an int32 bias per output channel, other parameters
 * at 4); sparse (CSR: 4-byte value + 4-byte column per nonzero of 2-D weights, rows+1 pointers).
 */
export function modelBytes(model: Module): ModelBytes {
  let parameters = 0, nonZeros = 0, int8 = 0, sparse = 0;
  for (const [, p] of model.namedParameters()) {
    const d = p.data;
    let nz = 0;
    for (let i = 0; i < d.length; i++) if (d[i] !== 0) nz++;
    parameters += p.size;
    nonZeros += nz;
    if (p.ndim === 2) {
      int8 += p.size + p.shape[0] * 4;
      sparse += nz * 8 + (p.shape[0] + 1) * 4;
    } else {
      int8 += p.size * 4;
      sparse += p.size * 4;
    }
  }
  return { parameters, nonZeros, bytes: { f32: parameters * 4, f16: parameters * 2, int8, sparse } };
}

export interface ReportRow {
  name: string;
  parameters: number;
  nonZeros: number;
  /** Bytes of this variant as it is stored (f32 for a float model, its own form when compiled). */
  bytes: number;
  /** bytes / the first row's bytes. */
  bytesRatio: number;
  accuracy: number | null;
  /** Median wall time of one forward pass over `batchSize` samples. */
  msPerBatch: number | null;
}

export interface ReportOptions {
  /** Test data for accuracy (labels) and timing. */
  x?: Tensor;
  y?: Tensor;
  /** Rows per timed forward pass (default 64). */
  batchSize?: number;
  /** Timed passes, median taken (default 50). */
  repeats?: number;
}

function timeBatch(model: Module, x: Tensor, batchSize: number, repeats: number): number {
  const xb = x.slice([0, Math.min(batchSize, x.shape[0])]).contiguous();
  for (let i = 0; i < 5; i++) model.predict(xb);   // let V8 tier the code up
  const t: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    model.predict(xb);
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

/** One row per named variant (the first is the baseline for bytesRatio). */
export function report(variants: Record<string, Module>, o: ReportOptions = {}): ReportRow[] {
  checkOptions("report", o, ["x", "y", "batchSize", "repeats"]);
  const names = Object.keys(variants);
  if (names.length === 0) throw new ValueError("report: no models given");
  if (!o.x) {
    // Accuracy and timing both run on x: without it these would be silently unused.
    const unused = (["y", "batchSize", "repeats"] as const).filter((k) => o[k] !== undefined);
    if (unused.length > 0) throw new ValueError(`report: ${unused.join(", ")} need test data x`);
  }
  for (const key of ["batchSize", "repeats"] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new ValueError(`report: ${key} must be a positive integer, got ${v}`);
  }
  const rows: ReportRow[] = [];
  for (const name of names) {
    const m = variants[name];
    const c = m instanceof InferenceSequential
      ? { parameters: m.parameterCount(), nonZeros: m.nonZeroCount(), bytes: m.bytes() }
      : (({ parameters, nonZeros, bytes }) => ({ parameters, nonZeros, bytes: bytes.f32 }))(modelBytes(m));
    const was = m.training;
    m.eval();
    const accuracy = o.x && o.y ? evaluate(m, o.x, o.y, { metrics: ["accuracy"] }).accuracy : null;
    const ms = o.x ? timeBatch(m, o.x, o.batchSize ?? 64, o.repeats ?? 50) : null;
    m.train(was);
    rows.push({ name, ...c, bytesRatio: 0, accuracy, msPerBatch: ms });
  }
  for (const r of rows) r.bytesRatio = r.bytes / rows[0].bytes;
  return rows;
}

/** A plain-text table of report rows (what the example prints). */
export function formatReport(rows: ReportRow[]): string {
  const base = rows[0];
  const head = ["model", "params", "nonzeros", "bytes", "% of f32", "accuracy", "ms/batch", "speedup"];
  const body = rows.map((r) => [
    r.name, String(r.parameters), String(r.nonZeros), String(r.bytes), (100 * r.bytesRatio).toFixed(1) + "%",
    r.accuracy === null ? "-" : (100 * r.accuracy).toFixed(2) + "%",
    r.msPerBatch === null ? "-" : r.msPerBatch.toFixed(3),
    r.msPerBatch && base.msPerBatch ? (base.msPerBatch / r.msPerBatch).toFixed(2) + "×" : "-",
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...body.map(line)].join("\n");
}
