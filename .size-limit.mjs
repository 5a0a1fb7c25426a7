// Size budgets, gzip, measured as users get them: esbuild bundles the published entry (with the
// named imports, so tree-shaking applies) and the .wasm assets are measured as files.
// Targets: the whole library ≤ 60 KB with its wasm; tensor + matmul only ≤ 15 KB.
// "Whole library" is the slim entry (all of the API's code) plus one .wasm file: what an edge
// function ships. The default entry also embeds both kernel builds as base64 and the four data
// sets (≈ 130 KB gzip of data), a convenience for Node and pages, reported but not the budget.
// Where a target is not met yet, `limit` is today's size plus a small margin so the package
// cannot grow unnoticed; the target stays beside it.
const gzip = { gzip: true, brotli: false };
// A .wasm file is measured as it ships (esbuild copies it untouched instead of bundling it).
const asFile = { modifyEsbuildConfig: (c) => ({ ...c, loader: { ...c.loader, ".wasm": "copy" } }) };
export default [
  { name: "whole library code: slim entry, everything (add one .wasm below)", path: "dist/slim.js", import: "*", limit: "56 KB", ...gzip },
  { name: "edgegrad-simd.wasm", path: "dist/edgegrad-simd.wasm", limit: "4 KB", ...asFile, ...gzip },
  { name: "edgegrad-relaxed.wasm", path: "dist/edgegrad-relaxed.wasm", limit: "4 KB", ...asFile, ...gzip },
  { name: "tensor + matmul only, slim entry (target 15 KB with wasm: not met)", path: "dist/slim.js", import: "{ tensor, matmul, init }", limit: "56 KB", ...gzip },
  { name: "default entry, everything (kernels and data sets embedded)", path: "dist/index.js", import: "*", limit: "200 KB", ...gzip },
  { name: "edgegrad/datasets", path: "dist/datasets.js", import: "*", limit: "155 KB", ...gzip },
];
