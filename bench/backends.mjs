// The wasm backends this engine can run, each initialised in turn: a bench loops over them and
// reports the ones it skipped (relaxed SIMD needs --experimental-wasm-relaxed-simd on Node 20).
export async function* eachWasmBackend(eg) {
  for (const backend of ["wasm-simd", "wasm-relaxed-simd"]) {
    try {
      await eg.init({ backend });
    } catch (e) {
      console.log(`(skipping ${backend}: ${e.message})`);
      continue;
    }
    yield backend;
  }
}
