// A tiny static file server on 127.0.0.1 (random port) for the browser checks: Chromium must
// load the package over http:// because module workers and import maps do not work from file://.
// Also a free port for the servers the other runtimes open themselves (workerd, WebKitWebDriver).
import { createServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".cjs": "text/javascript; charset=utf-8", ".json": "application/json", ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
};

/**
 * The headers that make a page cross-origin isolated, the condition for SharedArrayBuffer and so
 * for edgegrad's threads in a browser.
 */
export const CROSS_ORIGIN_ISOLATION = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };

/**
 * Serves `root`; resolves to { url, close }. Paths outside root are refused. With
 * `crossOriginIsolated`, every response carries the COOP/COEP headers.
 */
export function serveStatic(root, { crossOriginIsolated = false } = {}) {
  const isolation = crossOriginIsolated ? CROSS_ORIGIN_ISOLATION : {};
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) throw new Error("outside root");
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store", ...isolation });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

/** A TCP port on 127.0.0.1 free right now, for a server another process opens (workerd, WebKitWebDriver). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createTcpServer().once("error", reject).listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
