// examples/browser in headless Firefox (SpiderMonkey) and WebKitGTK (JavaScriptCore, Safari's
// engine), as runtime/test-browser-page.mjs does in Chromium (without its live-progress checks and
// screenshots): train the MLP and then the CNN, compress each, train the text demo's character
// model, and check the numbers the page shows; served cross-origin isolated (COOP/COEP) the page
// must train on every core where the browser can share memory with workers and say so, else on
// one thread and say why. The browsers are driven over WebDriver (runtime/firefox.mjs: BiDi;
// runtime/webkit.mjs: classic), so the page is operated through the DOM: a button's click(), the
// text and data attributes the page writes. Needs `npm run build` first (the page loads dist/).
//   node runtime/test-browser-page-webdriver.mjs [firefox] [webkit]      (both by default)
import { waitFor } from "./browser.mjs";
import { launchFirefox } from "./firefox.mjs";
import { launchWebKit } from "./webkit.mjs";
import { ROOT } from "./consumer.mjs";
import { MAX_ACCURACY_DROP, MIN_ACCURACY, TEXT_WORDS } from "./page-expectations.mjs";
import { serveStatic } from "./static-server.mjs";


const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

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

/** Opens the page served with or without COOP/COEP in browser `name` and runs `body(browser)` on it. */
async function onPage(name, crossOriginIsolated, body) {
  const server = await serveStatic(ROOT, { crossOriginIsolated });
  const browser = await BROWSERS[name].launch();
  try {
    await browser.open(`${server.url}/examples/browser/index.html`);
    await body(browser);
    const errors = await browser.errors();
    check(errors.length === 0, `${name}: no page errors${errors.length ? ": " + errors.join("; ") : ""}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

const text = (id) => `document.getElementById(${JSON.stringify(id)}).textContent`;
const click = (id) => `(document.getElementById(${JSON.stringify(id)}).click(), null)`;

/**
 * A training worker that began init() and never left it: in Firefox under WebDriver BiDi, the
 * `new Worker()` that starts the thread pool sometimes never returns (runtime/RESULTS.md); without
 * the remote agent the same page never hung. init() itself gives up on pool workers that do not
 * start within 30 s, so a worker still in init() after 60 s is blocked inside the browser.
 */
class StuckInInit extends Error {}

/** The page's status lines before init() ends (examples/browser/app.js): the worker not yet started, and inside init(). */
const LOADING = "Loading the kernels…", IN_INIT = "Compiling the kernels and starting the threads…";

/** Waits until the page's training worker is past init(). */
async function pastInit(browser, what) {
  const before = `${JSON.stringify([LOADING, IN_INIT])}.includes(${text("status")}) ? null : "past"`;
  try {
    await waitFor(browser, before, "end of init()", 60_000);
  } catch (e) {
    // Only a worker inside init() is the block above; one that never got its script loaded fails.
    if ((await browser.evaluate(text("status"))) === IN_INIT) throw new StuckInInit(`${what}: ${e.message}`);
    throw e;
  }
}

/** Picks `model`, trains it, compresses it, and checks what the page shows (runtime/test-browser-page.mjs's checks). */
async function trainAndCompress(browser, name, model) {
  const what = `${name}, ${model}`;
  await browser.evaluate(`(document.getElementById("model").value = ${JSON.stringify(model)}, null)`);
  await browser.evaluate(click("train"));
  await pastInit(browser, what);
  const trained = await waitFor(browser, state(["trained", "error"]), "end of training", 300_000);
  check(trained === "trained", `${what}: training finished (${await browser.evaluate(text("status"))})`);
  const [float] = JSON.parse(await browser.evaluate(rows));
  check(Number(float?.accuracy) >= MIN_ACCURACY[model], `${what}: float32 test accuracy ${Number(float?.accuracy).toFixed(3)} ≥ ${MIN_ACCURACY[model]}`);

  await browser.evaluate(click("compress"));
  const compressed = await waitFor(browser, state(["compressed", "error"]), "end of compression", 300_000);
  check(compressed === "compressed", `${what}: compression finished (${await browser.evaluate(text("status"))})`);
  const table = JSON.parse(await browser.evaluate(rows));
  check(table.length === 3, `${what}: three rows: float32, pruned, pruned + int8`);
  if (table.length === 3) {
    const [f, pruned, int8] = table;
    console.log(`     ${what}: accuracy ${Number(f.accuracy).toFixed(3)} → ${Number(int8.accuracy).toFixed(3)}, stored ${f.bytes} → ${int8.bytes} bytes`);
    check(Number(int8.accuracy) >= Number(f.accuracy) - MAX_ACCURACY_DROP, `${what}: pruned + int8 accuracy within ${MAX_ACCURACY_DROP} of float`);
    check(Number(pruned.bytes) < Number(f.bytes), `${what}: pruned (sparse) stored size ${pruned.bytes} < float ${f.bytes}`);
    check(Number(int8.bytes) < Number(f.bytes) / 3, `${what}: int8 stored size ${int8.bytes} < a third of float ${f.bytes}`);
  }
}

/** The text demo: the loss falls below half, the 200 sampled characters are of the text's alphabet and mostly its words. */
async function trainText(browser, name) {
  await browser.evaluate(click("text-train"));
  const done = await waitFor(browser, `["trained", "error"].includes(document.body.dataset.textState) ? document.body.dataset.textState : null`,
    "end of the text demo", 300_000);
  check(done === "trained", `${name}, text: the character model trained (${await browser.evaluate(text("text-status"))})`);
  const { firstLoss, loss, vocab } = JSON.parse(await browser.evaluate(`JSON.stringify({ ...document.getElementById("text-sample").dataset })`));
  const sample = await browser.evaluate(text("text-sample"));
  console.log(`     ${name}, sample: ${JSON.stringify(sample.slice(0, 80))}…`);
  check(Number(loss) < 0.5 * Number(firstLoss), `${name}, text: loss fell from ${Number(firstLoss).toFixed(3)} to ${Number(loss).toFixed(3)}`);
  check([...sample].length === 200 && [...sample].every((c) => vocab.includes(c)), `${name}, text: 200 sampled characters, all from the text's alphabet`);
  const words = sample.split(/[\s.,:]+/).filter((w) => w.length > 1), known = words.filter((w) => TEXT_WORDS.test(w));
  check(words.length > 10 && known.length >= 0.8 * words.length, `${name}, text: ${known.length} of ${words.length} sampled words are words of the text`);
}

/** The cross-origin isolated page's checks, once more on a fresh browser if the first one stuck in init() (StuckInInit). */
async function isolatedPage(name) {
  for (let attempt = 1; ; attempt++) {
    try {
      await onPage(name, true, async (browser) => {
        console.log(`     ${browser.version}`);
        for (const model of ["mlp", "cnn"]) await trainAndCompress(browser, name, model);
        await trainText(browser, name);
        const shown = await browser.evaluate(text("threads"));
        const cores = Number(await browser.evaluate("String(navigator.hardwareConcurrency)"));
        const want = BROWSERS[name].isolatedThreads(cores);
        check(shown === want && cores >= 2, `${name}, cross-origin isolated: the page says "${shown}" (want "${want}", ${cores} cores)`);
      });
      return;
    } catch (e) {
      if (!(e instanceof StuckInInit) || attempt === 2) throw e;
      console.log(`note ${e.message}\n     the browser blocked in the training worker's init(); the page's checks once more, on a fresh browser`);
    }
  }
}

for (const name of wanted) {
  await isolatedPage(name);

  await onPage(name, false, async (browser) => {
    await browser.evaluate(click("train"));
    const plain = await waitFor(browser, `${text("threads")} || null`, "threads line", 60_000);
    check(/^threads: 1 \(the page is not cross-origin isolated/.test(plain), `${name}, without COOP/COEP: one thread and why: "${plain}"`);
  });
}

console.log(`browser page (${wanted.join(", ")}): ${failures.length ? 0 : 1} passed, ${failures.length ? 1 : 0} failed`);
process.exitCode = failures.length ? 1 : 0;
