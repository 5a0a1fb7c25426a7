// Launches the system's Firefox ESR (Debian package firefox-esr) headless on a fresh profile and
// drives it over WebDriver BiDi, the W3C protocol Firefox speaks natively: a WebSocket carrying
// JSON commands. Only the four commands a page check needs are used, so no browser-automation
// library (and no downloaded, patched browser) is involved. Firefox runs SpiderMonkey, the
// third JavaScript and wasm engine of the matrix beside V8 (Node, Deno, Chromium, workerd) and
// JavaScriptCore (Bun).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";

export const FIREFOX = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";

/** Resolves to { version, open(url), evaluate(expression), errors(), close }; throws with the install hint if Firefox is missing. */
export async function launchFirefox({ timeoutMs = 30_000 } = {}) {
  if (!existsSync(FIREFOX)) throw new Error(`no Firefox at ${FIREFOX} (apt-get install firefox-esr, or set FIREFOX_PATH)`);
  const profile = await mkdtemp(join(tmpdir(), "edgegrad-firefox-"));
  // Port 0: Firefox picks a free one and prints the address on stderr.
  const child = spawn(FIREFOX, ["--headless", "--no-remote", "--profile", profile, "--remote-debugging-port=0", "about:blank"],
    { stdio: ["ignore", "ignore", "pipe"] });
  const close = async () => {
    child.kill("SIGKILL");
    await rm(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }).catch(() => {});
  };
  try {
    const address = await listeningAddress(child, timeoutMs);
    const bidi = await connect(`${address}/session`, timeoutMs);
    const session = await bidi.send("session.new", { capabilities: {} });
    const { contexts } = await bidi.send("browsingContext.getTree", {});
    const context = contexts[0].context;
    const errors = [];
    bidi.on("log.entryAdded", (entry) => { if (entry.level === "error") errors.push(entry.text); });
    await bidi.send("session.subscribe", { events: ["log.entryAdded"] });
    return {
      version: `firefox ${session.capabilities.browserVersion}`,
      /** The page's uncaught errors and console.error messages so far. */
      errors: async () => [...errors],
      open: (url) => bidi.send("browsingContext.navigate", { context, url, wait: "complete" }),
      /** The expression's value, which must be a string or null (BiDi serializes other values as remote objects). */
      evaluate: async (expression) => {
        const { result } = await bidi.send("script.evaluate", { expression, target: { context }, awaitPromise: false });
        if (result.type === "null" || result.type === "undefined") return null;
        if (result.type !== "string") throw new Error(`evaluate: expected a string or null, got a ${result.type}`);
        return result.value;
      },
      close: async () => {
        await bidi.send("browser.close", {}).catch(() => {});
        bidi.close();
        await close();
      },
    };
  } catch (e) {
    await close();
    throw e;
  }
}

function listeningAddress(child, timeoutMs) {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`Firefox did not open WebDriver BiDi within ${timeoutMs} ms:\n${text}`)), timeoutMs);
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`Firefox exited (${code}) before it listened:\n${text}`)); });
    child.stderr.on("data", (chunk) => {
      text += chunk;
      const m = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(text);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
  });
}

/** A BiDi connection: send(method, params) resolves to the command's result; on(event, fn) for events. */
function connect(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const pending = new Map(), listeners = new Map();
    let nextId = 1;
    ws.on("error", reject);
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data));
      if (msg.type === "event") { listeners.get(msg.method)?.(msg.params); return; }
      const waiter = pending.get(msg.id);
      if (!waiter) return;
      pending.delete(msg.id);
      if (msg.type === "error") waiter.reject(new Error(`${waiter.method}: ${msg.error}: ${msg.message}`));
      else waiter.resolve(msg.result);
    });
    ws.on("open", () => resolve({
      send: (method, params) => new Promise((res, rej) => {
        const id = nextId++;
        const timer = setTimeout(() => { pending.delete(id); rej(new Error(`${method}: no answer within ${timeoutMs} ms`)); }, timeoutMs);
        pending.set(id, { method, resolve: (v) => { clearTimeout(timer); res(v); }, reject: (e) => { clearTimeout(timer); rej(e); } });
        ws.send(JSON.stringify({ id, method, params }));
      }),
      on: (event, fn) => listeners.set(event, fn),
      close: () => ws.close(),
    }));
  });
}
