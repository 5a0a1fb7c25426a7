// Decoding of an ONNX ModelProto (onnx.proto3's field numbers) into plain objects: the model's
// opset imports, its graph's nodes, initializers (TensorProto with raw_data or the typed fields),
// inputs and outputs with their element types and shapes, and each node's attributes. Only what
// running a graph needs is kept; every other field is skipped. Malformed bytes are FormatErrors
// from protobuf-reader.ts; a well-formed message that breaks ONNX's own rules (a tensor whose
// data does not fill its dims) is a FormatError naming the tensor.
import { FormatError } from "../errors.js";
import { FIXED32, LEN, ProtoReader, VARINT, type FieldKey } from "./protobuf-reader.js";

/** TensorProto.DataType values the importer holds (others are refused where a tensor is made). */
export const T_FLOAT = 1, T_UINT8 = 2, T_INT8 = 3, T_INT32 = 6, T_INT64 = 7, T_BOOL = 9, T_DOUBLE = 11;
export const DATA_TYPE_NAMES: Record<number, string> = {
  1: "float", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 8: "string", 9: "bool",
  10: "float16", 11: "double", 12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128", 16: "bfloat16",
};
export const dataTypeName = (t: number): string => DATA_TYPE_NAMES[t] ?? `data type ${t}`;

export type TensorValues = Float32Array | Float64Array | Int32Array | Int8Array | Uint8Array | BigInt64Array;

export interface DecodedTensor { name: string; dataType: number; dims: number[]; values: TensorValues }

export interface DecodedAttribute {
  name: string; type: number;
  f?: number; i?: bigint; s?: Uint8Array; t?: DecodedTensor;
  floats: number[]; ints: bigint[]; strings: Uint8Array[];
}

export interface DecodedNode { inputs: string[]; outputs: string[]; name: string; opType: string; domain: string; attributes: DecodedAttribute[] }

/** A graph input or output: its element type and dims (a size, a symbolic name, or null when unknown), when declared. */
export interface DecodedValueInfo { name: string; elemType: number | null; dims: (number | string | null)[] | null }

export interface DecodedGraph {
  name: string; nodes: DecodedNode[]; initializers: DecodedTensor[];
  inputs: DecodedValueInfo[]; outputs: DecodedValueInfo[];
}

export interface DecodedModel { irVersion: number; producer: string; opsets: { domain: string; version: number }[]; graph: DecodedGraph }

/** Reads every field of a message, handing each to `on` (which returns false for a field it does not know, then skipped). */
function fields(r: ProtoReader, on: (k: FieldKey) => boolean): void {
  while (!r.done) {
    const k = r.key();
    if (!on(k)) r.skip(k);
  }
}

const str = (r: ProtoReader, k: FieldKey, name: string): string => {
  r.expect(k, LEN, name);
  return r.string();
};

interface RawTensor { name: string; dataType: number; dims: number[]; raw: Uint8Array | null; floats: number[]; doubles: number[]; int32s: number[]; int64s: bigint[]; external: boolean; at: number }

function readTensorFields(r: ProtoReader): RawTensor {
  const t: RawTensor = { name: "", dataType: 0, dims: [], raw: null, floats: [], doubles: [], int32s: [], int64s: [], external: false, at: r.pos };
  fields(r, (k) => {
    switch (k.field) {
      case 1: r.repeatedVarint(k, "dims", t.dims, (p) => p.int("dim")); return true;
      case 2: r.expect(k, VARINT, "data_type"); t.dataType = r.int32("data_type"); return true;
      case 4: r.repeatedFloat(k, "float_data", t.floats, false); return true;
      case 5: r.repeatedVarint(k, "int32_data", t.int32s, (p) => p.int32("int32_data")); return true;
      case 7: r.repeatedVarint(k, "int64_data", t.int64s, (p) => p.int64()); return true;
      case 8: t.name = str(r, k, "name"); return true;
      case 9: r.expect(k, LEN, "raw_data"); t.raw = r.lengthDelimited(); return true;
      case 10: r.repeatedFloat(k, "double_data", t.doubles, true); return true;
      case 13: t.external = true; return false;
      case 14: r.expect(k, VARINT, "data_location"); if (r.int32("data_location") !== 0) t.external = true; return true;
      default: return false;
    }
  });
  return t;
}

const WIDTH: Record<number, number> = { [T_FLOAT]: 4, [T_DOUBLE]: 8, [T_INT32]: 4, [T_INT64]: 8, [T_INT8]: 1, [T_UINT8]: 1, [T_BOOL]: 1 };

