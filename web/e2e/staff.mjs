// A staff member signs in with an email link and must give the authenticator app's code before
// any admin route answers, in headless Chromium against a running local stack:
//   node web/e2e/staff.mjs <config.json>      config: {baseUrl, email, totpSecret, log}
// Prints one JSON report line; exits non-zero on the first failed expectation.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { idTokenOf, launch, openEmailLink, reporting, totp, watchCsp } from "./browser.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { baseUrl, email } = config;
const report = {};
const browser = await launch();

await reporting(browser, report, async () => {
  const page = await browser.context.newPage();
  const csp = await watchCsp(page);
  await openEmailLink(page, config);

  // The link alone is not enough: the page asks for the code and holds no token meanwhile.
  await page.getByTestId("totp").waitFor({ timeout: 20_000 });
  report.tokenBeforeCode = await page.evaluate(() => sessionStorage.getItem("clinic.auth.tokens"));
  assert.equal(report.tokenBeforeCode, null, "no token before the second factor");

  await page.getByLabel("Authenticator code").fill(totp(config.totpSecret));
  await page.getByRole("button", { name: "Continue" }).click();
  // Staff land in the workspace, not on a patient's dashboard.
  await page.getByTestId("workspace").waitFor({ timeout: 20_000 });
  const idToken = await idTokenOf(page);
  report.role = JSON.parse(Buffer.from(idToken.split(".")[1], "base64url").toString()).role;
  const admin = await fetch(`${baseUrl}/api/admin/patients`, { headers: { Authorization: `Bearer ${idToken}` } });
  report.adminStatus = admin.status;
  assert.equal(admin.status, 200, "an admin route answers after the code");
  assert.deepEqual(csp, [], "no Content Security Policy violation");
});
