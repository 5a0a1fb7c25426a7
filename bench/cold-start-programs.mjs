// What the default entry's two forms cost three kinds of program at a cold start: Node's files
// (dist/node/: the top-level API at import, the namespaces and the data sets on first use) and
// the one-file bundle (dist/index.js: what bundlers and browsers get, and what Node got before).
// Programs, each in a fresh Node process, spawn to exit on this process's clock:
//   matmul — import → init → one 128×128 matmul (bench/cold-start.mjs's program);
//   mlp    — import → init → Sequential(Linear(784,128), ReLU, Linear(128,10)) → one forward pass
//            of 64 rows (a serverless inference);
//   train  — import → init → the embedded digits → one epoch of a 64-32-10 MLP with Adam.
// Against a bare Node process; runs interleaved, medians, child CPU time (user + system) too.
//   npm run build && node bench/cold-start-programs.mjs [runs=21]
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(import.meta.url);
const ENTRIES = { "Node files": "../dist/node/index.mjs", "one-file bundle": "../dist/index.js" };

const PROGRAMS = {
  async matmul(eg) {
    await eg.init();
    const a = eg.ones([128, 128]);
    return eg.matmul(a, a).data[0];
  },
  async mlp(eg) {
    await eg.init();
    const { nn } = eg;
    const model = new nn.Sequential(new nn.Linear(784, 128, { seed: 1 }), new nn.ReLU(), new nn.Linear(128, 10, { seed: 2 }));
    return model.forward(eg.randn([64, 784], { seed: 3 })).data[0];
  },
  async train(eg) {
    await eg.init();
    const { nn, optim, data } = eg;
    const { x, y } = data.digits();
    const model = new nn.Sequential(new nn.Linear(64, 32, { seed: 1 }), new nn.ReLU(), new nn.Linear(32, 10, { seed: 2 }));
    const history = await nn.fit(model, x, y, {
      loss: "crossEntropy", optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }), epochs: 1, batchSize: 64, seed: 3,
    });
    return history.history.loss[0];
  },
};

async function child(program, entry) {
  const result = entry === "bare node" ? 0 : await PROGRAMS[program](await import(ENTRIES[entry]));
  const usage = process.resourceUsage();
  console.log(JSON.stringify({ result, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
}

function parent(runs) {
  if (!(runs >= 9)) throw new Error(`cold-start-programs: ${runs} runs; medians need at least 9`);
  const cases = [["bare node", "bare node"]];
  for (const program of Object.keys(PROGRAMS)) for (const entry of Object.keys(ENTRIES)) cases.push([program, entry]);
  const wall = cases.map(() => []), cpu = cases.map(() => []), results = cases.map(() => new Set());
  for (let r = 0; r < runs; r++) {
    cases.forEach(([program, entry], i) => {
      const t0 = performance.now();
      const out = spawnSync(process.execPath, [here, "--child", program, entry], { encoding: "utf8" });
      if (out.status !== 0) throw new Error(`${program} / ${entry}: ${out.stderr}`);
      wall[i].push(performance.now() - t0);
      const res = JSON.parse(out.stdout.trim().split("\n").pop());
      cpu[i].push(res.cpuMs);
      results[i].add(res.result);
    });
  }
  const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
  const bare = median(wall[0]);
  console.log(`cold start by program, Node ${process.version}, median of ${runs} interleaved runs; bare node ${bare.toFixed(1)} ms spawn to exit`);
  console.log("| program | entry | spawn to exit − bare node, ms | child CPU ms | result |");
  console.log("| --- | --- | ---: | ---: | --- |");
  cases.slice(1).forEach(([program, entry], i) => {
    const k = i + 1;
    console.log(`| ${program} | ${entry} | +${(median(wall[k]) - bare).toFixed(1)} | ${median(cpu[k]).toFixed(1)} | ${[...results[k]].join(", ")} |`);
  });
}

if (process.argv[2] === "--child") await child(process.argv[3], process.argv[4]);
else parent(Number(process.argv[2] ?? 21));
