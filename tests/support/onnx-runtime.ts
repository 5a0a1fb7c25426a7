// Runs an exported ONNX model in onnxruntime-web (one thread, so results do not depend on the
// machine) on one float32 input: the tests that check exports against edgegrad share it.

/** The named output's values and dims for `input` of `shape` fed to the named input. */
export async function runOrtOutput(model: Uint8Array, input: Float32Array, shape: readonly number[], inputName = "input", outputName = "output"):
  Promise<{ data: Float32Array; dims: number[] }> {
  const ort = await import("onnxruntime-web");
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(model);
  const out = await session.run({ [inputName]: new ort.Tensor("float32", input, [...shape]) });
  return { data: out[outputName].data as Float32Array, dims: [...out[outputName].dims] };
}

/** The named output's values (runOrtOutput without the dims). */
export async function runOrt(model: Uint8Array, input: Float32Array, shape: readonly number[], inputName = "input", outputName = "output"): Promise<Float32Array> {
  return (await runOrtOutput(model, input, shape, inputName, outputName)).data;
}
