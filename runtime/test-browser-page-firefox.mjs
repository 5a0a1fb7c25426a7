// examples/browser in headless Firefox (SpiderMonkey), as runtime/test-browser-page.mjs does in
// Chromium but shorter: train the MLP, compress it, and check the numbers the page shows; served
// cross-origin isolated (COOP/COEP) the page must train on every core and say so, served without
// those headers on one thread and say why. Firefox is driven over WebDriver BiDi
// (runtime/firefox.mjs), so the page is operated through the DOM: a button's click(), the text
// and data attributes the page writes. Needs `npm run build` first (the page loads dist/).
import { launchFirefox } from "./firefox.mjs";
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
async function waitFor(firefox, expression, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await firefox.evaluate(expression);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`firefox page: no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const state = (names) => `[${names.map((n) => JSON.stringify(n))}].includes(document.body.dataset.state) ? document.body.dataset.state : null`;
const rows = `JSON.stringify([...document.querySelectorAll("#results tbody tr")].map((tr) => ({ ...tr.dataset })))`;

/** Opens the page served with or without COOP/COEP and runs `body(firefox)` on it. */
async function onPage(crossOriginIsolated, body) {
  const server = await serveStatic(ROOT, { crossOriginIsolated });
  const firefox = await launchFirefox();
  try {
    await firefox.open(`${server.url}/examples/browser/index.html`);
    await body(firefox);
    check(firefox.errors.length === 0, `no page errors${firefox.errors.length ? ": " + firefox.errors.join("; ") : ""}`);
  } finally {
    await firefox.close();
    await server.close();
  }
}

await onPage(true, async (firefox) => {
  console.log(`     ${firefox.version}`);
  await firefox.evaluate(`document.getElementById("train").click(), null`);
  const trained = await waitFor(firefox, state(["trained", "error"]), "end of training", 300_000);
  check(trained === "trained", `mlp: training finished (${await firefox.evaluate(`document.getElementById("status").textContent`)})`);
  const [float] = JSON.parse(await firefox.evaluate(rows));
  check(Number(float?.accuracy) >= MIN_ACCURACY, `mlp: float32 test accuracy ${Number(float?.accuracy).toFixed(3)} ≥ ${MIN_ACCURACY}`);

  await firefox.evaluate(`document.getElementById("compress").click(), null`);
  const compressed = await waitFor(firefox, state(["compressed", "error"]), "end of compression", 300_000);
  check(compressed === "compressed", `mlp: compression finished (${await firefox.evaluate(`document.getElementById("status").textContent`)})`);
  const table = JSON.parse(await firefox.evaluate(rows));
  check(table.length === 3, "mlp: three rows: float32, pruned, pruned + int8");
  if (table.length === 3) {
    const [f, , int8] = table;
    console.log(`     accuracy ${f.accuracy} → ${int8.accuracy}, stored ${f.bytes} → ${int8.bytes} bytes`);
    check(Number(int8.accuracy) >= Number(f.accuracy) - MAX_ACCURACY_DROP, `mlp: pruned + int8 accuracy within ${MAX_ACCURACY_DROP} of float`);
    check(Number(int8.bytes) < Number(f.bytes) / 3, `mlp: int8 stored size ${int8.bytes} < a third of float ${f.bytes}`);
  }
  const shown = await firefox.evaluate(`document.getElementById("threads").textContent`);
  const cores = Number(await firefox.evaluate("String(navigator.hardwareConcurrency)"));
  check(shown === `threads: ${cores}` && cores >= 2, `cross-origin isolated, the page trains on every core: "${shown}" (${cores} cores)`);
});

await onPage(false, async (firefox) => {
  await firefox.evaluate(`document.getElementById("train").click(), null`);
  const plain = await waitFor(firefox, `document.getElementById("threads").textContent || null`, "threads line", 60_000);
  check(/^threads: 1 \(the page is not cross-origin isolated/.test(plain), `without COOP/COEP, one thread and why: "${plain}"`);
});

console.log(`browser page (firefox): ${failures.length ? 0 : 1} passed, ${failures.length ? 1 : 0} failed`);
process.exitCode = failures.length ? 1 : 0;
