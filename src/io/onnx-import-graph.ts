// An ONNX graph checked and prepared once, at import: the opset, every node's operator, inputs,
// outputs and attributes (all refusals happen here, before a model is returned), then run node by
// node in the graph's order (ONNX requires a topological one) on a map of named tensors.
import { FormatError, ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";
import { Attributes, checkNarrow } from "./onnx-import-values.js";
import type { DecodedModel, DecodedNode } from "./onnx-import-proto.js";
import type { OpSpec, Run } from "./onnx-import-op.js";
import { ELEMENTWISE_OPS } from "./onnx-import-ops-elementwise.js";
import { SHAPE_OPS } from "./onnx-import-ops-shape.js";
import { CONV_OPS } from "./onnx-import-ops-conv.js";
import { POOL_OPS } from "./onnx-import-ops-pool.js";
import { MATH_OPS } from "./onnx-import-ops-math.js";
import { RESIZE_OPS } from "./onnx-import-resize.js";
import { RECURRENT_OPS } from "./onnx-import-recurrent.js";

/** Every operator the importer runs, by op_type (ONNX's default domain). */
export const ONNX_IMPORT_OPS: Readonly<Record<string, OpSpec>> = {
  ...ELEMENTWISE_OPS, ...SHAPE_OPS, ...CONV_OPS, ...POOL_OPS, ...MATH_OPS, ...RESIZE_OPS, ...RECURRENT_OPS,
};

/** The default domain's opsets whose operators the importer implements (opset 13's semantics; 14–17 change none it runs but by attributes it checks). */
export const OPSET_RANGE = [13, 17] as const;

interface Step { where: string; inputs: string[]; outputs: string[]; lists: readonly number[]; run: Run }

const isDefaultDomain = (d: string) => d === "" || d === "ai.onnx";

export function opsetOf(m: DecodedModel): number {
  const own = m.opsets.filter((o) => isDefaultDomain(o.domain));
  if (own.length !== 1) throw new ValueError(`importOnnx: the model imports the default ONNX domain ${own.length} times; expected once`);
  const v = own[0].version;
  if (v < OPSET_RANGE[0] || v > OPSET_RANGE[1]) {
    throw new ValueError(`importOnnx: opset ${v} is not supported; the importer runs opsets ${OPSET_RANGE[0]}–${OPSET_RANGE[1]} (re-export with opset 13, e.g. torch.onnx.export(…, opset_version=13))`);
  }
  return v;
}

/** A node's inputs with trailing omitted ones dropped, checked against the operator's counts. */
function nodeInputs(n: DecodedNode, spec: OpSpec, where: string): string[] {
  const inputs = n.inputs.slice();
  while (inputs.length > 0 && inputs[inputs.length - 1] === "") inputs.pop();
  const [min, max] = spec.inputs;
  if (inputs.length < min || inputs.length > max) {
    throw new ValueError(`${where}: has ${inputs.length} inputs, the operator takes ${min === max ? min : max === Infinity ? `${min} or more` : `${min} to ${max}`}`);
  }
  const missing = inputs.findIndex((name, i) => name === "" && (i < min || max === Infinity));
  if (missing >= 0) throw new ValueError(`${where}: required input ${missing} is missing (empty name)`);
  return inputs;
}

function prepareNode(n: DecodedNode, index: number, known: Set<string>, readAsData: Set<string>): Step {
  const where = `importOnnx: node ${JSON.stringify(n.name || `#${index}`)} (${n.opType})`;
  if (!isDefaultDomain(n.domain)) throw new ValueError(`${where}: domain ${JSON.stringify(n.domain)} is not supported; only ONNX's default domain is`);
  const spec = Object.hasOwn(ONNX_IMPORT_OPS, n.opType) ? ONNX_IMPORT_OPS[n.opType] : undefined;
  if (!spec) throw new ValueError(`${where}: operator ${JSON.stringify(n.opType)} is not supported by the importer`);
  const inputs = nodeInputs(n, spec, where);
  const undefinedInput = inputs.find((name) => name !== "" && !known.has(name));
  if (undefinedInput !== undefined) {
    throw new ValueError(`${where}: input ${JSON.stringify(undefinedInput)} is missing: no graph input, initializer or earlier node defines it`);
  }
  const outputs = n.outputs.slice();
  while (outputs.length > 0 && outputs[outputs.length - 1] === "") outputs.pop();
  if (outputs.length === 0 || outputs.length > (spec.outputs ?? 1)) {
    throw new ValueError(`${where}: names ${outputs.length} outputs, the importer computes 1${spec.outputs ? ` to ${spec.outputs}` : ""}`);
  }
  inputs.forEach((name, i) => {
    if (!spec.lists?.includes(i) && !spec.constants?.includes(i)) readAsData.add(name);
  });
  const a = new Attributes(n.attributes, where, n.opType);
  const run = spec.prepare({ where, a, outputs: outputs.length });
  a.done();
  for (const name of outputs) {
    if (name === "") continue;
    if (known.has(name)) throw new FormatError(`${where}: output ${JSON.stringify(name)} is already defined (ONNX graphs define each tensor once)`);
    known.add(name);
  }
  return { where, inputs, outputs, lists: spec.lists ?? [], run };
}

export class PreparedGraph {
  private readonly steps: Step[];
  /** The tensors some node reads as data (not as a list of integers or a constant): what gradients flow into. */
  readonly readAsData = new Set<string>();

  /** `defined`: the graph inputs and initializers, by name. */
  constructor(m: DecodedModel, defined: Iterable<string>) {
    const known = new Set(defined);
    this.steps = m.graph.nodes.map((n, i) => prepareNode(n, i, known, this.readAsData));
    const missing = m.graph.outputs.find((o) => !known.has(o.name));
    if (missing) throw new ValueError(`importOnnx: graph output ${JSON.stringify(missing.name)} is not computed by any node, initializer or input`);
  }

  /** Runs every node on `env` (inputs and initializers by name), which receives every computed tensor. */
  run(env: Map<string, Tensor>): void {
    for (const s of this.steps) {
      const inputs = s.inputs.map((name, i) => {
        if (name === "") return null;
        const t = env.get(name) as Tensor;
        if (!s.lists.includes(i)) checkNarrow(t, s.where);
        return t;
      });
      const out = s.run(inputs);
      s.outputs.forEach((name, i) => {
        if (name !== "") env.set(name, out[i]);
      });
    }
  }
}
