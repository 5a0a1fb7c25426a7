// The members of eg.data.transforms: the batch transforms of transforms.ts and of the files that
// add to them, listed by name so that their shared helpers stay internal.
export { batchDims, normalize, randomCrop, randomHorizontalFlip, compose } from "./transforms.js";
export type { Transform, RandomCropOptions, PaddingMode } from "./transforms.js";
export { randomVerticalFlip, resizedCrop, randomResizedCrop } from "./transforms-geometry.js";
export type { Interpolation, RandomResizedCropOptions } from "./transforms-geometry.js";
export { randomErasing } from "./transforms-erasing.js";
export type { RandomErasingOptions } from "./transforms-erasing.js";
export { adjustBrightness, adjustContrast, adjustSaturation, adjustHue, rgbToGrayscale, grayscale, randomGrayscale, colorJitter } from "./transforms-color.js";
export type { ColorJitterOptions } from "./transforms-color.js";
export { randomRotation } from "./transforms-rotation.js";
export type { RandomRotationOptions } from "./transforms-rotation.js";
