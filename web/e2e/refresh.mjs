// The session outlives its ID token, in headless Chromium against a runner started with a short
// ID-token lifetime (CLINIC_ID_TOKEN_SECONDS):
//   node web/e2e/refresh.mjs <config.json>      config: {baseUrl, email, log}
// Signs in with an email link, sets the appointments filter, waits until the first ID token has
// expired, then uses the page: the request carries a refreshed token, with no reload and the
// filter kept. Then the live socket is dropped by the server: the page reconnects with the
// refreshed token (the runner's $connect refuses an expired one), and a reading ingested
// afterwards (config.ingest, an argv) still reaches the page live. Prints one JSON report line;
// exits non-zero on the first failed expectation.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { apiStats, idTokenOf, launch, reporting, waitUntil, watchCsp, widget } from "./browser.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { baseUrl, email } = config;
const report = {};
const browser = await launch();
const claims = (token) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());

await reporting(browser, report, async () => {
  const page = await browser.context.newPage();
  const csp = await watchCsp(page);
  // Every live socket the page opens, through a route that can drop it from the server's side.
  const sockets = [];
  await page.routeWebSocket((url) => url.searchParams.has("token"), (ws) => {
    sockets.push({ token: new URL(ws.url()).searchParams.get("token"), server: ws.connectToServer() });
  });
  await page.goto(`${baseUrl}/app/`);
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByRole("status").waitFor();
  let token = null;
  for (let i = 0; i < 50 && !token; i += 1) {
    const found = [...readFileSync(config.log, "utf8").matchAll(/#token=([A-Za-z0-9_-]{43})&email=([^\s]+)/g)]
      .filter((m) => decodeURIComponent(m[2]) === email);
    token = found.length ? found[found.length - 1][1] : null;
    if (!token) await new Promise((r) => setTimeout(r, 200));
  }
  await page.goto("about:blank");
  await page.goto(`${baseUrl}/app/#token=${token}&email=${encodeURIComponent(email)}`);
  await page.getByTestId("stats-total").waitFor({ timeout: 20_000 });
  const first = await idTokenOf(page);
  report.lifetime = claims(first).exp - claims(first).iat;

  const navigations = [];
  page.on("framenavigated", (frame) => { if (frame === page.mainFrame()) navigations.push(frame.url()); });
  const filter = page.getByTestId("appointments").locator("select");
  await filter.selectOption("lab");

  // Past the first token's expiry (the API now refuses it), the page keeps working.
  const waitMs = claims(first).exp * 1000 - Date.now() + 3_000;
  await page.waitForTimeout(Math.max(0, waitMs));
  const old = await fetch(`${baseUrl}/api/biomarkers/stats`, { headers: { Authorization: `Bearer ${first}` } });
  report.firstTokenStatus = old.status;
  assert.equal(old.status, 401, "the first ID token has expired");
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/appointments?") && r.url().includes("type=imaging")),
    filter.selectOption("imaging"),
  ]);
  report.afterExpiry = response.status();
  assert.equal(response.status(), 200, "a request after the first token's expiry succeeds");
  const used = (await response.request().allHeaders()).authorization.replace(/^Bearer /, "");
  assert.notEqual(used, first, "the request carried a refreshed token");
  assert.deepEqual(navigations, [], "no reload");
  assert.equal(await filter.inputValue(), "imaging", "the page's state is kept");

  // The live socket opened with the first token and was left alone by the refresh; when the
  // server drops it, the page reconnects with the current token and live updates keep arriving.
  const liveOpen = () => page.getByTestId("live").filter({ hasText: /^live$/ }).waitFor({ timeout: 15_000 });
  await liveOpen();
  report.socketsBeforeDrop = sockets.length;
  assert.equal(sockets.length, 1, "a refresh does not reconnect the socket");
  assert.equal(sockets[0].token, first, "the first socket presented the first token");
  const stats = [];
  page.on("response", (r) => { if (r.url().includes("/biomarkers/stats")) stats.push(r.status()); });
  sockets[0].server.close();
  await waitUntil(page, () => document.querySelector('[data-testid="live"]')?.textContent !== "live", null);
  await liveOpen();
  report.sockets = sockets.length;
  assert.equal(sockets.length, 2, "one reconnection");
  const reconnected = sockets[1].token;
  report.reconnectedWithFirstToken = reconnected === first;
  assert.notEqual(reconnected, first, "the reconnection presented the refreshed token");
  assert.ok(claims(reconnected).exp * 1000 > Date.now(), "an unexpired one");
  report.firstToken = first; // the test checks the runner's $connect refuses it
  for (let i = 0; i < 50 && stats.length === 0; i += 1) await page.waitForTimeout(100); // the reconnection's refetch
  const before = await widget(page);
  execFileSync(config.ingest[0], config.ingest.slice(1), { stdio: "pipe" });
  const expected = await apiStats(page, baseUrl);
  assert.notDeepEqual(expected, before, "the ingested reading changes the stats");
  await waitUntil(page, (want) => document.querySelector('[data-testid="stats-outOfRange-count"]')?.textContent === String(want),
    expected.outOfRange.count, { timeout: 15_000 });
  report.liveAfterReconnect = await widget(page);
  assert.deepEqual(report.liveAfterReconnect, expected, "the widget updated live after the reconnection");
  assert.deepEqual(navigations, [], "still no reload");
  assert.deepEqual(csp, [], "no Content Security Policy violation");
});
