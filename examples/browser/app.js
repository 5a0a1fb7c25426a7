// The page: buttons, the live chart and the results table. All the numeric work happens in
// worker.js; this file only draws what the worker reports.
const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const points = [];

function setBusy(busy, text) {
  $("train").disabled = busy;
  $("model").disabled = busy;
  $("compress").disabled = busy || points.length === 0;
  $("status").textContent = text;
}

const SVG = "http://www.w3.org/2000/svg";
function el(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Loss on the left axis (0..max), accuracies on the right (0..100%), one point per epoch. */
function draw(epochs) {
  const svg = $("chart"), W = 900, H = 300, L = 50, R = 50, T = 14, B = 34;
  svg.replaceChildren();
  const maxLoss = Math.max(0.5, ...points.map((p) => p.loss));
  const x = (e) => L + ((e - 1) / Math.max(1, epochs - 1)) * (W - L - R);
  const yLoss = (v) => T + (1 - v / maxLoss) * (H - T - B);
  const yAcc = (v) => T + (1 - v) * (H - T - B);
  for (let i = 0; i <= 4; i++) {
    const y = T + (i / 4) * (H - T - B);
    svg.append(el("line", { x1: L, x2: W - R, y1: y, y2: y, stroke: "#eef0f3" }));
    svg.append(el("text", { x: L - 8, y: y + 4, "text-anchor": "end", "font-size": 12, fill: "#d9480f" }, (maxLoss * (1 - i / 4)).toFixed(2)));
    svg.append(el("text", { x: W - R + 8, y: y + 4, "font-size": 12, fill: "#1971c2" }, `${100 - i * 25}%`));
  }
  const step = Math.max(1, Math.ceil(epochs / 10));
  for (let e = 1; e <= epochs; e += step) {
    svg.append(el("text", { x: x(e), y: H - B + 18, "text-anchor": "middle", "font-size": 12, fill: "#667085" }, String(e)));
  }
  svg.append(el("text", { x: (L + W - R) / 2, y: H - 2, "text-anchor": "middle", "font-size": 12, fill: "#667085" }, "epoch"));
  const series = [["loss", yLoss, "#d9480f"], ["accuracy", yAcc, "#1971c2"], ["valAccuracy", yAcc, "#2f9e44"]];
  for (const [key, y, color] of series) {
    const d = points.map((p, i) => `${i ? "L" : "M"}${x(p.epoch).toFixed(1)},${y(p[key]).toFixed(1)}`).join("");
    if (d) svg.append(el("path", { d, fill: "none", stroke: color, "stroke-width": 2.5, "stroke-linejoin": "round" }));
    const last = points[points.length - 1];
    if (last) svg.append(el("circle", { cx: x(last.epoch), cy: y(last[key]), r: 3.5, fill: color }));
  }
}

const kb = (n) => (n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);
function showRows(rows) {
  $("results").tBodies[0].replaceChildren(...rows.map((r) => {
    const tr = document.createElement("tr");
    tr.dataset.name = r.name;
    tr.dataset.accuracy = String(r.accuracy);
    tr.dataset.bytes = String(r.bytes);
    tr.dataset.gzipBytes = String(r.gzipBytes);
    for (const text of [r.name, `${(100 * r.accuracy).toFixed(1)}%`, r.nonZeros.toLocaleString("en"), kb(r.bytes), kb(r.gzipBytes)]) {
      tr.append(Object.assign(document.createElement("td"), { textContent: text }));
    }
    return tr;
  }));
}

worker.onmessage = ({ data }) => {
  if (data.type === "starting") {
    $("status").textContent = "Compiling the kernels and starting the threads…";
  } else if (data.type === "backend") {
    const { backend, threads, threadsReason } = data.info;
    $("status").textContent = `Training on ${backend}…`;
    $("threads").textContent = threads > 1 ? `threads: ${threads}` : `threads: 1 (${threadsReason})`;
  }
  else if (data.type === "epoch") {
    points.push(data);
    draw(data.epochs);
    $("status").textContent = `Epoch ${data.epoch}/${data.epochs}: loss ${data.loss.toFixed(3)}, test accuracy ${(100 * data.valAccuracy).toFixed(1)}%`;
  } else if (data.type === "trained") {
    showRows([data.row]);
    setBusy(false, `Trained in ${(data.ms / 1000).toFixed(1)} s. Test accuracy ${(100 * data.row.accuracy).toFixed(1)}%.`);
    document.body.dataset.state = "trained";
  } else if (data.type === "compressed") {
    showRows(data.rows);
    const [a, , c] = data.rows;
    setBusy(false, `Compressed: ${kb(a.bytes)} → ${kb(c.bytes)} stored, ${kb(a.gzipBytes)} → ${kb(c.gzipBytes)} gzipped; accuracy ${(100 * a.accuracy).toFixed(1)}% → ${(100 * c.accuracy).toFixed(1)}%.`);
    document.body.dataset.state = "compressed";
  } else if (data.type === "error") {
    setBusy(false, `Error: ${data.message}`);
    document.body.dataset.state = "error";
    console.error(data.stack);
  }
};

// A worker whose script fails to load or throws before its handler is set reports nothing by
// message: without this the page would wait for good.
worker.onerror = (e) => {
  setBusy(false, `Error: the training worker failed (${e.message || "its script did not load"})`);
  document.body.dataset.state = "error";
};

$("train").onclick = () => {
  points.length = 0;
  draw(20);
  setBusy(true, "Loading the kernels…");
  // A new model starts a new table: the rows of the last one no longer apply.
  showRows([]);
  document.body.dataset.state = "training";
  worker.postMessage({ type: "train", options: { epochs: 20, model: $("model").value } });
};
$("compress").onclick = () => {
  setBusy(true, "Pruning, fine-tuning 3 epochs with the masks held, quantizing…");
  worker.postMessage({ type: "compress" });
};
draw(20);

// The text demo: its own worker (text-worker.js), so it can run while the digits train.
const textWorker = new Worker(new URL("./text-worker.js", import.meta.url), { type: "module" });
$("text-train").addEventListener("click", () => {
  $("text-train").disabled = true;
  $("text-sample").textContent = "";
  $("text-status").textContent = "Training…";
  document.body.dataset.textState = "training";
  textWorker.postMessage({});
});
textWorker.onerror = (e) => {
  $("text-status").textContent = `Error: the text worker failed (${e.message || "its script did not load"})`;
  document.body.dataset.textState = "error";
  $("text-train").disabled = false;
};
textWorker.onmessage = ({ data: m }) => {
  if (m.type === "text-progress") {
    $("text-status").textContent = `Epoch ${m.epoch}/${m.epochs}: loss ${m.loss.toFixed(3)} nats per character`;
  } else if (m.type === "text-done") {
    $("text-status").textContent = `Trained in ${m.seconds.toFixed(1)} s: loss ${m.firstLoss.toFixed(3)} → ${m.loss.toFixed(3)} nats per character (${m.vocab} characters). Sampled after "${m.prompt}":`;
    $("text-sample").textContent = m.sample;
    Object.assign($("text-sample").dataset, { firstLoss: m.firstLoss, loss: m.loss, vocab: m.chars, prompt: m.prompt });
    document.body.dataset.textState = "trained";
    $("text-train").disabled = false;
  } else if (m.type === "text-error") {
    $("text-status").textContent = `Error: ${m.message}`;
    document.body.dataset.textState = "error";
    $("text-train").disabled = false;
  }
};
