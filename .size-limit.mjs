// Size budgets, gzip, measured as users get them: esbuild bundles the published entry (with the
// named imports, so tree-shaking applies) and the .wasm assets are measured as files.
// Issue 7 targets: the whole library ≤ 60 KB (wasm included); tensor + matmul only ≤ 15 KB.
// `limit` is what CI enforces today: the current size plus a small margin wherever the target is
// not met yet, so the package cannot grow unnoticed (runtime/RESULTS.md says why and what blocks).
const gzip = { gzip: true, brotli: false };
// A .wasm file is measured as it ships (esbuild copies it untouched instead of bundling it).
const asFile = { modifyEsbuildConfig: (c) => ({ ...c, loader: { ...c.loader, ".wasm": "copy" } }) };
export default [
  { name: "whole library, default entry (kernels embedded)", path: "dist/index.js", import: "*", limit: "205 KB", target: "60 KB", ...gzip },
  { name: "tensor + matmul, default entry (kernels embedded)", path: "dist/index.js", import: "{ tensor, matmul }", limit: "200 KB", target: "15 KB", ...gzip },
  { name: "tensor + matmul, slim entry", path: "dist/slim.js", import: "{ tensor, matmul, init }", limit: "200 KB", ...gzip },
  { name: "edgegrad-simd.wasm", path: "dist/edgegrad-simd.wasm", limit: "5 KB", ...asFile, ...gzip },
  { name: "edgegrad-relaxed.wasm", path: "dist/edgegrad-relaxed.wasm", limit: "5 KB", ...asFile, ...gzip },
].map(({ target, ...entry }) => entry);
