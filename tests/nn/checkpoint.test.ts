// Checkpoints: a fit resumed from one continues bit-identically to an uninterrupted run
// (Dropout, shuffling, Adam's state and a scheduler included); modelCheckpoint's schedule;
// `extra` round trips exactly; bad files and mismatched models change nothing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { io, manualSeed, nn, optim, randn, Rng, Tensor, FormatError, ShapeError, ValueError } from "../../src/index.js";

function blobs(n: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 2), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    x[2 * i] = [2, -1, -1][i % 3] + 0.7 * rng.normal();
    x[2 * i + 1] = [0, 2, -2][i % 3] + 0.7 * rng.normal();
  }
  return { x: new Tensor(x, "float32", [n, 2]), y: new Tensor(y, "int32", [n]) };
}
/** Unseeded Dropout draws from fit's generator; the seeded one holds its own. */
const build = (s: number) => new nn.Sequential(
  new nn.Linear(2, 16, { seed: s }), new nn.ReLU(), new nn.Dropout(0.3),
  new nn.Linear(16, 16, { seed: s + 1 }), new nn.Dropout(0.2, { seed: s + 2 }), new nn.Linear(16, 3, { seed: s + 3 }),
);
const bits = (m: nn.Module) => m.parameters().map((p) => Array.from(p.data));
const setup = (s: number) => {
  const model = build(s);
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.02 });
  const scheduler = new optim.lr.StepLR(optimizer, { stepSize: 1, gamma: 0.7 });
  return { model, optimizer, scheduler };
};
const { x, y } = blobs(90, 1);
const fitOpts: Pick<nn.FitOptions, "loss" | "batchSize" | "metrics"> = { loss: "crossEntropy", batchSize: 8, metrics: ["accuracy"] };

describe("resuming from a checkpoint", () => {
  it("fit 4 epochs straight equals fit 2 → checkpoint → fresh model/optimizer/scheduler → fit 2..4, bit for bit", async () => {
    manualSeed(5);
    const a = setup(1);
    const straight = await nn.fit(a.model, x, y, { ...fitOpts, optimizer: a.optimizer, epochs: 4, callbacks: [nn.callbacks.lrScheduler(a.scheduler)] });

    manualSeed(5);
    const b = setup(1);
    const saved: { bytes: Uint8Array; epoch: number }[] = [];
    const ck = nn.callbacks.modelCheckpoint({ save: (bytes, epoch) => { saved.push({ bytes, epoch }); }, scheduler: b.scheduler });
    const first = await nn.fit(b.model, x, y, { ...fitOpts, optimizer: b.optimizer, epochs: 2, callbacks: [nn.callbacks.lrScheduler(b.scheduler), ck] });
    expect(saved.map((s) => s.epoch)).toEqual([1, 2]);
    const direct = nn.saveCheckpoint({ model: b.model, optimizer: b.optimizer, scheduler: b.scheduler, epoch: 2 });

    for (const bytes of [saved[1].bytes, direct]) {
      manualSeed(999); // the global generator is elsewhere now: only the checkpoint decides
      const c = setup(40);
      expect(bits(c.model)).not.toEqual(bits(a.model));
      const { epoch, extra } = nn.loadCheckpoint(bytes, c);
      expect(epoch).toBe(2);
      const rest = await nn.fit(c.model, x, y, { ...fitOpts, optimizer: c.optimizer, epochs: 4, initialEpoch: epoch, callbacks: [nn.callbacks.lrScheduler(c.scheduler)] });
      expect(bits(c.model)).toEqual(bits(a.model));
      expect(rest.epoch).toEqual([2, 3]);
      expect([...first.history.loss, ...rest.history.loss]).toEqual(straight.history.loss);
      expect(rest.history.lr).toEqual(straight.history.lr.slice(2));
      if (bytes === saved[1].bytes) expect((extra as { logs: { loss: number } }).logs.loss).toBe(first.history.loss[1]);
    }
  });

  it("a resumed run with a different seed than the run it continues is refused", async () => {
    const a = setup(1);
    await nn.fit(a.model, x, y, { ...fitOpts, optimizer: a.optimizer, epochs: 1, seed: 3 });
    const bytes = nn.saveCheckpoint({ model: a.model, optimizer: a.optimizer, epoch: 1 });
    const c = setup(1);
    nn.loadCheckpoint(bytes, { model: c.model, optimizer: c.optimizer });
    await expect(nn.fit(c.model, x, y, { ...fitOpts, optimizer: c.optimizer, epochs: 2, initialEpoch: 1, seed: 4 })).rejects.toThrow(/seed 4 differs from the seed 3/);
    await expect(nn.fit(c.model, x, y, { ...fitOpts, optimizer: c.optimizer, epochs: 2, initialEpoch: 3 })).rejects.toThrow(/initialEpoch 3 is past epochs 2/);
    const h = await nn.fit(c.model, x, y, { ...fitOpts, optimizer: c.optimizer, epochs: 2, initialEpoch: 1, seed: 3 });
    expect(h.epoch).toEqual([1]);
  });
});

