// Signing in with an email link in headless Chromium against a running local stack:
//   node web/e2e/sign_in.mjs <config.json>
// config: {baseUrl, email, userId, log} where `log` is the runner's console output (where
// `make dev` prints sign-in links). Prints one JSON report line; exits non-zero on the first
// failed expectation.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { idTokenOf, launch, reporting, watchCsp } from "./browser.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { baseUrl, email } = config;
const report = {};
const browser = await launch();

async function printedLink(after) {
  const pattern = new RegExp(`#token=([A-Za-z0-9_-]{43})&email=${encodeURIComponent(email).replace(/%40/g, "@")}`, "g");
  for (let i = 0; i < 50; i += 1) {
    const found = [...readFileSync(config.log, "utf8").matchAll(pattern)].map((m) => m[1]).filter((t) => !after.includes(t));
    if (found.length) return found[found.length - 1];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the runner printed no link for that address");
}

await reporting(browser, report, async () => {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const csp = await watchCsp(page);
  const before = [...readFileSync(config.log, "utf8").matchAll(/#token=([A-Za-z0-9_-]{43})/g)].map((m) => m[1]);

  // The address form answers "check your email".
  await page.goto(`${baseUrl}/app/`);
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  report.answer = (await page.getByRole("status").textContent()).trim();
  assert.match(report.answer, /Check your email/);

  // Opening the link lands on the dashboard, signed in as that person.
  const token = await printedLink(before);
  const link = `${baseUrl}/app/#token=${token}&email=${encodeURIComponent(email)}`;
  await page.goto("about:blank"); // opened as from a mail client: a new document, not a hash change
  await page.goto(link);
  await page.getByTestId("stats-total").waitFor({ timeout: 20_000 });
  const idToken = await idTokenOf(page);
  report.sub = JSON.parse(Buffer.from(idToken.split(".")[1], "base64url").toString()).sub;
  assert.equal(report.sub, config.userId, "signed in to that person's account");
  assert.equal(new URL(page.url()).hash, "", "the link's secret is gone from the URL");
  assert.equal(await page.evaluate(() => localStorage.length), 0, "nothing in localStorage");

  // Sign out revokes the refresh token: the user pool's API refuses it afterwards.
  const { refreshToken } = await page.evaluate(() => JSON.parse(sessionStorage.getItem("clinic.auth.tokens")));
  const { cognitoEndpoint, userPoolClientId } = await (await fetch(`${baseUrl}/app/config.json`)).json();
  const refresh = () => fetch(new URL(cognitoEndpoint, baseUrl), {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth" },
    body: JSON.stringify({ ClientId: userPoolClientId, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: refreshToken } }),
  });
  assert.equal((await refresh()).status, 200, "the refresh token works before signing out");
  const revoked = page.waitForResponse((r) => (r.request().headers()["x-amz-target"] ?? "").endsWith(".RevokeToken"));
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  assert.equal((await revoked).status(), 200, "sign-out sends RevokeToken");
  await page.getByRole("button", { name: "Email me a sign-in link" }).waitFor();
  const refused = await refresh();
  report.refreshAfterSignOut = [refused.status, (await refused.json()).__type];
  assert.deepEqual(report.refreshAfterSignOut, [400, "NotAuthorizedException"], "the old refresh token is refused");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("clinic.auth.tokens")), null, "no tokens left");

  // The same link again: refused, in words, with the way to ask for a new one.
  await page.goto("about:blank");
  await page.goto(link);
  report.refused = (await page.getByRole("alert").textContent()).trim();
  assert.match(report.refused, /already used, has expired or is not valid/);
  await page.getByRole("button", { name: "Email me a sign-in link" }).waitFor();

  // Google (the runner's stand-in) for the same address lands in the same account: the first
  // time links the identity, which Cognito fails once, and the page restarts the sign-in once.
  await page.goto(`${baseUrl}/app/`);
  await page.getByRole("button", { name: "Continue with Google" }).click();
  report.consents = 0;
  for (;;) {
    const next = await Promise.race([
      page.waitForURL(/\/local\/google\/consent/, { timeout: 20_000 }).then(() => "consent", () => "timeout"),
      page.getByTestId("stats-total").waitFor({ timeout: 20_000 }).then(() => "dashboard", () => "timeout"),
    ]);
    if (next !== "consent" || report.consents >= 3) break;
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByRole("button", { name: "Continue" }).click();
    report.consents += 1;
    await page.waitForURL((url) => url.pathname.startsWith("/app/"));
  }
  await page.getByTestId("stats-total").waitFor({ timeout: 20_000 });
  const googleToken = await idTokenOf(page);
  report.googleSub = JSON.parse(Buffer.from(googleToken.split(".")[1], "base64url").toString()).sub;
  assert.equal(report.googleSub, config.userId, "Google lands in the email account");
  assert.equal(report.consents, 2, "one restart after Cognito's first-link error, no more");
  assert.equal(new URL(page.url()).search, "", "the code is gone from the URL");

  assert.deepEqual(csp, [], "no Content Security Policy violation");
  assert.deepEqual(errors, [], "no page errors");
});
