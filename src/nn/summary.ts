import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { checkDType, type DType } from "../ndarray/dtype.js";
import { noGrad, Tensor, zeros } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { inEvalMode } from "./eval-mode.js";
import { childRegistrations, type Module } from "./module.js";
import { typeName } from "../type-name.js";

export interface SummaryOptions {
  /** console.log the table (default true); it is returned either way. */
  print?: boolean;
  /**
   * The dtype of the zeros fed to the model (default "float32"): "int32" for a model that takes
   * token ids (one starting with an Embedding, a TransformerLM). One dtype for every input, or
   * one per input shape.
   */
  dtype?: DType | readonly DType[];
}

/** "[2, 3]" for a tensor, "([2, 3], ([2, 4], [2, 4]))" for nested outputs, "-" for anything else. */
function formatOutput(out: unknown): string {
  if (out instanceof Tensor) return `[${out.shape.join(", ")}]`;
  if (Array.isArray(out)) return `(${out.map(formatOutput).join(", ")})`;
  return "-";
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(2)} MiB` : `${(n / 1024).toFixed(2)} KiB`;
}

function checkShapes(inputShape: unknown): number[][] {
  const bad = () => new ShapeError(`summary: inputShape must be a shape (non-negative integers) or a list of shapes, got ${JSON.stringify(inputShape)}`);
  if (!Array.isArray(inputShape) || inputShape.length === 0) throw bad();
  const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as unknown[];
  for (const s of shapes) {
    if (!Array.isArray(s) || !s.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad();
  }
  return shapes as number[][];
}

/** The dtype of each input: one for all, or a list as long as the shapes. */
function checkDTypes(dtype: unknown, inputs: number): DType[] {
  if (!Array.isArray(dtype)) return new Array<DType>(inputs).fill(checkDType(dtype ?? "float32", "summary: dtype"));
  if (dtype.length !== inputs) throw new ValueError(`summary: dtype lists ${dtype.length} dtypes for ${inputs} input shapes`);
  return dtype.map((d) => checkDType(d, "summary: dtype"));
}

/**
 * Records every call's output, module by module in call order, during one forward by shadowing
 * forward() on the instance. A container that runs a child pair as one fused step (forwardRelu:
 * a Linear and the ReLU that follows it) is made to call both children, so each still gets its
 * own row; a layer listed twice takes the ReLU after each of its places in turn.
 */
function recordOutputs(model: Module, run: () => void): Map<Module, unknown[]> {
  const outputs = new Map<Module, unknown[]>();
  const restore: (() => void)[] = [];
  const shadow = (m: Module, key: string, fn: (...a: unknown[]) => unknown) => {
    const own = Object.getOwnPropertyDescriptor(m, key);
    Object.defineProperty(m, key, { value: fn, configurable: true, writable: true });
    restore.push(() => (own ? Object.defineProperty(m, key, own) : delete (m as unknown as Record<string, unknown>)[key]));
  };
  const followers = new Map<Module, Module[]>();
  try {
    for (const [, m] of model.namedModules()) {
      const original = m.forward;
      shadow(m, "forward", (...a) => {
        const out = original.apply(m, a);
        outputs.set(m, [...(outputs.get(m) ?? []), out]);
        return out;
      });
      const kids = childRegistrations(m).map(([, k]) => k);
      kids.forEach((k, i) => {
        const next = kids[i + 1];
        if (next && typeof (k as unknown as { forwardRelu?: unknown }).forwardRelu === "function") {
          followers.set(k, [...(followers.get(k) ?? []), next]);
        }
      });
    }
    for (const [k, nexts] of followers) {
      let calls = 0;
      shadow(k, "forwardRelu", (x) => nexts[calls++ % nexts.length].forward(k.forward(x)));
    }
    run();
  } finally {
    for (const r of restore.reverse()) r();
  }
  return outputs;
}

/**
 * [path, module, place] for every place a module is registered, depth first: a module registered
 * twice (Sequential(l, ReLU, l)) under each of its paths, `place` counting from 0, as torchinfo
 * lists each use. A module registered inside itself is listed once.
 */
function everyPlace(model: Module): [string, Module, number][] {
  const out: [string, Module, number][] = [];
  const places = new Map<Module, number>();
  const walk = (m: Module, path: string, ancestors: Set<Module>) => {
    if (ancestors.has(m)) return;
    const place = places.get(m) ?? 0;
    places.set(m, place + 1);
    out.push([path, m, place]);
    ancestors.add(m);
    for (const [n, c] of childRegistrations(m)) walk(c, path ? `${path}.${n}` : n, ancestors);
    ancestors.delete(m);
  };
  walk(model, "", new Set());
  return out;
}

/** Runs the model on zeros, with a hint at the dtype option when it refuses float zeros. */
function runOnZeros(model: Module, shapes: number[][], dtypes: DType[], dtypeGiven: boolean): Map<Module, unknown[]> {
  const inputs = shapes.map((s, i) => zeros(s, { dtype: dtypes[i] }));
  try {
    return inEvalMode(model, () => recordOutputs(model, () => noGrad(() => model.forward(...inputs))));
  } catch (e) {
    if (e instanceof DTypeError && !dtypeGiven) {
      throw new DTypeError(`summary: ${e.message} (summary fed float32 zeros: pass { dtype } for other inputs, e.g. "int32" for token ids)`);
    }
    throw e;
  }
}

/** The Keras-style table behind Module.summary(). */
export function modelSummary(model: Module, inputShape: readonly number[] | readonly (readonly number[])[], o: SummaryOptions = {}): string {
  checkOptions("summary", o, ["print", "dtype"]);
  if (o.print !== undefined && typeof o.print !== "boolean") throw new ValueError(`summary: print must be a boolean, got ${String(o.print)}`);
  const shapes = checkShapes(inputShape);
  const outputs = runOnZeros(model, shapes, checkDTypes(o.dtype, shapes.length), o.dtype !== undefined);

  // Each place of a module gets a row; a module's later places are marked, their parameters
  // counted at the first. The k-th place shows the k-th call's output when the module ran once
  // per place, else its last call's.
  const places = everyPlace(model);
  const placesOf = new Map<Module, number>();
  for (const [, m] of places) placesOf.set(m, (placesOf.get(m) ?? 0) + 1);
  const rows: [string, string, string][] = [];
  for (const [path, m, place] of places) {
    const own = m.namedParameters().filter(([n]) => !n.includes("."));
    if (m.children().length > 0 && own.length === 0) continue; // containers: their leaves have rows
    const calls = outputs.get(m) ?? [];
    const out = calls.length === 0 ? "-" : formatOutput(calls.length === placesOf.get(m) ? calls[place] : calls[calls.length - 1]);
    const count = place > 0 ? "(shared)" : String(own.reduce((a, [, p]) => a + p.size, 0));
    rows.push([path ? `${path} (${typeName(m)})` : typeName(m), out, count]);
  }
  return renderTable(model, rows, o.print ?? true);
}

/** The table around the rows, with the totals: each parameter and buffer counted once. */
function renderTable(model: Module, rows: [string, string, string][], print: boolean): string {
  const params = model.parameters();
  const total = params.reduce((a, p) => a + p.size, 0);
  // The bytes they take as stored (a float64 model's twice a float32 one's), as Keras 3 shows them.
  const bytes = params.reduce((a, p) => a + p.size * p.storage.BYTES_PER_ELEMENT, 0);
  const trainable = params.filter((p) => p.requiresGrad).reduce((a, p) => a + p.size, 0);

  const head: [string, string, string] = ["Layer (type)", "Output Shape", "Param #"];
  const w = [0, 1, 2].map((i) => Math.max(head[i].length, ...rows.map((r) => r[i].length)) + 2);
  const line = (r: readonly string[]) => r[0].padEnd(w[0]) + r[1].padEnd(w[1]) + r[2].padStart(w[2]);
  const width = w[0] + w[1] + w[2];
  const text = [
    `Model: "${typeName(model)}"`, "=".repeat(width), line(head), "=".repeat(width),
    ...rows.map(line), "=".repeat(width),
    `Total params: ${total} (${formatBytes(bytes)})`,
    `Trainable params: ${trainable}`,
    `Non-trainable params: ${total - trainable}`,
  ];
  const buffers = model.buffers();
  if (buffers.length > 0) text.push(`Buffers: ${buffers.reduce((a, b) => a + b.size, 0)} values (not counted as params)`);
  text.push("=".repeat(width));
  const out = text.join("\n");
  if (print) console.log(out);
  return out;
}