/** The tensor's values from raw_data (little-endian) or from the typed field its type uses. */
function tensorValues(t: RawTensor, where: string, count: number): TensorValues {
  const type = t.dataType;
  if (WIDTH[type] === undefined) throw new FormatError(`${where} has data type ${dataTypeName(type)}; the importer reads float, double, int64, int32, int8, uint8 and bool tensors`);
  if (t.raw) {
    if (t.raw.length !== count * WIDTH[type]) throw new FormatError(`${where}: raw_data holds ${t.raw.length} bytes, dims need ${count} × ${WIDTH[type]}`);
    // A copy: raw_data may sit at any byte offset, and typed arrays need their element alignment.
    const buf = t.raw.slice().buffer;
    switch (type) {
      case T_FLOAT: return new Float32Array(buf);
      case T_DOUBLE: return new Float64Array(buf);
      case T_INT32: return new Int32Array(buf);
      case T_INT64: return new BigInt64Array(buf);
      case T_INT8: return new Int8Array(buf);
      default: return new Uint8Array(buf);
    }
  }
  const from = type === T_FLOAT ? t.floats : type === T_DOUBLE ? t.doubles : type === T_INT64 ? t.int64s : t.int32s;
  if (from.length !== count) throw new FormatError(`${where}: holds ${from.length} values, dims need ${count}`);
  switch (type) {
    case T_FLOAT: return Float32Array.from(t.floats);
    case T_DOUBLE: return Float64Array.from(t.doubles);
    case T_INT64: return BigInt64Array.from(t.int64s);
    case T_INT32: return Int32Array.from(t.int32s);
    default: {
      const [lo, hi] = type === T_INT8 ? [-128, 127] : type === T_UINT8 ? [0, 255] : [0, 1];
      const bad = t.int32s.findIndex((v) => v < lo || v > hi);
      if (bad >= 0) throw new FormatError(`${where}: int32_data[${bad}] = ${t.int32s[bad]} is outside ${dataTypeName(type)}'s range`);
      return type === T_INT8 ? Int8Array.from(t.int32s) : Uint8Array.from(t.int32s);
    }
  }
}

/** A TensorProto message (an initializer or an attribute's tensor). */
export function decodeTensor(r: ProtoReader, what: string): DecodedTensor {
  const t = readTensorFields(r);
  const where = `${what} "${t.name}" (TensorProto at byte ${t.at})`;
  if (t.external) throw new FormatError(`${where} keeps its data in an external file; give a model with the data embedded`);
  const bad = t.dims.findIndex((d) => d < 0);
  if (bad >= 0) throw new FormatError(`${where} has a negative dim ${t.dims[bad]}`);
  const count = t.dims.reduce((a, d) => a * d, 1);
  if (!(count <= 2 ** 32)) throw new FormatError(`${where} has dims [${t.dims}]: more elements than a typed array can hold`);
  return { name: t.name, dataType: t.dataType, dims: t.dims, values: tensorValues(t, where, count) };
}

function decodeAttribute(r: ProtoReader): DecodedAttribute {
  const a: DecodedAttribute = { name: "", type: 0, floats: [], ints: [], strings: [] };
  let tensors = 0, graphs = 0;
  fields(r, (k) => {
    switch (k.field) {
      case 1: a.name = str(r, k, "name"); return true;
      case 20: r.expect(k, VARINT, "type"); a.type = r.int32("type"); return true;
      case 2: r.expect(k, FIXED32, "f"); a.f = r.float32(); return true;
      case 3: r.expect(k, VARINT, "i"); a.i = r.int64(); return true;
      case 4: r.expect(k, LEN, "s"); a.s = r.lengthDelimited(); return true;
      case 5: r.expect(k, LEN, "t"); a.t = decodeTensor(r.message("TensorProto"), "attribute tensor"); return true;
      case 6: case 11: graphs++; return false;
      case 7: r.repeatedFloat(k, "floats", a.floats, false); return true;
      case 8: r.repeatedVarint(k, "ints", a.ints, (p) => p.int64()); return true;
      case 9: r.expect(k, LEN, "strings"); a.strings.push(r.lengthDelimited()); return true;
      case 10: tensors++; return false;
      default: return false;
    }
  });
  // Old writers leave the type out: it follows from the one field set.
  if (a.type === 0) {
    const set = [[a.f !== undefined, 1], [a.i !== undefined, 2], [a.s !== undefined, 3], [a.t !== undefined, 4], [graphs > 0, 5],
      [a.floats.length > 0, 6], [a.ints.length > 0, 7], [a.strings.length > 0, 8], [tensors > 0, 9]].filter(([on]) => on);
    if (set.length === 1) a.type = set[0][1] as number;
  }
  // A graph or list of tensors is kept as its type only: no operator the importer runs takes one.
  if (graphs > 0 && a.type !== 5 && a.type !== 10) a.type = 5;
  return a;
}

