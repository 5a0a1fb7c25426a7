// Recurrent layers against PyTorch 1.13 where tests/parity/recurrent.test.ts and the property tests
// of tests/nn/recurrent*.test.ts do not reach: three stacked layers (bidirectional, batchFirst,
// dropout inert in eval mode), unbatched input of one step with hidden size 1 or 2, a loss on the
// final states alone, the float64 layers against PyTorch's float64; dropout in training mode
// between layers (scale, rate, never on the final states); an empty batch; and typed errors for
// initial states and inputs that are not tensors.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { nn, ValueError } from "../../src/index.js";
import { gamma } from "../support/tolerance.js";

interface Expected { outs: number[][]; dx: number[]; dh0?: number[]; dc0?: number[]; grads: Record<string, number[]> }

/**
 * The values every tensor of a case is filled with, in PyTorch's parameter order k (inputs 100,
 * h0 101, c0 102, cotangents 200 + j): multiples of 1/16, exact in float32, so both libraries
 * start from the same numbers. The PyTorch 1.13 script that gave the expected values (float64) used the same.
 */
const fill = (n: number, k: number) => Array.from({ length: n }, (_, i) => (((i * 7 + k * 13) % 19) - 9) / 16);

// PyTorch 1.13, float64, module.eval() with parameter k set to fill(shape, k): outputs (output, hN[, cN])
// and the gradients of Σ_j (out_j · fill(out_j.shape, 200 + j)).sum() (the output's term left out
// where zeroOutputCotangent) for the input, h0, c0 and every parameter.
const TORCH: Record<string, Expected> = {
  gru3bi: {
    outs: [
      [
        -0.5058401412439655, 0.2929391004457771, -0.5026373845520195, 0.32684945348904865, -0.4893104762251179,
        0.35396813823484186, -0.2317958262169741, 0.19602486926815632, -0.31885770245618983, 0.22308123657333528,
        -0.348143354554494, 0.14297646198732405
      ],
      [
        -0.3292625448243778, -0.2214102306643181, 0.4206541038564627, 0.2994793632116389, -0.21053610061492417,
        0.014673734350549417, -0.5157604419001616, -0.3609845136464974, -0.4893104762251179, -0.348143354554494,
        0.2929391004457771, 0.19602486926815632
      ],
    ],
    dx: [
      0.039703170988054017, -0.032736009681467476, 0.016132333163112092, -0.02420448085384975, 0.0010000731499229813,
      -0.0056315792924977875, -0.04474082907005375, 0.024423559620734607, -0.018359381221303386, 0.03960046109607033,
      -0.014976783459694139, 0.06919743044901526
    ],
    dh0: [
      -0.05305502566240014, 0.024759640004387563, -0.0015066915486594405, 0.016583014952302362, -0.18429139855814394,
      -0.043922761883811605, 0.08511264803099455, -0.06173945551962573, 0.28760666722242784, -0.06947181833858072,
      0.0957611566201935, 0.07307230436955606
    ],
    grads: {
      weight_ih_l0: [
        -0.0067677918670322745, 0.0005436180850213185, -0.005418036072982478, -0.00030364120872115104,
        -0.07461461426858251, 0.00654818809599863
      ],
      weight_hh_l0: [-0.0012315021062213284, -0.004645999415898959, -0.006226374565079986],
      bias_ih_l0: [0.016493892594453347, 0.021728351035366855, 0.18072076159344141],
      bias_hh_l0: [0.016493892594453344, 0.021728351035366855, 0.07175794980712681],
      weight_ih_l0_reverse: [
        -0.0013419123578099308, 0.002304757310146826, 0.006390828162208493, -0.0040289684230545, 0.029654641993273324,
        -0.11122172085475492
      ],
      weight_hh_l0_reverse: [-0.0002358139025103364, 0.007468089064406038, 0.003263331532626087],
      bias_ih_l0_reverse: [0.001505650459963303, -0.008866355574310772, 0.06151752746519312],
      bias_hh_l0_reverse: [0.001505650459963303, -0.008866355574310772, 0.044305281356891046],
      weight_ih_l1: [
        -0.01135082423669754, 0.012862536884111386, 0.03200629847705859, -0.04000727559718724, 0.19914796267561435,
        -0.23638047307106977
      ],
      weight_hh_l1: [-0.0015692339900445292, -0.007122429198150837, -0.0041260834306612905],
      bias_ih_l1: [0.03763310556270571, -0.11443030368585812, -0.6888382855302114],
      bias_hh_l1: [0.03763310556270571, -0.1144303036858581, -0.45175916898535984],
      weight_ih_l1_reverse: [
        0.0020397390359702516, -0.0006819562032363708, 0.002420712698027976, -0.009110208761091887, -0.01065444888998263,
        0.0004736991790798416
      ],
      weight_hh_l1_reverse: [0.0048123086576744925, -0.009391475580279411, -0.014265549450165048],
      bias_ih_l1_reverse: [0.003681209203050982, -0.03957720315863094, -0.03600838755892698],
      bias_hh_l1_reverse: [0.0036812092030509822, -0.03957720315863094, -0.019850333422931667],
      weight_ih_l2: [
        0.0021327447876352914, -0.006849199064461867, 0.0004211801185147718, -0.005553912353451716, 0.027765967218883268,
        -0.08588240104454865
      ],
      weight_hh_l2: [-0.010246909279128729, -0.011510356829667091, -0.043038289160457245],
      bias_ih_l2: [0.03135708242588103, 0.03299872334940048, 0.4045573005470404],
      bias_hh_l2: [0.03135708242588103, 0.03299872334940048, 0.1312805202380618],
      weight_ih_l2_reverse: [
        0.0028413582469313625, -0.0009848188076407023, -0.000338074588061742, 0.0021868748571075326, -0.07694827190942083,
        0.0456146175536671
      ],
      weight_hh_l2_reverse: [-0.005105803299350974, 0.029689488660808838, -0.0360068037913155],
      bias_ih_l2_reverse: [0.0076756261656180345, -0.0641010436308311, 0.11323143450414083],
      bias_hh_l2_reverse: [0.0076756261656180345, -0.06410104363083109, 0.0430026845226803],
    },
  },
  lstm3unb: {
    outs: [
      [0.001086163957087718, -0.0007879166057638162],
      [
        0.05892477382550113, 0.05692893215149442, 0.000800404295134565, -0.008275938491905416, 0.001086163957087718,
        -0.0007879166057638162
      ],
      [
        0.12989928268782133, 0.12599309168068684, 0.0016002111251711768, -0.016291500284528963, 0.002173219526401921,
        -0.0015738913977892276
      ],
    ],
    dx: [0.023808405404446988, 0.02833565841967383, 0.010691540617393048],
    grads: {
      weight_ih_l0: [
        0.0012437184997488835, -0.007462310998493302, 0.007462310998493302, -0.0015791279096159382, 0.00947476745769563,
        -0.00947476745769563, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.007767589610786146, -0.046605537664716874,
        0.046605537664716874, -0.010132306390081933, 0.060793838340491596, -0.060793838340491596, -0.00011003717778162233,
        0.000660223066689734, -0.000660223066689734, -0.0010877653479611316, 0.00652659208776679, -0.00652659208776679
      ],
      weight_hh_l0: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
      weight_ih_l1: [
        2.0839918617890002e-05, 2.0134049501045082e-05, 6.88883569152887e-05, 6.655503860688852e-05, 0.0, 0.0, 0.0, 0.0,
        0.013159570594603936, 0.01271384263165031, -0.004116379114934063, -0.003976953191842259, -5.5684603371435184e-06,
        -5.379850954715737e-06, -2.1636185835133154e-05, -2.0903346342457426e-05
      ],
      weight_hh_l1: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
      weight_ih_l2: [
        -2.7025438555609117e-08, 2.794348663076427e-07, 3.5499453974493687e-07, -3.670536244932874e-06, 0.0, 0.0, 0.0,
        0.0, -1.2483663893425617e-05, 0.0001290773115082317, -0.00022473469894150968, 0.002323688861669749,
        -2.446103270033004e-07, 2.5291968484799838e-06, 3.936707732952009e-08, -4.070436810067574e-07
      ],
      weight_hh_l2: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    },
  },
  rnnrelu3bi: {
    outs: [
      [
        0.0, 0.51287841796875, 0.372467041015625, 0.0, 0.0, 0.3034820556640625, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.5013275146484375
      ],
      [
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.046875, 0.02734375, 0.453125, 0.078125, 0.0, 0.44921875, 0.319091796875,
        0.44189453125, 0.24462890625, 0.257568359375, 0.162841796875, 0.0, 0.0, 0.5322265625, 0.0, 0.0, 0.474609375, 0.0,
        0.0, 0.51287841796875, 0.372467041015625, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3034820556640625, 0.0, 0.0,
        0.5013275146484375
      ],
    ],
    dx: [0.0061798095703125, -0.0555419921875, 0.0476837158203125, -0.126190185546875],
    dh0: [
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.00445556640625, -0.042694091796875, 0.005462646484375, 0.0142364501953125,
      0.0215606689453125, -0.152313232421875, -0.19580078125, 0.11181640625, 0.266357421875, 0.27490234375,
      -0.054931640625, -0.310546875, 0.037353515625, 0.00830078125, -0.020751953125, -0.13623046875, -0.0302734375,
      0.07568359375, -0.13671875, 0.09765625, -0.0390625, 0.0, 0.0, 0.0, 0.0078125, 0.03515625, -0.01171875, 0.0546875,
      0.24609375, -0.08203125
    ],
    grads: {
      weight_ih_l0: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
      weight_hh_l0: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
      bias_ih_l0: [0.0, 0.0, 0.0],
      bias_hh_l0: [0.0, 0.0, 0.0],
      weight_ih_l0_reverse: [
        -0.1310577392578125, 0.036529541015625, 0.0057830810546875, -0.034698486328125, -0.072601318359375,
        0.0195770263671875
      ],
      weight_hh_l0_reverse: [
        -0.0289764404296875, 0.13861083984375, -0.148681640625, 0.0173492431640625, -0.02313232421875, 0.0462646484375,
        -0.0157318115234375, 0.076446533203125, -0.081573486328125
      ],
      bias_ih_l0_reverse: [0.383056640625, -0.092529296875, 0.210693359375],
      bias_hh_l0_reverse: [0.383056640625, -0.092529296875, 0.210693359375],
      weight_ih_l1: [
        0.0, 0.0, 0.0, -0.027099609375, 0.0157012939453125, -0.0503997802734375, 0.0, 0.0, 0.0, -0.01824951171875,
        -0.0077972412109375, -0.15728759765625, 0.0, 0.0, 0.0, 0.0194091796875, 0.011322021484375, 0.1876220703125
      ],
      weight_hh_l1: [
        -0.09375, 0.676025390625, -0.05712890625, -0.029541015625, -0.107421875, 0.0791015625, 0.02587890625, 0.20703125,
        -0.103515625
      ],
      bias_ih_l1: [-0.1171875, -0.34765625, 0.4140625],
      bias_hh_l1: [-0.1171875, -0.34765625, 0.4140625],
      weight_ih_l1_reverse: [
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.01580810546875, -0.0018157958984375, 0.078704833984375, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0
      ],
      weight_hh_l1_reverse: [0.0, 0.0, 0.0, 0.085205078125, -0.046630859375, 0.0302734375, 0.0, 0.0, 0.0],
      bias_ih_l1_reverse: [0.0, 0.17578125, 0.0],
      bias_hh_l1_reverse: [0.0, 0.17578125, 0.0],
      weight_ih_l2: [
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0997161865234375, -0.138092041015625,
        -0.076446533203125, 0.0, -0.16632080078125, 0.0
      ],
      weight_hh_l2: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.17578125, 0.05859375, -0.078125],
      bias_ih_l2: [0.0, 0.0, -0.3125],
      bias_hh_l2: [0.0, 0.0, -0.3125],
      weight_ih_l2_reverse: [
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.13262939453125, 0.0988616943359375,
        0.015289306640625, 0.0, 0.24090576171875, 0.0
      ],
      weight_hh_l2_reverse: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.1328125, 0.0859375, -0.21484375],
      bias_ih_l2_reverse: [0.0, 0.0, 0.5],
      bias_hh_l2_reverse: [0.0, 0.0, 0.5],
    },
  },
};

