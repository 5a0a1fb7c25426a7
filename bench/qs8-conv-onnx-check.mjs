// Differential check of the int8 convolution against onnxruntime-web's ConvInteger on the same
// data: int32 outputs compared element for element (exact equality), over strides, asymmetric
// padding, dilation, groups (depthwise too) and both weight types. Not a timing.
//
//   npm run build && node bench/qs8-conv-onnx-check.mjs
import { importFromSource } from "./from-source.mjs";
import { int, bytes, str, msg } from "./protobuf.mjs";

const FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6;
const DTYPE = { uint8: UINT8, int8: INT8, int32: INT32, float32: FLOAT };
const ATTR_INTS = 7;

function valueInfo(field, name, dtype, shape) {
  const dims = shape.map((d) => msg(1, [int(1, d)]));
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, DTYPE[dtype]), msg(2, dims)])])]);
}
function initializer(name, dtype, shape, data) {
  const raw = [...new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
  return msg(5, [...shape.map((d) => int(1, d)), int(2, DTYPE[dtype]), str(8, name), bytes(9, raw)]);
}
const ints = (name, v) => msg(5, [str(1, name), int(20, ATTR_INTS), ...v.map((x) => int(8, x))]);
const one = (name, v) => msg(5, [str(1, name), int(20, 2), int(3, v)]);

/** y int32 = ConvInteger(x, W, x_zero_point, w_zero_point), W and the zero points constant. */
function convIntegerModel(g, padBottom, padRight, xDtype, w, wDtype, zx, zw) {
  const Z = (d, v) => (d === "int8" ? Int8Array.of(v) : Uint8Array.of(v));
  const wShape = [g.outChannels, g.inChannels / g.groups, g.kernelH, g.kernelW];
  const node = msg(1, [str(1, "x"), str(1, "W"), str(1, "xz"), str(1, "wz"), str(2, "y"), str(3, "n0"), str(4, "ConvInteger"),
    ints("kernel_shape", [g.kernelH, g.kernelW]), ints("strides", [g.strideH, g.strideW]),
    ints("pads", [g.padTop, g.padLeft, padBottom, padRight]), ints("dilations", [g.dilationH, g.dilationW]), one("group", g.groups)]);
  const graph = msg(7, [node, str(2, "g"),
    initializer("W", wDtype, wShape, w), initializer("xz", xDtype, [], Z(xDtype, zx)), initializer("wz", wDtype, [], Z(wDtype, zw)),
    valueInfo(11, "x", xDtype, [g.batch, g.inChannels, g.inH, g.inW]),
    valueInfo(12, "y", "int32", [g.batch, g.outChannels, g.outH, g.outW])]);
  return new Uint8Array([...int(1, 8), ...msg(8, [str(1, ""), int(2, 13)]), ...graph]);
}

const eg = await importFromSource(
  `export { init, qconvKernels, qs8ConvPackWeights } from "./src/backend/index.ts";`, "qs8-conv-onnx-check.ts");
await eg.init();
const ort = await import("onnxruntime-web");
ort.env.wasm.numThreads = 1;

let seed = 4242;
const rand = (n) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n);
const out = (size, p0, p1, k, s, d) => Math.floor((size + p0 + p1 - d * (k - 1) - 1) / s) + 1;

let checked = 0, cases = 0;
const refused = new Set();
for (let t = 0; t < 60; t++) {
  const groups = [1, 1, 2, 3][rand(4)], depthwise = t % 5 === 4;
  const cinG = depthwise ? 1 : 1 + rand(4), coutG = depthwise ? 1 + rand(2) : 1 + rand(9);
  const gr = depthwise ? 2 + rand(6) : groups;
  const [kH, kW, sH, sW, dH, dW] = [1 + rand(3), 1 + rand(3), 1 + rand(2), 1 + rand(3), 1 + rand(2), 1 + rand(2)];
  const [pT, pL, pB, pR] = [rand(3), rand(3), rand(3), rand(3)];
  const inH = 4 + rand(12), inW = 4 + rand(20);
  const g = {
    batch: 1 + rand(3), inChannels: cinG * gr, inH, inW, outChannels: coutG * gr,
    outH: out(inH, pT, pB, kH, sH, dH), outW: out(inW, pL, pR, kW, sW, dW), kernelH: kH, kernelW: kW,
    strideH: sH, strideW: sW, padTop: pT, padLeft: pL, dilationH: dH, dilationW: dW, groups: gr,
  };
  if (g.outH < 1 || g.outW < 1) continue;
  for (const wDtype of ["uint8", "int8"]) {
    const xSize = g.batch * g.inChannels * inH * inW, k = cinG * kH * kW;
    const x = Uint8Array.from({ length: xSize }, () => rand(256));
    const W = wDtype === "int8" ? Int8Array.from({ length: g.outChannels * k }, () => rand(256) - 128)
      : Uint8Array.from({ length: g.outChannels * k }, () => rand(256));
    const zx = rand(256), zw = wDtype === "int8" ? rand(256) - 128 : rand(256);
    let session;
    try {
      session = await ort.InferenceSession.create(convIntegerModel(g, pB, pR, "uint8", W, wDtype, zx, zw), { executionProviders: ["wasm"] });
    } catch (e) {
      refused.add(`uint8 x ${wDtype} W: ${e.message.split("\n")[0].slice(0, 160)}`);
      continue;
    }
    let want;
    try {
      want = (await session.run({ x: new ort.Tensor("uint8", x, [g.batch, g.inChannels, inH, inW]) })).y.data;
    } catch (e) {
      refused.add(`uint8 x ${wDtype} W: ${e.message.split("\n")[0].slice(0, 160)}`);
      continue;
    }
    const y = new Int32Array(g.batch * g.outChannels * g.outH * g.outW);
    const packed = eg.qs8ConvPackWeights(g.outChannels, k, { data: W, offset: 0, zeroPoint: zw });
    eg.qconvKernels().qs8Conv2d(g, { data: x, offset: 0, zeroPoint: zx }, packed, y, 0);
    for (let i = 0; i < want.length; i++) {
      if (y[i] !== want[i]) throw new Error(`${JSON.stringify(g)} pads ${[pT, pL, pB, pR]} ${wDtype}: y[${i}] ours ${y[i]}, onnxruntime ${want[i]}`);
    }
    checked += want.length;
    cases++;
  }
}
for (const r of refused) console.log(`onnxruntime-web refused: ${r}`);
console.log(`qs8Conv2d = onnxruntime-web ConvInteger on ${cases} cases, ${checked} int32 outputs, all identical`);
