// Round half to even lives with the quantize kernels' JS reference (src/backend), which uses it
// for every element; compress re-exports it for its own rounding and for users.
export { roundHalfToEven } from "../backend/index.js";