type Dtype = "float32" | "float64";
interface Setup {
  make: (dtype: Dtype) => nn.RNN | nn.LSTM | nn.GRU;
  x: number[]; h: number[] | null; lstm: boolean; zeroOutputCotangent: boolean;
  /** Summed terms along the longest chain: steps × layers × (inputSize + directions·hidden + gate roundings). */
  terms: number;
}

const shaped = (shape: readonly number[], k: number, dtype: Dtype) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return new eg.Tensor(dtype === "float32" ? Float32Array.from(fill(n, k)) : Float64Array.from(fill(n, k)), dtype, shape.slice());
};

/** Within n roundings of the dtype, relative to the element and the tensor's largest (as tests/parity/run-case.ts). */
function expectNear(got: eg.Tensor | null, want: number[], n: number, dtype: Dtype, what: string): void {
  expect(got, what).not.toBeNull();
  const g = got!.data as ArrayLike<number>;
  expect(g.length, `${what} size`).toBe(want.length);
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const k = dtype === "float32" ? gamma(n + 16) : (n + 16) * 2 ** -53;
  want.forEach((r, i) => {
    if (!(Math.abs(g[i] - r) <= k * (Math.abs(r) + scale))) expect.fail(`${what}[${i}]: ${g[i]}, PyTorch ${r}`);
  });
}

