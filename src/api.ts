// Everything users can name, shared by the default and the slim entry.
export * from "./api-core.js";
export * as compress from "./compress/index.js";
export * as data from "./data/index.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as io from "./io/index.js";
export * as metrics from "./metrics/index.js";
export * as select from "./select/index.js";
export * as fft from "./fft/index.js";
export * as distributions from "./distributions/index.js";
export * as autograd from "./autograd/index.js";