describe("modelCheckpoint", () => {
  it("saves every n epochs, or only when the monitored value improved", async () => {
    const a = setup(1);
    const every: number[] = [], best: number[] = [];
    const h = await nn.fit(a.model, x, y, {
      ...fitOpts, optimizer: new optim.SGD(a.model.parameters(), { lr: 0.3 }), epochs: 7, seed: 2,
      callbacks: [
        nn.callbacks.modelCheckpoint({ save: (_b, e) => { every.push(e); }, everyNEpochs: 3 }),
        nn.callbacks.modelCheckpoint({ save: (_b, e) => { best.push(e); }, saveBestOnly: true, monitor: "accuracy" }),
      ],
    });
    expect(every).toEqual([3, 6]);
    const acc = h.history.accuracy;
    const improved = acc.flatMap((v, i) => (acc.slice(0, i).every((u) => v > u) ? [i + 1] : []));
    expect(best).toEqual(improved);
    expect(() => nn.callbacks.modelCheckpoint({ save: () => {}, everyNEpochs: 0 })).toThrow(ValueError);
    expect(() => nn.callbacks.modelCheckpoint({ save: () => {}, monitor: "loss" })).toThrow(/need saveBestOnly/);
    expect(() => nn.callbacks.modelCheckpoint({ save: () => {}, every: 2 } as never)).toThrow(/unknown option "every"/);
    expect(() => nn.callbacks.modelCheckpoint({} as never)).toThrow(/save must be a function/);
  });
});

/** JSON-like values with numbers of every kind (NaN, ±∞, -0), typed arrays and tensors. */
const key = fc.string({ maxLength: 6 }).filter((k) => !k.startsWith("$$"));
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(NaN, Infinity, -Infinity, -0));
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: "small" },
    number, fc.string(), fc.boolean(), fc.constant(null),
    fc.array(fc.double(), { minLength: 16, maxLength: 40 }),
    fc.float32Array({ maxLength: 20 }).map((a) => Float32Array.from(a)),
    fc.array(tie("tree"), { maxLength: 4 }), fc.dictionary(key, tie("tree"), { maxKeys: 4 })),
}));
const same = (a: unknown, b: unknown): boolean => {
  if (a instanceof Float32Array) return b instanceof Float32Array && a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  if (typeof a === "number") return Object.is(a, b);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => same(v, b[i]));
  if (a && typeof a === "object") {
    const ka = Object.keys(a), kb = Object.keys(b as object);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same((a as never)[k], (b as never)[k]));
  }
  return a === b;
};