function check(s: Setup, want: Expected, dtype: Dtype): void {
  const m = s.make(dtype).eval();
  m.parameters().forEach((p, k) => p.storage.set(fill(p.size, k)));
  const x = shaped(s.x, 100, dtype), h0 = s.h ? shaped(s.h, 101, dtype) : null, c0 = s.h ? shaped(s.h, 102, dtype) : null;
  for (const t of [x, h0, c0]) if (t) t.requiresGrad = true;
  let outs: eg.Tensor[];
  if (s.lstm) { const [y, [h, c]] = (m as nn.LSTM).forward(x, h0 ? [h0, c0!] : null); outs = [y, h, c]; }
  else outs = (m as nn.GRU).forward(x, h0);
  outs.forEach((t, j) => expectNear(t, want.outs[j], s.terms, dtype, `output ${j}`));
  let loss = eg.zeros([], { dtype });
  outs.forEach((t, j) => {
    if (j > 0 || !s.zeroOutputCotangent) loss = loss.add(t.mul(shaped(t.shape, 200 + j, dtype)).sum());
  });
  loss.backward();
  expectNear(x.grad, want.dx, 2 * s.terms, dtype, "input gradient");
  if (want.dh0) expectNear(h0!.grad, want.dh0, 2 * s.terms, dtype, "h0 gradient");
  if (want.dc0) expectNear(c0!.grad, want.dc0, 2 * s.terms, dtype, "c0 gradient");
  const params = m.namedParameters();
  expect(params.map(([k]) => k)).toEqual(Object.keys(want.grads));
  for (const [k, p] of params) expectNear(p.grad, want.grads[k], 2 * s.terms, dtype, `gradient of ${k}`);
}

