// The session outlives its ID token, in headless Chromium against a runner started with a short
// ID-token lifetime (CLINIC_ID_TOKEN_SECONDS):
//   node web/e2e/refresh.mjs <config.json>      config: {baseUrl, email, log}
// Signs in with an email link, sets the appointments filter, waits until the first ID token has
// expired, then uses the page: the request carries a refreshed token, with no reload and the
// filter kept. Prints one JSON report line; exits non-zero on the first failed expectation.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { launch, reporting, watchCsp } from "./browser.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { baseUrl, email } = config;
const report = {};
const browser = await launch();
const claims = (token) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());

await reporting(browser, report, async () => {
  const page = await browser.context.newPage();
  const csp = await watchCsp(page);
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
  const first = await page.evaluate(() => sessionStorage.getItem("clinic.idToken"));
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
  assert.deepEqual(csp, [], "no Content Security Policy violation");
});
