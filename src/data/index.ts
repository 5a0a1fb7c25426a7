// Data sets, file formats and preprocessing: everything between raw data and a model's input.
export { readIdx, readIdxAsync } from "./idx.js";
export { gunzip, isGzip } from "./gzip.js";
export type { Bytes, GunzipOptions } from "./gzip.js";
export { loadFashionMnist, FASHION_MNIST_CLASSES } from "./fashion-mnist.js";
export type { LoadMnistOptions, MnistLike, Split } from "./fashion-mnist.js";
export { readCsv } from "./csv.js";
export type { CsvOptions, CsvResult } from "./csv.js";
export { digits, iris, breastCancer, diabetes } from "./datasets.js";
export type { Dataset, DigitsOptions } from "./datasets.js";
export type { ImageLayout } from "./layout.js";
export { trainTestSplit } from "./split.js";
export type { SplitOptions, TrainTest } from "./split.js";
export { standardize, minMaxScale } from "./scale.js";
export type { Scaler, StandardScaler, MinMaxScaler } from "./scale.js";
export { oneHot } from "./one-hot.js";
export { batches } from "./batches.js";
export type { Batch, BatchOptions } from "./batches.js";
export { takeRows } from "./rows.js";
