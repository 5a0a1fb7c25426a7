// Every public function that takes an options object refuses a key it does not know (a typo such
// as { patince: 3 } must fail loudly, not run with the default). One line per function here;
// each family's own tests check its accepted keys.
import { describe, expect, it } from "vitest";
import * as eg from "../src/index.js";

const x = eg.zeros([6, 2]), y = eg.tensor([0, 1, 0, 1, 0, 1]);
const train = () => 0;
const sync: [string, () => unknown][] = [
  ["kFold", () => eg.select.kFold(6, { k: 2, kk: 1 } as never)],
  ["stratifiedKFold", () => eg.select.stratifiedKFold(y, { k: 2, foo: 1 } as never)],
  ["formatTrials", () => eg.select.formatTrials({ trials: [] }, { digit: 2 } as never)],
  ["trialsSvg", () => eg.select.trialsSvg({ trials: [] } as never, { titel: "" } as never)],
  ["lrFinderSvg", () => eg.select.lrFinderSvg({} as never, { tilte: "" } as never)],
  ["earlyStopping", () => eg.nn.callbacks.earlyStopping({ patince: 3 } as never)],
  ["progressBar", () => eg.nn.callbacks.progressBar({ widht: 10 } as never)],
  ["stopOnLossChange", () => eg.nn.callbacks.stopOnLossChange({ minDelta: 0, patinece: 1 } as never)],
  ["timeBudget", () => eg.nn.callbacks.timeBudget({ seconds: 1, minutes: 1 } as never)],
  ["trainTestSplit", () => eg.data.trainTestSplit(x, y, { testsize: 0.5 } as never)],
  ["tensor", () => eg.tensor([1], { dtyp: "float32" } as never)],
  ["Adam", () => new eg.optim.Adam([eg.zeros([1])], { learningRate: 0.01 } as never)],
  ["StepLR", () => new eg.optim.lr.StepLR(new eg.optim.SGD([eg.zeros([1])], { lr: 1 }), { stepSize: 1, gama: 0.5 } as never)],
  ["crossEntropy", () => eg.nn.crossEntropy(eg.zeros([2, 3]), eg.tensor([0, 1], { dtype: "int32" }), { wieght: null } as never)],
  ["Linear", () => new eg.nn.Linear(2, 2, { bais: false } as never)],
  ["quantizeModel", () => eg.compress.quantizeModel(new eg.nn.Linear(2, 2), { calibraton: x } as never)],
  ["confusionMatrix", () => eg.metrics.confusionMatrix(y, y, { numClass: 2 } as never)],
  ["digits", () => eg.data.digits({ layuot: "nchw" } as never)],
  ["randomCrop", () => eg.data.transforms.randomCrop(2, { paddingmode: "constant" } as never)],
  ["randomHorizontalFlip", () => eg.data.transforms.randomHorizontalFlip({ prob: 0.5 } as never)],
  ["randomVerticalFlip", () => eg.data.transforms.randomVerticalFlip({ prob: 0.5 } as never)],
  ["randomErasing", () => eg.data.transforms.randomErasing({ inplace: false } as never)],
  ["randomResizedCrop", () => eg.data.transforms.randomResizedCrop(2, { antialias: true } as never)],
  ["colorJitter", () => eg.data.transforms.colorJitter({ gamma: 0.1 } as never)],
  ["randomGrayscale", () => eg.data.transforms.randomGrayscale({ prob: 0.5 } as never)],
  ["randomRotation", () => eg.data.transforms.randomRotation(10, { resample: "nearest" } as never)],
  ["RNN", () => new eg.nn.RNN(2, 3, { numlayers: 2 } as never)],
  ["LSTM", () => new eg.nn.LSTM(2, 3, { proj_size: 0 } as never)],
  ["GRU", () => new eg.nn.GRU(2, 3, { batch_first: true } as never)],
];
const asynchronous: [string, () => Promise<unknown>][] = [
  ["init", () => eg.init({ backned: "js" } as never)],
  ["crossValidate", () => eg.select.crossValidate(train, x, y, { kk: 2 } as never)],
  ["gridSearch", () => eg.select.gridSearch(train, x, y, { a: [1] }, { greaterIsBeter: false } as never)],
  ["randomSearch", () => eg.select.randomSearch(train, x, y, { a: [1] }, { niter: 1 } as never)],
  ["lrFinder", () => eg.select.lrFinder(new eg.nn.Linear(2, 2), x, eg.zeros([6, 2]), { optimizer: new eg.optim.SGD([eg.zeros([1])], { lr: 1 }), loss: "mse", numIters: 5 } as never)],
  ["successiveHalving", () => eg.select.successiveHalving({ a: [1] }, train, { maxResource: 9, nConfig: 3 } as never)],
  ["hyperband", () => eg.select.hyperband({ a: [1] }, train, { maxResource: 9, ETA: 3 } as never)],
  ["tpeSearch", () => eg.select.tpeSearch({ a: [1] }, train, { ntrials: 3 } as never)],
  ["fit", () => eg.nn.fit(new eg.nn.Linear(2, 2), x, eg.zeros([6, 2]), { loss: "mseLoss", optimizer: "sgd", epoch: 1 } as never)],
];

describe("an unknown option key is a ValueError naming it", () => {
  for (const [name, call] of sync) {
    it(name, () => {
      expect(call).toThrow(eg.ValueError);
      expect(call).toThrow(/unknown option "/);
    });
  }
  for (const [name, call] of asynchronous) {
    it(name, async () => {
      await expect(call()).rejects.toThrow(eg.ValueError);
      await expect(call()).rejects.toThrow(/unknown option "/);
    });
  }
});
