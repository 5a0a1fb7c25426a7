import { ShapeError, ValueError } from "../errors.js";
import { noGrad, Tensor, zeros } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import type { Module } from "./module.js";
import { typeName } from "../type-name.js";

export interface SummaryOptions {
  /** console.log the table (default true); it is returned either way. */
  print?: boolean;
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

/**
 * Records every module's output during one forward by shadowing its forward() on the instance.
 * A container that runs a child pair as one fused step (forwardRelu: a Linear and the ReLU that
 * follows it) is made to call both children, so each still gets its own row.
 */
function recordOutputs(model: Module, run: () => void): Map<Module, unknown> {
  const outputs = new Map<Module, unknown>();
  const restore: (() => void)[] = [];
  const shadow = (m: Module, key: string, fn: (...a: unknown[]) => unknown) => {
    const own = Object.getOwnPropertyDescriptor(m, key);
    Object.defineProperty(m, key, { value: fn, configurable: true, writable: true });
    restore.push(() => (own ? Object.defineProperty(m, key, own) : delete (m as unknown as Record<string, unknown>)[key]));
  };
  try {
    for (const [, m] of model.namedModules()) {
      const original = m.forward;
      shadow(m, "forward", (...a) => {
        const out = original.apply(m, a);
        outputs.set(m, out);
        return out;
      });
      const kids = m.children();
      kids.forEach((k, i) => {
        const next = kids[i + 1];
        if (next && typeof (k as unknown as { forwardRelu?: unknown }).forwardRelu === "function") {
          shadow(k, "forwardRelu", (x) => next.forward(k.forward(x)));
        }
      });
    }
    run();
  } finally {
    for (const r of restore.reverse()) r();
  }
  return outputs;
}

/** The Keras-style table behind Module.summary(). */
export function modelSummary(model: Module, inputShape: readonly number[] | readonly (readonly number[])[], o: SummaryOptions = {}): string {
  checkOptions("summary", o, ["print"]);
  if (o.print !== undefined && typeof o.print !== "boolean") throw new ValueError(`summary: print must be a boolean, got ${String(o.print)}`);
  const shapes = checkShapes(inputShape);
  const inputs = shapes.map((s) => zeros(s));
  const was = model.training;
  model.eval();
  let outputs: Map<Module, unknown>;
  try {
    outputs = recordOutputs(model, () => noGrad(() => model.forward(...inputs)));
  } finally {
    model.train(was);
  }

  const rows: [string, string, string][] = [];
  for (const [path, m] of model.namedModules()) {
    const own = m.namedParameters().filter(([n]) => !n.includes("."));
    if (m.children().length > 0 && own.length === 0) continue; // containers: their leaves have rows
    const count = own.reduce((a, [, p]) => a + p.size, 0);
    const cls = typeName(m);
    rows.push([path ? `${path} (${cls})` : cls, outputs.has(m) ? formatOutput(outputs.get(m)) : "-", String(count)]);
  }
  const unique = [...new Set(model.parameters())];
  const total = unique.reduce((a, p) => a + p.size, 0);
  const trainable = unique.filter((p) => p.requiresGrad).reduce((a, p) => a + p.size, 0);

  const head: [string, string, string] = ["Layer (type)", "Output Shape", "Param #"];
  const w = [0, 1, 2].map((i) => Math.max(head[i].length, ...rows.map((r) => r[i].length)) + 2);
  const line = (r: readonly string[]) => r[0].padEnd(w[0]) + r[1].padEnd(w[1]) + r[2].padStart(w[2]);
  const width = w[0] + w[1] + w[2];
  const text = [
    `Model: "${typeName(model)}"`, "=".repeat(width), line(head), "=".repeat(width),
    ...rows.map(line), "=".repeat(width),
    `Total params: ${total} (${formatBytes(total * 4)} as float32)`,
    `Trainable params: ${trainable}`,
    `Non-trainable params: ${total - trainable}`,
  ];
  const buffers = model.buffers();
  if (buffers.length > 0) text.push(`Buffers: ${buffers.reduce((a, b) => a + b.size, 0)} values (not counted as params)`);
  text.push("=".repeat(width));
  const out = text.join("\n");
  if (o.print ?? true) console.log(out);
  return out;
}
