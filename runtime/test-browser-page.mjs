// Clicks through examples/browser in headless Chromium as a person would: Train, watch the
// chart fill, Prune + quantize, then reads the numbers the page shows and checks them — for the
// MLP, then again with the CNN picked in the model selector; then the text demo (a tiny character
// model trained in its own worker, sampled, its words checked). Served cross-origin isolated
// (COOP/COEP), the page must train on every core and say so; served without those headers, on
// one thread, and say why. Saves test-output/browser-page.png, browser-page-cnn.png and
// browser-page-text.png. Needs `npm run build` first (the page loads dist/).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "./chromium.mjs";
import { ROOT } from "./consumer.mjs";
import { MAX_ACCURACY_DROP, MIN_ACCURACY, TEXT_WORDS } from "./page-expectations.mjs";
import { serveStatic } from "./static-server.mjs";

/** The page's "threads: …" line once training has started, served with or without COOP/COEP. */
async function threadsLine(context, crossOriginIsolated) {
  const server = await serveStatic(ROOT, { crossOriginIsolated });
  try {
    const page = await context.newPage();
    await page.goto(`${server.url}/examples/browser/index.html`);
    await page.click("#train");
    await page.waitForFunction(() => document.getElementById("threads").textContent !== "", null, { timeout: 60_000 });
    const line = await page.textContent("#threads");
    await page.close();
    return line;
  } finally {
    await server.close();
  }
}

const OUT = join(ROOT, "test-output");

const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

/** Picks the model, trains it, compresses it, and checks what the page shows at each step. */
async function trainAndCompress(page, model) {
  await page.selectOption("#model", model);
  await page.click("#train");
  // The chart must update while training runs (the worker keeps the page responsive). Read the
  // status in the same poll that sees it: the MLP trains in well under a second here.
  const midStatus = await (await page.waitForFunction(() => {
    const text = document.getElementById("status").textContent;
    if (document.querySelectorAll("#chart path").length > 0 && /Epoch \d+\//.test(text)) return text;
    return ["trained", "error"].includes(document.body.dataset.state) ? `(missed: ${text})` : false;
  }, null, { timeout: 60_000, polling: 10 })).jsonValue();
  await page.waitForFunction(() => ["trained", "error"].includes(document.body.dataset.state), null, { timeout: 300_000 });
  check(await page.evaluate(() => document.body.dataset.state === "trained"), `${model}: training finished (${await page.textContent("#status")})`);
  check(/Epoch \d+\/20/.test(midStatus), `${model}: live progress shown during training: "${midStatus}"`);
  // One point per epoch on each of the three curves.
  const points = await page.$$eval("#chart path", (ps) => ps.map((p) => (p.getAttribute("d").match(/[ML]/g) ?? []).length));
  check(points.length === 3 && points.every((n) => n === 20), `${model}: the chart has 3 curves of 20 epochs (${points})`);
  check(await page.isEnabled("#compress"), `${model}: the compress button is enabled after training`);

  await page.click("#compress");
  await page.waitForFunction(() => ["compressed", "error"].includes(document.body.dataset.state), null, { timeout: 300_000 });
  const status = await page.textContent("#status");
  check(await page.evaluate(() => document.body.dataset.state === "compressed"), `${model}: compression finished (${status})`);

  const rows = await page.$$eval("#results tbody tr", (trs) => trs.map((tr) => ({
    name: tr.dataset.name, accuracy: Number(tr.dataset.accuracy), bytes: Number(tr.dataset.bytes),
    gzipBytes: Number(tr.dataset.gzipBytes), cells: [...tr.cells].map((c) => c.textContent),
  })));
  for (const r of rows) console.log(`     ${r.cells.join(" | ")}`);
  const [float, pruned, int8] = rows;
  check(rows.length === 3, `${model}: three rows: float32, pruned, pruned + int8`);
  if (rows.length === 3) {
    check(float.accuracy >= MIN_ACCURACY[model], `${model}: float32 test accuracy ${float.accuracy.toFixed(3)} ≥ ${MIN_ACCURACY[model]}`);
    check(int8.accuracy >= float.accuracy - MAX_ACCURACY_DROP, `${model}: pruned + int8 accuracy ${int8.accuracy.toFixed(3)} within ${MAX_ACCURACY_DROP} of float`);
    check(pruned.bytes < float.bytes, `${model}: pruned (sparse) stored size ${pruned.bytes} < float ${float.bytes}`);
    check(int8.bytes < float.bytes / 3, `${model}: int8 stored size ${int8.bytes} < a third of float ${float.bytes}`);
    check(int8.gzipBytes < float.gzipBytes / 4, `${model}: gzipped: pruned + int8 ${int8.gzipBytes} < a quarter of float ${float.gzipBytes}`);
    // What a person reads must be the same numbers the checks used.
    check(float.cells[1] === `${(100 * float.accuracy).toFixed(1)}%`, `${model}: the table shows the accuracy (${float.cells[1]})`);
  }

  mkdirSync(OUT, { recursive: true });
  const shot = join(OUT, model === "mlp" ? "browser-page.png" : `browser-page-${model}.png`);
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);
}

/** The text demo: train the tiny character model, then check the loss fell and the sample is text of its alphabet. */
async function trainText(page) {
  await page.click("#text-train");
  await page.waitForFunction(() => ["trained", "error"].includes(document.body.dataset.textState), null, { timeout: 300_000 });
  const status = await page.textContent("#text-status");
  check(await page.evaluate(() => document.body.dataset.textState === "trained"), `text: the character model trained (${status})`);
  const { firstLoss, loss, vocab } = await page.$eval("#text-sample", (e) => ({ ...e.dataset }));
  const sample = await page.textContent("#text-sample");
  console.log(`     sample: ${JSON.stringify(sample.slice(0, 120))}…`);
  check(Number(loss) < 0.5 * Number(firstLoss), `text: loss fell from ${Number(firstLoss).toFixed(3)} to ${Number(loss).toFixed(3)} (below half)`);
  check([...sample].length === 200 && [...sample].every((c) => vocab.includes(c)), "text: 200 sampled characters, all from the text's alphabet");
  // A model that learned the text writes its words: most space-separated words of the sample are words of the text.
  const words = sample.split(/[\s.,:]+/).filter((w) => w.length > 1);
  const known = words.filter((w) => TEXT_WORDS.test(w));
  check(words.length > 10 && known.length >= 0.8 * words.length, `text: ${known.length} of ${words.length} sampled words are words of the text`);
  const shot = join(OUT, "browser-page-text.png");
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);
}

const server = await serveStatic(ROOT, { crossOriginIsolated: true });
const chrome = await launchChromium();
try {
  const page = await chrome.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`${server.url}/examples/browser/index.html`);
  for (const model of ["mlp", "cnn"]) await trainAndCompress(page, model);
  await trainText(page);
  const shown = await page.textContent("#threads");
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  check(shown === `threads: ${cores}` && cores >= 2, `cross-origin isolated, the page trains on every core: "${shown}" (${cores} cores)`);
  const plain = await threadsLine(chrome.context, false);
  check(/^threads: 1 \(the page is not cross-origin isolated/.test(plain), `without COOP/COEP, one thread and why: "${plain}"`);
  check(errors.length === 0, `no page errors${errors.length ? ": " + errors.join("; ") : ""}`);
} finally {
  await chrome.close();
  await server.close();
}
console.log(`browser page: ${failures.length ? 0 : 1} passed, ${failures.length ? 1 : 0} failed`);
process.exitCode = failures.length ? 1 : 0;
