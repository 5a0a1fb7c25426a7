// The text demo's worker: a tiny character model learns a short text, then writes some of its
// own. The model sees the last 8 characters (an Embedding of each, concatenated) and predicts
// the next through one hidden layer; trained with Adam on every 8-character window, sampled
// with temperature and top-k. Imports the built package by path, as worker.js does.
import * as eg from "../../dist/index.js";

// Written for this page: repetitive enough for a model this small to pick up words in a few
// seconds.
const TEXT = `the cat sat on the mat and the dog sat on the log.
the cat saw the dog and the dog saw the cat.
a small model can learn a small text: it sees eight letters and guesses the ninth.
the more it reads, the better it guesses, and the better it guesses, the more it sounds like the text.
the cat ran to the mat, the dog ran to the log, and the bird sang in the tree.
the bird saw the cat and the cat saw the bird, and the dog slept on the log.
`.repeat(2);
const CONTEXT = 8, DIM = 16, HIDDEN = 128, EPOCHS = 12, SAMPLE_CHARS = 200;

class NextChar extends eg.nn.Module {
  constructor(vocab) {
    super();
    this.embed = this.registerModule("embed", new eg.nn.Embedding(vocab, DIM, { seed: 1 }));
    this.hidden = this.registerModule("hidden", new eg.nn.Linear(CONTEXT * DIM, HIDDEN, { seed: 2 }));
    this.out = this.registerModule("out", new eg.nn.Linear(HIDDEN, vocab, { seed: 3 }));
  }
  /** ids [batch, CONTEXT] → logits [batch, vocab] for the character after each window. */
  forward(ids) {
    const e = this.embed.forward(ids).reshape([ids.shape[0], CONTEXT * DIM]);
    return this.out.forward(this.hidden.forward(e).relu());
  }
}

self.onmessage = async () => {
  try {
    await eg.init();
    const tokenizer = eg.data.CharTokenizer.fromText(TEXT);
    const ids = tokenizer.encode(TEXT);
    const model = new NextChar(tokenizer.vocabSize);
    const opt = new eg.optim.Adam(model.parameters(), { lr: 0.01 });
    const rng = new eg.Rng(7);
    const started = performance.now();
    let first = null, loss = 0;
    for (let epoch = 1; epoch <= EPOCHS; epoch++) {
      let total = 0, n = 0;
      for (const b of eg.data.languageModelBatches(ids, { contextLength: CONTEXT, stride: 1, batchSize: 64, rng })) {
        // Targets: the character after each window (the last column of the shifted windows).
        const next = b.y.slice(null, CONTEXT - 1).contiguous();
        opt.zeroGrad();
        const l = eg.nn.crossEntropy(model.forward(b.x), next);
        l.backward();
        opt.step();
        total += l.item() * b.starts.length;
        n += b.starts.length;
      }
      loss = total / n;
      first ??= loss;
      self.postMessage({ type: "text-progress", epoch, epochs: EPOCHS, loss });
    }
    const seconds = (performance.now() - started) / 1000;
    // Generation: start from the text's first window, append one sampled character at a time.
    const window = Array.from(ids.subarray(0, CONTEXT));
    const generated = [];
    const sampler = new eg.Rng(11);
    for (let i = 0; i < SAMPLE_CHARS; i++) {
      const logits = eg.noGrad(() => model.forward(eg.tensor([window], { dtype: "int32" }))).reshape([-1]);
      const id = eg.nn.sampleLogits(logits, { temperature: 0.7, topK: 5, rng: sampler });
      generated.push(id);
      window.shift();
      window.push(id);
    }
    self.postMessage({
      type: "text-done", firstLoss: first, loss, seconds, vocab: tokenizer.vocabSize,
      prompt: tokenizer.decode(ids.subarray(0, CONTEXT)), sample: tokenizer.decode(generated), chars: tokenizer.vocab.join(""),
    });
  } catch (e) {
    self.postMessage({ type: "text-error", message: String(e?.stack ?? e) });
  }
};
