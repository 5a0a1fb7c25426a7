// An encoder–decoder Transformer (nn.Transformer) that learns to reverse sequences of digits: the
// smallest seq2seq task whose answer needs every source position (no token can be copied from
// the same place). Source: LEN random digits; target: the same digits reversed, after a
// begin-of-sequence token. Trained with teacher forcing (the decoder reads the true target
// shifted by one, under its causal mask) and Adam; then greedy decoding of held-out sequences,
// one token at a time, reports how many come out exactly right.
//
//   npm run build && node examples/seq2seq-reverse.mjs [--steps 1000] [--len 8] [--seed 1]
// The default run trained in 11.3 s here (one thread, with a test run beside it) and reversed
// 199 of 200 held-out sequences exactly (99.9% of the digits); 300 steps are not enough (0 of 200).
import * as eg from "../dist/index.js";

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} needs a positive integer`);
  return v;
};
const STEPS = option("steps", 1000), LEN = option("len", 8), SEED = option("seed", 1);
const BATCH = 32, D_MODEL = 32, DIGITS = 10, BOS = DIGITS, VOCAB = DIGITS + 1, TEST = 200;

await eg.init();
const { nn, optim } = eg;

/** Embeddings (scaled by √d, as in "Attention Is All You Need") and sinusoidal positions, batch first. */
class Reverser extends nn.Module {
  constructor() {
    super();
    this.embed = this.registerModule("embed", new nn.Embedding(VOCAB, D_MODEL, { seed: SEED }));
    this.positions = this.registerModule("positions", new nn.SinusoidalPositionalEncoding(D_MODEL, 64, { batchFirst: true }));
    this.transformer = this.registerModule("transformer", new nn.Transformer({
      dModel: D_MODEL, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64,
      dropout: 0, batchFirst: true, seed: SEED + 1,
    }));
    this.head = this.registerModule("head", new nn.Linear(D_MODEL, VOCAB, { seed: SEED + 2 }));
  }
  tokens(ids) {
    return this.positions.forward(this.embed.forward(ids).mul(Math.sqrt(D_MODEL)));
  }
  /** src [N, S] and tgt [N, T] token ids → logits [N, T, VOCAB]. */
  forward(src, tgt) {
    return this.head.forward(this.transformer.forward(this.tokens(src), this.tokens(tgt), { tgtIsCausal: true }));
  }
}

const rng = new eg.Rng(SEED);
/** n source sequences [n, LEN], the decoder's input [n, LEN] (BOS + reversed, shifted) and its target [n, LEN] (reversed). */
function batch(n) {
  const src = new Int32Array(n * LEN), dec = new Int32Array(n * LEN), out = new Int32Array(n * LEN);
  for (let b = 0; b < n; b++) {
    for (let t = 0; t < LEN; t++) src[b * LEN + t] = Math.floor(rng.uniform() * DIGITS);
    for (let t = 0; t < LEN; t++) out[b * LEN + t] = src[b * LEN + LEN - 1 - t];
    dec[b * LEN] = BOS;
    for (let t = 1; t < LEN; t++) dec[b * LEN + t] = out[b * LEN + t - 1];
  }
  const ids = (a) => eg.fromTypedArray(a, [n, LEN]);
  return { src: ids(src), dec: ids(dec), out: ids(out) };
}

const model = new Reverser();
const opt = new optim.Adam(model.parameters(), { lr: 3e-3 });
const sched = new optim.lr.OneCycleLR(opt, { maxLr: 3e-3, totalSteps: STEPS });
console.log(`reverse ${LEN} digits: nn.Transformer, dModel ${D_MODEL}, 2 + 2 layers, ` +
            `${model.parameters().reduce((s, p) => s + p.size, 0).toLocaleString("en")} parameters; ${STEPS} steps of ${BATCH} (${eg.backendInfo().backend})`);

const started = performance.now();
for (let step = 1; step <= STEPS; step++) {
  const { src, dec, out } = batch(BATCH);
  opt.zeroGrad();
  const logits = model.forward(src, dec);
  const loss = nn.crossEntropy(logits.reshape([BATCH * LEN, VOCAB]), out.reshape([BATCH * LEN]));
  loss.backward();
  opt.step();
  sched.step();
  if (step % 50 === 0 || step === 1) console.log(`step ${String(step).padStart(4)}  loss ${loss.item().toFixed(4)}`);
}
console.log(`trained in ${((performance.now() - started) / 1000).toFixed(1)} s`);

/** Greedy decoding: the decoder's input grows by the most likely token, one position at a time. */
function reverse(src) {
  const n = src.shape[0];
  const dec = new Int32Array(n * LEN);
  for (let b = 0; b < n; b++) dec[b * LEN] = BOS;
  const answer = new Int32Array(n * LEN);
  eg.noGrad(() => {
    for (let t = 0; t < LEN; t++) {
      // The first t + 1 decoder positions: a causal decoder never reads past position t for it.
      const soFar = eg.fromTypedArray(dec, [n, LEN]).slice([0, n], [0, t + 1]).contiguous();
      const next = model.forward(src, soFar).slice([0, n], [t, t + 1]).argmax(-1).data;
      for (let b = 0; b < n; b++) {
        answer[b * LEN + t] = next[b];
        if (t + 1 < LEN) dec[b * LEN + t + 1] = next[b];
      }
    }
  });
  return answer;
}

model.eval();
const test = batch(TEST);
const got = reverse(test.src), want = test.out.data;
let exact = 0, tokens = 0;
for (let b = 0; b < TEST; b++) {
  let all = true;
  for (let t = 0; t < LEN; t++) {
    if (got[b * LEN + t] === want[b * LEN + t]) tokens++;
    else all = false;
  }
  if (all) exact++;
}
const show = (a, b) => Array.from(a.slice(b * LEN, (b + 1) * LEN)).join("");
console.log(`held-out: ${exact} of ${TEST} sequences exactly reversed (${(100 * exact / TEST).toFixed(1)}%), ` +
            `${(100 * tokens / (TEST * LEN)).toFixed(1)}% of the digits`);
for (let b = 0; b < 3; b++) console.log(`  ${show(test.src.data, b)} → ${show(got, b)}`);
