// A staff member signs in with an email link and must give the authenticator app's code before
// any admin route answers, in headless Chromium against a running local stack:
//   node web/e2e/staff.mjs <config.json>      config: {baseUrl, email, totpSecret, log}
// Prints one JSON report line; exits non-zero on the first failed expectation.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { idTokenOf, launch, reporting, watchCsp } from "./browser.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { baseUrl, email } = config;
const report = {};
const browser = await launch();

// RFC 6238 (what the person's authenticator app shows): HMAC-SHA1, 30-second steps, 6 digits.
function totp(secret) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bits = [...secret.toUpperCase()].map((c) => alphabet.indexOf(c).toString(2).padStart(5, "0")).join("");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const digest = createHmac("sha1", key).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

await reporting(browser, report, async () => {
  const page = await browser.context.newPage();
  const csp = await watchCsp(page);
  const before = new Set([...readFileSync(config.log, "utf8").matchAll(/#token=([A-Za-z0-9_-]{43})/g)].map((m) => m[1]));
  await page.goto(`${baseUrl}/app/`);
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByRole("status").waitFor();
  let token = null;
  for (let i = 0; i < 50 && !token; i += 1) {
    const found = [...readFileSync(config.log, "utf8").matchAll(/#token=([A-Za-z0-9_-]{43})&email=([^\s]+)/g)]
      .filter((m) => decodeURIComponent(m[2]) === email && !before.has(m[1]));
    token = found.length ? found[found.length - 1][1] : null;
    if (!token) await new Promise((r) => setTimeout(r, 200));
  }
  await page.goto("about:blank");
  await page.goto(`${baseUrl}/app/#token=${token}&email=${encodeURIComponent(email)}`);

  // The link alone is not enough: the page asks for the code and holds no token meanwhile.
  await page.getByTestId("totp").waitFor({ timeout: 20_000 });
  report.tokenBeforeCode = await page.evaluate(() => sessionStorage.getItem("clinic.auth.tokens"));
  assert.equal(report.tokenBeforeCode, null, "no token before the second factor");

  await page.getByLabel("Authenticator code").fill(totp(config.totpSecret));
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByTestId("stats-total").waitFor({ timeout: 20_000 });
  const idToken = await idTokenOf(page);
  report.role = JSON.parse(Buffer.from(idToken.split(".")[1], "base64url").toString()).role;
  const admin = await fetch(`${baseUrl}/api/admin/patients`, { headers: { Authorization: `Bearer ${idToken}` } });
  report.adminStatus = admin.status;
  assert.equal(admin.status, 200, "an admin route answers after the code");
  assert.deepEqual(csp, [], "no Content Security Policy violation");
});
