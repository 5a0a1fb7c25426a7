// Every name of the library without embedded bytes: the slim entry and all of its namespace
// subpaths, plus the full kernel module. Reported, with a limit just above its size as a tripwire.
import * as edgegrad from "../../dist/slim/slim.js";
import * as nn from "../../dist/slim/nn/index.js";
import * as optim from "../../dist/slim/optim/index.js";
import * as data from "../../dist/slim/data/index.js";
import * as metrics from "../../dist/slim/metrics/index.js";
import * as compress from "../../dist/slim/compress/index.js";
import * as io from "../../dist/slim/io/index.js";
import * as select from "../../dist/slim/select/index.js";
import * as fft from "../../dist/slim/fft/index.js";
import * as distributions from "../../dist/slim/distributions/index.js";
import * as autograd from "../../dist/slim/autograd/index.js";
import kernelModule from "../../dist/edgegrad-simd.wasm";

edgegrad.init({ module: kernelModule }).then(() => {
  globalThis.edgegrad = { ...edgegrad, nn, optim, data, metrics, compress, io, select, fft, distributions, autograd };
});
