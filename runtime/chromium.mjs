// Launches the system's Chromium (Debian package) through playwright-core: never a downloaded
// browser. A fresh profile and no background networking, so a run touches nothing outside.
import { mkdtemp, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Resolves to { browser, close }; throws with the install hint if Chromium is missing. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  const { chromium } = await import("playwright-core");
  const profile = await mkdtemp(join(tmpdir(), "edgegrad-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-quic", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"],
    viewport: { width: 1100, height: 760 },
  });
  const browser = context.browser();
  return {
    context,
    version: browser?.version() ?? (await versionOf(context)),
    close: async () => {
      await context.close();
      // Chromium's helper processes may still be writing the profile as the browser exits.
      await rm(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }).catch(() => {});
    },
  };
}

// A persistent context has no Browser object to ask, and the user agent string is reduced to
// "156.0.0.0": the DevTools protocol gives the full build number.
async function versionOf(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const { product } = await cdp.send("Browser.getVersion");
  await page.close();
  return product.replace(/^HeadlessChrome\/|^Chrome\//, "");
}