const SETUPS: Record<string, Setup> = {
  // nn.GRU(2, 1, num_layers=3, bidirectional=True, batch_first=True, dropout=0.4).eval(), x [2, 3, 2], h0 [6, 2, 1].
  gru3bi: {
    make: (dtype) => new nn.GRU(2, 1, { numLayers: 3, bidirectional: true, batchFirst: true, dropout: 0.4, dtype }),
    x: [2, 3, 2], h: [6, 2, 1], lstm: false, zeroOutputCotangent: false, terms: 4 * 3 * 3 * (2 + 2 + 8),
  },
  // nn.LSTM(3, 2, num_layers=3, batch_first=True, bias=False), unbatched x [1, 3] (batch_first ignored), no
  // initial state, a loss on hN and cN only.
  lstm3unb: {
    make: (dtype) => new nn.LSTM(3, 2, { numLayers: 3, batchFirst: true, bias: false, dtype }),
    x: [1, 3], h: null, lstm: true, zeroOutputCotangent: true, terms: 4 * 1 * 3 * (3 + 2 + 8),
  },
  // nn.RNN(2, 3, num_layers=3, bidirectional=True, nonlinearity="relu"), x [1, 2, 2], h0 [6, 2, 3].
  rnnrelu3bi: {
    make: (dtype) => new nn.RNN(2, 3, { numLayers: 3, bidirectional: true, nonlinearity: "relu", dtype }),
    x: [1, 2, 2], h: [6, 2, 3], lstm: false, zeroOutputCotangent: false, terms: 4 * 1 * 3 * (6 + 6 + 8),
  },
};

