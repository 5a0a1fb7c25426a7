// The float32 `scales` value that makes ONNX's nearest Resize read the input PyTorch's nearest
// modes read. PyTorch indexes by ⌊fl(o·t)⌋ (nearest) or ⌊fl((o + ½)·t)⌋ (nearest-exact) with the
// float32 t = 1/scaleFactor (or in/out); ONNX divides by its float32 scale s instead — ⌊fl(o/s)⌋
// ("asymmetric", "floor") or the rounding of fl(fl((o + ½)/s) − ½) ("half_pixel",
// "round_prefer_ceil") — and sizes the output ⌊in·s⌋ (in double, as ONNX's shape inference). The two agree for most s near 1/t,
// but not every one: a product that lands on an integer in one rule can fall just below it in
// the other. So candidates (near 1/t, then inside the interval of scales that read the wanted
// inputs) are tried, a few float32 steps either way, and the first that gives PyTorch's size and
// every one of its indices is used. An output of the input's size is copied by onnxruntime
// whatever the scale, so there PyTorch's indices must be the identity.

const f = Math.fround;

/** PyTorch's source index of every output position along one axis. */
export function torchNearestSources(inSize: number, outSize: number, factor: number | null, exact: boolean): number[] {
  const t = f(factor !== null ? 1 / factor : f(inSize) / outSize);
  return Array.from({ length: outSize }, (_, o) => {
    if (!exact && outSize === inSize) return o;
    if (!exact && outSize === 2 * inSize) return o >> 1;
    return Math.min(Math.floor(f((exact ? o + 0.5 : o) * t)), inSize - 1);
  });
}

/** onnxruntime's source index for output o with the float32 scale s. */
function onnxSource(o: number, s: number, inSize: number, exact: boolean): number {
  let i: number;
  if (!exact) i = Math.floor(f(o / s));
  else {
    const x = f(f(f(o + 0.5) / s) - 0.5), below = Math.floor(x);
    i = x === below + 0.5 ? below + 1 : Math.round(x);
  }
  return Math.max(0, Math.min(i, inSize - 1));
}

/** The next float32 after x towards +∞ (steps > 0) or −∞, |steps| times. */
function stepFloat32(x: number, steps: number): number {
  const buf = new Float32Array([x]), bits = new Int32Array(buf.buffer);
  bits[0] += steps; // positive floats are ordered as their bit patterns
  return buf[0];
}

/**
 * The scales s for which each output reads its wanted input w in exact arithmetic: with
 * a = o (nearest) or o + ½ (nearest-exact), w ≤ a/s < w + 1 (no upper bound on a/s at the last
 * input, which clamps), and ⌊in·s⌋ = out. Rounding can still move a boundary, so candidates are
 * checked against onnxSource.
 */
function admissible(inSize: number, outSize: number, want: number[], exact: boolean): [number, number] {
  let lo = outSize / inSize, hi = (outSize + 1) / inSize;
  want.forEach((w, o) => {
    const a = exact ? o + 0.5 : o;
    if (w > 0) hi = Math.min(hi, a / w);
    if (w < inSize - 1) lo = Math.max(lo, a / (w + 1));
  });
  return [lo, hi];
}

/** A float32 scale reproducing PyTorch's size and indices along this axis, or null when there is none. */
export function nearestScale(inSize: number, outSize: number, factor: number | null, exact: boolean): number | null {
  const want = torchNearestSources(inSize, outSize, factor, exact);
  const t = f(factor !== null ? 1 / factor : f(inSize) / outSize);
  const [lo, hi] = admissible(inSize, outSize, want, exact);
  // PyTorch's own factor first (the exported graph reads as the model was written), then the middle of the admissible interval.
  const centres = [f(factor ?? outSize / inSize), f(1 / t), f(outSize / inSize), ...(lo < hi ? [f((lo + hi) / 2)] : [])];
  for (let k = 0; k <= 8; k++) {
    for (const c of centres) {
      for (const s of k === 0 ? [c] : [stepFloat32(c, k), stepFloat32(c, -k)]) {
        if (!(s > 0) || Math.floor(inSize * s) !== outSize) continue;
        if (want.every((src, o) => onnxSource(o, s, inSize, exact) === src)) return s;
      }
    }
  }
  return null;
}
