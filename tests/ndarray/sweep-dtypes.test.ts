// Dtype semantics checked across the op surface against PyTorch's type promotion: a JS number
// next to an integer tensor in true division, softmax/logsumexp of integer and bool input, and
// bool tensors made by the creation functions (stored as 0/1 bytes, so that comparisons, casts
// and sums see true as 1).
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";

const INT_DTYPES = ["int32", "int8", "uint8"] as const;

describe("true division by a number that the integer dtype cannot hold", () => {
  it("uint8 / −3 and −3 / uint8 divide by −3, not by 253 (PyTorch 1.13: float32, the values below)", () => {
    const u = eg.tensor([7, 1, 0, 200], { dtype: "uint8" });
    const y = u.div(-3);
    expect(y.dtype).toBe("float32");
    expect(Array.from(y.data)).toEqual([7, 1, 0, 200].map((v) => Math.fround(v / -3)));
    const r = eg.div(-3, u);
    expect(r.dtype).toBe("float32");
    expect(Array.from(r.data)).toEqual([7, 1, 0, 200].map((v) => Math.fround(-3 / v)));
  });

  it("for every integer dtype and integer divisor, x / s equals the float64 quotient rounded to float32", () => {
    for (const d of INT_DTYPES) {
      const values = d === "uint8" ? [0, 1, 7, 200, 255] : [-100, -7, 0, 1, 7, 100];
      const x = eg.tensor(values, { dtype: d });
      for (const s of [-3, 1000, -1000, 3_000_000_000, 2 ** 40]) {
        const y = x.div(s);
        expect(y.dtype).toBe("float32");
        expect(Array.from(y.data)).toEqual(values.map((v) => Math.fround(v / Math.fround(s))));
        expect(Array.from(eg.div(s, x).data)).toEqual(values.map((v) => Math.fround(Math.fround(s) / v)));
      }
    }
  });

  it("bool / 2 is 0.5 for true; an int32 0-d tensor divisor still divides as its value", () => {
    expect(eg.tensor([true, false]).div(2).toArray()).toEqual([0.5, 0]);
    expect(eg.tensor([6, -6], { dtype: "int8" }).div(eg.tensor(4, { dtype: "int32" })).toArray()).toEqual([1.5, -1.5]);
  });

  it("the other ops still take an integer number in the tensor's dtype, wrapping as PyTorch's do", () => {
    const u = eg.tensor([7, 1, 0, 200], { dtype: "uint8" });
    // PyTorch 1.13: u - 300 → uint8 [219, 213, 212, 156]; u < -3 → all true (−3 wraps to 253).
    expect(u.sub(300).dtype).toBe("uint8");
    expect(u.sub(300).toArray()).toEqual([219, 213, 212, 156]);
    expect(u.lt(-3).toArray()).toEqual([true, true, true, true]);
    expect(eg.tensor([-7, 1, 0, 100], { dtype: "int8" }).add(1000).toArray()).toEqual([-31, -23, -24, 76]);
  });
});

describe("softmax, logSoftmax and logsumexp of integer and bool tensors compute in float32", () => {
  /** The float64 reference: log Σ exp(v). */
  const lse = (v: number[]) => { const m = Math.max(...v); return m + Math.log(v.reduce((a, x) => a + Math.exp(x - m), 0)); };
  const cases: [string, number[] | boolean[]][] = [
    ["uint8", [7, 1, 0, 2, 3, 200]], ["int8", [-7, -1, 0, 2, 3, 100]], ["int32", [-7, -1, 0, 2, 3, 100]],
    ["bool", [true, false, false, true, true, false]],
  ];
  for (const [d, values] of cases) {
    it(`${d}: logsumexp equals the float64 log Σ exp; softmax sums to 1 and matches exp(x − lse)`, () => {
      const x = eg.tensor(values, { dtype: d as eg.DType });
      const v = (values as (number | boolean)[]).map(Number);
      const want = lse(v);
      // PyTorch 1.13: logsumexp of the uint8 values is 200 (x − max wrapped in uint8 gave 263.03).
      const y = x.logsumexp(0);
      expect(y.dtype).toBe("float32");
      expect(y.item()).toBeCloseTo(want, 4);
      const s = x.softmax(0);
      expect(s.dtype).toBe("float32");
      Array.from(s.data).forEach((p, i) => expect(p).toBeCloseTo(Math.exp(v[i] - want), 6));
      Array.from(x.logSoftmax(0).data).forEach((p, i) => expect(p).toBeCloseTo(v[i] - want, 4));
    });
  }

  it("along an axis of a 2-D uint8 tensor, and over an empty dim", () => {
    const x = eg.tensor([[250, 0], [1, 255]], { dtype: "uint8" });
    const y = x.logsumexp(1);
    expect(y.data[0]).toBeCloseTo(lse([250, 0]), 3);
    expect(y.data[1]).toBeCloseTo(lse([1, 255]), 3);
    expect(eg.zeros([2, 0], { dtype: "uint8" }).logsumexp(1).toArray()).toEqual([-Infinity, -Infinity]);
  });
});