function decodeNode(r: ProtoReader): DecodedNode {
  const n: DecodedNode = { inputs: [], outputs: [], name: "", opType: "", domain: "", attributes: [] };
  fields(r, (k) => {
    switch (k.field) {
      case 1: n.inputs.push(str(r, k, "input")); return true;
      case 2: n.outputs.push(str(r, k, "output")); return true;
      case 3: n.name = str(r, k, "name"); return true;
      case 4: n.opType = str(r, k, "op_type"); return true;
      case 7: n.domain = str(r, k, "domain"); return true;
      case 5: r.expect(k, LEN, "attribute"); n.attributes.push(decodeAttribute(r.message("AttributeProto"))); return true;
      default: return false;
    }
  });
  return n;
}

function decodeValueInfo(r: ProtoReader): DecodedValueInfo {
  const v: DecodedValueInfo = { name: "", elemType: null, dims: null };
  fields(r, (k) => {
    if (k.field === 1) { v.name = str(r, k, "name"); return true; }
    if (k.field !== 2) return false;
    r.expect(k, LEN, "type");
    const type = r.message("TypeProto");
    fields(type, (kt) => {
      if (kt.field !== 1) return false;
      type.expect(kt, LEN, "tensor_type");
      const tensor = type.message("TypeProto.Tensor");
      fields(tensor, (kk) => {
        if (kk.field === 1) { tensor.expect(kk, VARINT, "elem_type"); v.elemType = tensor.int32("elem_type"); return true; }
        if (kk.field !== 2) return false;
        tensor.expect(kk, LEN, "shape");
        v.dims = decodeShape(tensor.message("TensorShapeProto"));
        return true;
      });
      return true;
    });
    return true;
  });
  return v;
}

function decodeShape(r: ProtoReader): (number | string | null)[] {
  const dims: (number | string | null)[] = [];
  fields(r, (k) => {
    if (k.field !== 1) return false;
    r.expect(k, LEN, "dim");
    const d = r.message("TensorShapeProto.Dimension");
    let dim: number | string | null = null;
    fields(d, (kd) => {
      if (kd.field === 1) { d.expect(kd, VARINT, "dim_value"); dim = d.int("dim_value"); return true; }
      if (kd.field === 2) { dim = str(d, kd, "dim_param") || null; return true; }
      return false;
    });
    dims.push(dim);
    return true;
  });
  return dims;
}

function decodeGraph(r: ProtoReader): DecodedGraph {
  const g: DecodedGraph = { name: "", nodes: [], initializers: [], inputs: [], outputs: [] };
  fields(r, (k) => {
    switch (k.field) {
      case 1: r.expect(k, LEN, "node"); g.nodes.push(decodeNode(r.message("NodeProto"))); return true;
      case 2: g.name = str(r, k, "name"); return true;
      case 5: r.expect(k, LEN, "initializer"); g.initializers.push(decodeTensor(r.message("TensorProto"), "initializer")); return true;
      case 11: r.expect(k, LEN, "input"); g.inputs.push(decodeValueInfo(r.message("ValueInfoProto"))); return true;
      case 12: r.expect(k, LEN, "output"); g.outputs.push(decodeValueInfo(r.message("ValueInfoProto"))); return true;
      case 15: throw new FormatError(`graph: byte ${k.at}: sparse initializers are not supported`);
      default: return false;
    }
  });
  return g;
}

/** Decodes ModelProto bytes. */
export function decodeModel(bytes: Uint8Array): DecodedModel {
  const r = new ProtoReader(bytes, 0, bytes.length, "ModelProto");
  const m: DecodedModel = { irVersion: 0, producer: "", opsets: [], graph: null as unknown as DecodedGraph };
  let graphs = 0;
  fields(r, (k) => {
    switch (k.field) {
      case 1: r.expect(k, VARINT, "ir_version"); m.irVersion = r.int("ir_version"); return true;
      case 2: m.producer = str(r, k, "producer_name"); return true;
      case 7: r.expect(k, LEN, "graph"); m.graph = decodeGraph(r.message("GraphProto")); graphs++; return true;
      case 8: {
        r.expect(k, LEN, "opset_import");
        const o = r.message("OperatorSetIdProto"), opset = { domain: "", version: 0 };
        fields(o, (ko) => {
          if (ko.field === 1) { opset.domain = str(o, ko, "domain"); return true; }
          if (ko.field === 2) { o.expect(ko, VARINT, "version"); opset.version = o.int("version"); return true; }
          return false;
        });
        m.opsets.push(opset);
        return true;
      }
      default: return false;
    }
  });
  if (graphs !== 1) throw new FormatError(`ModelProto: ${graphs === 0 ? "no graph (field 7)" : `${graphs} graphs`}; an ONNX model has exactly one (are these ONNX model bytes?)`);
  return m;
}
