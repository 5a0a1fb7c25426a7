// examples/browser in headless Firefox (SpiderMonkey) and WebKitGTK (JavaScriptCore, Safari's
// engine), as runtime/test-browser-page.mjs does in Chromium but shorter: train the MLP, compress
// it, and check the numbers the page shows; served cross-origin isolated (COOP/COEP) the page
// must train on every core where the browser can share memory with workers and say so, else on
// one thread and say why. The browsers are driven over WebDriver (runtime/browser.mjs: BiDi;
// runtime/webkit.mjs: classic), so the page is operated through the DOM: a button's click(), the
// text and data attributes the page writes. Needs `npm run build` first (the page loads dist/).
//   node runtime/test-browser-page-webdriver.mjs [firefox] [webkit]      (both by default)
import { launchFirefox } from "./firefox.mjs";
import { launchWebKit } from "./webkit.mjs";
import { ROOT } from "./consumer.mjs";
import { serveStatic } from "./static-server.mjs";

// The same bounds as the Chromium test: the float MLP reaches ~0.97 on the held-out 20%.
const MIN_ACCURACY = 0.93, MAX_ACCURACY_DROP = 0.03;

const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

/** Polls `expression` (a string, or null while not ready) until it has a value. */
async function waitFor(browser, expression, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await browser.evaluate(expression);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`the page: no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const state = (names) => `[${names.map((n) => JSON.stringify(n))}].includes(document.body.dataset.state) ? document.body.dataset.state : null`;
const rows = `JSON.stringify([...document.querySelectorAll("#results tbody tr")].map((tr) => ({ ...tr.dataset })))`;

/**
 * Each browser, and what its cross-origin isolated page must say about threads: WebKitGTK 2.50
 * has no SharedArrayBuffer even then (runtime/RESULTS.md, runtime matrix).
 */
const BROWSERS = {
  firefox: { launch: launchFirefox, isolatedThreads: (cores) => `threads: ${cores}` },
  webkit: { launch: launchWebKit, isolatedThreads: () => "threads: 1 (no SharedArrayBuffer in this runtime)" },
};
const wanted = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(BROWSERS);
for (const name of wanted) if (!BROWSERS[name]) throw new Error(`unknown browser ${name}; known: ${Object.keys(BROWSERS)}`);

/** Opens the page served with or without COOP/COEP in `launch`'s browser and runs `body(browser)` on it. */
async function onPage(launch, crossOriginIsolated, body) {
  const server = await serveStatic(ROOT, { crossOriginIsolated });
  const browser = await launch();
  try {
    await browser.open(`${server.url}/examples/browser/index.html`);
    await body(browser);
    const errors = await browser.errors();
    check(errors.length === 0, `no page errors${errors.length ? ": " + errors.join("; ") : ""}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

for (const name of wanted) {
  const { launch, isolatedThreads } = BROWSERS[name];
  await onPage(launch, true, async (browser) => {
    console.log(`     ${browser.version}`);
    await browser.evaluate(`document.getElementById("train").click(), null`);
    const trained = await waitFor(browser, state(["trained", "error"]), "end of training", 300_000);
    check(trained === "trained", `${name}, mlp: training finished (${await browser.evaluate(`document.getElementById("status").textContent`)})`);
    const [float] = JSON.parse(await browser.evaluate(rows));
    check(Number(float?.accuracy) >= MIN_ACCURACY, `${name}, mlp: float32 test accuracy ${Number(float?.accuracy).toFixed(3)} ≥ ${MIN_ACCURACY}`);

    await browser.evaluate(`document.getElementById("compress").click(), null`);
    const compressed = await waitFor(browser, state(["compressed", "error"]), "end of compression", 300_000);
    check(compressed === "compressed", `${name}, mlp: compression finished (${await browser.evaluate(`document.getElementById("status").textContent`)})`);
    const table = JSON.parse(await browser.evaluate(rows));
    check(table.length === 3, `${name}, mlp: three rows: float32, pruned, pruned + int8`);
    if (table.length === 3) {
      const [f, , int8] = table;
      console.log(`     accuracy ${f.accuracy} → ${int8.accuracy}, stored ${f.bytes} → ${int8.bytes} bytes`);
      check(Number(int8.accuracy) >= Number(f.accuracy) - MAX_ACCURACY_DROP, `${name}, mlp: pruned + int8 accuracy within ${MAX_ACCURACY_DROP} of float`);
      check(Number(int8.bytes) < Number(f.bytes) / 3, `${name}, mlp: int8 stored size ${int8.bytes} < a third of float ${f.bytes}`);
    }
    const shown = await browser.evaluate(`document.getElementById("threads").textContent`);
    const cores = Number(await browser.evaluate("String(navigator.hardwareConcurrency)"));
    const want = isolatedThreads(cores);
    check(shown === want && cores >= 2, `${name}, cross-origin isolated: the page says "${shown}" (want "${want}", ${cores} cores)`);
  });

  await onPage(launch, false, async (browser) => {
    await browser.evaluate(`document.getElementById("train").click(), null`);
    const plain = await waitFor(browser, `document.getElementById("threads").textContent || null`, "threads line", 60_000);
    check(/^threads: 1 \(the page is not cross-origin isolated/.test(plain), `${name}, without COOP/COEP: one thread and why: "${plain}"`);
  });
}

console.log(`browser page (${wanted.join(", ")}): ${failures.length ? 0 : 1} passed, ${failures.length ? 1 : 0} failed`);
process.exitCode = failures.length ? 1 : 0;