describe("recurrent layers against PyTorch 1.13: what the parity cases do not cover", () => {
  for (const [id, s] of Object.entries(SETUPS)) {
    for (const dtype of ["float32", "float64"] as const) {
      it(`${id} (${dtype}): outputs, final states and every gradient`, () => check(s, TORCH[id], dtype));
    }
  }
});

describe("recurrent layers: dropout between layers in training mode", () => {
  // Layers 1 and 2 pass their input through (W_ih = I, W_hh = 0, no bias; relu of a value ≥ 0),
  // so the output is layer 0's output times both masks: each element 0 or 1/(1 − p)² times it, kept
  // with probability (1 − p)², as PyTorch's dropout between layers; layer 0's final state is its
  // own, undropped.
  for (const dtype of ["float32", "float64"] as const) {
    it(`scales by 1/(1 − p) after every layer but the last (${dtype})`, () => {
      const H = 8, p = 0.5;
      const m = new nn.RNN(H, H, { numLayers: 3, dropout: p, nonlinearity: "relu", seed: 5, dtype });
      const sd = m.stateDict(), eye = eg.eye(H, H, { dtype }), z = eg.zeros([H, H], { dtype }), zb = eg.zeros([H], { dtype });
      m.loadStateDict({ ...sd, weight_ih_l1: eye, weight_ih_l2: eye, weight_hh_l1: z, weight_hh_l2: z, bias_ih_l1: zb, bias_hh_l1: zb, bias_ih_l2: zb, bias_hh_l2: zb });
      const first = new nn.RNN(H, H, { nonlinearity: "relu", dtype });
      first.loadStateDict({ weight_ih_l0: sd.weight_ih_l0, weight_hh_l0: sd.weight_hh_l0, bias_ih_l0: sd.bias_ih_l0, bias_hh_l0: sd.bias_hh_l0 });
      const x = eg.randn([50, 10, H], { seed: 1 }).astype(dtype);
      const [y0, h0] = first.predict(x);
      const [y, hN] = eg.noGrad(() => m.forward(x));
      let positive = 0, kept = 0;
      const a = y0.data, b = y.data;
      for (let i = 0; i < a.length; i++) {
        if (b[i] !== 0) {
          kept++;
          expect(Math.abs(b[i] - a[i] / (1 - p) ** 2)).toBeLessThanOrEqual(4 * 2 ** -23 * a[i]);
        }
        if (a[i] > 0) positive++;
      }
      // Binomial(positive, 1/4): 2161 draws, σ ≈ 20; ±5σ.
      expect(Math.abs(kept - positive / 4)).toBeLessThan(5 * Math.sqrt(positive * 3 / 16));
      expect(Array.from(hN.slice(0).data)).toEqual(Array.from(h0.slice(0).data));
    });
  }
});

