// Headless Chromium through playwright-core (no bundled browser download): Debian's chromium.
import { createHmac } from "node:crypto";
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

/** RFC 6238 (what the person's authenticator app shows): HMAC-SHA1, 30-second steps, 6 digits. */
export function totp(secret) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bits = [...secret.toUpperCase()].map((c) => alphabet.indexOf(c).toString(2).padStart(5, "0")).join("");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const digest = createHmac("sha1", key).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** Ask for an email link and open it: the runner prints the link in its log (`log`), as `make
 * dev` does. Resolves once the page that needs the next step (the code, for staff) has loaded. */
export async function openEmailLink(page, { baseUrl, email, log }) {
  const before = new Set([...readFileSync(log, "utf8").matchAll(/#token=([A-Za-z0-9_-]{43})/g)].map((m) => m[1]));
  await page.goto(`${baseUrl}/app/`);
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByRole("status").waitFor();
  let token = null;
  for (let i = 0; i < 50 && !token; i += 1) {
    const found = [...readFileSync(log, "utf8").matchAll(/#token=([A-Za-z0-9_-]{43})&email=([^\s]+)/g)]
      .filter((m) => decodeURIComponent(m[2]) === email && !before.has(m[1]));
    token = found.length ? found[found.length - 1][1] : null;
    if (!token) await new Promise((r) => setTimeout(r, 200));
  }
  if (!token) throw new Error("the runner printed no link for that address");
  await page.goto("about:blank");
  await page.goto(`${baseUrl}/app/#token=${token}&email=${encodeURIComponent(email)}`);
}

/** A staff member's real sign-in: the email link, then the authenticator app's code. */
export async function signInStaff(page, { baseUrl, email, totpSecret, log }) {
  await openEmailLink(page, { baseUrl, email, log });
  await page.getByTestId("totp").waitFor({ timeout: 20_000 });
  await page.getByLabel("Authenticator code").fill(totp(totpSecret));
  await page.getByRole("button", { name: "Continue" }).click();
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
