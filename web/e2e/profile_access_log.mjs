// The profile's reminder switch and the "Who looked at my record" panel, in headless Chromium
// against a running, seeded local stack:
//   node web/e2e/profile_access_log.mjs <config.json>      config: {baseUrl, patient, staffName}
// The switch's state survives a reload (it is the API's), the access log shows the staff reads the
// test made through the API, newest first and a page at a time, and axe-core finds nothing
// serious. Prints one JSON report line; exits non-zero on the first failed expectation.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { apiGet, launch, reporting, seriousViolations, signIn, waitUntil } from "./browser.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { baseUrl } = config;
const report = { axe: {} };
const browser = await launch();

async function accessible(page, view) {
  const violations = await seriousViolations(page);
  report.axe[view] = violations.length;
  assert.deepEqual(violations, [], `axe: no serious or critical violation (${view})`);
}

const isChecked = (page) => page.getByTestId("reminder-switch").isChecked();

async function switchTo(page, wanted) {
  const toggle = page.getByTestId("reminder-switch");
  await toggle.setChecked(wanted);
  await page.getByTestId("profile").getByRole("status").waitFor();
  await page.reload();
  await page.getByTestId("stats-total").waitFor();
  await waitUntil(page, () => !document.querySelector('[data-testid="reminder-switch"]')?.disabled);
}

await reporting(browser, report, async () => {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await signIn(page, baseUrl, config.patient);

  // The reminder switch: on by default, off after a reload once turned off, on again likewise.
  await waitUntil(page, () => !document.querySelector('[data-testid="reminder-switch"]')?.disabled);
  report.initially = await isChecked(page);
  assert.equal(report.initially, true, "reminders are on by default");
  await accessible(page, "profile");
  await switchTo(page, false);
  report.afterOff = await isChecked(page);
  assert.equal(report.afterOff, false, "off survives a reload");
  assert.equal((await apiGet(page, baseUrl, "/me")).appointmentReminders, false, "the API says off");
  await switchTo(page, true);
  report.afterOn = await isChecked(page);
  assert.equal(report.afterOn, true, "on survives a reload");

  // The access log: its newest staff entry is the read of the biomarkers made before this script
  // (the patient's own sign-in since then is listed too, as "You").
  const log = page.getByTestId("access-log");
  const first = log.locator("li").first();
  await first.waitFor();
  report.newestFirst = (await first.textContent()).trim();
  report.newest = (await log.locator("li", { hasText: "(clinic staff)" }).first().textContent()).trim();
  assert.ok(report.newest.startsWith(`${config.staffName} (clinic staff) viewed your biomarkers`), report.newest);
  const api = await apiGet(page, baseUrl, "/me/access-log?limit=10");
  assert.equal(await log.locator("li").count(), api.items.length, "the panel shows the API's first page");
  await accessible(page, "access log");

  // A page at a time: Next shows the API's second page, Previous the first again.
  assert.ok(api.nextCursor, "the test made enough reads for a second page");
  await log.getByRole("button", { name: "Next" }).click();
  const second = await apiGet(page, baseUrl, `/me/access-log?limit=10&cursor=${encodeURIComponent(api.nextCursor)}`);
  await waitUntil(page, (n) => document.querySelectorAll('[data-testid="access-log"] li').length === n
    && !document.querySelector('[data-testid="access-log"] button')?.disabled, second.items.length);
  report.secondPage = second.items.length;
  assert.ok(second.items.length > 0);
  await log.getByRole("button", { name: "Previous" }).click();
  await waitUntil(page, (text) => document.querySelector('[data-testid="access-log"] li')?.textContent.trim() === text,
    report.newestFirst);
  assert.deepEqual(errors, [], "no errors in the page");
});
