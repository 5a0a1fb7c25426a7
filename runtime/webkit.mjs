// Launches WebKitGTK's MiniBrowser (Debian packages webkit2gtk-driver and libwebkit2gtk-4.1-0)
// through WebKitWebDriver, the W3C WebDriver server WebKit ships, on a virtual X display (Xvfb)
// when there is no display. WebKit is Safari's engine: JavaScriptCore with WebKit's wasm and its
// own workers and cross-origin isolation. Classic WebDriver is plain HTTP + JSON, so `fetch` is
// the whole client.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { freePort } from "./static-server.mjs";

export const WEBDRIVER = process.env.WEBKIT_WEBDRIVER_PATH ?? "/usr/bin/WebKitWebDriver";
export const MINIBROWSER = process.env.WEBKIT_MINIBROWSER_PATH ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
const XVFB = "/usr/bin/Xvfb";

/** Resolves to { version, open(url), evaluate(expression), errors(), close }, like launchFirefox. */
export async function launchWebKit({ timeoutMs = 30_000 } = {}) {
  for (const [path, pkg] of [[WEBDRIVER, "webkit2gtk-driver"], [MINIBROWSER, "libwebkit2gtk-4.1-0"]]) {
    if (!existsSync(path)) throw new Error(`no ${path} (apt-get install ${pkg})`);
  }
  const children = [];
  const stop = () => { for (const c of children.reverse()) c.kill("SIGKILL"); };
  try {
    let display = process.env.DISPLAY;
    if (!display) {
      if (!existsSync(XVFB)) throw new Error("no display and no Xvfb (apt-get install xvfb)");
      const xvfb = spawn(XVFB, ["-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp"], { stdio: ["ignore", "ignore", "ignore", "pipe"] });
      children.push(xvfb);
      display = `:${await firstLine(xvfb.stdio[3], timeoutMs, "Xvfb's display number")}`;
    }
    const port = await freePort();
    const driver = spawn(WEBDRIVER, [`--port=${port}`, "--host=127.0.0.1"], { stdio: "ignore", env: { ...process.env, DISPLAY: display } });
    children.push(driver);
    const base = `http://127.0.0.1:${port}`;
    const session = await retry(() => command(base, "POST", "/session", { capabilities: { alwaysMatch: {
      "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] },
    } } }), timeoutMs);
    const path = `/session/${session.sessionId}`;
    /** The expression's value, a string or null. */
    const evaluate = async (expression) => {
      const value = await command(base, "POST", `${path}/execute/sync`, { script: `return (${expression});`, args: [] });
      if (value !== null && typeof value !== "string") throw new Error(`evaluate: expected a string or null, got ${typeof value}`);
      return value;
    };
    return {
      version: `webkitgtk ${session.capabilities.browserVersion}`,
      // Classic WebDriver reports no page errors, so the page collects its own from the moment it
      // has loaded: uncaught errors and rejections, and console.error.
      open: async (url) => {
        await command(base, "POST", `${path}/url`, { url });
        await evaluate(`(() => {
          const errors = window.__edgegradPageErrors = [], consoleError = console.error;
          addEventListener("error", (e) => errors.push(String(e.message)));
          addEventListener("unhandledrejection", (e) => errors.push(String(e.reason)));
          console.error = (...args) => { errors.push(args.join(" ")); consoleError(...args); };
          return null;
        })()`);
      },
      evaluate,
      errors: async () => JSON.parse(await evaluate("JSON.stringify(window.__edgegradPageErrors ?? [])")),
      close: async () => {
        await command(base, "DELETE", path).catch(() => {});
        stop();
      },
    };
  } catch (e) {
    stop();
    throw e;
  }
}

async function command(base, method, path, body) {
  const res = await fetch(base + path, { method, headers: { "content-type": "application/json" }, body: body && JSON.stringify(body) });
  const { value } = await res.json();
  if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${value?.error}: ${value?.message}`);
  return value;
}

/** Retries `fn` until it resolves: the driver takes a moment to listen. */
async function retry(fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}


function firstLine(stream, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
    stream.on("data", (chunk) => {
      text += chunk;
      if (text.includes("\n")) { clearTimeout(timer); resolve(text.split("\n")[0].trim()); }
    });
  });
}