describe("recurrent layers: typed errors for states and inputs that are not tensors", () => {
  it("refuses an LSTM state with a null c0 (it started the cells at zero) and names the two tensors", () => {
    const m = new nn.LSTM(3, 4);
    expect(() => m.forward(eg.zeros([5, 2, 3]), [eg.zeros([1, 2, 4]), null as never])).toThrow(ValueError);
    expect(() => m.forward(eg.zeros([5, 2, 3]), [null as never, eg.zeros([1, 2, 4])])).toThrow(/\[h0, c0\], two Tensors/);
  });

  it("refuses an [h0, c0] pair given to a GRU or RNN, naming h0 and its shape (it read as shape [undefined])", () => {
    const pair = [eg.zeros([1, 2, 4]), eg.zeros([1, 2, 4])] as never;
    expect(() => new nn.GRU(3, 4).forward(eg.zeros([5, 2, 3]), pair)).toThrow(ValueError);
    expect(() => new nn.RNN(3, 4).forward(eg.zeros([5, 2, 3]), pair)).toThrow(/RNN: h0 must be a Tensor of shape \[1,2,4\], got an array/);
  });

  it("refuses an input that is not a Tensor as such (it read as dtype undefined)", () => {
    expect(() => new nn.RNN(3, 4).forward([[1, 2, 3]] as never)).toThrow(ValueError);
    expect(() => new nn.GRU(3, 4).forward([[1, 2, 3]] as never)).toThrow(/GRU: input must be a Tensor, got an array/);
  });

  it("names a dropout given as a string as a string (it read as the number)", () => {
    expect(() => new nn.GRU(3, 4, { dropout: "0.5" as never })).toThrow(/dropout must be a number in \[0, 1\], got "0.5" \(string\)/);
  });
});

describe("recurrent layers: an empty batch", () => {
  // PyTorch 1.13: nn.LSTM(3, 4, num_layers=2, bidirectional=True) on x [5, 0, 3], (h0, c0) [4, 0, 4] gives
  // output [5, 0, 8], hN and cN [4, 0, 4], and every parameter's gradient zeros; GRU(batch_first) on
  // [0, 5, 3] gives [0, 5, 4] and [1, 0, 4]. It was refused as an empty input (Linear, Conv1d and
  // MultiheadAttention take one); zero time steps stay refused, as PyTorch refuses them.
  for (const dtype of ["float32", "float64"] as const) {
    it(`gives empty outputs and zero weight gradients (${dtype})`, () => {
      const m = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, dtype });
      const x = eg.zeros([5, 0, 3], { dtype }), h0 = eg.zeros([4, 0, 4], { dtype });
      x.requiresGrad = true;
      const [y, [hN, cN]] = m.forward(x, [h0, h0]);
      expect([y.shape, hN.shape, cN.shape]).toEqual([[5, 0, 8], [4, 0, 4], [4, 0, 4]]);
      y.sum().add(hN.sum()).backward();
      expect(x.grad!.shape).toEqual([5, 0, 3]);
      for (const p of m.parameters()) expect(Array.from(p.grad!.data).every((v) => v === 0)).toBe(true);
      const [g, gN] = new nn.GRU(3, 4, { batchFirst: true, dtype }).forward(eg.zeros([0, 5, 3], { dtype }));
      expect([g.shape, gN.shape]).toEqual([[0, 5, 4], [1, 0, 4]]);
      expect(() => new nn.RNN(3, 4, { dtype }).forward(eg.zeros([0, 2, 3], { dtype }))).toThrow(/no time steps/);
    });
  }
});
