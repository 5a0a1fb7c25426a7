// The browser targets, Chromium, Firefox and WebKit: serve the consumer project over http on
// 127.0.0.1 and load the package as a plain ES module through an import map (no bundler), the
// way a page would.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "./chromium.mjs";
import { launchFirefox } from "./firefox.mjs";
import { launchWebKit } from "./webkit.mjs";
import { serveStatic } from "./static-server.mjs";

const PAGE = `<!doctype html>
<meta charset="utf-8">
<script type="importmap">{ "imports": { "edgegrad": "/node_modules/edgegrad/dist/index.js" } }</script>
<script type="module">
  import * as eg from "edgegrad";
  import { runChecks, runThreadChecks } from "/check.mjs";
  try {
    await eg.init(); // browsers refuse large synchronous compiles on the main thread
    const checks = runChecks(eg);
    window.__result = { ...checks, ...(await runThreadChecks(eg)) }; // threaded only if cross-origin isolated
  } catch (e) {
    window.__result = { error: String(e && e.stack || e) };
  }
</script>`;

/**
 * Chromium through playwright-core, behind the small interface the WebDriver clients have
 * (runtime/firefox.mjs): open(url), evaluate(expression), errors(), close().
 */
async function launchChromiumPage() {
  const chrome = await launchChromium();
  const page = await chrome.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  return {
    version: `chromium ${chrome.version}`,
    open: (url) => page.goto(url),
    evaluate: (expression) => page.evaluate(expression),
    errors: async () => [...errors],
    close: () => chrome.close(),
  };
}

/** The page in Chromium; `crossOriginIsolated`: serve with COOP/COEP, so the page may share memory with workers. */
export const runChromium = (dir, options) => runInBrowser(dir, launchChromiumPage, options);

/** The same page in Firefox (SpiderMonkey). */
export const runFirefox = (dir, options) => runInBrowser(dir, launchFirefox, options);

/** The same page in WebKitGTK (JavaScriptCore: Safari's engine). */
export const runWebKit = (dir, options) => runInBrowser(dir, launchWebKit, options);

/** Serves the page, opens it in `launch`'s browser and polls for its result. */
async function runInBrowser(dir, launch, { crossOriginIsolated = false, timeoutMs = 60_000 } = {}) {
  writeFileSync(join(dir, "index.html"), PAGE);
  const server = await serveStatic(dir, { crossOriginIsolated });
  const browser = await launch();
  try {
    await browser.open(`${server.url}/index.html`);
    const text = await waitFor(browser, "window.__result === undefined ? null : JSON.stringify(window.__result)", "result", timeoutMs);
    const result = JSON.parse(text), errors = await browser.errors();
    if (result.error || errors.length) throw new Error(result.error ?? errors.join("\n"));
    return { version: browser.version, ...result };
  } finally {
    await browser.close();
    await server.close();
  }
}

/**
 * Polls `expression` (a string, or null while not ready) in `browser`'s page until it has a value.
 * On a timeout the error also gives the page's visible text, which says where it stopped.
 */
export async function waitFor(browser, expression, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await browser.evaluate(expression);
    if (value !== null) return value;
    if (Date.now() > deadline) {
      const shown = await browser.evaluate("document.body.innerText.replace(/\\s+/g, ' ').slice(0, 2000)").catch((e) => `(unreadable: ${e.message})`);
      throw new Error(`the page gave no ${what} within ${timeoutMs} ms; errors: ${(await browser.errors()).join("\n") || "none"}; ` +
        `the page shows: ${shown}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
