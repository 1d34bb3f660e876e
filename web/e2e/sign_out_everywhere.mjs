// "Sign out everywhere" in headless Chromium against a running local stack:
//   node web/e2e/sign_out_everywhere.mjs <config.json>      config: {baseUrl, email}
// The same person signed in in two tabs (each tab its own session); "Sign out everywhere" in one
// sends GlobalSignOut, and then the other tab's refresh token (and this one's) is refused by the
// user pool's API. Prints one JSON report line; exits non-zero on the first failed expectation.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { launch, reporting, sessionTokens, signIn, watchCsp } from "./browser.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { baseUrl, email } = config;
const report = {};
const browser = await launch();

await reporting(browser, report, async () => {
  const { cognitoEndpoint, userPoolClientId } = await (await fetch(`${baseUrl}/app/config.json`)).json();
  const refresh = async (refreshToken) => {
    const answer = await fetch(new URL(cognitoEndpoint, baseUrl), {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth" },
      body: JSON.stringify({ ClientId: userPoolClientId, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: refreshToken } }),
    });
    return [answer.status, answer.ok ? "ok" : (await answer.json()).__type];
  };

  // Given the same person signed in in two tabs, each with a refresh token that works
  const here = await browser.context.newPage();
  const elsewhere = await browser.context.newPage();
  const csp = [await watchCsp(here), await watchCsp(elsewhere)];
  await signIn(here, baseUrl, email);
  await signIn(elsewhere, baseUrl, email);
  const mine = (await sessionTokens(here)).refreshToken;
  const theirs = (await sessionTokens(elsewhere)).refreshToken;
  assert.ok(mine && theirs && mine !== theirs, "two sessions, two refresh tokens");
  report.before = [await refresh(mine), await refresh(theirs)];
  assert.deepEqual(report.before, [[200, "ok"], [200, "ok"]], "both refresh tokens work before");

  // When one tab signs out everywhere, on a network where GlobalSignOut is the slower call (so a
  // page that revoked its refresh token alongside it would see GlobalSignOut refused)
  const isCall = (request, name) => (request.headers()["x-amz-target"] ?? "").endsWith(`.${name}`);
  report.order = [];
  await here.route(new URL(cognitoEndpoint, baseUrl).href, async (route) => {
    const name = ["GlobalSignOut", "RevokeToken"].find((n) => isCall(route.request(), n));
    if (name) report.order.push(name);
    if (name === "GlobalSignOut") await new Promise((resolve) => setTimeout(resolve, 400));
    await route.continue();
  });
  const globalSignOut = here.waitForResponse((r) => isCall(r.request(), "GlobalSignOut"));
  await here.getByRole("button", { name: "Sign out everywhere" }).click();
  report.globalSignOut = (await globalSignOut).status();
  assert.equal(report.globalSignOut, 200, "the page sends GlobalSignOut");
  await here.locator(`button[data-email="${email}"]`).waitFor();
  assert.deepEqual(report.order, ["GlobalSignOut", "RevokeToken"], "the refresh token is revoked after GlobalSignOut, not alongside");
  assert.equal(await sessionTokens(here), null, "no tokens left in this tab");

  // Then the other tab's refresh token is refused, as this tab's is
  report.after = { elsewhere: await refresh(theirs), here: await refresh(mine) };
  assert.deepEqual(report.after.elsewhere, [400, "NotAuthorizedException"], "the other session's refresh token is refused");
  assert.deepEqual(report.after.here, [400, "NotAuthorizedException"], "this session's refresh token is refused");
  assert.deepEqual(csp.flat(), [], "no Content Security Policy violation");
});
