// Feature detection by validating tiny hand-assembled modules: the only test that works the same
// in every engine (user agents and version numbers lie, and some edge runtimes have neither).

// (module (func v128.const i32x4 0 0 0 0  drop))
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, //             type section: () -> ()
  0x03, 0x02, 0x01, 0x00, //                         function section: one function of type 0
  0x0a, 0x17, 0x01, 0x15, 0x00, //                   code section, body of 21 bytes, no locals
  0xfd, 0x0c, ...new Array<number>(16).fill(0), //   v128.const
  0x1a, 0x0b, //                                     drop, end
]);

// (module (func v128.const ×3  f32x4.relaxed_madd  drop))
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x3e, 0x01, 0x3c, 0x00, //                   body of 60 bytes
  0xfd, 0x0c, ...new Array<number>(16).fill(0),
  0xfd, 0x0c, ...new Array<number>(16).fill(0),
  0xfd, 0x0c, ...new Array<number>(16).fill(0),
  0xfd, 0x85, 0x02, //                               f32x4.relaxed_madd (0xfd 0x105)
  0x1a, 0x0b,
]);

function validates(bytes: Uint8Array): boolean {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(bytes as BufferSource);
  } catch {
    return false;
  }
}

export interface WasmFeatures {
  wasm: boolean;
  simd: boolean;
  relaxedSimd: boolean;
}

let cached: WasmFeatures | undefined;

export function detectFeatures(): WasmFeatures {
  if (!cached) {
    const wasm = typeof WebAssembly === "object" && typeof WebAssembly.validate === "function";
    const simd = wasm && validates(SIMD_PROBE);
    cached = { wasm, simd, relaxedSimd: simd && validates(RELAXED_SIMD_PROBE) };
  }
  return cached;
}
