import { probability } from "../checks.js";
import {
  linear as linearOp, logSoftmax as logSoftmaxOp, relu as reluOp, rngFrom, sigmoid as sigmoidOp, softmax as softmaxOp,
  tanh as tanhOp, type RandomOptions, type Tensor,
} from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { logSigmoid } from "./activations.js";
import { dropout as dropoutWith, tensorInput } from "./functional.js";
import { bceWithLogits, multiLabelSoftMarginLoss } from "./losses-binary.js";
import { klDivLoss } from "./losses-distribution.js";

/**
 * torch.nn.functional's names, camelCased (eg.nn.functional.leakyRelu is F.leaky_relu): every
 * op that has a module, as a function of its input and PyTorch's keyword arguments as options.
 * Where F's name differs from the module-style one the flat exports use (logsigmoid,
 * binaryCrossEntropyWithLogits, klDiv, multilabelSoftMarginLoss), both are here.
 */

export const relu = (x: Tensor): Tensor => reluOp(tensorInput("relu", x));
export const sigmoid = (x: Tensor): Tensor => sigmoidOp(tensorInput("sigmoid", x));
export const tanh = (x: Tensor): Tensor => tanhOp(tensorInput("tanh", x));
export const softmax = (x: Tensor, dim = -1): Tensor => softmaxOp(tensorInput("softmax", x), dim);
export const logSoftmax = (x: Tensor, dim = -1): Tensor => logSoftmaxOp(tensorInput("logSoftmax", x), dim);
/** y = x·Wᵀ + b, W in [out, in] layout (F.linear). */
export const linear = (x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor => linearOp(x, weight, bias);

export interface DropoutOptions extends RandomOptions {
  /** Off (the identity) when false, as F.dropout(training=False). Default true. */
  training?: boolean;
}
/** Inverted dropout with probability p (default 0.5), drawing from { seed }, { rng } or the global generator. */
export function dropout(x: Tensor, p = 0.5, o: DropoutOptions = {}): Tensor {
  checkOptions("dropout", o, ["training", "seed", "rng"]);
  probability("dropout", "probability", p);
  return (o.training ?? true) && p > 0 ? dropoutWith(x, p, rngFrom(o)) : x;
}

export { leakyRelu, elu, gelu } from "./functional.js";
export {
  softplus, silu, mish, selu, celu, logSigmoid, hardtanh, hardswish, hardsigmoid, softsign,
} from "./activations.js";
export const logsigmoid = logSigmoid;
export { prelu, relu6, softshrink, hardshrink, tanhshrink, threshold, softmin, glu } from "./activations-more.js";

export { mseLoss, l1Loss, huberLoss, smoothL1Loss } from "./losses.js";
export { binaryCrossEntropy, bceWithLogits, multiLabelSoftMarginLoss } from "./losses-binary.js";
export const binaryCrossEntropyWithLogits = bceWithLogits;
export const multilabelSoftMarginLoss = multiLabelSoftMarginLoss;
export { crossEntropy } from "./cross-entropy.js";
export { nllLoss } from "./nll-loss.js";
export { klDivLoss, poissonNllLoss, gaussianNllLoss } from "./losses-distribution.js";
export const klDiv = klDivLoss;
export {
  cosineEmbeddingLoss, marginRankingLoss, hingeEmbeddingLoss, tripletMarginLoss,
} from "./losses-embedding.js";
export { multiMarginLoss, multilabelMarginLoss, softMarginLoss } from "./losses-margin.js";
export { multilabelMarginLoss as multiLabelMarginLoss } from "./losses-margin.js";
export { ctcLoss } from "./ctc-loss.js";
export { conv1d, conv2d } from "./conv.js";
export { convTranspose2d } from "./conv-transpose.js";
export { convTranspose1d } from "./conv-transpose1d.js";
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool2d, adaptiveMaxPool2d } from "./pooling.js";
export { adaptiveAvgPool1d, adaptiveMaxPool1d } from "./adaptive-pool1d.js";
export { conv3d, convTranspose3d } from "./conv3d.js";
export { maxPool3d, avgPool3d, adaptiveAvgPool3d, adaptiveMaxPool3d } from "./pooling3d.js";
export { lpPool1d, lpPool2d } from "./lp-pool.js";
export { batchNorm, layerNorm, groupNorm } from "./normalization.js";
export { dropout2d, interpolate } from "./shape-layers.js";
export { instanceNorm } from "./instance-norm.js";
export { pixelShuffle, pixelUnshuffle } from "./rearrange-layers.js";
export { cosineSimilarity, pairwiseDistance, normalize } from "./distance.js";
export { embedding } from "./embedding-op.js";
export { embeddingBag } from "./embedding-bag-op.js";
export { bilinear } from "./bilinear.js";
export { alphaDropout, featureAlphaDropout, dropout1d } from "./dropout-more.js";
export { channelShuffle } from "./rearrange-layers.js";
export { localResponseNorm } from "./local-response-norm.js";
export { maxUnpool1d, maxUnpool2d } from "./max-unpool.js";
export { pad } from "../ndarray/pad.js";
export { unfold, fold } from "./fold.js";
export { oneHot, gumbelSoftmax, pdist } from "./functional-extra.js";
export { affineGrid } from "./affine-grid.js";
export { gridSample } from "./grid-sample.js";
export { rrelu } from "./rrelu.js";
export { dropout3d } from "./dropout3d.js";
export { maxUnpool3d } from "./max-unpool.js";
export { tripletMarginWithDistanceLoss } from "./triplet-distance-loss.js";
export { fractionalMaxPool2d, fractionalMaxPool3d } from "./fractional-max-pool.js";
