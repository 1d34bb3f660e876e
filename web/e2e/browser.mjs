// Headless Chromium through playwright-core (no bundled browser download): Debian's chromium.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"];

/** A persistent-context launch in a fresh user-data-dir; close() removes the directory. */
export async function launch(viewport = { width: 1280, height: 900 }) {
  const dir = mkdtempSync(join(tmpdir(), "clinic-chromium-"));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, args: ARGS, headless: true, viewport,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every Content Security Policy violation the page reports, as the browser sees it: the
 * document's securitypolicyviolation events (registered before any script of the page runs) and
 * the console's CSP messages. Call before the first navigation; the returned list fills up. */
export async function watchCsp(page) {
  const violations = [];
  await page.exposeFunction("__cspViolation", (v) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__cspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`));
  });
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

/** Open the dashboard and sign in with the demo-account picker. */
export async function signIn(page, baseUrl, email) {
  await page.goto(`${baseUrl}/app/`);
  await page.locator(`button[data-email="${email}"]`).click();
  await page.getByTestId("stats-total").waitFor();
}

/** The widget's numbers as the page shows them. */
export async function widget(page) {
  const text = async (id) => (await page.getByTestId(id).textContent()).trim();
  const row = async (key) => ({
    count: Number(await text(`stats-${key}-count`)), percent: Number((await text(`stats-${key}-percent`)).replace("%", "")),
  });
  return { total: Number(await text("stats-total")), optimal: await row("optimal"), inRange: await row("inRange"),
    outOfRange: await row("outOfRange") };
}

/** The session's tokens as the page keeps them (web/src/auth/tokens.ts: sessionStorage), or null. */
export async function sessionTokens(page) {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem("clinic.auth.tokens") ?? "null"));
}

/** The page's current ID token. */
export async function idTokenOf(page) {
  return (await sessionTokens(page))?.idToken ?? null;
}

/** GET `path` from the API with the page's own token. */
export async function apiGet(page, baseUrl, path) {
  const token = await idTokenOf(page);
  const response = await fetch(`${baseUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
  return response.json();
}

/** GET /biomarkers/stats in the widget's shape. */
export async function apiStats(page, baseUrl) {
  const s = await apiGet(page, baseUrl, "/biomarkers/stats");
  const row = (key) => ({ count: s.counts[key], percent: s[key] });
  return { total: s.total, optimal: row("optimal"), inRange: row("inRange"), outOfRange: row("outOfRange") };
}

const AXE = fileURLToPath(new URL("../node_modules/axe-core/axe.min.js", import.meta.url));

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.x A and AA). */
export async function seriousViolations(page) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern: a script tag
  // would be an inline script the CSP (rightly) refuses.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(`${readFileSync(AXE, "utf8")}\n;0`);
  const results = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
  }));
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
}

/** Wait until ``predicate(arg)`` is truthy in the page. Each check is one evaluation through the
 * DevTools protocol, which the page's CSP does not govern; Playwright's waitForFunction polls from
 * inside the page with eval, which a CSP without 'unsafe-eval' (ours) refuses. */
export async function waitUntil(page, predicate, arg, { timeout = 30_000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(predicate, arg)) return;
    if (Date.now() > deadline) throw new Error(`waitUntil: not true within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** Run a browser script's checks: ``report.ok`` says whether they all held (else ``error`` says
 * why, and the exit code is 1); the report is printed as one JSON line; the browser (or each of
 * a list of browsers) is closed. */
export async function reporting(browsers, report, checks) {
  try {
    await checks();
    report.ok = true;
  } catch (error) {
    report.ok = false;
    report.error = String(error);
    process.exitCode = 1;
  } finally {
    console.log(JSON.stringify(report));
    for (const browser of [browsers].flat()) await browser.close();
  }
}
