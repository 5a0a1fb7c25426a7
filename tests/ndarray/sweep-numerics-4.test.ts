import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { ValueError } from "../../src/errors.js";

// Numeric edge cases against PyTorch 1.13: the recurrent cells' tanh at small pre-activations,
// GELU's tanh form far into the negative tail, logSoftmax/softmax/logsumexp of slices holding
// ±∞ or NaN, max/min with NaN, and clip's bounds. Values written out below come from PyTorch 1.13
// on the same inputs (float32 unless said otherwise); each test runs on all three backends.
const U32 = 2 ** -24;
const leaf = (v: unknown) => eg.tensor(v as number[], { requiresGrad: true });
/** |got − want| ≤ rel·|want| element by element, NaN only where NaN is wanted. */
function closeRel(got: ArrayLike<number>, want: readonly number[], rel: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  want.forEach((w, i) => {
    const g = got[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : w === g || Math.abs(g - w) <= rel * Math.abs(w);
    if (!ok) expect.fail(`${what}[${i}]: ${g}, expected ${w} (relative tolerance ${rel})`);
  });
}
/** Same values, NaN for NaN, ±∞ for ±∞ (exact: the cases below are all NaN, ±∞, 0 or exact). */
const same = (got: ArrayLike<number>, want: readonly number[], what: string) => closeRel(got, want, 1e-6, what);

describe("recurrent cells at small pre-activations (tanh with relative accuracy)", () => {
  // One time step, a batch of 12 pre-activations; each cell reduces to tanh of its input.
  const xs = [1e-4, -3e-5, 1e-6, 1e-3, 0.01, 0.1, 0.175, 0.3, 0.5, 1, 3, 1e-30];
  const input = () => eg.tensor(xs.map((v) => [[v]])).reshape([1, xs.length, 1]);
  // A few roundings on each side of float32 tanh (which is within 1 unit of the last place):
  // the old 1 − 2/(1 + e^2x) was off by 4.6% at 1e-6 and gave 0 at 1e-30.
  const rel = 16 * U32;

  it("RNN: h = tanh(x)", () => {
    const rnn = new eg.nn.RNN(1, 1, { bias: false });
    rnn.loadStateDict({ weight_ih_l0: eg.tensor([[1]]), weight_hh_l0: eg.tensor([[0]]) });
    const [y] = rnn.forward(input());
    // PyTorch 1.13: nn.RNN(1, 1, bias=False), weight_ih 1, weight_hh 0.
    closeRel(y.data, [9.999999747378752e-05, -2.9999999242136255e-05, 9.999999974752427e-07, 0.0009999996982514858,
      0.00999966636300087, 0.0996679961681366, 0.17323514819145203, 0.29131263494491577, 0.46211716532707214,
      0.7615941762924194, 0.9950547814369202, 1.0000000031710769e-30], rel, "h");
  });

  it("LSTM: c = ½·tanh(x), h = ½·tanh(c); GRU: h = ½·tanh(x)", () => {
    const lstm = new eg.nn.LSTM(1, 1, { bias: false });
    lstm.loadStateDict({ weight_ih_l0: eg.tensor([[0], [0], [1], [0]]), weight_hh_l0: eg.tensor([[0], [0], [0], [0]]) });
    const [y, [, c]] = lstm.forward(input());
    // PyTorch 1.13: nn.LSTM(1, 1, bias=False), weight_ih [0, 0, 1, 0] (only the cell gate sees x), weight_hh 0.
    const cWant = [4.999999873689376e-05, -1.4999999621068127e-05, 4.999999987376214e-07, 0.0004999998491257429,
      0.004999833181500435, 0.0498339980840683, 0.08661757409572601, 0.14565631747245789, 0.23105858266353607,
      0.3807970881462097, 0.4975273907184601, 5.000000015855384e-31];
    closeRel(c.data, cWant, rel, "c");
    closeRel(y.data, [2.499999936844688e-05, -7.499999810534064e-06, 2.499999993688107e-07, 0.000249999895459041,
      0.0024998958688229322, 0.024896392598748207, 0.04320080205798149, 0.0723174586892128, 0.11351630836725235,
      0.1816997528076172, 0.23008517920970917, 2.500000007927692e-31], 2 * rel, "h");
    const gru = new eg.nn.GRU(1, 1, { bias: false });
    gru.loadStateDict({ weight_ih_l0: eg.tensor([[0], [0], [1]]), weight_hh_l0: eg.tensor([[0], [0], [0]]) });
    // PyTorch 1.13: nn.GRU(1, 1, bias=False), weight_ih [0, 0, 1], weight_hh 0: the same values as c above.
    closeRel(gru.forward(input())[0].data, cWant, rel, "GRU h");
  });
});

describe("GELU, tanh approximation, far into the negative tail", () => {
  const gelu = (xs: number[]) => {
    const x = leaf(xs);
    const y = eg.nn.gelu(x, { approximate: "tanh" });
    y.sum().backward();
    return { y: y.data, d: x.grad!.data };
  };

  it("keeps the relative accuracy of x·σ(2u) down to where float32 underflows", () => {
    const xs = [-3, -5, -6, -8, -9, -10];
    // PyTorch 1.13 in float64, x·sigmoid(2u) and its autograd gradient (F.gelu's ½x(1 + tanh u)
    // cancels to 0 in float32 below −5.5, and in float64 below −8).
    const yWant = [-0.003637392081773019, -2.291796196629504e-07, -8.439646700762311e-11, -3.107782937501113e-21,
      -1.336459594734881e-28, -1.2040923482098023e-37];
    const dWant = [-0.011584166630969728, -1.5463619875325933e-06, -7.709973930953708e-10, -4.7147845041068444e-20,
      -2.5157352850674412e-27, -2.7576380638540234e-36];
    const { y, d } = gelu(xs);
    // σ(2u) ≈ e^2u: the rounding of 2u (a few units) is multiplied by |2u| (up to 87 here).
    xs.forEach((v, i) => {
      const w = Math.abs(2 * 0.7978845608028654 * (v + 0.044715 * v ** 3)), rel = (16 + 2 * w) * U32;
      closeRel([y[i]], [yWant[i]], rel, `gelu(${v})`);
      closeRel([d[i]], [dWant[i]], rel, `gelu′(${v})`);
    });
  });

  it("is −0 with gradient 0 below, never a value growing with |x| nor NaN; ±∞ and huge x as PyTorch", () => {
    const xs = [-12, -20, -100, -1e4, -1e20];
    const { y, d } = gelu(xs);
    // PyTorch 1.13 (float32 and float64): −0.0 and gradient 0 for all of these, except float32's
    // gradient at −1e20, NaN from 0·∞ (x² overflows); float64 gives 0. The wasm kernel gave
    // −6e-37 at −100 and a NaN gradient at −1e20.
    xs.forEach((v, i) => {
      expect(Object.is(y[i], -0), `gelu(${v}) = ${y[i]}`).toBe(true);
      expect(d[i] === 0, `gelu′(${v}) = ${d[i]}`).toBe(true);
    });
    // PyTorch 1.13: gelu(−∞) and its gradient NaN; gelu(1e20) = 1e20 with gradient 1 in float64
    // (float32: NaN, from ∞·0).
    const big = gelu([-Infinity, 1e20]);
    same(big.y, [NaN, Math.fround(1e20)], "y");
    same(big.d, [NaN, 1], "gradient");
  });
});

describe("logSoftmax, softmax and logsumexp of slices holding ±∞ or NaN", () => {
  const inf = Infinity, nan = NaN;
  const run = (fn: "logSoftmax" | "softmax" | "logsumexp", row: number[]) => {
    const x = leaf(row);
    const y = fn === "logsumexp" ? x.logsumexp(0) : fn === "softmax" ? eg.softmax(x, 0) : x.logSoftmax(0);
    y.backward(fn === "logsumexp" ? eg.tensor(1) : eg.tensor([1, 2, 3]));
    return { y: Array.from(y.data), g: Array.from(x.grad!.data) };
  };
  const allNaN = [nan, nan, nan];

  it("logSoftmax is NaN throughout a slice with +∞ or NaN, as softmax, values and gradients", () => {
    // PyTorch 1.13: log_softmax and softmax of each of these rows are NaN everywhere, and so are
    // their gradients (upstream [1, 2, 3]). logSoftmax gave [−∞, NaN, −∞] with gradient [1, NaN, 3]
    // for [1, ∞, 2].
    for (const row of [[1, inf, 2], [inf, inf, 0], [-inf, -inf, -inf], [inf, -inf, 1], [1, nan, 2], [inf, inf, inf]]) {
      for (const fn of ["logSoftmax", "softmax"] as const) {
        const { y, g } = run(fn, row);
        same(y, allNaN, `${fn}([${row}])`);
        same(g, allNaN, `${fn}([${row}]) gradient`);
      }
    }
    // PyTorch 1.13, [−∞, 0, 1]: log_softmax [−∞, −1.3132616, −0.31326166], gradient [1, 0.3863514, −1.3863516].
    const { y, g } = run("logSoftmax", [-inf, 0, 1]);
    closeRel(y, [-inf, -1.31326162815094, -0.31326165795326233], 4 * U32, "logSoftmax([−∞, 0, 1])");
    closeRel(g, [1, 0.38635140657424927, -1.3863515853881836], 8 * U32, "its gradient");
  });

  it("crossEntropy's fused log-softmax too: a position with a +∞ logit is NaN, loss and gradient", () => {
    // PyTorch 1.13: F.cross_entropy([[1, inf, 2]], [0]) = nan, grad [[nan, nan, nan]] (target 1
    // the same); [[−inf, 0, 1]] with target 0: inf, grad [[−1, 0.26894143, 0.7310586]]. The first
    // gave +∞ with gradient [−1, NaN, 0].
    const ce = (row: number[], t: number) => {
      const x = leaf([row]);
      const l = eg.nn.crossEntropy(x, eg.tensor([t], { dtype: "int32" }));
      l.backward();
      return { l: [l.item()], g: Array.from(x.grad!.data) };
    };
    for (const t of [0, 1]) {
      const { l, g } = ce([1, inf, 2], t);
      same(l, [nan], `crossEntropy([1, ∞, 2], ${t})`);
      same(g, allNaN, "its gradient");
    }
    const { l, g } = ce([-inf, 0, 1], 0);
    same(l, [inf], "crossEntropy([−∞, 0, 1], 0)");
    closeRel(g, [-1, 0.2689414322376251, 0.7310585975646973], 4 * U32, "its gradient");
  });

  it("logsumexp keeps PyTorch's values and gradients: +∞ beside +∞, −∞ for all −∞", () => {
    // PyTorch 1.13: torch.logsumexp(x, 0) and x.grad for an upstream 1.
    const cases: [number[], number, number[]][] = [
      [[1, inf, 2], inf, [0, nan, 0]],
      [[inf, inf, 0], inf, [nan, nan, 0]],
      [[-inf, -inf, -inf], -inf, allNaN],
      [[inf, -inf, 1], inf, [nan, 0, 0]],
      [[1, nan, 2], nan, allNaN],
    ];
    for (const [row, want, grad] of cases) {
      const { y, g } = run("logsumexp", row);
      same(y, [want], `logsumexp([${row}])`);
      same(g, grad, `logsumexp([${row}]) gradient`);
    }
  });
});

describe("max and min with NaN", () => {
  const nan = NaN;
  /** The reduction's values and the input's gradient for an upstream 1, 2, 3, … */
  const run = (f: (x: eg.Tensor) => eg.Tensor, data: unknown) => {
    const x = leaf(data);
    const y = f(x);
    y.backward(eg.arange(1, y.size + 1).astype("float32").reshape(y.shape.slice()));
    return { y: Array.from(y.data), g: Array.from(x.grad!.data) };
  };

  it("over everything: NaN, the gradient split between the NaNs (PyTorch's max() and min())", () => {
    const data = [[1, nan, 3, nan], [2, 5, 5, 1]];
    for (const f of [(x: eg.Tensor) => x.max(), (x: eg.Tensor) => x.min(), (x: eg.Tensor) => x.max([0, 1])]) {
      const { y, g } = run(f, data);
      // PyTorch 1.13: x.max() = nan, x.grad [[0, 0.5, 0, 0.5], [0, 0, 0, 0]] (and the same for min());
      // this gave NaN for every element, the 2nd row too.
      same(y, [nan], "value");
      same(g, [0, 0.5, 0, 0.5, 0, 0, 0, 0], "gradient");
    }
  });

  it("along a dim: NaN where a slice holds one, the gradient to it; ties still split", () => {
    // PyTorch 1.13: x.max(1) of [[1, nan, 3], [2, 5, 5]] is [nan, 5]; its gradient for [1, 2] puts
    // 1 on the NaN (max(1)'s index rule; amax(1) would make that row NaN), and the tie in the
    // second row shares 2 as amax(1) does: [[0, 1, 0], [0, 1, 1]].
    let r = run((x) => x.max(1), [[1, nan, 3], [2, 5, 5]]);
    same(r.y, [nan, 5], "max(1)");
    same(r.g, [0, 1, 0, 0, 1, 1], "max(1) gradient");
    // PyTorch 1.13: x.min(1) of [[1, nan, 3], [2, 1, 5]] is [nan, 1], gradient [[0, 1, 0], [0, 2, 0]].
    r = run((x) => x.min(1), [[1, nan, 3], [2, 1, 5]]);
    same(r.y, [nan, 1], "min(1)");
    same(r.g, [0, 1, 0, 0, 2, 0], "min(1) gradient");
    // PyTorch 1.13: x.max(0) of [[1, nan], [nan, 2], [3, 4]] is [nan, nan], gradient [[0, 2], [1, 0], [0, 0]].
    r = run((x) => x.max(0), [[1, nan], [nan, 2], [3, 4]]);
    same(r.y, [nan, nan], "max(0)");
    same(r.g, [0, 2, 1, 0, 0, 0], "max(0) gradient");
  });

  it("maximum and minimum: NaN propagates and both inputs take the gradient there", () => {
    // PyTorch 1.13: a = [1, nan, 3, nan, −∞], b = [nan, 2, 1, nan, −∞], upstream [1, 2, 3, 4, 5]:
    // maximum [nan, nan, 3, nan, −∞], a.grad [1, 2, 3, 4, 2.5], b.grad [1, 2, 0, 4, 2.5];
    // minimum [nan, nan, 1, nan, −∞], a.grad [1, 2, 0, 4, 2.5], b.grad [1, 2, 3, 4, 2.5].
    // a's gradient was 0 wherever either side was NaN.
    const want = {
      maximum: [[nan, nan, 3, nan, -Infinity], [1, 2, 3, 4, 2.5], [1, 2, 0, 4, 2.5]],
      minimum: [[nan, nan, 1, nan, -Infinity], [1, 2, 0, 4, 2.5], [1, 2, 3, 4, 2.5]],
    };
    for (const op of ["maximum", "minimum"] as const) {
      const a = leaf([1, nan, 3, nan, -Infinity]), b = leaf([nan, 2, 1, nan, -Infinity]);
      const y = eg[op](a, b);
      y.backward(eg.tensor([1, 2, 3, 4, 5]));
      same(y.data, want[op][0], op);
      same(a.grad!.data, want[op][1], `${op} a.grad`);
      same(b.grad!.data, want[op][2], `${op} b.grad`);
    }
  });
});

describe("clip / clamp bounds", () => {
  it("refuses neither bound given, as PyTorch does", () => {
    // PyTorch 1.13: torch.clamp(x) and torch.clamp(x, None, None) raise RuntimeError "At least one
    // of 'min' or 'max' must not be None"; this returned x unchanged.
    const x = eg.tensor([1, 2]);
    expect(() => x.clip(null, null)).toThrow(ValueError);
    expect(() => eg.clamp(x, null, null)).toThrow(/not both null, got null, null/);
    expect(() => (x as unknown as { clamp(): eg.Tensor }).clamp()).toThrow(ValueError);
    expect(() => x.clip(2, 1)).toThrow(/lo <= hi.*got 2, 1/); // a difference on purpose (README)
    expect(x.clip(null, 1).toArray()).toEqual([1, 1]);
  });

  it("a NaN bound with the other one set gives NaN everywhere and gradient 0", () => {
    // PyTorch 1.13: torch.clamp([−2, 0.5, 3, nan], nan, 1) and (0, nan): all nan, gradient 0.
    for (const [lo, hi] of [[NaN, 1], [0, NaN]]) {
      const x = leaf([-2, 0.5, 3, NaN]);
      const y = x.clip(lo, hi);
      y.sum().backward();
      same(y.data, [NaN, NaN, NaN, NaN], `clip(${lo}, ${hi})`);
      same(x.grad!.data, [0, 0, 0, 0], "gradient");
    }
  });
});