describe("checkpoint contents and errors", () => {
  it("extra round-trips exactly: NaN, ±∞, -0, long number arrays, typed arrays, '__proto__' keys", () => {
    const m = new nn.Linear(2, 2, { seed: 1 });
    fc.assert(fc.property(tree, (extra) => {
      const back = nn.loadCheckpoint(nn.saveCheckpoint({ model: m, epoch: 0, extra }), { model: m }).extra;
      return same(extra, back);
    }), { numRuns: 60 });
    const t = randn([3, 2], { seed: 2 });
    const weird = JSON.parse('{"__proto__": {"polluted": 1}, "t": 0}');
    weird.t = t;
    const back = nn.loadCheckpoint(nn.saveCheckpoint({ model: m, epoch: 0, extra: weird }), { model: m }).extra as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(back, "__proto__")).toBe(true);
    expect(Array.from((back.t as Tensor).data)).toEqual(Array.from(t.data));
    expect(() => nn.saveCheckpoint({ model: m, epoch: 0, extra: { f: () => 1 } })).toThrow(/"extra.f" is a function/);
    expect(() => nn.saveCheckpoint({ model: m, epoch: 0, extra: { $$tensor: 1 } })).toThrow(/reserved/);
  });

  it("refuses foreign or damaged files, wrong models and mismatched optimizers, changing nothing", () => {
    const a = setup(1);
    const bytes = nn.saveCheckpoint({ model: a.model, optimizer: a.optimizer, scheduler: a.scheduler, epoch: 3 });
    const c = setup(7);
    const before = bits(c.model), optBefore = JSON.stringify(c.optimizer.stateDict());
    const unchanged = () => {
      expect(bits(c.model)).toEqual(before);
      expect(JSON.stringify(c.optimizer.stateDict())).toBe(optBefore);
    };
    expect(() => nn.loadCheckpoint(io.saveSafetensors(a.model.stateDict()), c)).toThrow(FormatError);
    expect(() => nn.loadCheckpoint(bytes.subarray(0, 100), c)).toThrow(FormatError);
    unchanged();
    const other = new nn.Sequential(new nn.Linear(2, 4, { seed: 1 }));
    expect(() => nn.loadCheckpoint(bytes, { model: other })).toThrow(ValueError);
    const narrow = build(1);
    narrow.registerBuffer("extra_state", randn([2], { seed: 1 }));
    expect(() => nn.loadCheckpoint(bytes, { model: narrow })).toThrow(/unexpected|missing/);
    // The model loads, then the optimizer refuses (other parameter groups): the model is rolled back.
    const split = new optim.Adam([{ params: c.model.parameters().slice(0, 2) }, { params: c.model.parameters().slice(2) }], { lr: 0.02 });
    expect(() => nn.loadCheckpoint(bytes, { model: c.model, optimizer: split })).toThrow(ValueError);
    unchanged();
    expect(() => nn.loadCheckpoint(bytes, { ...c, strict: false } as never)).toThrow(/unknown option "strict"/);
    expect(() => nn.saveCheckpoint({ model: a.model, epoch: -1 })).toThrow(/epoch must be a non-negative integer/);
    expect(() => nn.saveCheckpoint({ model: a.model, epoch: 1, optimizer: {} as never })).toThrow(/stateDict/);
    const noOpt = nn.saveCheckpoint({ model: a.model, epoch: 1 });
    expect(() => nn.loadCheckpoint(noOpt, c)).toThrow(/holds no optimizer state/);
    unchanged();
    expect(nn.loadCheckpoint(bytes, c).epoch).toBe(3);
    expect(bits(c.model)).toEqual(bits(a.model));
    expect(() => nn.loadCheckpoint(bytes, { model: new nn.Sequential(new nn.Linear(2, 16)) })).toThrow(/generators \[4.rng\], the model \[\]/);
    const wider = new nn.Sequential(new nn.Linear(2, 8), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(8, 16), new nn.Dropout(0.2, { seed: 1 }), new nn.Linear(16, 3));
    expect(() => nn.loadCheckpoint(bytes, { model: wider })).toThrow(ShapeError);
  });
});