describe("bool tensors from the creation functions hold 0/1", () => {
  it("full with a nonzero value is all true, NaN and 0.5 included (PyTorch 1.13: True), and equals ones", () => {
    for (const v of [2, 256, 0.5, NaN, -1, Infinity]) {
      const t = eg.full([3], v, { dtype: "bool" });
      expect(Array.from(t.data)).toEqual([1, 1, 1]);
      expect(t.eq(eg.ones([3], { dtype: "bool" })).toArray()).toEqual([true, true, true]);
      expect(t.astype("int32").toArray()).toEqual([1, 1, 1]);
      expect(t.sum().item()).toBe(3);
    }
    expect(Array.from(eg.full([2], 0, { dtype: "bool" }).data)).toEqual([0, 0]);
    expect(Array.from(eg.full([2], -0, { dtype: "bool" }).data)).toEqual([0, 0]);
  });

  it("constant padding of a bool tensor with 2 or 0.5 pads with true (PyTorch 1.13: [True, False, True])", () => {
    for (const value of [2, 0.5]) {
      const y = eg.pad(eg.tensor([false]), [1, 1], { value });
      expect(Array.from(y.data)).toEqual([1, 0, 1]);
    }
  });

  it("arange and linspace refuse bool with a DTypeError (PyTorch 1.13: not implemented for 'Bool')", () => {
    expect(() => eg.arange(0, 3, 1, { dtype: "bool" })).toThrow(eg.DTypeError);
    expect(() => eg.arange(3, undefined, 1, { dtype: "bool" })).toThrow(/arange: .*bool/);
    expect(() => eg.linspace(0, 2, 3, { dtype: "bool" })).toThrow(eg.DTypeError);
    expect(eg.arange(250, 260, 3, { dtype: "uint8" }).toArray()).toEqual([250, 253, 0, 3]); // wraps, as PyTorch
  });
});

describe("the promotion matrix of the binary ops", () => {
  const DTYPES = ["float32", "float64", "int32", "int8", "uint8", "bool"] as const;
  // PyTorch 1.13, torch.add(a, b).dtype for a of the row's dtype and b of the column's, then b a
  // Python int (2) and a Python float (2.5); int64 and int16 are int32 here on purpose (there is
  // no int64 or int16 dtype). mul, maximum and minimum give the same table; true division gives
  // float64 where either side is float64 and float32 everywhere else.
  const ADD: Record<string, string> = {
    float32: "float32 float64 float32 float32 float32 float32 | float32 float32",
    float64: "float64 float64 float64 float64 float64 float64 | float64 float64",
    int32: "float32 float64 int32 int32 int32 int32 | int32 float32",
    int8: "float32 float64 int32 int8 int32 int8 | int8 float32",
    uint8: "float32 float64 int32 int32 uint8 uint8 | uint8 float32",
    bool: "float32 float64 int32 int8 uint8 bool | int32 float32",
  };
  const values = (d: string) => (d === "bool" ? [true, false, true] : d === "uint8" ? [0, 3, 5] : [-2, 0, 3]);
  const asNumbers = (d: string) => values(d).map(Number);

  for (const a of DTYPES) {
    it(`${a} with every dtype and with numbers: dtypes as PyTorch's, values as float64 arithmetic`, () => {
      const [tensorCols, scalarCols] = ADD[a].split(" | ").map((s) => s.split(" "));
      const x = eg.tensor(values(a), { dtype: a });
      DTYPES.forEach((b, j) => {
        const y = eg.tensor(values(b), { dtype: b });
        const xs = asNumbers(a), ys = asNumbers(b);
        for (const op of ["add", "mul", "maximum", "minimum"] as const) {
          const r = eg.binary(op, x, y);
          expect(r.dtype, `${op}(${a}, ${b})`).toBe(tensorCols[j]);
          const f = { add: (p: number, q: number) => p + q, mul: (p: number, q: number) => p * q, maximum: Math.max, minimum: Math.min }[op];
          // bool results are stored as 0/1 (add is a logical or, mul a logical and); integers have no −0
          const want = (v: number) => (r.dtype === "bool" ? Number(v !== 0) : r.dtype.startsWith("float") ? v : v + 0);
          expect(Array.from(r.data), `${op}(${a}, ${b})`).toEqual(xs.map((p, i) => want(f(p, ys[i]))));
        }
        const q = x.div(y);
        expect(q.dtype).toBe(a === "float64" || b === "float64" ? "float64" : "float32");
        expect(Array.from(q.data)).toEqual(xs.map((p, i) => (q.dtype === "float64" ? p / ys[i] : Math.fround(Math.fround(p) / Math.fround(ys[i])))));
        for (const op of ["eq", "ne", "lt", "le", "gt", "ge"] as const) {
          const c = eg.binary(op, x, y);
          expect(c.dtype).toBe("bool");
          const cmp = { eq: (p: number, r: number) => p === r, ne: (p: number, r: number) => p !== r, lt: (p: number, r: number) => p < r,
            le: (p: number, r: number) => p <= r, gt: (p: number, r: number) => p > r, ge: (p: number, r: number) => p >= r }[op];
          expect(c.toArray(), `${op}(${a}, ${b})`).toEqual(xs.map((p, i) => cmp(p, ys[i])));
        }
      });
      [2, 2.5].forEach((s, j) => {
        expect(x.add(s).dtype, `add(${a}, ${s})`).toBe(scalarCols[j]);
        expect(eg.add(s, x).dtype, `add(${s}, ${a})`).toBe(scalarCols[j]);
        expect(Array.from(x.add(s).data)).toEqual(asNumbers(a).map((p) => p + s));
        expect(x.div(s).dtype).toBe(a === "float64" ? "float64" : "float32");
      });
    });
  }
});
