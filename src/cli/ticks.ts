// The axis ticks live with the library's SVG helpers (src/select/plot.ts), which the slim build ships.
export { niceTicks, tickDecimals } from "../select/ticks.js";
